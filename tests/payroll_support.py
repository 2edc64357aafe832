"""Shared fixtures of the payroll tests: a fresh database on SQLite or on the local PostgreSQL
(a schema of its own per test, dropped afterwards; skipped when the server is unreachable)."""

from __future__ import annotations

import uuid
from importlib.resources import files
from pathlib import Path

import pytest

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COMPANY = Path(str(files("expatcn.examples.company")))
COMPANY_FILES = [COMPANY / n for n in ("employer.csv", "roster.csv", "deductions.csv", "trips.csv", "pay.csv")]


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3):
            return True
    except Exception:
        return False


def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "payroll.sqlite")


def postgres_schema_url():
    """A context: (url with its own search_path, cleanup)."""
    import psycopg

    if not _pg_available():
        pytest.skip("PostgreSQL at 127.0.0.1:5432 (database test) is not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    return f"{PG_URL}?options=-csearch_path%3D{schema}", drop


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    url, drop = postgres_schema_url()
    yield url
    drop()
