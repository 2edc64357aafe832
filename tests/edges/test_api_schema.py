"""Schemathesis against the published /openapi.json: generated requests for the stateless
calculations and the read routes (a bounded number per operation) — no 500s, and every answer
conforms to the schema (status code, content type, body)."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from api_support import make_api  # noqa: E402

def _make():
    import tempfile
    from pathlib import Path

    api = make_api(Path(tempfile.mkdtemp(prefix="expatcn-schema-")) / "schema.sqlite", example=True)
    api.client.post("/api/runs/2025-01", headers=api.h("payroll"))
    return api


API = _make()
# the stateless calculations (POST) and every read (GET); the writes are tested in test_api_company
schema = schemathesis.openapi.from_asgi("/openapi.json", API.app, headers=API.h("admin")).include(
    path_regex=r"^/api/(tax|residency|social|month|grossup|plan|company|employees.*|runs.*|keys|me)$",
).exclude(method="POST", path_regex=r"^/api/(employees|keys|runs.*)$").exclude(method="DELETE")


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_500_and_conforms(case):
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    case.call_and_validate(headers=API.h("admin"),
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])
