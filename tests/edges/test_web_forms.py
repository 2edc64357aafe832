"""The web pages' forms without a browser: every POST but the login carries the session's CSRF
token (a request without it, or with another session's, is a 403 page, never a 500; the API
refuses a cookie-authenticated change without the header), and the pages for verifying a closed
month, correcting it and managing keys call the payroll layer and the key store."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api_support import make_api


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    api = make_api(tmp_path_factory.mktemp("web") / "forms.sqlite", example=True)
    assert api.client.post("/api/runs/2025-01", headers=api.h("payroll")).status_code == 200
    assert api.client.post("/api/runs/2025-01/close", headers=api.h("admin")).status_code == 200
    assert api.client.post("/api/runs/2025-02", headers=api.h("payroll")).status_code == 200
    return api


def browser(api, role: str) -> TestClient:
    client = TestClient(api.app)
    r = client.post("/login", data={"key": api.keys[role]}, follow_redirects=False)
    assert r.status_code == 303
    return client


def token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF field on the page"
    header = re.search(r'hx-headers=\'\{"X-CSRF-Token": "([0-9a-f]{64})"\}\'', html)
    assert header and header.group(1) == found.group(1)
    return found.group(1)


def test_post_without_token_is_refused(api):
    b = browser(api, "admin")
    token = token_of(b.get("/calc/tax").text)
    posts = [("/calc/tax", {"wages": "50000"}), ("/calc/grossup", {}), ("/plan", {}), ("/import/example", {}),
             ("/month/2025-02/run", {}), ("/month/2025-02/close", {}), ("/keys", {"role": "viewer"}),
             ("/keys/1/revoke", {}), ("/corrections", {"month": "2025-01", "employee": "E001", "kind": "salary", "amount": "1"})]
    for path, data in posts:
        for bad in ({}, {"csrf_token": "0" * 64}, {"csrf_token": token[:-1]}):
            r = b.post(path, data={**data, **bad}, follow_redirects=False)
            assert r.status_code == 403, (path, bad, r.status_code)
            assert "This form has expired" in r.text and "<html" in r.text
        r = b.post(path, data=data, headers={"X-CSRF-Token": "nope", "HX-Request": "true"}, follow_redirects=False)
        assert r.status_code == 403 and r.headers.get("HX-Refresh") == "true"
    # nothing was changed by the refused requests
    assert all(k["revoked_at"] is None for k in api.client.get("/api/keys", headers=api.h("admin")).json())
    assert {r["month"]: r["status"] for r in api.client.get("/api/runs", headers=api.h()).json()}["2025-02"] == "open"


def test_post_with_token_works(api):
    b = browser(api, "viewer")
    token = token_of(b.get("/calc/tax").text)
    r = b.post("/calc/tax", data={"year": "2025", "wages": "50000", "resident": "on", "csrf_token": token})
    assert r.status_code == 200 and 'id="trace"' in r.text
    r = b.post("/calc/tax", data={"year": "2025", "wages": "50000", "resident": "on"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and 'id="trace"' in r.text
    # another session's token (another key) is refused
    other = token_of(browser(api, "payroll").get("/calc/tax").text)
    assert other != token
    assert b.post("/calc/tax", data={"wages": "1", "csrf_token": other}).status_code == 403
    # login is not behind the token; without a session there is no token and the login page answers
    assert TestClient(api.app).post("/login", data={"key": "xcn_nope"}).status_code == 401


def test_api_with_cookie_needs_the_header(api):
    b = browser(api, "admin")
    token = token_of(b.get("/keys").text)
    assert b.get("/api/me").status_code == 200  # reads need no token
    r = b.post("/api/keys", json={"role": "viewer", "name": "cookie"})
    assert r.status_code == 403 and "X-CSRF-Token" in r.json()["detail"]
    r = b.post("/api/keys", json={"role": "viewer", "name": "cookie"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    # an API client with its key in the header needs no token
    assert api.client.post("/api/keys", json={"role": "viewer"}, headers=api.h("admin")).status_code == 201


def test_verify_page(api):
    b = browser(api, "viewer")
    r = b.get("/month/2025-01/verify")
    assert r.status_code == 200 and 'id="verify-result"' in r.text and "Identical" in r.text
    assert 'id="correct-link"' not in r.text  # a viewer may not correct
    assert 'id="verify-link"' in b.get("/month/2025-01").text
    assert b.get("/month/2025-05/verify").status_code == 409  # not run
    assert b.get("/month/2025-13/verify").status_code == 422
    assert b.get("/month/garbage/verify").status_code == 422
    b.cookies.set("expatcn_lang", "zh")
    assert "完全一致" in b.get("/month/2025-01/verify").text


def test_correction_page(api):
    viewer = browser(api, "viewer")
    assert viewer.get("/corrections").status_code == 403
    b = browser(api, "payroll")
    page = b.get("/corrections?month=2025-01&employee=E001")
    assert page.status_code == 200 and '<option value="2025-01" selected' in page.text
    assert '<option value="2025-02"' not in page.text  # open months cannot be corrected
    token = token_of(page.text)
    before = api.client.get("/api/employees/E001/pay-items?year=2025", headers=api.h()).json()
    salary = next(p for p in before if p["month"] == "2025-01" and p["kind"] == "salary")
    new = f"{float(salary['amount']) + 1000:.2f}"
    # bad input: a 422 page with the messages, never a 500
    for data in ({"month": "2025-01", "employee": "E001", "kind": "salary", "amount": "abc"},
                 {"month": "2025-01", "employee": "E001", "kind": "yacht", "amount": "1"},
                 {"month": "2025-02", "employee": "E001", "kind": "salary", "amount": "1"},
                 {"month": "2025-13", "employee": "E001", "kind": "salary", "amount": "1"},
                 {"month": "2025-01", "employee": "NOBODY", "kind": "salary", "amount": "1"},
                 {"month": "2025-01", "employee": "E001", "kind": "salary", "amount": salary["amount"]},
                 {}):
        r = b.post("/corrections", data={**data, "csrf_token": token})
        assert r.status_code == 422, (data, r.status_code)
        assert "alert-error" in r.text
    r = b.post("/corrections", data={"month": "2025-01", "employee": "E001", "kind": "salary", "amount": new, "csrf_token": token})
    assert r.status_code == 200, r.text
    assert 'id="correct-result"' in r.text and 'id="correction-lines"' in r.text
    assert "2025-02" in r.text or "refile" in r.text
    # the verify page now counts the correction; the month page lists it
    assert re.search(r"Corrections recorded</span><span class=\"kpi-value num\">1<", b.get("/month/2025-01/verify").text)


def test_keys_page(api):
    assert browser(api, "payroll").get("/keys").status_code == 403
    b = browser(api, "admin")
    page = b.get("/keys")
    assert page.status_code == 200 and 'id="keys"' in page.text and "this session" in page.text
    for key in api.keys.values():
        assert key not in page.text  # only prefixes are listed
    token = token_of(page.text)
    r = b.post("/keys", data={"role": "payroll", "name": "HRIS sync", "csrf_token": token})
    assert r.status_code == 200
    key = re.search(r'id="new-key-value">(xcn_[\w-]+)<', r.text).group(1)
    assert TestClient(api.app).get("/api/me", headers={"X-API-Key": key}).json()["role"] == "payroll"
    assert key not in b.get("/keys").text  # shown once
    assert b.post("/keys", data={"role": "owner", "csrf_token": token}).status_code == 422
    key_id = next(k["id"] for k in api.client.get("/api/keys", headers=api.h()).json() if k["name"] == "HRIS sync")
    r = b.post(f"/keys/{key_id}/revoke", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/keys"
    assert TestClient(api.app).get("/api/me", headers={"X-API-Key": key}).status_code == 401
    assert b.post("/keys/99999/revoke", data={"csrf_token": token}).status_code == 404
    assert b.post("/keys/abc/revoke", data={"csrf_token": token}).status_code == 404
    assert b.post("/keys/99999999999/revoke", data={"csrf_token": token}).status_code == 404
