"""``expatcn check``: the shipped cases pass (exit 0); a case with a wrong figure fails with exit 1,
naming the case, the field, the figure expected and the figure got; a refusal can be expected;
a broken case file is an input error (exit 2) naming the file and the case."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.examples import EXAMPLES

CASES = Path(__file__).parents[1] / "cases"
WRONG = """
- name: STA example 2 with a wrong February
  source: {document: "STA interpretation of Announcement [2018] No. 61, example 2"}
  scenario: {year: 2019, every_month: {wages: 30000, employee_contributions: 4500, special_additional_deductions: 2000}}
  expect:
    wage_tax: {1: "555.00", 2: "626.00"}
    reconciliation: {balance: "0", filing: settled}
- name: a refusal expected
  source: {document: IIT Law art. 6}
  scenario: {year: 2017, every_month: {wages: 10000, special_additional_deductions: 1000}}
  error: start in 2019
- name: a refusal expected but the scenario is computed
  source: {document: IIT Law art. 6}
  scenario: {year: 2019, every_month: {wages: 10000}}
  error: start in 2019
"""


def run(*args: str):
    return CliRunner().invoke(app, ["check", *args])


def test_the_shipped_cases_pass():
    for where in (CASES, EXAMPLES / "cases_golden.yaml"):
        result = run(str(where))
        assert result.exit_code == 0, result.output
        assert " 0 failed" in result.output and "FAIL" not in result.output


def test_a_wrong_figure_names_case_field_expected_and_got(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(WRONG, encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 1
    assert "FAIL  STA example 2 with a wrong February" in result.output
    assert "months.2.wage_tax: expected 626.00, got 625.00" in result.output
    assert "pass  a refusal expected" in result.output
    assert "error: expected start in 2019, got no refusal" in result.output
    assert "1 passed, 2 failed" in result.output
    report = json.loads(run(str(path), "--json").stdout)
    assert [c["passed"] for c in report["cases"]] == [False, True, False]
    assert report["cases"][0]["differences"] == [{"field": "months.2.wage_tax", "expected": "626.00", "got": "625.00"}]


def test_a_broken_case_file_names_the_file_and_the_case(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("- name: no source\n  scenario: {year: 2019}\n  expect: {withheld: 0}\n", encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 2 and "broken.yaml, case 1 (no source): source: Field required" in result.output
    assert run(str(tmp_path / "missing.yaml")).exit_code == 2
