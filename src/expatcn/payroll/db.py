"""Where the payroll lives: the database URL, the engine, migrations, and the one way to write.

A path or nothing means SQLite (``./expatcn.sqlite`` by default, or ``EXPATCN_DB``), created on
first use; a URL (``postgresql+psycopg://user@host/db``) means that database.

Every write goes through :func:`write_transaction`, which takes the payroll lock first: on SQLite
the transaction starts with ``BEGIN IMMEDIATE`` (the database's write lock, held to the end); on
PostgreSQL it takes ``SELECT … FOR UPDATE`` on the ``payroll`` row of ``payroll_locks``. Writers
therefore run one after the other, and a transaction either commits whole or leaves nothing — a
process killed in the middle leaves the previous state.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, make_url, select, text
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from expatcn.errors import StateError
from expatcn.payroll.models import Lock

DEFAULT_DB = "expatcn.sqlite"
MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_S = 120


class PayrollError(StateError):
    """A payroll operation that cannot go ahead; the message says why and what to do."""


def database_url(db: str | None = None) -> str:
    """``db`` (a path or URL), else ``EXPATCN_DB``, else ``./expatcn.sqlite``, as a URL."""
    value = db or os.environ.get("EXPATCN_DB") or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def display_url(url: str) -> str:
    """The URL as it may be shown: the password masked (``***``)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class StoreUnavailable(PayrollError):
    """The database cannot be reached or opened: one line naming it (password masked) and why."""


@contextmanager
def connected(engine: Engine, **options) -> Iterator[Connection]:
    """A connection of ``engine``; a database that cannot be reached is a :class:`StoreUnavailable`."""
    try:
        with engine.connect().execution_options(**options) as conn:
            yield conn
    except (OperationalError, InterfaceError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreUnavailable(f"cannot use the database {display_url(str(engine.url.render_as_string(False)))}: "
                               f"{reason}") from None


def get_engine(db: str | None = None) -> Engine:
    url = database_url(db)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

        return engine
    return create_engine(url)


def upgrade(engine: Engine) -> str:
    """Bring the schema to the newest migration; returns the revision."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with connected(engine, write=True) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(conn: Connection) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.config import Config

    current = MigrationContext.configure(conn).get_current_revision()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    if current != head:
        where = conn.engine.url.render_as_string(hide_password=True)
        raise PayrollError(f"the database {where} is not initialised (schema {current or 'none'}, need {head}): run `expatcn init`")


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC time (SQLite gives back naive times written as UTC)."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the payroll lock; commits on success, rolls back on any error."""
    with connected(engine, write=True) as conn:
        with conn.begin():
            check_schema(conn)
            if conn.dialect.name == "postgresql":
                conn.execute(select(Lock.name).where(Lock.name == "payroll").with_for_update())
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    with connected(engine) as conn:
        with conn.begin():
            check_schema(conn)
            yield conn


__all__ = ["PayrollError", "StoreUnavailable", "connected", "database_url", "display_url", "get_engine", "upgrade", "utc", "write_transaction", "read_transaction", "text"]
