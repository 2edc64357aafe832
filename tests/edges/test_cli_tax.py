"""The command line: example, tax (table, JSON, explain), tax-batch, law show, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import polars as pl
import pytest
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.examples import EXAMPLES

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_example_prints_a_year_and_the_reconciliation():
    result = run("example")
    assert result.exit_code == 0, result.output
    assert "Anna Schmidt" in result.output
    assert "2026-12" in result.output
    assert "Annual reconciliation" in result.output
    assert "Bonus cliff" in result.output  # a 150,000 bonus sits above the 144,000 cliff


@pytest.mark.parametrize(
    "name", ["resident_expat_2026", "nonresident_engineer_2026", "foreigner_shanghai_2016", "local_staff_2024"]
)
def test_every_shipped_tax_scenario_runs(name):
    result = run("tax", str(EXAMPLES / f"{name}.yaml"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["months"]


def test_tax_json_is_exact_and_complete(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: STA example\nyear: 2019\nevery_month: {wages: 30000, employee_contributions: 4500,"
        " special_additional_deductions: 2000}\n"
    )
    result = run("tax", str(scenario), "--json", "--explain")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [m["wage_tax"] for m in data["months"][:3]] == ["555.00", "625.00", "1850.00"]
    assert data["reconciliation"]["filing"] == "settled"
    labels = [step["label"] for step in data["trace"]]
    assert "cumulative taxable income" in labels
    assert any("STA Announcement [2018] No. 61" in law for step in data["trace"] for law in step["law"])


def test_explain_cites_the_law(tmp_path):
    result = run("example", "foreigner_shanghai_2016", "--explain")
    assert result.exit_code == 0, result.output
    assert "Guoshuifa [2005] No. 9" in result.output
    assert "4,800.00" in result.output


def test_special_additional_claims_are_priced_from_the_law_of_the_year(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("year: 2022\nevery_month: {wages: 20000, special_additional_deductions:"
                        " {children_education: 1, infant_care: 1, elderly_support: only_child}}\n")
    data = json.loads(run("tax", str(scenario), "--json").output)
    assert data["months"][0]["special_additional_deductions"] == "4000.00"  # 1,000 + 1,000 + 2,000 (2022)
    scenario.write_text(scenario.read_text().replace("2022", "2024"))
    data = json.loads(run("tax", str(scenario), "--json").output)
    assert data["months"][0]["special_additional_deductions"] == "7000.00"  # 2,000 + 2,000 + 3,000 (2023 on)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year: 2026\nevery_month: {wages: abc}\n", "every_month.wages"),
        ("year: 2026\nevery_month: {wages: 10.001}\n", "at most two decimals"),
        ("year: 2026\nmonths: {13: {wages: 1}}\n", "expected 1–12 or YYYY-MM"),
        ("year: 2026\nevery_month: {wage: 1000}\n", "every_month.wage"),
        ("year: 2026\nevery_month: {wages: 1000, allowances: {car: 100}}\n", "unknown allowance kind"),
        ("year: 2026\nperson: {foreigner: true, allowance_exemption: true}\n"
         "every_month: {wages: 9000, allowances: {housing: 100}, special_additional_deductions: 1000}\n",
         "cannot both be claimed"),
        ("year: [\n", "not valid YAML"),
    ],
)
def test_bad_scenarios_name_the_field(tmp_path, text, message):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(text)
    result = run("tax", str(scenario))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_file_is_a_clear_error():
    result = run("tax", "/nonexistent/scenario.yaml")
    assert result.exit_code == 2
    assert "cannot read the file" in result.output


def test_tax_batch_csv_round_trip(tmp_path):
    rows = ["employee_id,year,month,resident,wages,employee_contributions,special_additional_deductions,bonus"]
    for month in range(1, 13):
        rows.append(f"E1,2019,{month},true,30000,4500,2000,0")
        rows.append(f"E2,2024,{month},false,20000,0,0,{60000 if month == 3 else 0}")
    source = tmp_path / "in.csv"
    source.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.parquet"
    result = run("tax-batch", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out).sort("employee_id", "year", "month")
    e1 = frame.filter(pl.col("employee_id") == "E1")
    assert [str(v) for v in e1["wage_tax"][:3]] == ["555.00", "625.00", "1850.00"]
    e2 = frame.filter((pl.col("employee_id") == "E2") & (pl.col("month") == 3))
    assert str(e2["bonus_tax"][0]) == "4740.00"
    assert str(e2["wage_tax"][0]) == "1590.00"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("employee_id,year,month,wages\nE1,2026,13,100\n", "row 2, column month"),
        ("employee_id,year,month,wages\nE1,2026,1,12.345\n", "row 2, column wages"),
        ("employee_id,year,month,wages,salary\nE1,2026,1,1\n", "unknown column(s) salary"),
        ("employee_id,year,month,wages\nE1,2026,1,1\nE1,2026,1,2\n", "two rows for 2026-01"),
        ("employee_id,year,month,wages,resident\nE1,2026,1,1,maybe\n", "row 2, column resident"),
        ("employee_id,year,wages\nE1,2026,1\n", "missing column(s) month"),
    ],
)
def test_bad_batches_name_row_and_column(tmp_path, rows, message):
    source = tmp_path / "in.csv"
    source.write_text(rows)
    out = tmp_path / "out.csv"
    result = run("tax-batch", str(source), "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_law_show_prints_the_2016_table_with_sources():
    result = run("law", "show", "iit/monthly_table", "--on", "2016-05-01")
    assert result.exit_code == 0, result.output
    assert "13,505" in result.output or "13505" in result.output
    assert "2011-09-01" in result.output
    assert "jckinfo" in result.output


def test_law_show_unknown_table_and_date_outside():
    assert "no law table named" in run("law", "show", "iit/nope").output
    outside = run("law", "show", "iit/annual_table", "--on", "2015-01-01")
    assert outside.exit_code == 2 and "has no value on 2015-01-01" in outside.output


def test_single_scenario_returns_quickly():
    """`expatcn tax` on one scenario in a fresh process: imports stay lazy (printed, not timed
    against a limit here — see bench/ for speed)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "expatcn.cli", "tax", str(EXAMPLES / "local_staff_2024.yaml"), "--json"],
        capture_output=True, text=True, check=True,
    )
    elapsed = time.perf_counter() - start
    assert json.loads(done.stdout)["year"] == 2024
    print(f"expatcn tax (one scenario, fresh process): {elapsed:.2f} s")


def test_nonresident_special_additional_deductions_are_an_alert_not_an_error(tmp_path):
    """One policy on every path (IIT Law art. 6(1)(2)): not applied, and said so."""
    scenario = tmp_path / "nonresident.yaml"
    scenario.write_text("year: 2026\nperson: {resident: false}\nevery_month: {wages: 9000, special_additional_deductions: 1000}\n")
    result = run("tax", str(scenario), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["months"][0]["wage_tax"] == "190.00"  # (9,000 − 5,000) × 10% − 210
    [alert] = data["alerts"]
    assert "12,000.00 not applied" in alert and "IIT Law art. 6(1)(2)" in alert
    table = run("tax", str(scenario))
    assert table.exit_code == 0 and "IIT Law art. 6(1)(2)" in table.output
