"""Corrections of a closed month: its pay items change, and the tax difference is recorded with
where it goes (carried into the next open month, or refiled)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection, Engine, insert, select

from expatcn.dates import Month
from expatcn.errors import InputProblems
from expatcn.gross_to_net import gross_to_net
from expatcn.law import Law
from expatcn.money import yuan_str
from expatcn.payroll.db import PayrollError, write_transaction
from expatcn.payroll.inputs import build_inputs
from expatcn.payroll.models import Correction, Run, RunResult
from expatcn.payroll.runs import run_row
from expatcn.payroll.writes import ImportSummary, Table, the_employer, write_pay


@dataclass
class CorrectionLine:
    code: str
    month: str
    treatment: str  # carried | refile | reconciliation
    filed: int
    corrected: int
    difference: int
    carried_to: str | None
    changes: list[dict]
    note: str = ""


def correct_month(engine: Engine, year: int, month: int, pay: Sequence[Table], *, law: Law,
                  employer_tax_number: str | None = None) -> list[CorrectionLine]:
    """Change pay items of a closed month (the rows of ``month`` in the ``pay`` sheets; rows of
    other months are left alone) and record the correction.

    For residents under the cumulative method the wage-tax difference is carried: the next open
    month deducts the tax actually withheld, so it withholds the difference (recorded as
    ``carried``, to that month; at year end, to the annual reconciliation). For the monthly method
    (non-residents, whose monthly tax is final) and for separately taxed income (annual bonus,
    labour, equity) the difference is the amount to correct in the past month's return (``refile``).
    """
    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = run_row(conn, employer.id, year, month)
        if run is None or run.status != "closed":
            raise PayrollError(f"{Month(year, month)} is not closed: change its pay items by import and run it again")
        changes: list[dict] = []
        summary = ImportSummary()
        for sheet in pay:
            if sheet.kind != "pay":
                raise PayrollError(f"{sheet.where}: a correction changes pay items; this is a {sheet.kind} sheet")
            mine = replace(sheet, rows=[(r, v) for r, v in sheet.rows if v["month"] == (year, month)])  # a dataclass
            problems = write_pay(conn, mine, summary, correcting=(year, month), changes=changes)
            if problems:
                raise InputProblems(problems)
        if not changes:
            raise PayrollError(f"nothing changed: the items given equal those of {Month(year, month)}")
        last_closed = max(r.month for r in conn.execute(select(Run.month).where(
            Run.employer_id == employer.id, Run.year == year, Run.status == "closed")).all())
        affected = sorted({c["employee_id"] for c in changes})
        corrected = build_inputs(conn, employer, year, last_closed, law, only=affected, closed_months=0)
        result = gross_to_net(corrected.month_inputs, law, keep_trace=False)
        filed = _filed(conn, employer.id, year, last_closed, affected)
        runs = dict(conn.execute(select(Run.month, Run.id).where(Run.employer_id == employer.id, Run.year == year)).all())
        now = dt.datetime.now(dt.timezone.utc)
        lines: list[CorrectionLine] = []
        iit = result.iit.monthly
        next_open = str(Month(year, last_closed + 1)) if last_closed < 12 else "annual reconciliation"
        for row, emp in enumerate(corrected.employee_ids.tolist()):
            code = corrected.codes[row]
            mine = [{"kind": c["kind"], "before": yuan_str(c["before"]), "after": yuan_str(c["after"])} for c in changes
                    if c["employee_id"] == emp]
            f = filed.get(emp, {})
            contributions = int(result.monthly["employee_contributions"][row, month - 1]) - f.get(("employee_contributions", month), 0)
            note = (f"employee contributions of {Month(year, month)} change by {yuan_str(contributions)}: correct the "
                    "social insurance declaration") if contributions else ""
            if int(iit["wage_method"][row, month - 1]) == 1:  # cumulative: carried into the next open month
                new = int(iit["wage_withheld_to_date"][row, last_closed - 1])
                old = sum(f.get(("wage_tax", m), 0) for m in range(1, last_closed + 1))
                lines.append(CorrectionLine(code, str(Month(year, month)), "carried" if last_closed < 12 else "reconciliation",
                                            old, new, new - old, next_open, mine, note))
                separate = ("bonus_tax", "labour_tax", "equity_tax")
            else:
                separate = ("wage_tax", "bonus_tax", "labour_tax", "equity_tax")
            for m in range(month, last_closed + 1):
                old = sum(f.get((k, m), 0) for k in separate)
                new = sum(int(iit[k][row, m - 1]) for k in separate)
                if new != old or (m == month and separate[0] == "wage_tax"):
                    lines.append(CorrectionLine(code, str(Month(year, m)), "refile", old, new, new - old, None, mine,
                                                note if separate[0] == "wage_tax" else ""))
        for line, emp in ((ln, next(e for e, c in zip(corrected.employee_ids.tolist(), corrected.codes) if c == ln.code))
                          for ln in lines):
            y, m = Month.parse(line.month)
            conn.execute(insert(Correction).values(
                run_id=runs[m], employee_id=emp, created_at=now, changes=json.dumps(line.changes, ensure_ascii=False),
                tax_filed_fen=line.filed, tax_corrected_fen=line.corrected, difference_fen=line.difference,
                treatment=line.treatment, carried_to=line.carried_to if line.treatment != "refile" else None,
                note=line.note or None))
        return lines


def _filed(conn: Connection, employer_id: int, year: int, through: int, employees: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    rows = conn.execute(
        select(Run.month, RunResult.employee_id, RunResult.wage_tax, RunResult.bonus_tax, RunResult.labour_tax,
               RunResult.equity_tax, RunResult.employee_contributions)
        .join(Run, Run.id == RunResult.run_id)
        .where(Run.employer_id == employer_id, Run.year == year, Run.month <= through, Run.status == "closed",
               RunResult.employee_id.in_(employees))).all()
    for r in rows:
        d = out.setdefault(r.employee_id, {})
        for k in ("wage_tax", "bonus_tax", "labour_tax", "equity_tax", "employee_contributions"):
            d[(k, r.month)] = getattr(r, k)
    return out


__all__ = ["CorrectionLine", "correct_month"]
