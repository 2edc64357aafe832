"""The stateless calculation routes: the same figures as the engines (and the CLI), field paths
on bad input, no 500s."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from api_support import make_api

EXAMPLES = Path(__file__).parents[2] / "src" / "expatcn" / "examples"


def load_yaml(text: str):
    """A YAML example as the JSON a client would send (dates as strings)."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return make_api(tmp_path_factory.mktemp("api") / "calc.sqlite", example=False)


STA_EXAMPLE = {"name": "STA example 2", "year": 2019,
               "every_month": {"wages": 30000, "employee_contributions": 4500, "special_additional_deductions": 2000}}


def test_tax_sta_example(api):
    r = api.client.post("/api/tax", json=STA_EXAMPLE, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    months = r.json()["months"]
    assert [m["wage_tax"] for m in months[:3]] == ["555.00", "625.00", "1850.00"]
    assert r.json()["reconciliation"]["balance"] == "0.00"
    assert r.json()["trace"] is None


def test_tax_explain_and_equals_the_service(api, law):
    from expatcn.io.scenario import load_scenario
    from expatcn.services.tax import tax_year

    path = EXAMPLES / "foreigner_shanghai_2016.yaml"
    body = load_yaml(path.read_text())
    r = api.client.post("/api/tax?explain=true", json=body, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    assert r.json() == tax_year(load_scenario(path), explain=True, law=law).model_dump(mode="json")
    assert any(step["law"] for step in r.json()["trace"])


def test_tax_with_inline_trips(api):
    body = load_yaml((EXAMPLES / "nonresident_from_trips_2026.yaml").read_text())
    from expatcn.io.trips import read_trip_records

    records = read_trip_records(EXAMPLES / "trips_nonresident_2026.csv")
    body["person"]["trips"] = [{"entry": f"{t.entry:%Y-%m-%d}", "exit": None if t.exit is None else f"{t.exit:%Y-%m-%d}"}
                               for t in records]
    r = api.client.post("/api/tax", json=body, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    assert r.json()["residency"]["residence_days"] == 134 and r.json()["resident"] is False


@pytest.mark.parametrize("body, loc", [
    ({"year": 2019, "every_month": {"wages": "abc"}}, ["body", "every_month", "wages"]),
    ({"year": 1999}, ["body", "year"]),
    ({"year": 2019, "every_month": {"wages": 1.234}}, ["body", "every_month", "wages"]),
    ({"year": 2019, "months": {"3": {"allowances": {"yacht": 100}}}}, ["body", "months", 3, "allowances", "yacht"]),
    ({"year": 2019, "person": {"trips": "/etc/passwd"}}, ["body", "person", "trips"]),
    ({"year": 2019, "surprise": 1}, ["body", "surprise"]),
])
def test_tax_bad_input_names_the_field(api, body, loc):
    r = api.client.post("/api/tax", json=body, headers=api.h("viewer"))
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == loc


def test_tax_not_json(api):
    r = api.client.post("/api/tax", content=b"{not json", headers={**api.h("viewer"), "Content-Type": "application/json"})
    assert r.status_code == 422


def test_residency(api):
    body = {"year": 2026, "trips": [{"entry": "2026-01-10", "exit": "2026-08-01"}], "treaty": "DE"}
    r = api.client.post("/api/residency", json=body, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    p = r.json()["persons"][0]
    assert p["resident"] is True and p["becomes_resident_on"] == "2026-07-12"
    assert r.json()["lines"] == {"ninety_days": 90, "resident_days": 183, "clock_years": 6}
    assert sum(m["residence_days"] for m in p["months"]) == p["residence_days"]


def test_residency_overlap_names_the_row(api):
    body = {"year": 2026, "trips": [{"entry": "2026-01-10", "exit": "2026-08-01"}, {"entry": "2026-07-10", "exit": "2026-09-01"}]}
    r = api.client.post("/api/residency", json=body, headers=api.h("viewer"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "trips", 1, "entry"]
    r = api.client.post("/api/residency", json={"year": 2026, "trips": [{"entry": "yesterday"}]}, headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:3] == ["body", "trips", 0]


def test_social(api):
    r = api.client.post("/api/social", json={"city": "shanghai", "month": "2025-03", "wage": "50000"}, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    t = r.json()["totals"]
    assert t["complete"] and t["employee_total"] == "6461.18"
    r = api.client.post("/api/social", json={"city": "atlantis", "month": "2025-03", "wage": "50000"}, headers=api.h("viewer"))
    assert r.status_code == 422
    r = api.client.post("/api/social", json={"city": "shanghai", "month": "2025-13", "wage": "1"}, headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "month"]
    r = api.client.post("/api/social", json={"city": "shanghai", "month": "2025-03", "wage": "1", "nationality": "CN",
                                             "certificate_until": "2028-01-31"}, headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "certificate_until"]
    assert "certificate of coverage only matters for a foreign national" in r.json()["detail"][0]["msg"]


def test_month(api):
    body = load_yaml((EXAMPLES / "month_german_engineer_shanghai_2025.yaml").read_text())
    r = api.client.post("/api/month?explain=true", json=body, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    data = r.json()
    for row in data["months"]:
        from decimal import Decimal

        assert Decimal(row["gross"]) == Decimal(row["employee_social"]) + Decimal(row["employee_housing_fund"]) + \
            Decimal(row["iit"]) + Decimal(row["net"])
    assert data["trace"]
    bad = {**body, "every_month": {**body.get("every_month", {}), "employee_contributions": 100}}
    assert api.client.post("/api/month", json=bad, headers=api.h("viewer")).status_code == 422


def _exact_or_least_above(months, target):
    from decimal import Decimal

    assert months and all(m["target"] == target for m in months)
    # exact, or (where rounding to the fen makes it unreachable) the smallest gross paying at least it
    assert all(m["exact"] == (m["net"] == m["target"]) and Decimal("0") <= Decimal(m["net"]) - Decimal(m["target"]) < Decimal("0.05")
               for m in months)


def test_grossup_exact(api):
    r = api.client.post("/api/grossup", json={"net": "30000", "year": 2025, "contributions": "3000", "bonus_net": "50000"},
                        headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    _exact_or_least_above(r.json()["months"], "30000.00")
    assert r.json()["bonus"]["net_paid"] == "50000.00"


def test_grossup_with_city_exact(api):
    r = api.client.post("/api/grossup", json={"net": "30000", "year": 2025, "city": "shanghai"}, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    _exact_or_least_above(r.json()["months"], "30000.00")


def test_nonresident_deductions_are_an_alert_in_the_api(api):
    """IIT Law art. 6(1)(2), one policy: not applied, and the answer says so (tax and gross-up)."""
    body = {"year": 2026, "person": {"resident": False}, "every_month": {"wages": "9000", "special_additional_deductions": "1000"}}
    r = api.client.post("/api/tax", json=body, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    assert r.json()["months"][0]["wage_tax"] == "190.00" and "IIT Law art. 6(1)(2)" in r.json()["alerts"][0]
    r = api.client.post("/api/grossup", json={"net": "8000", "year": 2026, "nonresident": True,
                                              "special_additional_deductions": "1000"}, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    assert "IIT Law art. 6(1)(2)" in r.json()["alerts"][0]


def test_grossup_bad_input(api):
    r = api.client.post("/api/grossup", json={"net": "30000", "year": 2025, "allowances": {"yacht": 1}}, headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "allowances", "yacht"]
    r = api.client.post("/api/grossup", json={"net": "-1", "year": 2025}, headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "net"]


def test_plan(api):
    body = load_yaml((EXAMPLES / "assignment_german_engineer_shanghai.yaml").read_text())
    r = api.client.post("/api/plan", json=body, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    plan = r.json()["plans"][0]
    assert plan["cheapest_compliant"] and {s["structure"] for s in plan["structures"]} >= {"local_hire", "split_payroll"}
    bad = {**body, "travel": {"trips": "../../secret.csv"}}
    r = api.client.post("/api/plan", json=bad, headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "travel", "trips"]
    bad = {**body, "projections": ["/etc/hosts"]}
    assert api.client.post("/api/plan", json=bad, headers=api.h("viewer")).status_code == 422
    bad = {**body, "end": "2025-01-01"}
    assert api.client.post("/api/plan", json=bad, headers=api.h("viewer")).status_code == 422


@pytest.mark.parametrize("path", ["/api/tax", "/api/residency", "/api/social", "/api/month", "/api/grossup", "/api/plan"])
def test_calculations_need_a_key(api, path):
    assert api.client.post(path, json={}).status_code == 401
    assert api.client.post(path, json={}, headers={"X-API-Key": "xcn_wrong"}).status_code == 401
