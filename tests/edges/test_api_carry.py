"""The API on figures carried forward and employer-supplied (issue 11): the calculations label
them, ``strict`` refuses, a request's ``rates`` rows fill a gap; the store's rates (admin, who and
when; a bad set changes nothing), the true-up and the law's freshness."""

from __future__ import annotations

import pytest

from api_support import make_api


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return make_api(tmp_path_factory.mktemp("api") / "company.sqlite", example=True)


def test_social_labels_strict_and_rates(api):
    body = {"city": "上海", "month": "2027-03", "wage": "20000"}
    answer = api.client.post("/api/social", json=body, headers=api.h("viewer")).json()
    medical = next(r for r in answer["schemes"] if r["scheme"] == "medical")
    assert medical["carried"] and medical["label"]["en"] == "carried forward from 2026-07..2027-02: employer rate"
    assert answer["totals"]["carried"]
    refused = api.client.post("/api/social", json={**body, "strict": True}, headers=api.h("viewer"))
    assert refused.status_code == 422 and "strict" in refused.text
    tianjin = {"city": "tianjin", "month": "2026-12", "wage": "10000", "rates": [
        {"city": "tianjin", "scheme": "unemployment", "from": "2026-01", "employer_rate": "0.5%",
         "employee_rate": "0.5%", "why": "our declaration"},
        {"city": "tianjin", "scheme": "work_injury", "from": "2026-01", "employer_rate": "0.2%", "why": "class I"}]}
    filled = api.client.post("/api/social", json=tianjin, headers=api.h("viewer")).json()
    assert filled["totals"]["employer_social_insurance"] == "2720.00"
    tianjin["rates"][0]["employer_rate"] = "50"
    bad = api.client.post("/api/social", json=tianjin, headers=api.h("viewer"))
    assert bad.status_code == 422 and "rates, row 1, column 'Employer rate / 单位费率'" in bad.text


def test_month_and_grossup_flag_carried_months(api):
    scenario = {"name": "x", "year": 2027, "city": "shanghai", "employment": {"from": 1, "to": 12},
                "every_month": {"wages": 20000}}
    answer = api.client.post("/api/month", json=scenario, headers=api.h("viewer")).json()
    assert [m["employer_carried"] for m in answer["months"]][:3] == [False, False, True] and answer["carried"]
    assert api.client.post("/api/month?strict=true", json=scenario, headers=api.h("viewer")).status_code == 422
    g = api.client.post("/api/grossup", json={"net": "20000", "year": 2027, "city": "上海"}, headers=api.h("viewer")).json()
    assert [m["carried"] for m in g["months"]][:3] == [False, False, True]


def test_store_rates_admin_only_with_who_and_a_bad_set_changes_nothing(api):
    rows = [{"city": "shanghai", "scheme": "work_injury", "from": "2025-01", "employer_rate": "0.26%",
             "why": "class II notice"}]
    assert api.client.post("/api/rates", json=rows, headers=api.h("payroll")).status_code == 403
    done = api.client.post("/api/rates", json=rows, headers=api.h("admin")).json()
    assert done["rows"] == 1 and done["imported_by"] == "test admin"
    bad = api.client.post("/api/rates", json=[{**rows[0], "scheme": "pensions"}], headers=api.h("admin"))
    assert bad.status_code == 422 and "row 1, column 'Scheme / 险种'" in bad.text
    listed = api.client.get("/api/rates", headers=api.h("viewer")).json()
    assert [(r["scheme"], r["imported_by"]) for r in listed] == [("work_injury", "test admin")]
    upload = api.client.post("/api/rates/upload", headers=api.h("admin"), files={"file": (
        "rates.csv", b"city,scheme,from,employer_rate,why\nshanghai,work_injury,2025-01,0.3%,class III\n", "text/csv")})
    assert upload.status_code == 200 and upload.json()["rates"][0]["employer_rate"] == "0.3%"


def test_trueup_and_law_status(api):
    answer = api.client.get("/api/trueup/上海/2025-01", headers=api.h("viewer"))
    assert answer.status_code == 200 and answer.json()["city"] == "shanghai"
    assert api.client.post("/api/trueup/shanghai/2025-01", headers=api.h("viewer")).status_code == 403
    status = api.client.get("/api/law/status?on=2026-12-02", headers=api.h("viewer")).json()
    lines = {t["table"]: t for t in status["tables"]}
    assert lines["social/shanghai"]["ends_soon"] == "2027-02-28"
