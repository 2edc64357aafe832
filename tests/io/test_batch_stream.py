"""Batch files in chunks and on Dask (``expatcn tax-batch``, ``expatcn month-batch``): the rows
are those of the whole file read at once, whatever the chunk size; errors name the file's row;
nothing is written unless the whole file went through; a Dask run gives the same rows."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.gross_to_net import gross_to_net
from expatcn.io.month_batch import month_year_parts, check_month_frame
from expatcn.law import load_law
from expatcn.services.batch import dask_batch, run_batch

LAW = load_law()
RUNNER = CliRunner()
CITIES = np.array(["beijing", "shanghai", "guangzhou", "shenzhen"])  # figures for 2024 and 2025


def person_months(people: int, seed: int = 3, years=(2025,)) -> pl.DataFrame:
    """A file of person-months sorted by employee: gaps, bonuses, foreigners with certificates."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in years:
        for p in range(people):
            foreign = rng.random() < 0.3
            months = range(1, 13) if rng.random() < 0.8 else range(int(rng.integers(1, 7)), 13)
            wage = int(rng.integers(300_000, 6_000_000))
            resident = "false" if foreign and rng.random() < 0.3 else "true"
            for m in months:
                rows.append({
                    "employee_id": f"E{p:05d}", "year": year, "month": m, "wages": f"{wage // 100}.{wage % 100:02d}",
                    "bonus": str(int(rng.integers(1, 90_000))) if m == 12 and rng.random() < 0.4 else "",
                    "allowances": "1500.5" if foreign and m % 3 == 0 else "",
                    "resident": resident,
                    "foreigner": str(foreign).lower(),
                    "allowance_exemption": "true" if foreign else "",
                    "city": str(CITIES[p % CITIES.size]).upper() if m == 1 else str(CITIES[p % CITIES.size]),
                    "nationality": "DE" if foreign else "CN",
                    "certificate_from": "2024-01-01" if foreign and p % 2 else "",
                    "certificate_until": "2025-06-30" if foreign and p % 2 else "",
                    "housing_fund": "true" if p % 3 == 0 else "",
                    "work_injury_rate": "0.005" if p % 4 == 0 else "",
                })
    return pl.DataFrame(rows).sort("employee_id", "year", "month")


TAX_COLUMNS = ("employee_id", "year", "month", "wages", "bonus", "allowances", "resident", "foreigner",
               "allowance_exemption")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    frame = person_months(120, years=(2024, 2025))
    out = {}
    for kind, columns in (("tax", TAX_COLUMNS), ("month", frame.columns)):
        out[kind, "csv"] = folder / f"{kind}.csv"
        frame.select(columns).write_csv(out[kind, "csv"])
        out[kind, "parquet"] = folder / f"{kind}.parquet"
        frame.select(columns).write_parquet(out[kind, "parquet"], row_group_size=100)
    return out


def read(path) -> pl.DataFrame:
    return pl.read_parquet(path) if str(path).endswith(".parquet") else pl.read_csv(path, infer_schema_length=0)


@pytest.mark.parametrize("kind", ["tax", "month"])
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_chunks_give_the_rows_of_the_whole_file(files, tmp_path, kind, suffix):
    whole = run_batch(kind, files[kind, suffix], tmp_path / f"whole.{suffix}", law=LAW, chunk_rows=10**9, partial=True)
    chunked = run_batch(kind, files[kind, suffix], tmp_path / f"chunked.{suffix}", law=LAW, chunk_rows=97, partial=True)
    assert whole.rows == chunked.rows > 2_000
    by_row = ("employee_id", "year", "month")
    assert read(tmp_path / f"whole.{suffix}").sort(by_row).equals(read(tmp_path / f"chunked.{suffix}").sort(by_row))


def test_the_kernel_in_a_batch_gives_the_reference_rows(files, tmp_path):
    kernel = run_batch("month", files["month", "parquet"], tmp_path / "k.parquet", law=LAW, partial=True, engine="kernel")
    reference = run_batch("month", files["month", "parquet"], tmp_path / "r.parquet", law=LAW, partial=True,
                          engine="reference")
    assert (kernel.engines, reference.engines) == (["kernel"], ["reference"])
    assert read(tmp_path / "k.parquet").equals(read(tmp_path / "r.parquet"))


