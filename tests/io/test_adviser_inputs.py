"""Issue 13 inputs: scenario fields and batch columns for other payers, exempt income kinds,
severance, interns, capped other deductions and the reconciliation claims — the figures of
tests/iit/test_iit_adviser_cases.py reached from files, and bad input named by its field."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.iit.person_year import compute_year
from expatcn.io.scenario import ScenarioError, load_scenario

runner = CliRunner()
D = Decimal


def scenario(tmp_path, text: dict):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(text, allow_unicode=True))
    return path


def tax(tmp_path, text: dict) -> dict:
    result = runner.invoke(app, ["tax", str(scenario(tmp_path, text)), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


JOB_CHANGE = {
    "name": "Job change 2025", "year": 2025, "employment": {"from": 7, "to": 12},
    "every_month": {"wages": 20000},
    "other_payers": [{"name": "Previous employer", "employment": {"from": 1, "to": 6},
                      "every_month": {"income": 20000}, "months": {6: {"tax_withheld": 6480}}}],
}


def test_job_change_from_a_scenario(tmp_path):
    """The derived job change of docs/research/issue-13.md item 1 (2025): 19,080 due, 12,960
    prepaid by the two agents → 6,120 payable, must file."""
    answer = tax(tmp_path, JOB_CHANGE)
    rec = answer["reconciliation"]
    assert (rec["tax_due"], rec["prepaid"], rec["prepaid_others"], rec["balance"], rec["filing"]) == (
        "19080.00", "12960.00", "6480.00", "6120.00", "payable_must_file")


def test_labour_payer_and_a_failure_to_withhold(tmp_path):
    """Derived (2025): the 3,240-payable case of the engine test, exempt on 120,000 of receipts —
    until the labour payer is recorded as not having withheld."""
    text = {"year": 2025, "every_month": {"wages": 5000},
            "other_payers": [{"name": "B", "every_month": {"income": 4000}},
                             {"name": "C", "kind": "labour", "employment": {"from": 12, "to": 12},
                              "every_month": {"income": 12000}}]}
    assert tax(tmp_path, text)["reconciliation"]["filing"] == "payable_exempt"
    text["other_payers"][1]["withheld"] = False
    assert tax(tmp_path, text)["reconciliation"]["filing"] == "payable_must_file"


def test_reconciliation_claims_from_a_scenario(tmp_path):
    """Derived (2024, the STA 2018 No. 61 inputs): children's education for one child claimed at
    the reconciliation is 2,000 × 12 = 24,000 → refund 4,800; with serious illness 40,000 (25,000
    deducted) and an individual pension of 15,000 (12,000): 222,000 − 24,000 − 25,000 − 12,000 =
    161,000 × 20 % − 16,920 = 15,280 → refund 27,480 − 15,280 = 12,200."""
    text = {"year": 2024, "every_month": {"wages": 30000, "employee_contributions": 4500,
                                          "special_additional_deductions": 2000},
            "reconciliation": {"special_additional_deductions": {"children_education": 1}}}
    assert tax(tmp_path, text)["reconciliation"]["balance"] == "-4800.00"
    text["reconciliation"].update(serious_illness_self_paid=40000, individual_pension=15000)
    rec = tax(tmp_path, text)["reconciliation"]
    assert (rec["serious_illness"], rec["individual_pension"], rec["balance"]) == ("25000.00", "12000.00", "-12200.00")


def test_severance_exempt_kinds_and_interns_from_a_scenario(tmp_path, law):
    """The severance relay (160,000, average wage 50,000 → 300), an insurance indemnity (exempt,
    IIT Law art. 4(1)(5)) and the STA's intern example (3,000 in July 2020 → 0)."""
    text = {"year": 2025, "person": {"local_average_wage": 50000}, "every_month": {"wages": 10000},
            "months": {6: {"severance": 160000, "exempt": {"insurance_indemnity": 3000}}}}
    result = compute_year(load_scenario(scenario(tmp_path, text)).to_inputs(law), law)
    assert int(result.monthly["severance_tax"][0, 5]) == 30000
    assert int(result.monthly["exempt_income"][0, 5]) == 300000
    intern = {"year": 2020, "person": {"intern": True}, "employment": {"from": 7, "to": 7},
              "months": {7: {"labour": 3000}}}
    assert tax(tmp_path, intern)["months"][6]["labour_tax"] == "0.00"


def test_pilot_region_and_monthly_premiums_from_a_scenario(tmp_path):
    """Derived (2018-06, Caishui [2018] No. 22): tax-deferred pension 1,000 on wages 10,000 → 600
    deducted in the pilot region → 625.00 withheld; outside it 745.00 and an alert."""
    text = {"year": 2018, "person": {"pilot_region": True}, "every_month": {"wages": 10000},
            "months": {6: {"tax_deferred_pension": 1000}}}
    assert tax(tmp_path, text)["months"][5]["wage_tax"] == "625.00"
    del text["person"]
    answer = tax(tmp_path, text)
    assert answer["months"][5]["wage_tax"] == "745.00"
    assert any("not applied" in alert for alert in answer["alerts"])


