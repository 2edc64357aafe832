"""The web pages on figures carried forward (issue 11): the month page marks what rests on them
and says so (English and Chinese), offers the true-up; the dashboard shows the law's freshness;
the rates page imports the employer's figures (admin only, a bad file changes nothing)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api_support import make_api
from expatcn.services.payroll import import_rows


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    api = make_api(tmp_path_factory.mktemp("web") / "carry.sqlite", example=False)
    store = api.app.state.engine
    import_rows(store, "employer", [{"name": "Test Co.", "tax_number": "91310000TEST00001X", "city": "shanghai"}])
    import_rows(store, "roster", [{"code": "A", "name": "Li Lei", "id_type": "resident_id",
                                   "id_number": "31010119800101000X", "nationality": "CN", "hire_date": "2026-01-01"}])
    import_rows(store, "pay", [{"code": "A", "month": f"2027-{m:02d}", "kind": "salary", "amount": "20000"}
                               for m in range(1, 5)])
    for month in ("2027-01", "2027-02", "2027-03"):
        assert api.client.post(f"/api/runs/{month}", headers=api.h("payroll")).status_code == 200
        assert api.client.post(f"/api/runs/{month}/close", headers=api.h("admin")).status_code == 200
    return api


def browser(api, role: str, lang: str = "en") -> TestClient:
    client = TestClient(api.app)
    assert client.post("/login", data={"key": api.keys[role]}, follow_redirects=False).status_code == 303
    client.get(f"/lang/{lang}", follow_redirects=False)
    return client


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html).group(1)


def test_month_page_marks_and_explains_carried_figures(api):
    page = browser(api, "payroll").get("/month/2027-03").text
    assert 'id="carried-note"' in page and "carried forward from 2026-07..2027-02: employer rate" in page
    assert re.search(r'data-total="employer_cost">[^<]*†', page)  # the total says so
    assert 'id="trueup-none"' in page  # the law has not published the figure yet
    february = browser(api, "payroll").get("/month/2027-02").text
    assert 'id="carried-note"' not in february and "low confidence" in february
    chinese = browser(api, "viewer", "zh").get("/month/2027-03").text
    assert "沿用2026-07..2027-02已公布的数据：单位费率" in chinese and "医疗保险" in chinese


def test_trueup_from_the_month_page(api):
    b = browser(api, "payroll")
    token = token_of(b.get("/calc/tax").text)
    r = b.post("/month/2027-03/trueup", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/month/2027-03"
    viewer = browser(api, "viewer")
    assert viewer.post("/month/2027-03/trueup", data={"csrf_token": token_of(viewer.get("/calc/tax").text)},
                       follow_redirects=False).status_code == 403


def test_dashboard_shows_the_law_freshness(api):
    page = browser(api, "viewer").get("/month").text
    assert 'id="law-freshness"' in page
    assert "social/beijing" not in page and "host_tax/" not in page  # only the tables this payroll reads
    assert "Unemployment — employer rate: low confidence" in page


def test_rates_page_imports_for_admins_and_a_bad_file_changes_nothing(api):
    admin = browser(api, "admin")
    token = token_of(admin.get("/rates").text)
    good = b"city,scheme,from,employer_rate,why\nshanghai,work_injury,2027-01,0.26%,class II notice\n"
    r = admin.post("/rates", data={"csrf_token": token}, files={"file": ("rates.csv", good, "text/csv")})
    assert r.status_code == 200 and 'id="rates-imported"' in r.text and "test admin" in r.text
    bad = b"city,scheme,from,employer_rate,why\nshanghai,work_injury,2027-13,0.3%,typo\n"
    r = admin.post("/rates", data={"csrf_token": token}, files={"file": ("bad.csv", bad, "text/csv")})
    assert r.status_code == 422 and "bad.csv, row 2, column &#39;From / 起始&#39;" in r.text
    assert "0.26%" in r.text and "0.3%" not in r.text  # the good set is still there
    viewer = browser(api, "viewer")
    page = viewer.get("/rates").text
    assert 'id="rates-import"' not in page and "class II notice" in page
    assert viewer.post("/rates", data={"csrf_token": token_of(viewer.get("/calc/tax").text)},
                       files={"file": ("rates.csv", good, "text/csv")}).status_code == 403