def test_month_batch_rows_are_the_full_month(files):
    """The batch columns are gross_to_net's figures for the same person-years."""
    raw = pl.read_csv(files["month", "csv"], infer_schema_length=0)
    frame = check_month_frame(raw, "f", 2)
    (inputs, _), *_ = month_year_parts(frame, "f")
    expected = gross_to_net(inputs, LAW, keep_trace=False, allow_partial=True).monthly
    out = run_batch("month", files["month", "csv"], files["month", "csv"].with_name("m-out.csv"), law=LAW, partial=True)
    rows = read(out.out).filter(pl.col("year") == str(inputs.income.year))
    person = {pid: i for i, pid in enumerate(inputs.income.ids)}
    for row in rows.head(400).iter_rows(named=True):
        i, m = person[row["employee_id"]], int(row["month"]) - 1
        for name in ("gross", "employee_contributions", "iit", "net", "employer_cost"):
            assert row[name] == f"{expected[name][i, m] // 100}.{expected[name][i, m] % 100:02d}", name


def test_an_error_in_a_later_chunk_names_the_file_row_and_writes_nothing(tmp_path):
    frame = person_months(30).with_row_index("line")
    frame = frame.with_columns(pl.when(pl.col("line") == 250).then(pl.lit("12.345")).otherwise(pl.col("wages"))
                               .alias("wages")).drop("line")
    source = tmp_path / "in.csv"
    frame.write_csv(source)
    out = tmp_path / "out.csv"
    ran = RUNNER.invoke(app, ["month-batch", str(source), "--out", str(out), "--chunk-rows", "40", "--partial"])
    assert ran.exit_code == 2
    assert "row 252, column wages" in ran.output  # line 252: the header, then 251 rows before it
    assert list(tmp_path.iterdir()) == [source]


def test_a_file_read_in_chunks_must_be_sorted_by_employee(tmp_path):
    frame = person_months(20)
    unsorted = pl.concat([frame.slice(100), frame.slice(0, 100)])
    source = tmp_path / "in.csv"
    unsorted.select(TAX_COLUMNS).write_csv(source)
    ran = RUNNER.invoke(app, ["tax-batch", str(source), "--out", str(tmp_path / "o.csv"), "--chunk-rows", "50"])
    assert ran.exit_code == 2 and "must be sorted by employee_id" in ran.output
    whole = RUNNER.invoke(app, ["tax-batch", str(source), "--out", str(tmp_path / "o.csv")])  # one chunk: any order
    assert whole.exit_code == 0, whole.output


def test_month_batch_refuses_employee_contributions_and_needs_a_city(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("employee_id,year,month,wages,employee_contributions,city\nE1,2025,1,100,1,shanghai\n")
    ran = RUNNER.invoke(app, ["month-batch", str(source), "--out", str(tmp_path / "o.csv")])
    assert ran.exit_code == 2 and "employee_contributions" in ran.output
    source.write_text("employee_id,year,month,wages\nE1,2025,1,100\n")
    ran = RUNNER.invoke(app, ["month-batch", str(source), "--out", str(tmp_path / "o.csv")])
    assert ran.exit_code == 2 and "missing column(s) city" in ran.output


@pytest.mark.slow
def test_dask_on_two_local_workers_gives_the_single_machine_rows(files, tmp_path):
    pytest.importorskip("distributed")
    single = run_batch("month", files["month", "parquet"], tmp_path / "one.parquet", law=LAW, partial=True)
    done = dask_batch("month", files["month", "parquet"], tmp_path / "dask", "local:2", law=LAW, partial=True)
    assert done.rows == single.rows
    by_row = ("employee_id", "year", "month")
    assert pl.read_parquet(tmp_path / "dask" / "*.parquet").sort(by_row).equals(
        read(tmp_path / "one.parquet").sort(by_row))
