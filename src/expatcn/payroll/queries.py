"""The read side of the store: the employer, the roster, one employee's trips and pay items, the
runs and what one run stored. Each function reads in one transaction and returns rows as stored
(ID numbers in full: the services mask them; times as aware UTC times)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from expatcn.dates import Month
from expatcn.errors import NotFound
from expatcn.payroll.db import PayrollError, read_transaction, utc
from expatcn.payroll.inputs import RunInputs
from expatcn.payroll.models import Correction, DeductionDeclaration, Employee, Employer, PayItem, Run, RunResult, Trip
from expatcn.payroll.writes import the_employer


def company(engine: Engine) -> Employer | None:
    """The employer of the store, or ``None`` while there is none."""
    with read_transaction(engine) as conn:
        row = conn.execute(select(Employer).order_by(Employer.id)).first()
    return None if row is None else Employer(**row._mapping)


def employees(engine: Engine, employer_tax_number: str | None = None) -> list[Any]:
    """The roster, by employee ID."""
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        return list(conn.execute(select(Employee).where(Employee.employer_id == employer.id).order_by(Employee.code)).all())


def _employee(conn: Connection, code: str) -> Any:
    employer = the_employer(conn)
    row = conn.execute(select(Employee).where(Employee.employer_id == employer.id, Employee.code == code)).first()
    if row is None:
        raise NotFound(f"no employee {code!r}")
    return row


def employee(engine: Engine, code: str) -> Any:
    """One employee's record; :class:`~expatcn.errors.NotFound` if there is none."""
    with read_transaction(engine) as conn:
        return _employee(conn, code)


def trips(engine: Engine, code: str) -> list[Any]:
    """One employee's trips, by entry."""
    with read_transaction(engine) as conn:
        emp = _employee(conn, code)
        return list(conn.execute(select(Trip).where(Trip.employee_id == emp.id).order_by(Trip.entry)).all())


def pay_items(engine: Engine, code: str, year: int | None = None) -> list[Any]:
    """One employee's pay items (of ``year``), by month and kind."""
    with read_transaction(engine) as conn:
        emp = _employee(conn, code)
        query = select(PayItem).where(PayItem.employee_id == emp.id)
        if year is not None:
            query = query.where(PayItem.year == year)
        return list(conn.execute(query.order_by(PayItem.year, PayItem.month, PayItem.kind)).all())


def pay_months(engine: Engine) -> list[Month]:
    """The months that hold pay items."""
    with read_transaction(engine) as conn:
        return sorted(Month(y, m) for y, m in conn.execute(select(PayItem.year, PayItem.month).distinct()).all())


@dataclass
class RunRow:
    """A stored run and its totals (fen)."""

    month: Month
    status: str
    employees: int
    law_digest: str
    computed_at: dt.datetime
    closed_at: dt.datetime | None
    totals: dict[str, int]


TOTALS = ("gross", "employee_contributions", "iit", "net", "employer_contributions", "employer_cost")


def _run_row(run: Any, totals: dict[str, int]) -> RunRow:
    return RunRow(Month(run.year, run.month), run.status, run.employees, run.law_digest, utc(run.computed_at),
                  utc(run.closed_at), totals)


def runs(engine: Engine) -> list[RunRow]:
    """Every run of the employer, by month, with its totals."""
    with read_transaction(engine) as conn:
        employer = the_employer(conn)
        rows = conn.execute(select(Run).where(Run.employer_id == employer.id).order_by(Run.year, Run.month)).all()
        sums = {r[0]: r[1:] for r in conn.execute(
            select(RunResult.run_id, *(func.sum(getattr(RunResult, k)) for k in TOTALS)).group_by(RunResult.run_id)).all()}
    return [_run_row(r, {k: int(v or 0) for k, v in zip(TOTALS, sums.get(r.id, ()))} or dict.fromkeys(TOTALS, 0))
            for r in rows]


@dataclass
class RunDetail:
    run: RunRow
    results: list[Any]  # employee code and name, and the stored result row
    corrections: list[Any]


def _stored_run(conn: Connection, employer: Employer, year: int, month: int, missing: type[Exception]) -> Any:
    run = conn.execute(select(Run).where(Run.employer_id == employer.id, Run.year == year, Run.month == month)).first()
    if run is None:
        raise missing(f"{Month(year, month)} has not been run")
    return run


def run_detail(engine: Engine, year: int, month: int) -> RunDetail:
    """A stored run: one result row per employee (with code and name), its corrections."""
    with read_transaction(engine) as conn:
        run = _stored_run(conn, the_employer(conn), year, month, NotFound)
        results = conn.execute(select(Employee.code, Employee.name, RunResult).join(RunResult, RunResult.employee_id == Employee.id)
                               .where(RunResult.run_id == run.id).order_by(Employee.code)).all()
        corrections = conn.execute(select(Employee.code, Correction).join(Employee, Employee.id == Correction.employee_id)
                                   .where(Correction.run_id == run.id).order_by(Correction.id)).all()
    totals = dict.fromkeys(TOTALS, 0)
    for r in results:
        for k in TOTALS:
            totals[k] += int(getattr(r, k))
    return RunDetail(_run_row(run, totals), list(results), list(corrections))


@dataclass
class StoredRun:
    """What the exports of a run need: its employer, status and inputs, the employees and the
    stored results in the inputs' row order, and the year's declared deductions."""

    employer: Employer
    status: str
    inputs: RunInputs
    people: list[Any]
    stored: list[Any]
    declarations: list[Any]


def stored_run(engine: Engine, year: int, month: int, employer_tax_number: str | None = None) -> StoredRun:
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = _stored_run(conn, employer, year, month, PayrollError)
        inputs = RunInputs.from_bytes(run.inputs)
        order = inputs.employee_ids.tolist()
        people = {r.id: r for r in conn.execute(select(Employee).where(Employee.id.in_(order))).all()}
        stored = {r.employee_id: r for r in conn.execute(select(RunResult).where(RunResult.run_id == run.id)).all()}
        declarations = conn.execute(select(DeductionDeclaration).where(DeductionDeclaration.year == year)).all()
    return StoredRun(employer, run.status, inputs, [people[e] for e in order], [stored[e] for e in order],
                     list(declarations))


__all__ = ["RunDetail", "RunRow", "StoredRun", "company", "employee", "employees", "pay_items", "pay_months", "run_detail",
           "runs", "stored_run", "trips"]
