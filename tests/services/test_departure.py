"""``expatcn departure`` (issue 13 item 5): the year to the month of departure and the checklist
with dates, amounts and law entries. Figures derived, the arithmetic written out."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.io.scenario import Scenario, ScenarioError, load_scenario
from expatcn.services.departure import departure

runner = CliRunner()

LEAVING = {"name": "Leaving 2026", "year": 2026, "person": {"foreigner": True, "departure": "2026-09-15"},
           "every_month": {"wages": 60000, "employee_contributions": 3000}, "months": {6: {"bonus": 100000}},
           "reconciliation": {"individual_pension": 12000}}


def write(tmp_path, data):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def items(answer):
    return {item.obligation: item for item in answer.checklist}


def test_resident_leaving_in_september(tmp_path, law):
    """Derived (2026): 60,000 a month, contributions 3,000, January–September (the scenario's
    employment ends with the departure month). Wages to September: 9 × 52,000 = 468,000 × 30 % −
    52,920 = 87,480 (August 416,000 × 25 % − 31,920 = 72,080 → September 15,400); the bonus 100,000
    ÷ 12 → 10 % − 210 = 9,790; withheld 97,270. Reconciliation: 540,000 − 60,000 − 27,000 −
    12,000 (individual pension) = 441,000 × 30 % − 52,920 = 79,380 → refund 8,100 (optional)."""
    answer = departure(write(tmp_path, LEAVING), law)
    assert (answer.withheld, answer.reconciliation_tax_due, answer.reconciliation_balance) == (
        "97270.00", "79380.00", "-8100.00")
    got = items(answer)
    assert got["withholding_return"].amount == "15400.00"
    assert got["withholding_return"].due == dt.date(2026, 10, 26)  # STA 2026 calendar (National Day holiday)
    assert got["resident_leaving_in_year"].due == dt.date(2026, 9, 15) and got["resident_leaving_in_year"].optional
    assert (got["annual_reconciliation"].opens, got["annual_reconciliation"].due) == (dt.date(2027, 3, 1), dt.date(2027, 6, 30))
    assert got["annual_reconciliation"].amount == "-8100.00"
    assert "arrears_before_exit" not in got  # a refund: nothing owed
    assert [i.due for i in answer.checklist] == sorted(i.due for i in answer.checklist)


def test_tax_owed_before_exit_and_a_payer_that_did_not_withhold(tmp_path, law):
    """Derived (2026): the job-change case (A 20,000 Jan–Jun, this agent 20,000 Jul–Sep), A did not
    withhold: this agent withholds (60,000 − 15,000) = 45,000 × 10 % − 2,520 = 1,980; the year:
    180,000 − 60,000 = 120,000 × 10 % − 2,520 = 9,480 → 7,500 payable, must file (no exemption:
    MOF/STA 2023 No. 32) → settle before exit (Tax Collection Administration Law art. 44), and the
    unwithheld tax by 30 June 2027 (IIT Law art. 13 ¶2)."""
    data = {"year": 2026, "person": {"departure": "2026-09-30", "returns": True}, "employment": {"from": 7, "to": 9},
            "every_month": {"wages": 20000},
            "other_payers": [{"name": "A", "employment": {"from": 1, "to": 6}, "every_month": {"income": 20000},
                              "withheld": False}]}
    answer = departure(write(tmp_path, data), law)
    got = items(answer)
    assert answer.withheld == "1980.00" and answer.reconciliation_balance == "7500.00"
    assert answer.reconciliation_filing == "payable_must_file"
    assert (got["arrears_before_exit"].due, got["arrears_before_exit"].amount) == (dt.date(2026, 9, 30), "7500.00")
    assert got["tax_not_withheld"].due == dt.date(2027, 6, 30)
    assert "resident_leaving_in_year" not in got  # returns in the year


def test_nonresident_from_trips_gets_the_status_reports(tmp_path, law):
    """Trips 2026-02-01 → 2026-06-30, dates only (arrival and departure days partial): full days
    2 Feb – 29 Jun = 27 + 31 + 30 + 31 + 29 = 148 days of residence → non-resident. The 90th full
    day: 27 + 31 + 30 = 88 to 30 April → 2 May; the short-stay report is due 15 days after May
    ends (15 June); the resident-estimate report by 15 January 2027 (MOF/STA 2019 No. 35 §5, low
    confidence, as the table says)."""
    data = {"year": 2026, "person": {"foreigner": True, "departure": "2026-06-30",
                                     "trips": [{"entry": "2026-02-01", "exit": "2026-06-30"}]},
            "every_month": {"wages": 30000}}
    answer = departure(write(tmp_path, data), law)
    got = items(answer)
    assert not answer.resident
    assert got["resident_estimate_not_met"].due == dt.date(2027, 1, 15)
    reached = dt.date.fromisoformat(got["short_stay_estimate_exceeded"].note.split("was ")[1].split(":")[0])
    assert reached == dt.date(2026, 5, 2)
    assert "148 days" in got["resident_estimate_not_met"].note
    assert got["short_stay_estimate_exceeded"].due == dt.date(2026, 6, 15)
    assert "low" in got["resident_estimate_not_met"].source
    assert "annual_reconciliation" not in got


def test_departure_before_march_reminds_of_last_years_reconciliation(tmp_path, law):
    data = {"year": 2026, "person": {"departure": "2026-02-10"}, "every_month": {"wages": 10000}}
    got = items(departure(write(tmp_path, data), law))
    assert got["reconciliation_before_departure"].due == dt.date(2026, 2, 10)
    assert "2025" in got["reconciliation_before_departure"].note


@pytest.mark.parametrize(("data", "message"), [
    ({"year": 2026, "person": {"departure": "2025-12-31"}}, "person.departure 2025-12-31 is not in the tax year 2026"),
    ({"year": 2026, "person": {"departure": "2026-05-31"}, "months": {7: {"wages": 1}}}, "months.7: pay after"),
    ({"year": 2026, "person": {"departure": "2026-03-31", "trips": [{"entry": "2026-01-05", "exit": "2026-04-10"}]},
      "every_month": {"wages": 1}}, "days in China in month 4"),
    ({"year": 2026, "every_month": {"wages": 1}}, "person.departure: the day of departure is needed"),
])
def test_bad_departures_name_the_field(tmp_path, law, data, message):
    with pytest.raises((ScenarioError, ValueError), match=message):
        departure(write(tmp_path, data), law)


def test_the_cli_prints_the_checklist(tmp_path):
    path = write(tmp_path, LEAVING)
    table = runner.invoke(app, ["departure", str(path)])
    assert table.exit_code == 0, table.output
    assert "综合所得年度汇算" in table.output and "2027-03-01" in table.output
    answer = json.loads(runner.invoke(app, ["departure", str(path), "--json"]).output)
    assert answer["reconciliation_balance"] == "-8100.00"
    assert {i["obligation"] for i in answer["checklist"]} >= {"withholding_return", "annual_reconciliation"}
    bad = runner.invoke(app, ["departure", str(write(tmp_path, {"year": 2026}))])
    assert bad.exit_code == 2 and "person.departure" in bad.output


def test_scenario_departure_is_checked_on_load(tmp_path):
    with pytest.raises(ScenarioError, match="person.departure"):
        load_scenario(write(tmp_path, {"year": 2026, "person": {"departure": "2027-01-02"}}))


def test_the_api_returns_the_same_checklist(tmp_path):
    from api_support import make_api

    api = make_api(tmp_path / "api.sqlite", example=False)
    response = api.client.post("/api/departure", json=LEAVING, headers=api.h("viewer"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reconciliation_balance"] == "-8100.00"
    assert body == json.loads(departure(Scenario.model_validate(LEAVING)).model_dump_json())
    bad = api.client.post("/api/departure", json={"year": 2026}, headers=api.h("viewer"))
    assert bad.status_code == 422 and "person.departure" in bad.text
