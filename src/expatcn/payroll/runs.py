"""Monthly payroll runs: the engines on the year-to-date inputs (:mod:`expatcn.payroll.inputs`),
the month's results stored with the inputs they came from — and close and verify.

No rule lives here: the full month (:func:`expatcn.gross_to_net.gross_to_net`) computes
contributions, IIT and net pay. A run stores its inputs (a NumPy archive and its SHA-256) and the
law's digest, so that closing can prove nothing changed since, and verifying can recompute every
stored figure.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from sqlalchemy import Connection, Engine, delete, insert, select, update

from expatcn.dates import Month
from expatcn.gross_to_net import MonthResult, gross_to_net
from expatcn.law import Law
from expatcn.money import yuan_str
from expatcn.payroll.db import PayrollError, read_transaction, write_transaction
from expatcn.payroll.inputs import RunInputs, build_inputs, digest
from expatcn.payroll.models import RESULT_COLUMNS, Correction, Run, RunResult
from expatcn.payroll.writes import the_employer

Progress = Callable[[str, int, int], None]  # (stage, done, total)
PAUSE_ENV = "EXPATCN_PAYROLL_PAUSE_BEFORE_COMMIT"  # tests: seconds to wait with the results written, uncommitted
WRITE_CHUNK = 5_000


def _noop(stage: str, done: int, total: int) -> None:
    pass


# --- computing ----------------------------------------------------------------------------------


def compute(inputs: RunInputs, law: Law) -> tuple[dict[str, np.ndarray], MonthResult]:
    """The engines on ``inputs``: every figure of the run's month, (N,) each
    (:meth:`expatcn.gross_to_net.MonthResult.figures`), with the true-ups carried into the month
    (:func:`with_makeups`)."""
    result = gross_to_net(inputs.month_inputs, law, keep_trace=True)
    return with_makeups(result.figures(inputs.month), inputs), result


def with_makeups(figures: dict[str, np.ndarray], inputs: RunInputs) -> dict[str, np.ndarray]:
    """The month's figures with the true-ups of earlier months paid with it: ``employee_makeup``
    in the employee's contributions and out of net pay, ``employer_makeup`` in the employer's
    contributions and cost (0 where none)."""
    n = inputs.employee_ids.size
    for side, total, other, sign in (("employee", "employee_contributions", "net", -1),
                                     ("employer", "employer_contributions", "employer_cost", 1)):
        makeup = getattr(inputs, f"{side}_makeup")
        figures[f"{side}_makeup"] = np.zeros(n, dtype=np.int64) if makeup is None else np.asarray(makeup, np.int64)
        if makeup is not None:
            figures[total] = figures[total] + makeup
            figures[other] = figures[other] + sign * makeup
    return figures


def figure_notes(result: MonthResult, month: int) -> tuple[dict[str, np.ndarray], list[str | None]]:
    """The month's figure labels (:meth:`MonthResult.labels`) and, per employee, the notes to
    store: JSON ``{scheme: {"en": …, "zh": …}}`` of the schemes whose figures are carried forward,
    employer-supplied or of low confidence (None: none)."""
    english, chinese = result.labels(month), result.labels(month, "zh")
    schemes = [k[: -len("_sources")] for k in english if k.endswith("_sources")]
    notes: list[str | None] = []
    for i in range(result.inputs.income.people):
        mine = {s: {"en": english[f"{s}_sources"][i], "zh": chinese[f"{s}_sources"][i]}
                for s in schemes if english[f"{s}_sources"][i]}
        notes.append(json.dumps(mine, ensure_ascii=False) if mine else None)
    return english, notes


def _results_digest(ids: np.ndarray, figures: dict[str, np.ndarray]) -> str:
    arrays = {"employee_ids": ids, **{k: np.asarray(v, dtype=np.int64) for k, v in figures.items()}}
    return digest(arrays)


# --- run ----------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    """A stored run: totals (fen), warnings for people to read (engine alerts, and the figures
    carried forward or employer-supplied), and how many employees' contributions rest on a figure
    carried forward (``carried``) or include true-ups of earlier months (``made_up``)."""

    year: int
    month: int
    employees: int
    replaced: bool
    totals: dict[str, int]
    law_digest: str
    timings: dict[str, float]
    warnings: list[str]
    carried: int = 0
    made_up: int = 0
    unpaid: list[str] = field(default_factory=list)  # on the roster, no pay in the month: left out


def _negative_net(inputs: RunInputs, figures: dict[str, np.ndarray]) -> None:
    """Net pay below zero is an error naming each employee (what they would owe)."""
    below = np.flatnonzero(figures["net"] < 0)
    if below.size:
        names = ", ".join(f"{inputs.codes[i]} ({yuan_str(int(figures['net'][i]))})" for i in below[:10].tolist())
        raise PayrollError(f"net pay below zero for {below.size} employee(s): {names} — contributions and tax exceed "
                           f"the pay of {Month(inputs.year, inputs.month)}; check their pay items, or run with "
                           "--allow-negative to keep it (recovered later from the employee)")


def run_row(conn: Connection, employer_id: int, year: int, month: int):
    return conn.execute(select(Run).where(Run.employer_id == employer_id, Run.year == year, Run.month == month)).first()


def _require_closed_before(conn: Connection, employer_id: int, year: int, month: int, action: str) -> None:
    closed = {r.month for r in conn.execute(select(Run.month).where(
        Run.employer_id == employer_id, Run.year == year, Run.month < month, Run.status == "closed")).all()}
    missing = [m for m in range(1, month) if m not in closed]
    if missing:
        first = str(Month(year, missing[0]))
        raise PayrollError(f"{first} is not closed; months close in order (the cumulative method needs every earlier "
                           f"month's withholding): run and close {first} before {action} {Month(year, month)}")


def run_month(engine: Engine, year: int, month: int, *, progress: Progress = _noop, law: Law,
              employer_tax_number: str | None = None, include: Collection[str] | Literal["all"] = (),
              allow_negative: bool = False) -> RunSummary:
    """Compute every employee for the month and store the results, replacing an open run's.
    Employees with no pay in the month are left out unless ``include`` names them (or ``"all"``);
    a negative net pay is an error unless ``allow_negative``."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        existing = run_row(conn, employer.id, year, month)
        if existing is not None and existing.status == "closed":
            raise PayrollError(f"{Month(year, month)} is closed; change it with `expatcn correct {Month(year, month)}`")
        _require_closed_before(conn, employer.id, year, month, "running")
        progress("load", 0, 1)
        inputs = build_inputs(conn, employer, year, month, law, include=include)
        timings["load_ytd"] = time.perf_counter() - clock
        progress("load", 1, 1)
        clock = time.perf_counter()
        progress("compute", 0, 1)
        figures, result = compute(inputs, law)
        if not allow_negative:
            _negative_net(inputs, figures)
        labels, notes = figure_notes(result, month)
        blob, inputs_sha = inputs.to_bytes()
        timings["engine"] = time.perf_counter() - clock
        progress("compute", 1, 1)
        clock = time.perf_counter()
        now = dt.datetime.now(dt.timezone.utc)
        values = dict(status="open", law_digest=law.digest, inputs=blob, inputs_sha256=inputs_sha,
                      results_sha256=_results_digest(inputs.employee_ids, figures), employees=len(inputs.codes),
                      computed_at=now)
        if existing is None:
            run_id = conn.execute(insert(Run).values(employer_id=employer.id, year=year, month=month, created_at=now,
                                                     **values)).inserted_primary_key[0]
        else:
            run_id = existing.id
            conn.execute(delete(RunResult).where(RunResult.run_id == run_id))
            conn.execute(update(Run).where(Run.id == run_id).values(**values))
        _write_results(conn, run_id, inputs.employee_ids, figures, labels, notes, progress,
                       [_conversions(inputs, k) for k in range(inputs.employee_ids.size)])
        timings["write_results"] = time.perf_counter() - clock
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            print(f"expatcn: {len(inputs.codes)} results written, not committed", file=sys.stderr, flush=True)
            time.sleep(float(pause))
    totals = {k: int(figures[k].sum()) for k in ("gross", "iit", "employee_contributions", "employer_contributions",
                                                  "net", "employer_cost", "employee_makeup", "employer_makeup")}
    carried = labels["employee_carried"] | labels["employer_carried"]
    made_up = (figures["employee_makeup"] != 0) | (figures["employer_makeup"] != 0)
    return RunSummary(year, month, len(inputs.codes), existing is not None, totals, law.digest, timings,
                      result.iit.alerts() + _figure_warnings(labels, carried, Month(year, month), employer_city(inputs)),
                      int(carried.sum()), int(made_up.sum()), inputs.unpaid)


