"""``expatcn tax-batch`` keeps the fen: amounts with fen through CSV and Parquet, and the batch path
agrees with ``expatcn tax`` on the same person-years (issue 13, bug 1)."""

from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from expatcn.cli import app

runner = CliRunner()
COLUMNS = ("income", "exempt_income", "wage_taxable", "wage_tax", "bonus_tax", "labour_tax", "equity_tax", "total_tax")


def read(out):
    return pl.read_parquet(out) if out.suffix == ".parquet" else pl.read_csv(out, infer_schema_length=0)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_non_resident_month_with_fen(tmp_path, suffix):
    # 25,290.51 − 5,000 = 20,290.51 taxable; monthly table 20 % − 1,410 (IIT Law, non-residents'
    # monthly table): 4,058.102 − 1,410 = 2,648.102 → 2,648.10
    source = tmp_path / "in.csv"
    source.write_text("employee_id,year,month,wages,resident\nE1,2026,3,25290.51,false\n")
    out = tmp_path / f"out{suffix}"
    result = runner.invoke(app, ["tax-batch", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    row = read(out).row(0, named=True)
    assert (str(row["income"]), str(row["wage_taxable"]), str(row["wage_tax"]), str(row["total_tax"])) == (
        "25290.51", "20290.51", "2648.10", "2648.10")


def test_resident_cumulative_months_with_fen(tmp_path):
    # cumulative method (STA Announcement 2018 No. 61 art. 6): January 12,345.67 − 5,000 − 1,234.56
    # = 6,111.11 × 3 % = 183.3333 → 183.33; February cumulative 12,222.22 × 3 % = 366.6666 → 366.67,
    # less 183.33 = 183.34
    source = tmp_path / "in.csv"
    source.write_text("employee_id,year,month,wages,employee_contributions\n"
                      "E1,2025,1,12345.67,1234.56\nE1,2025,2,12345.67,1234.56\n")
    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["tax-batch", str(source), "--out", str(out)]).exit_code == 0
    frame = read(out).sort("month")
    assert frame["wage_taxable"].to_list() == ["6111.11", "12222.22"]
    assert frame["wage_tax"].to_list() == ["183.33", "183.34"]


AMOUNT = st.integers(min_value=0, max_value=20_000_000).map(lambda fen: Decimal(fen) / 100)
SMALL = st.integers(min_value=0, max_value=500_000).map(lambda fen: Decimal(fen) / 100)


@st.composite
def person_years(draw):
    """One person-year as the scenario format and the batch rows both express it."""
    year = draw(st.integers(2019, 2026))
    resident = draw(st.booleans())
    foreigner = draw(st.booleans())
    exemption = foreigner and draw(st.booleans())
    start = draw(st.integers(1, 12))
    end = draw(st.integers(start, 12))
    months = {}
    for month in range(start, end + 1):
        items = {"wages": draw(AMOUNT), "employee_contributions": draw(SMALL), "other_deductions": draw(SMALL),
                 "bonus": draw(st.sampled_from([Decimal(0), draw(AMOUNT)])),
                 "labour": draw(st.sampled_from([Decimal(0), draw(SMALL)])),
                 "equity": draw(st.sampled_from([Decimal(0), draw(AMOUNT)]))}
        if exemption:  # the exemption excludes special additional deductions (MOF/STA 2023 No. 29)
            items["allowances"] = draw(SMALL)
        elif resident:
            items["special_additional_deductions"] = draw(SMALL)
        months[month] = items
    person = {"resident": resident, "foreigner": foreigner, "allowance_exemption": exemption,
              "bonus_method": draw(st.sampled_from(["separate", "combined", "lower_tax"])),
              "first_income_this_year": draw(st.booleans()), "low_income_last_year": draw(st.booleans())}
    return year, person, start, end, months


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(person_years(), min_size=1, max_size=3))
def test_the_batch_agrees_with_expatcn_tax(tmp_path, people):
    names = ["employee_id", "year", "month", "wages", "allowances", "employee_contributions",
             "special_additional_deductions", "other_deductions", "bonus", "labour", "equity",
             "resident", "foreigner", "allowance_exemption", "bonus_method", "first_income_this_year",
             "low_income_last_year"]
    rows = [",".join(names)]
    for i, (year, person, _, _, months) in enumerate(people):
        for month, items in months.items():
            cells = {"employee_id": f"P{i}", "year": year, "month": month, **items, **person}
            rows.append(",".join(str(cells.get(n, "")) for n in names))
    source, out = tmp_path / "people.csv", tmp_path / "out.parquet"
    source.write_text("\n".join(rows) + "\n")
    result = runner.invoke(app, ["tax-batch", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    batch = pl.read_parquet(out)
    for i, (year, person, start, end, months) in enumerate(people):
        scenario = {"year": year, "person": person, "employment": {"from": start, "to": end},
                    "months": {m: {k: ({"housing": str(v)} if k == "allowances" else str(v)) for k, v in items.items()}
                               for m, items in months.items()}}
        path = tmp_path / f"p{i}.json"
        path.write_text(json.dumps(scenario))
        single = runner.invoke(app, ["tax", str(path), "--json"])
        assert single.exit_code == 0, single.output
        # the batch has a row for each month employed or taxed
        expected = {m["month"]: m for m in json.loads(single.output)["months"]
                    if m["employed"] or Decimal(m["total_tax"])}
        mine = batch.filter(pl.col("employee_id") == f"P{i}").sort("month")
        assert mine["month"].to_list() == sorted(expected)
        for row in mine.iter_rows(named=True):
            for name in COLUMNS:
                assert Decimal(str(row[name])) == Decimal(expected[row["month"]][name]), (i, row["month"], name)
