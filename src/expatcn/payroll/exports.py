"""The month's exports from a stored run: the run's own inputs are recomputed (the figures the
exports need per scheme and per deduction kind are in the engine results, not all in the result
rows), checked against the stored results, and handed to the writers of
:mod:`expatcn.io.exports` — which lay them out and compute nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select

from expatcn.dates import Month
from expatcn.iit.special_additional import Claims, price
from expatcn.law import Law, load_law
from expatcn.payroll.db import PayrollError, read_transaction
from expatcn.payroll.importer import claims_of, the_employer
from expatcn.payroll.models import DeductionDeclaration, Employee, Run, RunResult
from expatcn.payroll.runs import RunInputs, _run_row
from expatcn.gross_to_net import gross_to_net

KINDS = ("withholding", "social", "cost", "payslips", "reconciliation")
CHECKED = ("gross", "iit", "wage_tax", "bonus_tax", "net", "employee_contributions", "employer_cost")
# declared items → the SAD kinds of the filing sheet
SAD_ITEMS = {"children_education": "children_education", "infant_care": "infant_care",
             "elderly_support": "elderly_support", "housing_rent_tier": "housing_rent",
             "housing_loan_interest": "housing_loan_interest", "continuing_education": "continuing_education"}


def _sad_by_kind(conn, inputs: RunInputs, law: Law) -> dict[str, np.ndarray]:
    """Each declared kind priced alone by the same pricing the run used (one item per claim)."""
    n = len(inputs.codes)
    out = {kind: np.zeros((n, 12), dtype=np.int64) for kind in SAD_ITEMS.values()}
    position = {int(e): i for i, e in enumerate(inputs.employee_ids.tolist())}
    employed = inputs.month_inputs.income.employed
    resident = inputs.month_inputs.income.resident
    for d in conn.execute(select(DeductionDeclaration).where(DeductionDeclaration.year == inputs.year)).all():
        row = position.get(d.employee_id)
        if row is None or not resident[row]:
            continue
        claims = claims_of(d)
        for item, kind in SAD_ITEMS.items():
            single = claims.model_copy(update={k: Claims.model_fields[k].default for k in SAD_ITEMS if k != item})
            for m in range(d.from_month, min(d.to_month, inputs.month) + 1):
                if employed[row, m - 1]:
                    out[kind][row, m - 1] += price(single, law, dt.date(inputs.year, m, 1))
    return out


def export_month(engine: Engine, year: int, month: int, kinds: list[str], out: Path, *, fmt: str = "xlsx",
                 traces: bool = False, employer_tax_number: str | None = None, law: Law | None = None) -> tuple[list[Path], list[str]]:
    """Write the exports of a run into ``out``; returns the files and any notes."""
    from expatcn.io.exports import (
        month_figures,
        write_annual_bonus_report,
        write_employer_cost_report,
        write_nonresident_withholding_report,
        write_payslips,
        write_reconciliation_summary,
        write_social_insurance_report,
        write_withholding_report,
        year_figures,
    )

    law = law or load_law()
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise PayrollError(f"unknown export {unknown[0]!r}: expected {', '.join(KINDS)}")
    notes: list[str] = []
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = _run_row(conn, employer.id, year, month)
        if run is None:
            raise PayrollError(f"{Month(year, month)} has not been run")
        if run.status != "closed":
            notes.append(f"{Month(year, month)} is open: these exports are a draft until it is closed")
        inputs = RunInputs.from_bytes(run.inputs)
        people = {r.id: r for r in conn.execute(select(Employee).where(Employee.id.in_(inputs.employee_ids.tolist()))).all()}
        stored = {r.employee_id: r for r in conn.execute(select(RunResult).where(RunResult.run_id == run.id)).all()}
        sad = _sad_by_kind(conn, inputs, law)
    result = gross_to_net(inputs.month_inputs, law, keep_trace=True)
    try:
        figures = month_figures(result, month, ids=inputs.codes, sad_by_kind=sad)
        sad_mode = "error"
    except ValueError:
        figures = month_figures(result, month, ids=inputs.codes)
        sad_mode = "blank"
        notes.append("special additional deductions given as amounts (not declared items): their kinds are left blank "
                     "in the withholding sheet")
    for i, emp in enumerate(inputs.employee_ids.tolist()):
        row = stored[emp]
        for name in CHECKED:
            if int(getattr(row, name)) != int(figures[name][i]):
                raise PayrollError(f"{Month(year, month)}: recomputing the run gives {name} {figures[name][i]} for "
                                   f"{inputs.codes[i]}, the stored result is {getattr(row, name)}: see `expatcn verify`")
    records = [{"employee_id": p.code, "name": p.name, "id_type": p.id_type, "id_number": p.id_number,
                "nationality": p.nationality, "city": employer.city}
               for p in (people[e] for e in inputs.employee_ids.tolist())]
    key = str(Month(year, month))
    out.mkdir(parents=True, exist_ok=True)
    title = f"{employer.name} — {key}"
    written: list[Path] = []
    if "withholding" in kinds:
        resident = figures["resident"]
        if resident.any():
            written.append(write_withholding_report(records, figures, out / f"{key}-withholding-residents.{fmt}", sad=sad_mode))
        if not resident.all():
            written.append(write_nonresident_withholding_report(records, figures, out / f"{key}-withholding-nonresidents.{fmt}"))
        if (figures["bonus_separate"][resident] > 0).any():
            written.append(write_annual_bonus_report(records, figures, out / f"{key}-annual-bonus.{fmt}"))
    if "social" in kinds:
        written.append(write_social_insurance_report(records, figures, out / f"{key}-social-insurance.{fmt}",
                                                     title=f"Social insurance and housing fund 社保公积金 — {title}"))
    if "cost" in kinds:
        written.append(write_employer_cost_report(records, figures, out / f"{key}-employer-cost.{fmt}",
                                                  title=f"Employer cost 用工成本 — {title}"))
    if "payslips" in kinds:
        steps = None
        if traces:
            from expatcn.gross_to_net import explain_month

            steps = {code: [s for s in explain_month(result, i) if getattr(s, "month", month) in (month, None)]
                     for i, code in enumerate(inputs.codes)}
        written.append(write_payslips(records, figures, key, out / f"{key}-payslips.zip", employer=employer.name,
                                      traces=steps))
    if "reconciliation" in kinds:
        if month != 12:
            notes.append(f"reconciliation from January to {key} only: the year is complete after December's run")
        written.append(write_reconciliation_summary(records, year_figures(result, ids=inputs.codes),
                                                    out / f"{year}-reconciliation.{fmt}"))
    return written, notes


__all__ = ["KINDS", "export_month", "Run"]
