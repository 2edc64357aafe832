"""Every figure of the full month explains itself: each month's contributions scheme by scheme
(base, rates, the law and where a figure was carried forward), the IIT steps
(:func:`expatcn.iit.explain.explain_person`) and net pay; and the law entries behind an employee's
contributions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from expatcn.gross_to_net.inputs import MONTHS
from expatcn.iit.explain import Step, explain_person
from expatcn.law.model import LawRef
from expatcn.law.tables import HOUSING_FUND_TAX_CAP
from expatcn.money import fen_to_str, ppm_to_percent, rate_to_ppm
from expatcn.social.figures import side_text

if TYPE_CHECKING:
    from expatcn.gross_to_net import MonthResult

CARRIED_TOTAL = " (contains figures carried forward: to be trued up once published)"


def explain_month(result: MonthResult, person: int) -> list:
    """The trace of one employee's year: each month's contributions (scheme by scheme, with base,
    rates and the law), the IIT steps (``expatcn.iit.explain.explain_person``), and net pay."""
    steps: list = []
    m = result.monthly
    for month in range(1, MONTHS + 1):
        found = result.contributions_of(person, month)
        if found is None:
            continue
        part, row, col = found
        c = part.result
        at = (row, col) if part.per_month else (row,)
        law = list(c.refs) + list(part.refs)
        steps.append(Step(f"{part.city}: contribution wage", int(m["contribution_wage"][person, month - 1]),
                          "the wage the city clips to its base floor and ceiling", month, law))
        for name, s in c.schemes.items():
            if not bool(np.broadcast_to(s.participates, c.wage.shape)[at]):
                continue
            base = int(np.broadcast_to(s.base, c.wage.shape)[at])
            er_rate = int(np.broadcast_to(s.employer_rate, c.wage.shape)[at])
            ee_rate = int(np.broadcast_to(s.employee_rate, c.wage.shape)[at])
            fixed = f" + {fen_to_str(s.employee_fixed)}" if s.employee_fixed else ""
            how = f"base {fen_to_str(base)} × {ppm_to_percent(ee_rate)}{fixed}"
            labels = {}
            for side in ("employee", "employer"):
                rests = bool(np.broadcast_to(getattr(s, f"{side}_carried"), c.wage.shape)[at])
                text = side_text(s.sources, side, rests) if s.sources else ""
                labels[side] = f" — {text}" if text else ""
            steps.append(Step(f"{name}: employee", int(np.broadcast_to(s.employee, c.wage.shape)[at]),
                              how + labels["employee"], month))
            steps.append(Step(f"{name}: employer", int(np.broadcast_to(s.employer, c.wage.shape)[at]),
                              f"base {fen_to_str(base)} × {ppm_to_percent(er_rate)}{labels['employer']}", month))
        for label, key, how in (
            ("special deductions for IIT (employee social insurance + tax-free housing fund)", "employee_deduction",
             _housing_fund_cap(result, month)),
            ("employer housing fund above the tax-free cap (taxable wages)", "housing_fund_employer_taxable", ""),
        ):
            if m[key][person, month - 1] or key == "employee_deduction":
                steps.append(Step(label, int(m[key][person, month - 1]), how, month))
        for note in part.notes:
            steps.append(Step(f"note: {note}", None, "", month))
    steps.extend(explain_person(result.iit, person))
    for month in range(1, MONTHS + 1):
        if not result.inputs.income.employed[person, month - 1] and not m["gross"][person, month - 1]:
            continue
        steps.append(Step("net pay", int(m["net"][person, month - 1]),
                          f"gross {fen_to_str(m['gross'][person, month - 1])} − employee contributions "
                          f"{fen_to_str(m['employee_contributions'][person, month - 1])} − IIT "
                          f"{fen_to_str(m['iit'][person, month - 1])}"
                          f"{CARRIED_TOTAL if m['employee_carried'][person, month - 1] else ''}", month))
        steps.append(Step("employer cost", int(m["employer_cost"][person, month - 1]),
                          f"gross + employer contributions {fen_to_str(m['employer_contributions'][person, month - 1])}"
                          f"{CARRIED_TOTAL if m['employer_carried'][person, month - 1] else ''}", month))
    return steps


def _housing_fund_cap(result: MonthResult, month: int) -> str:
    """The housing fund's tax-free cap as the law table of the month states it."""
    table = result.iit.year_law.law.table(HOUSING_FUND_TAX_CAP)
    day = dt.date(result.year, month, 1)
    if not table.in_force_on(day):
        return ""
    entry = table.entry_on(day)
    cite = entry.ref.sources[0].document or entry.ref.title
    return f"{cite}: the housing fund is free of IIT up to {ppm_to_percent(rate_to_ppm(entry.value.rate_cap))} of the wage"


def month_refs(result: MonthResult, person: int) -> list[LawRef]:
    """Every law entry behind one employee's contributions (the IIT's are in its trace)."""
    refs: list[LawRef] = []
    for part in result.parts:
        at = int(np.searchsorted(part.rows, person))
        if at < part.rows.size and part.rows[at] == person:
            refs.extend(r for r in (*part.result.refs, *part.refs) if r not in refs)
    return refs