def employer_city(inputs: RunInputs) -> str:
    cities = sorted(set(inputs.month_inputs.city.tolist()))
    return cities[0] if len(cities) == 1 else "<city>"


def _figure_warnings(labels: dict[str, np.ndarray], carried: np.ndarray, month: Month, city: str) -> list[str]:
    """What a person running payroll must know about the social insurance figures used: each
    distinct label, and how many employees' contributions rest on a figure carried forward."""
    out = []
    for key, values in labels.items():
        if key.endswith("_sources"):
            for text in sorted({v for v in values.tolist() if v}):
                out.append(f"{key[: -len('_sources')]}: {text}")
    if carried.any():
        out.append(f"the contributions of {int(carried.sum())} employees rest on figures carried forward: true them "
                   f"up once published (`expatcn trueup {city} {month}`) / {int(carried.sum())}名员工的社保按沿用数据"
                   f"计算，公布后请补差")
    return out


def _conversions(inputs: RunInputs, row: int) -> str | None:
    """An employee's items converted from a foreign currency, as stored with the result (JSON)."""
    found = inputs.conversions.get(row)
    return json.dumps(found, ensure_ascii=False) if found else None


def _write_results(conn: Connection, run_id: int, ids: np.ndarray, figures: dict[str, np.ndarray],
                   labels: dict[str, np.ndarray], notes: list[str | None], progress: Progress,
                   conversions: list[str | None]) -> None:
    n = ids.size
    columns = {k: figures[k].tolist() for k in RESULT_COLUMNS}
    columns["conversions"] = conversions
    columns["employee_carried"] = labels["employee_carried"].tolist()
    columns["employer_carried"] = labels["employer_carried"].tolist()
    columns["figure_notes"] = notes
    resident = figures["resident"].tolist()
    method = figures["wage_method"].tolist()
    complete = figures["complete"].tolist()
    id_list = ids.tolist()
    table = RunResult.__table__
    progress("write", 0, n)
    for start in range(0, n, WRITE_CHUNK):
        stop = min(n, start + WRITE_CHUNK)
        rows = [
            {"run_id": run_id, "employee_id": id_list[i], "resident": resident[i], "wage_method": method[i],
             "complete": complete[i], **{k: v[i] for k, v in columns.items()}}
            for i in range(start, stop)
        ]
        conn.execute(insert(table), rows)
        progress("write", stop, n)


