"""True-ups: once the law tables gain a figure that months were run on carried forward (or the
employer supplies its own), the difference per employee and month, and where it goes.

Each closed month from the one named is recomputed from the inputs its run stored — with the law
tables as they are now and the employer's figures as they are now — and compared with what was
declared: employee and employer contributions, the employee's IIT-deductible part (social
insurance and the tax-free housing fund: the special deductions, 专项扣除) and the IIT. True-ups
already recorded for a month are subtracted, so a true-up is never counted twice.

Where it goes (payroll practice: the difference for the months already declared is paid with a
later declaration — Shanghai 2026: by the end of September, no late fee): the contributions with
the next open month (``carry=True`` records them; that month's run adds them to the contributions
and takes the employee's part from net pay). The IIT effect follows the deductible part: under
the cumulative method the next run of the same year recomputes the year with the published figure
and withholds the difference (``carried``); a closed year goes to the annual reconciliation; under
the monthly method (non-residents, final monthly tax) the month's return is corrected (``refile``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, insert, select

from expatcn.dates import Month
from expatcn.law import Law
from expatcn.payroll.db import PayrollError, write_transaction
from expatcn.payroll.inputs import RunInputs
from expatcn.payroll.models import Employee, Run, RunResult, TrueUp
from expatcn.payroll.rates import employer_rates
from expatcn.payroll.runs import compute
from expatcn.payroll.writes import the_employer

CUMULATIVE = 1  # the wage method code of the cumulative method (iit.person_year)
FIGURES = ("employee_contributions", "employer_contributions", "employee_deduction", "wage_tax_to_date", "wage_tax",
           "wage_method")


@dataclass
class TrueUpLine:
    """One employee and month (fen, published − declared, less true-ups already recorded)."""

    code: str
    month: str
    employee: int
    employer: int
    deductible: int
    iit: int
    treatment: str  # IIT: carried | reconciliation | refile
    carried_to: str | None  # where the contributions are paid (None: not carried)
    note: str = ""


@dataclass
class TrueUpResult:
    city: str
    start: str
    through: str | None
    next_open: str
    lines: list[TrueUpLine] = field(default_factory=list)
    recorded: int = 0

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(line, k) for line in self.lines) for k in ("employee", "employer", "deductible", "iit")}


def trueup(engine: Engine, city: str, start: Month, *, law: Law, carry: bool = False,
           employer_tax_number: str | None = None) -> TrueUpResult:
    """The true-up of every closed month from ``start`` for the employees of ``city``; with
    ``carry``, record it to be paid with the next open month (one transaction)."""
    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        if employer.city != city:
            raise PayrollError(f"the payroll's social insurance city is {employer.city}, not {city}")
        runs = [r for r in conn.execute(select(Run).where(Run.employer_id == employer.id, Run.status == "closed")
                                        .order_by(Run.year, Run.month)).all()
                if Month(r.year, r.month) >= start]
        closed = [Month(r.year, r.month) for r in conn.execute(select(Run.year, Run.month).where(
            Run.employer_id == employer.id, Run.status == "closed")).all()]
        next_open = max(closed) + 1 if closed else start
        result = TrueUpResult(city, str(start), str(Month(runs[-1].year, runs[-1].month)) if runs else None,
                              str(next_open))
        rates = employer_rates(conn, employer.id)
        recorded = _recorded(conn, employer.id)
        employed = _employed_in(conn, employer.id, next_open)
        cumulative_before: dict[tuple[int, int], int] = {}  # (employee, year) -> Δ tax to date so far
        for run in runs:
            inputs = RunInputs.from_bytes(run.inputs)
            inputs.month_inputs.rates = rates
            figures, _ = compute(inputs, law)
            stored = {r.employee_id: r for r in conn.execute(
                select(RunResult.employee_id, *(getattr(RunResult, k) for k in FIGURES))
                .where(RunResult.run_id == run.id)).all()}
            for row, emp in enumerate(inputs.employee_ids.tolist()):
                old = stored.get(emp)
                if old is None:
                    continue
                line = _line(inputs, row, emp, old, figures, run, next_open, recorded, cumulative_before, employed)
                if line is not None:
                    result.lines.append(line)
        if carry:
            result.recorded = _record(conn, employer.id, result, law, _codes(conn, employer.id))
    return result


def _line(inputs: RunInputs, row: int, emp: int, old, figures, run, next_open: Month, recorded, cumulative_before,
          employed: set[int]) -> TrueUpLine | None:
    def delta(name: str) -> int:
        return int(figures[name][row]) - int(getattr(old, name))
    done = recorded.get((emp, run.year, run.month), (0, 0, 0, 0))
    employee = delta("employee_contributions") - done[0]
    employer = delta("employer_contributions") - done[1]
    deductible = delta("employee_deduction") - done[2]
    if int(figures["wage_method"][row]) == CUMULATIVE:
        to_date = delta("wage_tax_to_date")
        iit = to_date - cumulative_before.get((emp, run.year), 0)
        cumulative_before[(emp, run.year)] = to_date
        treatment = "carried" if next_open.year == run.year else "reconciliation"
    else:
        iit = delta("wage_tax")
        treatment = "refile"
    iit -= done[3]
    if not (employee or employer or deductible or iit):
        return None
    carried_to, note = str(next_open), ""
    if emp not in employed:
        carried_to, note = None, f"not employed in {next_open}: settle the contributions with the final pay"
    return TrueUpLine(inputs.codes[row], str(Month(run.year, run.month)), employee, employer, deductible, iit,
                      treatment, carried_to, note)


def _recorded(conn: Connection, employer_id: int) -> dict[tuple[int, int, int], tuple[int, int, int, int]]:
    out: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}
    for r in conn.execute(select(TrueUp).where(TrueUp.employer_id == employer_id)).all():
        key = (r.employee_id, r.year, r.month)
        before = out.get(key, (0, 0, 0, 0))
        out[key] = (before[0] + r.employee_fen, before[1] + r.employer_fen, before[2] + r.deductible_fen,
                    before[3] + r.iit_fen)
    return out


def _employed_in(conn: Connection, employer_id: int, month: Month) -> set[int]:
    return {r.id for r in conn.execute(select(Employee.id).where(
        Employee.employer_id == employer_id, Employee.hire_date <= month.last,
        (Employee.leave_date.is_(None)) | (Employee.leave_date >= month.first))).all()}


def _codes(conn: Connection, employer_id: int) -> dict[str, int]:
    return {r.code: r.id for r in conn.execute(select(Employee.code, Employee.id).where(
        Employee.employer_id == employer_id)).all()}


def _record(conn: Connection, employer_id: int, result: TrueUpResult, law: Law, ids: dict[str, int]) -> int:
    """Record the lines carried into the next open month; an open run of that month must be run again."""
    open_run = conn.execute(select(Run.status).where(
        Run.employer_id == employer_id, Run.year == Month.parse(result.next_open).year,
        Run.month == Month.parse(result.next_open).month)).first()
    now = dt.datetime.now(dt.timezone.utc)
    rows = [{"employer_id": employer_id, "employee_id": ids[line.code], "year": Month.parse(line.month).year,
             "month": Month.parse(line.month).month, "employee_fen": line.employee, "employer_fen": line.employer,
             "deductible_fen": line.deductible, "iit_fen": line.iit, "carried_to": line.carried_to,
             "law_digest": law.digest, "created_at": now}
            for line in result.lines if line.carried_to is not None]
    if rows:
        conn.execute(insert(TrueUp), rows)
    if rows and open_run is not None:
        for line in result.lines:
            if line.carried_to is not None and not line.note:
                line.note = f"{result.next_open} was already run: run it again to pay the true-up with it"
    return len(rows)


__all__ = ["TrueUpLine", "TrueUpResult", "trueup"]