def test_equity_months_before_2019_from_a_scenario(tmp_path):
    """Derived (2015, Caishui [2005] No. 35): 120,000 over 12 months → 17,940.00."""
    text = {"year": 2015, "every_month": {"wages": 0}, "months": {5: {"equity": 120000, "equity_months": 12}}}
    assert tax(tmp_path, text)["months"][4]["equity_tax"] == "17940.00"


@pytest.mark.parametrize(("text", "message"), [
    ({"year": 2025, "months": {3: {"wages": 1, "exempt": {"yacht": 10}}}},
     "months.3.exempt.yacht: unknown exempt income kind; expected one of"),
    ({"year": 2025, "months": {3: {"wages": 1, "exempt": {"severance": 10}}}}, "months.3.exempt.severance"),
    ({"year": 2025, "months": {3: {"severance": 100000}}}, "local_average_wage"),
    ({"year": 2025, "other_payers": [{"name": "C", "kind": "labour", "every_month": {"employee_contributions": 1}}]},
     "every_month.employee_contributions: a payer of labour remuneration"),
    ({"year": 2025, "other_payers": [{"name": "C", "months": {13: {"income": 1}}}]}, "month 13"),
    ({"year": 2025, "reconciliation": {"serious_illness_self_paid": -1}}, "reconciliation.serious_illness_self_paid"),
    ({"year": 2015, "months": {5: {"equity": 1000}}}, "equity_months"),
])
def test_bad_input_names_the_field(tmp_path, law, text, message):
    with pytest.raises(Exception, match=message.replace(".", r"\.").replace("(", r"\(")) as caught:
        compute_year(load_scenario(scenario(tmp_path, text)).to_inputs(law), law)
    assert isinstance(caught.value, (ScenarioError, ValueError))


def test_batch_columns_agree_with_the_scenario(tmp_path, law):
    """The same person-year through ``tax-batch`` columns (other payers, an exempt kind, a
    reconciliation claim on one row) and through a scenario: the same tax, month by month."""
    rows = []
    for month in range(1, 13):
        row = {"employee_id": "E1", "year": 2024, "month": month, "wages": "30000", "employee_contributions": "4500",
               "other_wages": "8000", "other_tax_withheld": "100.50", "commercial_health_insurance": "300",
               "exempt_insurance_indemnity": "1000" if month == 3 else "", "severance": "",
               "local_average_wage": "", "reconciliation_individual_pension": "12000" if month == 1 else ""}
        rows.append(row)
    rows[11]["severance"], rows[11]["local_average_wage"] = "200000", "50000"
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    pl.DataFrame(rows).write_csv(source)
    ran = runner.invoke(app, ["tax-batch", str(source), "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    batch = pl.read_csv(out, infer_schema_length=0)
    text = {"year": 2024, "person": {"local_average_wage": 50000},
            "every_month": {"wages": 30000, "employee_contributions": 4500, "commercial_health_insurance": 300},
            "months": {3: {"exempt": {"insurance_indemnity": 1000}}, 12: {"severance": 200000}},
            "other_payers": [{"name": "B", "every_month": {"income": 8000, "tax_withheld": "100.50"}}],
            "reconciliation": {"individual_pension": 12000}}
    result = compute_year(load_scenario(scenario(tmp_path, text)).to_inputs(law), law)
    for m in range(12):
        for name in ("income", "exempt_income", "wage_tax", "severance_tax", "total_tax"):
            assert D(batch[name][m]) == D(int(result.monthly[name][0, m])) / 100, (m, name)
    assert batch["severance_tax"][11] == "2480.00"


@pytest.mark.parametrize(("column", "values", "message"), [
    ("exempt_yacht", ["1", ""], "column exempt_…\\.yacht: unknown exempt income kind"),
    ("local_average_wage", ["50000", "60000"], "column local_average_wage: one amount for the year 2024"),
    ("intern", ["maybe", ""], "row 2, column intern: expected true or false"),
    ("other_wages", ["-1", ""], "row 2, column other_wages"),
])
def test_bad_batch_columns_are_named(tmp_path, column, values, message):
    source = tmp_path / "in.csv"
    pl.DataFrame({"employee_id": ["E1", "E1"], "year": ["2024", "2024"], "month": ["1", "2"],
                  "wages": ["1000", "1000"], column: values}).write_csv(source)
    ran = runner.invoke(app, ["tax-batch", str(source), "--out", str(tmp_path / "o.csv")])
    assert ran.exit_code != 0
    assert re.search(message, ran.output), ran.output
