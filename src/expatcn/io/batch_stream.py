"""Batch files in bounded memory: read a CSV or Parquet file of person-months in chunks of whole
employees, write result rows chunk after chunk, all or nothing.

A file read in more than one chunk must be sorted by ``employee_id`` (an employee's rows
together); the reader checks it and names the first row out of order. Parquet is read by row
groups (pyarrow), CSV by blocks, every column as text (pyarrow); each chunk is then checked like
a whole file (:func:`expatcn.io.batch.check_frame`), its rows numbered as in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from expatcn.io.batch import BatchError, first_row

CHUNK_ROWS = 1_000_000  # person-months per chunk: about 0.6 GB of working memory for the full month


def columns_of(path: Path) -> list[str]:
    """The file's column names (without reading its rows)."""
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(path).schema_arrow.names)
        with path.open(encoding="utf-8") as handle:
            import csv

            return next(csv.reader([handle.readline()]))
    except (OSError, StopIteration, ValueError) as exc:
        raise BatchError(f"{path}: cannot read ({exc})") from None


def chunks(path: Path, rows: int = CHUNK_ROWS) -> Iterator[tuple[object, int]]:
    """(frame, number of its first row) for every chunk of about ``rows`` rows, each ending
    with an employee's last row. Polars frames; CSV columns as text."""
    import polars as pl

    carry, first, done, last_id = None, first_row(path), 0, None
    for batch in _batches(path, rows):
        frame = pl.from_arrow(batch)
        if not isinstance(frame, pl.DataFrame):
            frame = frame.to_frame()
        frame = frame if carry is None else pl.concat([carry, frame], how="vertical_relaxed")
        if frame.height == 0:
            continue
        ids = frame["employee_id"]
        if last_id is not None or frame.height >= rows:  # more than one chunk: the file must be sorted
            _check_sorted(ids, last_id, path, first + done)
        tail = ids[-1]
        keep = frame.height - int((ids == tail).sum()) if frame.height >= rows else frame.height
        if keep == 0:  # one employee fills the chunk: read on
            carry = frame
            continue
        yield frame.head(keep), first + done
        done += keep
        last_id = ids[keep - 1]
        carry = frame.slice(keep) if keep < frame.height else None
    if carry is not None and carry.height:
        if last_id is not None:
            _check_sorted(carry["employee_id"], last_id, path, first + done)
        yield carry, first + done


def _check_sorted(ids, before, path, first: int) -> None:
    later = ids.shift(1)
    if before is not None:
        later = later.fill_null(before)
    wrong = ids < later
    if wrong.any():
        at = int(wrong.arg_max())
        previous = later[at]
        raise BatchError(f"{path}: row {first + at}: employee {ids[at]} comes after {previous}: a file read in chunks "
                         "must be sorted by employee_id (each employee's rows together)")


def _batches(path: Path, rows: int):
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            yield from pq.ParquetFile(path).iter_batches(batch_size=rows)
            return
        import pyarrow as pa
        import pyarrow.csv as pacsv

        names = columns_of(path)
        reader = pacsv.open_csv(
            path, read_options=pacsv.ReadOptions(block_size=64 << 20),
            convert_options=pacsv.ConvertOptions(column_types={name: pa.string() for name in names},
                                                 strings_can_be_null=True))
        pending, count = [], 0
        for batch in reader:
            pending.append(batch)
            count += batch.num_rows
            if count >= rows:
                yield pa.Table.from_batches(pending)
                pending, count = [], 0
        if pending:
            yield pa.Table.from_batches(pending)
    except OSError as exc:
        raise BatchError(f"{path}: cannot read ({exc})") from None


class ResultWriter:
    """Result rows to CSV or Parquet (by the suffix), chunk after chunk, into a temporary file
    moved into place by :meth:`close`; :meth:`abandon` removes it (nothing half-written)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(f".{self.path.name}.partial")
        self.rows = 0
        self._parquet = None
        self._handle = None

    def write(self, frame) -> None:
        if self.path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            table = frame.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.partial, table.schema)
            self._parquet.write_table(table)
        else:
            import polars as pl

            lead = pl.col("employee_id").str.contains(r"^[=+\-@\t\r]")  # a formula-like id gets the quote prefix
            frame = frame.with_columns(pl.when(lead).then("'" + pl.col("employee_id")).otherwise(pl.col("employee_id"))
                                       .alias("employee_id"))
            if self._handle is None:
                self._handle = self.partial.open("wb")
                frame.write_csv(self._handle)
            else:
                frame.write_csv(self._handle, include_header=False)
        self.rows += frame.height

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._handle is not None:
            self._handle.close()
        self.partial.replace(self.path)

    def abandon(self) -> None:
        for resource in (self._parquet, self._handle):
            if resource is not None:
                resource.close()
        self.partial.unlink(missing_ok=True)