# --- close --------------------------------------------------------------------------------------


def close_month(engine: Engine, year: int, month: int, *, law: Law,
                employer_tax_number: str | None = None) -> dict:
    """Lock the month: its results become the tax withheld and filed. The run must be current
    (inputs unchanged since it was computed) and the months before it closed."""
    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = run_row(conn, employer.id, year, month)
        if run is None:
            raise PayrollError(f"{Month(year, month)} has not been run: `expatcn run {Month(year, month)}` first")
        if run.status == "closed":
            raise PayrollError(f"{Month(year, month)} is already closed (at {run.closed_at:%Y-%m-%d %H:%M})")
        _require_closed_before(conn, employer.id, year, month, "closing")
        current = build_inputs(conn, employer, year, month, law, include=RunInputs.from_bytes(run.inputs).codes)
        if current.digest() != run.inputs_sha256:
            raise PayrollError(f"the inputs of {Month(year, month)} changed since it was run: run it again "
                               f"(`expatcn run {Month(year, month)}`), then close")
        if run.law_digest != law.digest:
            raise PayrollError(f"the law tables changed since {Month(year, month)} was run: run it again, then close")
        now = dt.datetime.now(dt.timezone.utc)
        conn.execute(update(Run).where(Run.id == run.id).values(status="closed", closed_at=now))
        return {"month": str(Month(year, month)), "employees": run.employees, "closed_at": now}


# --- verify -------------------------------------------------------------------------------------


@dataclass
class Verification:
    month: str
    status: str
    employees: int
    identical: bool
    law_digest_stored: str
    law_digest_now: str
    inputs_intact: bool
    differences: list[tuple[str, str, int, int]]  # (employee, figure, stored, recomputed)
    corrections_since: int
    trueup: str | None = None  # the month ran on figures carried forward that the law tables now publish


def verify_month(engine: Engine, year: int, month: int, *, law: Law,
                 employer_tax_number: str | None = None) -> Verification:
    """Recompute a run from the inputs it stored and compare every figure with the stored results."""
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = run_row(conn, employer.id, year, month)
        if run is None:
            raise PayrollError(f"{Month(year, month)} has not been run")
        inputs = RunInputs.from_bytes(run.inputs)
        intact = inputs.digest() == run.inputs_sha256
        stored_rows = conn.execute(select(RunResult).where(RunResult.run_id == run.id).order_by(RunResult.employee_id)).all()
        corrections = len(conn.execute(select(Correction.id).where(Correction.run_id == run.id)).all())
    figures, _ = compute(inputs, law)
    order = np.argsort(inputs.employee_ids, kind="stable")
    differences: list[tuple[str, str, int, int]] = []
    stored_ids = np.array([r.employee_id for r in stored_rows], dtype=np.int64)
    if not np.array_equal(stored_ids, inputs.employee_ids[order]):
        differences.append(("(all)", "employees", len(stored_rows), len(inputs.codes)))
    else:
        for name in (*RESULT_COLUMNS, "resident", "wage_method", "complete"):
            stored = np.array([int(getattr(r, name)) for r in stored_rows], dtype=np.int64)
            now = np.asarray(figures[name], dtype=np.int64)[order]
            for i in np.flatnonzero(stored != now)[:50].tolist():
                differences.append((inputs.codes[int(order[i])], name, int(stored[i]), int(now[i])))
    carried = any(r.employee_carried or r.employer_carried for r in stored_rows)
    contributions = {"employee_contributions", "employer_contributions"} & {d[1] for d in differences}
    hint = None
    if carried and contributions and run.law_digest != law.digest:
        hint = (f"{Month(year, month)} was run on social insurance figures carried forward, and the law tables now "
                f"give different ones: `expatcn trueup {employer_city(inputs)} {Month(year, month)}` shows the "
                f"difference per employee and month, and carries it into the next open month")
    return Verification(str(Month(year, month)), run.status, run.employees,
                        not differences and intact, run.law_digest, law.digest, intact, differences, corrections, hint)


__all__ = ["PAUSE_ENV", "RunSummary", "Verification", "close_month", "compute", "figure_notes", "run_month", "run_row",
           "verify_month", "with_makeups"]
