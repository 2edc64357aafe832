"""The company store over HTTP: roster, trips, pay items, import, runs, close, correct, verify,
exports — the payroll layer's answers, with roles, 404/409/422 and masked ID numbers."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pytest

from api_support import make_api

COMPANY = Path(__file__).parents[2] / "src" / "expatcn" / "examples" / "company"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return make_api(tmp_path_factory.mktemp("api") / "company.sqlite", example=True)


def test_company_and_roster_masked(api):
    assert api.client.get("/api/company", headers=api.h("viewer")).json()["city"] == "shanghai"
    rows = api.client.get("/api/employees", headers=api.h("viewer")).json()
    assert len(rows) == 22
    numbers = {line.split(",")[0]: line.split(",")[3] for line in (COMPANY / "roster.csv").read_text("utf-8").splitlines()[1:]}
    for r in rows:
        assert r["id_number"] != numbers[r["id"]] and r["id_number"].endswith(numbers[r["id"]][-4:])
        assert "*" in r["id_number"]


def test_employee_detail_masks_for_viewers_only(api):
    full = api.client.get("/api/employees/E011", headers=api.h("payroll")).json()
    masked = api.client.get("/api/employees/E011", headers=api.h("viewer")).json()
    assert "*" not in full["id_number"] and masked["id_number"] == "*****2L9M"
    assert masked["name"] == full["name"] == "Anna Schmidt"
    assert api.client.get("/api/employees/NOPE", headers=api.h("viewer")).status_code == 404


def test_trips_pay_and_residency(api):
    trips = api.client.get("/api/employees/E011/trips", headers=api.h("viewer")).json()
    assert trips[0]["entry"].startswith("2024-08-01")
    pay = api.client.get("/api/employees/E001/pay-items?year=2025", headers=api.h("viewer")).json()
    assert {"month": "2025-01", "kind": "salary", "amount": "25000.00", "currency": "CNY"} in pay
    res = api.client.get("/api/employees/E011/residency?year=2025", headers=api.h("viewer")).json()
    assert res["lines"]["resident_days"] == 183 and len(res["person"]["months"]) == 12
    none = api.client.get("/api/employees/E001/residency?year=2025", headers=api.h("viewer")).json()
    assert none["person"] is None and none["trips"] == 0
    assert api.client.get("/api/employees/E011/residency?year=1900", headers=api.h("viewer")).status_code == 422


def test_import_upload_and_row_errors(api, caplog):
    caplog.set_level(logging.DEBUG)
    content = (COMPANY / "roster.csv").read_bytes()
    r = api.client.post("/api/import", files=[("files", ("roster.csv", content, "text/csv"))], headers=api.h("payroll"))
    assert r.status_code == 200, r.text
    assert r.json()["counts"]["employees"]["unchanged"] == 22
    bad = "Employee ID / 工号,Month / 所属期,Kind / 项目,Amount (CNY) / 金额（元）\nE001,2025-13,salary,25000\nE001,2025-04,yacht,1\n"
    r = api.client.post("/api/import", files=[("files", ("pay.csv", bad.encode(), "text/csv"))], headers=api.h("payroll"))
    assert r.status_code == 422
    problems = [d["msg"] for d in r.json()["detail"]]
    assert any("row 2" in p and "Month" in p for p in problems) and any("row 3" in p and "Kind" in p for p in problems)
    assert all("/tmp" not in p for p in problems)
    r = api.client.post("/api/import", files=[("files", ("notes.txt", b"hello", "text/plain"))], headers=api.h("payroll"))
    assert r.status_code == 422
    r = api.client.post("/api/import", files=[("files", ("roster.xlsx", b"not a zip", "application/octet-stream"))], headers=api.h("payroll"))
    assert r.status_code == 422
    assert api.client.post("/api/import", files=[("files", ("roster.csv", content, "text/csv"))], headers=api.h("viewer")).status_code == 403
    # ID numbers never reach the logs
    for number in [line.split(",")[3] for line in content.decode("utf-8").splitlines()[1:]]:
        assert number not in caplog.text


def test_json_writes(api):
    r = api.client.post("/api/employees", json=[{"id": "E900", "name": "Test Person", "id_type": "passport",
                                                 "id_number": "X1234567", "nationality": "FR", "hire_date": "2025-03-01",
                                                 "resident": False}], headers=api.h("payroll"))
    assert r.status_code == 200, r.text
    assert r.json()["counts"]["employees"]["inserted"] == 1
    r = api.client.post("/api/trips", json=[{"employee": "E900", "entry": "2025-03-01", "exit": "2025-03-20"}], headers=api.h("payroll"))
    assert r.status_code == 200, r.text
    r = api.client.post("/api/pay-items", json=[{"employee": "E900", "month": "2025-06", "kind": "salary", "amount": "40000"}],
                        headers=api.h("payroll"))
    assert r.status_code == 200, r.text
    r = api.client.post("/api/pay-items", json=[{"employee": "E999", "month": "2025-06", "kind": "salary", "amount": "1"}],
                        headers=api.h("payroll"))
    assert r.status_code == 422 and "E999" in r.text
    r = api.client.post("/api/trips", json=[{"employee": "E900", "entry": "2025-03-10", "exit": "2025-03-01"}], headers=api.h("payroll"))
    assert r.status_code == 422
    r = api.client.post("/api/employees", json=[{"id": "E901"}], headers=api.h("payroll"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", 0]


def test_month_flow(api):
    c, h = api.client, api.h
    assert c.get("/api/runs/2025-01", headers=h("viewer")).status_code == 404
    assert c.post("/api/runs/2025-01", headers=h("viewer")).status_code == 403
    r = c.post("/api/runs/2025-01", headers=h("payroll"))
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["employees"] == 20 and "2025-02-20" in done["due"]
    detail = c.get("/api/runs/2025-01", headers=h("viewer")).json()
    assert detail["status"] == "open" and len(detail["results"]) == 20
    assert detail["totals"]["iit"] == done["totals"]["iit"]
    from decimal import Decimal

    assert sum(Decimal(x["iit"]) for x in detail["results"]) == Decimal(detail["totals"]["iit"])
    # months close in order and only by an admin
    assert c.post("/api/runs/2025-02", headers=h("payroll")).status_code == 409
    assert c.post("/api/runs/2025-01/close", headers=h("payroll")).status_code == 403
    r = c.post("/api/runs/2025-01/close", headers=h("admin"))
    assert r.status_code == 200, r.text
    assert c.post("/api/runs/2025-01/close", headers=h("admin")).status_code == 409
    assert c.post("/api/runs/2025-01", headers=h("payroll")).status_code == 409
    # exports
    r = c.get("/api/runs/2025-01/exports/withholding", headers=h("viewer"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert any("withholding-residents" in n for n in names)
    r = c.get("/api/runs/2025-01/exports/cost?format=csv", headers=h("viewer"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    r = c.get("/api/runs/2025-01/exports/payslips", headers=h("viewer"))
    assert r.status_code == 200 and zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert c.get("/api/runs/2025-01/exports/bogus", headers=h("viewer")).status_code == 422
    assert c.get("/api/runs/2025-05/exports/cost", headers=h("viewer")).status_code == 409
    # verify, correct, runs list
    v = c.get("/api/runs/2025-01/verify", headers=h("viewer")).json()
    assert v["identical"] and v["inputs_intact"]
    assert c.post("/api/runs/2025-02", headers=h("payroll")).status_code == 200
    assert c.post("/api/runs/2025-02/close", headers=h("admin")).status_code == 200
    r = c.post("/api/runs/2025-01/correct", json={"items": [{"employee": "E003", "kind": "salary", "amount": "47000"}]},
               headers=h("payroll"))
    assert r.status_code == 200, r.text
    line = r.json()[0]
    assert line["employee"] == "E003" and line["treatment"] == "carried" and line["difference"] == "200.00"
    assert line["carried_to"] == "2025-03"
    assert c.post("/api/runs/2025-01/correct", json={"items": []}, headers=h("payroll")).status_code == 422
    assert c.post("/api/runs/2025-03/correct", json={"items": [{"employee": "E003", "kind": "salary", "amount": "1"}]},
                  headers=h("payroll")).status_code == 409
    runs = c.get("/api/runs", headers=h("viewer")).json()
    assert [(x["month"], x["status"]) for x in runs] == [("2025-01", "closed"), ("2025-02", "closed")]
    assert c.get("/api/runs/2025-1", headers=h("viewer")).status_code == 422
    assert c.get("/api/runs/2025-01", headers=h("viewer")).json()["corrections"]


def test_empty_database(tmp_path):
    api = make_api(tmp_path / "empty.sqlite", example=False)
    assert api.client.get("/api/company", headers=api.h("viewer")).status_code == 404
    assert api.client.get("/api/employees", headers=api.h("viewer")).status_code == 409
    assert api.client.post("/api/runs/2025-01", headers=api.h("payroll")).status_code == 409


def test_trips_are_added_and_replaced_only_when_asked(tmp_path):
    """POST /api/trips adds and updates by (employee, entry); ?replace=true removes the others, listed."""
    api = make_api(tmp_path / "company.sqlite", example=True)
    before = api.client.get("/api/employees/E012/trips", headers=api.h("viewer")).json()
    new = [{"employee": "E012", "entry": "2025-12-01", "exit": "2025-12-05"}]
    added = api.client.post("/api/trips", json=new, headers=api.h("payroll")).json()
    assert added["counts"]["trips"]["inserted"] == 1 and added["removed"] == []
    assert len(api.client.get("/api/employees/E012/trips", headers=api.h("viewer")).json()) == len(before) + 1
    replaced = api.client.post("/api/trips?replace=true", json=new, headers=api.h("payroll")).json()
    assert len(replaced["removed"]) == len(before) and all(line.startswith("E012 trip ") for line in replaced["removed"])
    assert len(api.client.get("/api/employees/E012/trips", headers=api.h("viewer")).json()) == 1
