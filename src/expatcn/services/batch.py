"""Batch files through the engines: ``expatcn tax-batch`` (IIT, one row per person-month) and
``expatcn month-batch`` (the full month), in bounded memory on one machine or on a Dask cluster.

One machine (:func:`run_batch`): the file is read in chunks of whole employees
(:mod:`expatcn.io.batch_stream`), each chunk is checked, computed (the compiled kernel for a large
chunk, the reference engines for a small one: :mod:`expatcn.month_kernel`) and its rows written
before the next is read; the output appears only when the whole file has gone through.

Dask (:func:`dask_batch`): the Parquet dataset's partitions, regrouped so that an employee's rows
share a partition (a shuffle on ``employee_id``), each go through :func:`compute_frame` — the very
function of the single-machine run — on the workers, and the result is a partitioned Parquet
dataset. The law travels with the job: the client's validated tables (overlays included) are
sent once to every worker, so each computes under exactly the client's law; a worker needs
``expatcn`` installed (the same version, with numba; its kernel cache is built on first use).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from expatcn.io.batch import RESULT_COLUMNS, BatchError, check_columns, check_frame, rows_frame, year_parts
from expatcn.io.batch_stream import CHUNK_ROWS, ResultWriter, chunks, columns_of
from expatcn.io.month_batch import check_month_columns, check_month_frame, month_year_parts
from expatcn.law import Law, load_law
from expatcn.month_kernel import MONTH_COLUMNS, month_columns, year_columns

Kind = Literal["tax", "month"]
LOCAL = "local"


class BatchDone(BaseModel):
    rows: int = Field(description="person-months written")
    out: str
    engines: list[str] = Field(description="the engines that computed the chunks (kernel, reference)")


def run_batch(kind: Kind, source: Path, out: Path, *, law: Law | None = None, chunk_rows: int = CHUNK_ROWS,
              partial: bool = False, engine: str = "auto") -> BatchDone:
    """Every person-year of ``source`` (CSV or Parquet), in chunks of about ``chunk_rows`` rows,
    one row per person-month to ``out`` (CSV or Parquet); nothing is written unless every chunk is."""
    law = law or load_law()
    source, out = Path(source), Path(out)
    _check_columns(kind, columns_of(source), source, law)
    writer = ResultWriter(out)
    engines: set[str] = set()
    try:
        for frame, first in chunks(source, chunk_rows):
            result, used = compute_frame(kind, frame, str(source), first, law, partial, engine)
            engines |= used
            writer.write(result)
        if writer.rows == 0 and not engines:
            writer.write(empty_result(kind, partial))
        writer.close()
    except BaseException:
        writer.abandon()
        raise
    return BatchDone(rows=writer.rows, out=str(out), engines=sorted(engines))


def _check_columns(kind: Kind, columns: list[str], source, law: Law) -> None:
    (check_columns if kind == "tax" else check_month_columns)(columns, source, law)


def compute_frame(kind: Kind, raw, path: str, first: int, law: Law, partial: bool = False, engine: str = "auto"):
    """One chunk (or partition) of person-months → its result rows (a Polars frame) and the engines used."""
    import polars as pl

    frames, used = [], set()
    if kind == "tax":
        for inputs, _ in year_parts(check_frame(raw, path, first), path):
            columns = year_columns(inputs, law, columns=RESULT_COLUMNS, engine=engine)
            used.add(columns.engine)
            frames.append(rows_frame(inputs, columns.values, columns.values["total_tax"]))
    else:
        for inputs, _ in month_year_parts(check_month_frame(raw, path, first), path):
            columns = month_columns(inputs, law, allow_partial=partial, columns=MONTH_COLUMNS, engine=engine)
            used.add(columns.engine)
            values = {"contribution_wage": inputs.contribution_wage, **columns.values}
            flags = {"employee_carried": columns.employee_carried, "employer_carried": columns.employer_carried}
            if partial:
                flags["complete"] = ~columns.unknown
            frames.append(rows_frame(inputs.income, values, columns.values["iit"], flags))
    return (pl.concat(frames) if frames else empty_result(kind, partial)), used


def empty_result(kind: Kind, partial: bool):
    """The result frame with no rows (its columns and types)."""
    import polars as pl

    names = RESULT_COLUMNS if kind == "tax" else ("contribution_wage", *MONTH_COLUMNS)
    schema = {"employee_id": pl.String, "year": pl.Int64, "month": pl.Int64, **{n: pl.Decimal(18, 2) for n in names}}
    if kind == "month":
        schema |= {"employee_carried": pl.Boolean, "employer_carried": pl.Boolean}
        if partial:
            schema["complete"] = pl.Boolean
    return pl.DataFrame(schema=schema)


# --- Dask ----------------------------------------------------------------------------------


def dask_batch(kind: Kind, source: Path, out: Path, address: str, *, law: Law | None = None, partial: bool = False,
               engine: str = "auto") -> BatchDone:
    """``source`` (a Parquet file or dataset) on the Dask cluster at ``address`` (``tcp://host:8786``),
    or on a local cluster (``local`` for one worker per CPU, ``local:N`` for N workers); the result
    rows as a partitioned Parquet dataset in the folder ``out``."""
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    law = law or load_law()
    source, out = Path(source), Path(out)
    if source.is_file() and source.suffix.lower() != ".parquet":
        raise BatchError(f"{source}: a Dask run reads Parquet (a file or a folder of them)")
    frame = dd.read_parquet(str(source))
    _check_columns(kind, list(frame.columns), source, law)
    with _client(address) as client:
        workers = len(client.scheduler_info()["workers"])
        grouped = frame.shuffle("employee_id", npartitions=max(frame.npartitions, workers))
        meta = empty_result(kind, partial).to_pandas(use_pyarrow_extension_array=True)
        law_on_workers = client.scatter(law, broadcast=True)
        result = grouped.map_partitions(_partition, kind, str(source), law_on_workers, partial, engine, meta=meta,
                                        align_dataframes=False)
        client.compute(result.to_parquet(str(out), write_index=False, overwrite=True, compute=False)).result()
    rows = sum(pq.ParquetFile(part).metadata.num_rows for part in sorted(out.glob("*.parquet")))
    return BatchDone(rows=rows, out=str(out), engines=["dask"])


def _partition(pandas_frame, kind: Kind, source: str, law: Law, partial: bool, engine: str, partition_info=None):
    """One partition on a worker: :func:`compute_frame`, rows numbered within the partition."""
    import polars as pl

    number = (partition_info or {}).get("number", 0)
    raw = pl.from_pandas(pandas_frame)
    result, _ = compute_frame(kind, raw, f"{source} (partition {number})", 1, law, partial, engine)
    return result.to_pandas(use_pyarrow_extension_array=True)


@contextmanager
def _client(address: str):
    """A client of the cluster at ``address``, or of a new local cluster (processes with one
    thread each; the kernel's own threads held to one per worker), closed after the job."""
    from distributed import Client, LocalCluster

    if address != LOCAL and not address.startswith(LOCAL + ":"):
        with Client(address, set_as_default=False) as client:
            yield client
        return
    try:
        count = int(address.split(":", 1)[1]) if ":" in address else len(os.sched_getaffinity(0))
    except ValueError:
        raise BatchError(f"--dask {address}: expected local, local:N or a scheduler address") from None
    with LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
                      env={"EXPATCN_THREADS": "1"}) as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client
