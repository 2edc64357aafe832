"""Crash safety and concurrency with real processes: a run killed with SIGKILL in the middle
leaves the previous state whole; two runs of the same month started at once leave one result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from payroll_support import COMPANY_FILES, db_url  # noqa: F401 — fixture
from sqlalchemy import func, select

from expatcn.law import load_law
from expatcn.payroll.db import get_engine, read_transaction, upgrade
from expatcn.payroll.models import Run, RunResult
from expatcn.payroll.runs import PAUSE_ENV, close_month, run_month, verify_month
from expatcn.services.payroll import import_files


def cli(db: str, *args: str, pause: float | None = None) -> subprocess.Popen:
    env = dict(os.environ, EXPATCN_DB=db)
    env.pop(PAUSE_ENV, None)
    if pause is not None:
        env[PAUSE_ENV] = str(pause)
    return subprocess.Popen([sys.executable, "-m", "expatcn.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def state(engine) -> list[tuple]:
    with read_transaction(engine) as conn:
        runs = conn.execute(select(Run.year, Run.month, Run.status, Run.results_sha256, Run.inputs_sha256)
                            .order_by(Run.month)).all()
        results = conn.execute(select(RunResult.run_id, RunResult.employee_id, RunResult.iit, RunResult.net)
                               .order_by(RunResult.run_id, RunResult.employee_id)).all()
    return [tuple(r) for r in runs] + [tuple(r) for r in results]


def kill_while_writing(db: str, month: str) -> None:
    proc = cli(db, "run", month, pause=60)
    deadline = time.monotonic() + 60
    line = ""
    while "results written" not in line:
        line = proc.stderr.readline()
        assert line or proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the run never reached the write"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_during_run_leaves_previous_state(db_url, tmp_path):  # noqa: F811
    engine = get_engine(db_url)
    upgrade(engine)
    import_files(engine, COMPANY_FILES)
    run_month(engine, 2025, 1, law=load_law())
    before = state(engine)

    # a re-run of the open month, killed with its new results written but not committed
    pay = tmp_path / "pay.csv"
    pay.write_text("Employee ID,Month,Kind,Amount\nE001,2025-01,salary,26000\n", encoding="utf-8")
    import_files(engine, [pay])
    kill_while_writing(db_url, "2025-01")
    assert state(engine) == before
    assert verify_month(engine, 2025, 1, law=load_law()).identical

    # a first run of a month, killed: the month has no run at all
    pay.write_text("Employee ID,Month,Kind,Amount\nE001,2025-01,salary,25000\n", encoding="utf-8")
    import_files(engine, [pay])
    close_month(engine, 2025, 1, law=load_law())
    closed = state(engine)
    kill_while_writing(db_url, "2025-02")
    assert state(engine) == closed
    # the database is usable afterwards
    assert run_month(engine, 2025, 2, law=load_law()).employees == 21


def test_two_runs_at_once_leave_one_result(db_url):  # noqa: F811
    engine = get_engine(db_url)
    upgrade(engine)
    import_files(engine, COMPANY_FILES)
    first, second = cli(db_url, "run", "2025-01", pause=1.5), cli(db_url, "run", "2025-01", pause=1.5)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    with read_transaction(engine) as conn:
        assert conn.execute(select(func.count()).select_from(Run)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(RunResult)).scalar() == 20
        assert conn.execute(select(func.count(func.distinct(RunResult.employee_id)))).scalar() == 20
    assert sum("replaced" in out for out, _ in outputs) == 1  # one computed, the other replaced it
    assert verify_month(engine, 2025, 1, law=load_law()).identical
