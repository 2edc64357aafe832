"""Keys and roles: every route but /health and the login page needs a key; viewers read,
payroll runs, admins manage keys and close months; keys are stored hashed; revoked keys stop."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from api_support import make_api


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return make_api(tmp_path_factory.mktemp("api") / "auth.sqlite", example=True)


PUBLIC = {"/health", "/login"}


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: {"month": "2025-01", "code": "E001", "key_id": "1", "kind": "cost"}.get(m.group(1), "x"), path)


def _routes(routes):
    """Every route, also those of included routers (FastAPI may keep a router as one entry)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _routes(included.routes) if included is not None else [route]


def test_every_route_needs_a_key(api):
    operations = [(method.upper(), path) for path, item in api.app.openapi()["paths"].items() for method in item
                  if path not in PUBLIC]
    pages = [(method, route.path) for route in _routes(api.app.routes) if isinstance(route, APIRoute) and not route.include_in_schema
             and route.path not in PUBLIC | {"/openapi.json"} and not route.path.startswith("/lang/") for method in route.methods]
    assert len(operations) >= 25 and len(pages) >= 15
    for method, path in operations + [("GET", "/openapi.json")]:
        r = api.client.request(method, _concrete(path), follow_redirects=False)
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.json()["detail"]
    for method, path in pages:  # a page sends the browser to the login page
        r = api.client.request(method, _concrete(path), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path, r.status_code)


def test_public_routes(api):
    assert api.client.get("/health").json()["status"] == "ok"
    assert api.client.get("/login").status_code == 200
    assert api.client.get("/static/app.css").status_code == 200


def test_openapi_published(api):
    r = api.client.get("/openapi.json", headers=api.h("viewer"))
    assert r.status_code == 200
    spec = r.json()
    paths = spec["paths"]
    for p in ("/api/tax", "/api/residency", "/api/social", "/api/month", "/api/grossup", "/api/plan", "/api/employees",
              "/api/runs/{month}", "/api/runs/{month}/close", "/api/runs/{month}/exports/{kind}", "/api/import", "/api/keys"):
        assert p in paths, p
    assert "APIKeyHeader" in spec["components"]["securitySchemes"]
    assert not any(p.startswith(("/employees", "/month", "/calc")) for p in paths)  # pages are not API


ROLE_CASES = [
    ("viewer", "post", "/api/runs/2025-01", 403),
    ("viewer", "post", "/api/pay-items", 403),
    ("viewer", "get", "/api/keys", 403),
    ("payroll", "get", "/api/keys", 403),
    ("payroll", "post", "/api/runs/2025-01/close", 403),
    ("viewer", "post", "/api/runs/2025-01/correct", 403),
    ("payroll", "delete", "/api/keys/1", 403),
]


@pytest.mark.parametrize("role, method, path, status", ROLE_CASES)
def test_wrong_role_is_403(api, role, method, path, status):
    kwargs = {"json": [] if "pay-items" in path else {"items": [{"employee": "E001", "kind": "salary", "amount": "1"}]}} \
        if method == "post" and ("correct" in path or "pay-items" in path) else {}
    r = api.client.request(method.upper(), path, headers=api.h(role), **kwargs)
    assert r.status_code == status, r.text
    assert "role" in r.json()["detail"]


def test_keys_admin(api):
    c = api.client
    r = c.post("/api/keys", json={"role": "viewer", "name": "auditor"}, headers=api.h("admin"))
    assert r.status_code == 201
    created = r.json()
    key = created["key"]
    assert key.startswith("xcn_") and created["prefix"] == key[:10]
    assert c.get("/api/me", headers={"X-API-Key": key}).json() == {"key_id": created["id"], "name": "auditor", "role": "viewer"}
    listed = c.get("/api/keys", headers=api.h("admin")).json()
    assert all("key" not in k for k in listed) and any(k["id"] == created["id"] for k in listed)
    # only a digest is stored
    from sqlalchemy import text

    with api.app.state.engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("select key_sha256 from api_keys"))]
    assert key not in stored and all(len(s) == 64 for s in stored)
    assert c.post("/api/keys", json={"role": "owner"}, headers=api.h("admin")).status_code == 422
    assert c.delete(f"/api/keys/{created['id']}", headers=api.h("admin")).json()["revoked_at"]
    assert c.get("/api/me", headers={"X-API-Key": key}).status_code == 401
    assert c.delete("/api/keys/99999", headers=api.h("admin")).status_code == 404


def test_web_login_and_roles(api):
    from fastapi.testclient import TestClient

    browser = TestClient(api.app)
    assert browser.post("/login", data={"key": "xcn_nope"}).status_code == 401
    r = browser.post("/login", data={"key": api.keys["viewer"], "next": "/employees"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/employees"
    page = browser.get("/employees")
    assert page.status_code == 200 and "Anna Schmidt" in page.text
    assert browser.get("/import").status_code == 403  # a viewer may not import
    assert browser.post("/month/2025-01/close").status_code == 403
    assert browser.post("/login", data={"key": api.keys["viewer"], "next": "//evil.example"}, follow_redirects=False).headers["location"] == "/month"


def test_cli_keys(tmp_path):
    from typer.testing import CliRunner

    from expatcn.cli import app

    db = str(tmp_path / "cli.sqlite")
    runner = CliRunner()
    r = runner.invoke(app, ["keys", "create", "--role", "admin", "--name", "ops", "--db", db])
    assert r.exit_code == 0, r.output
    key = r.stdout.strip().splitlines()[-1]
    assert key.startswith("xcn_")
    listed = runner.invoke(app, ["keys", "list", "--db", db])
    assert "ops" in listed.stdout and key not in listed.stdout
    assert runner.invoke(app, ["keys", "revoke", "1", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["keys", "create", "--role", "root", "--db", db]).exit_code == 2
