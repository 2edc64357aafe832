"""The month's exports of a stored run, as files in memory: the STA withholding sheets, the social
insurance and employer cost reports, payslips (a zip of PDFs) and the reconciliation summary.

The run's own inputs are recomputed (the figures the exports need per scheme and per deduction kind
are in the engine results, not all in the stored rows), checked against the stored results, and
handed to the writers of :mod:`expatcn.io.exports`, which lay them out and compute nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from expatcn.dates import Month
from expatcn.gross_to_net import explain_month, gross_to_net
from expatcn.iit.special_additional import Claims, price
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
from expatcn.io.exports.common import InMemory
from expatcn.io.exports.payslips import SCHEME_ROWS
from expatcn.io.sheet_columns import PAY_KINDS
from expatcn.law import Law, load_law
from expatcn.payroll.db import PayrollError
from expatcn.payroll.inputs import claims_of
from expatcn.payroll.queries import StoredRun, stored_run
from expatcn.payroll.runs import with_makeups
from expatcn.money import yuan_str
from expatcn.services.payroll import Store

KINDS = ("withholding", "social", "cost", "payslips", "reconciliation")
DEFAULT_KINDS = KINDS[:4]
CHECKED = ("gross", "iit", "wage_tax", "bonus_tax", "net", "employee_contributions", "employer_cost")
# declared items → the SAD kinds of the filing sheet
SAD_ITEMS = {"children_education": "children_education", "infant_care": "infant_care",
             "elderly_support": "elderly_support", "housing_rent_tier": "housing_rent",
             "housing_loan_interest": "housing_loan_interest", "continuing_education": "continuing_education"}
MEDIA = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv",
         ".zip": "application/zip", ".pdf": "application/pdf"}


class ExportFile(BaseModel):
    name: str
    content: bytes
    media_type: str


class Exports(BaseModel):
    """The files of a month's exports and what to know about them (a draft month, blank columns)."""

    files: list[ExportFile]
    notes: list[str]

    def one(self, name: str) -> ExportFile:
        """The files as one: a single file as it is, several as a zip called ``name``."""
        if len(self.files) == 1:
            return self.files[0]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for f in self.files:
                archive.writestr(f.name, f.content)
        return ExportFile(name=name, content=buffer.getvalue(), media_type=MEDIA[".zip"])


def _sad_by_kind(run: StoredRun, law: Law) -> dict[str, np.ndarray]:
    """Each declared kind priced alone by the same pricing the run used (one item per claim)."""
    inputs = run.inputs
    n = len(inputs.codes)
    out = {kind: np.zeros((n, 12), dtype=np.int64) for kind in SAD_ITEMS.values()}
    position = {int(e): i for i, e in enumerate(inputs.employee_ids.tolist())}
    employed = inputs.month_inputs.income.employed
    resident = inputs.month_inputs.income.resident
    for d in run.declarations:
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


def export_month(store: Store, year: int, month: int, kinds: Sequence[str] = DEFAULT_KINDS, *, fmt: str = "xlsx",
                 traces: bool = False, employer: str | None = None) -> Exports:
    """The exports ``kinds`` of a run as ``fmt`` (``xlsx`` or ``csv``; payslips are a zip)."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise PayrollError(f"unknown export {unknown[0]!r}: expected {', '.join(KINDS)}")
    if fmt not in ("xlsx", "csv"):
        raise PayrollError(f"format {fmt!r}: expected xlsx or csv")
    law = load_law()
    key = str(Month(year, month))
    run = stored_run(store, year, month, employer)
    notes = [] if run.status == "closed" else [f"{key} is open: these exports are a draft until it is closed"]
    inputs = run.inputs
    result = gross_to_net(inputs.month_inputs, law, keep_trace=True)
    try:
        figures = month_figures(result, month, ids=inputs.codes, sad_by_kind=_sad_by_kind(run, law))
        sad_mode = "error"
    except ValueError:
        figures = month_figures(result, month, ids=inputs.codes)
        sad_mode = "blank"
        notes.append("special additional deductions given as amounts (not declared items): their kinds are left blank "
                     "in the withholding sheet")
    figures = with_makeups(figures, inputs)
    for i, row in enumerate(run.stored):
        for name in CHECKED:
            if int(getattr(row, name)) != int(figures[name][i]):
                raise PayrollError(f"{key}: recomputing the run gives {name} {figures[name][i]} for "
                                   f"{inputs.codes[i]}, the stored result is {getattr(row, name)}: see `expatcn verify`")
    records = [{"employee_id": p.code, "name": p.name, "id_type": p.id_type, "id_number": p.id_number,
                "nationality": p.nationality, "city": run.employer.city} for p in run.people]
    title = f"{run.employer.name} — {key}"
    written: list[InMemory] = []
    if "withholding" in kinds:
        resident = figures["resident"]
        if resident.any():
            written.append(write_withholding_report(records, figures, InMemory(f"{key}-withholding-residents.{fmt}"),
                                                    sad=sad_mode))
        if not resident.all():
            written.append(write_nonresident_withholding_report(records, figures,
                                                                InMemory(f"{key}-withholding-nonresidents.{fmt}")))
        if (figures["bonus_separate"][resident] > 0).any():
            written.append(write_annual_bonus_report(records, figures, InMemory(f"{key}-annual-bonus.{fmt}")))
    if "social" in kinds:
        written.append(write_social_insurance_report(records, figures, InMemory(f"{key}-social-insurance.{fmt}"),
                                                     title=f"Social insurance and housing fund 社保公积金 — {title}"))
    if "cost" in kinds:
        written.append(write_employer_cost_report(records, figures, InMemory(f"{key}-employer-cost.{fmt}"),
                                                  title=f"Employer cost 用工成本 — {title}"))
    if "payslips" in kinds:
        steps = None
        if traces:
            steps = {code: [s for s in explain_month(result, i) if getattr(s, "month", month) in (month, None)]
                     for i, code in enumerate(inputs.codes)}
        written.append(write_payslips(records, figures, key, InMemory(f"{key}-payslips.zip"), employer=run.employer.name,
                                      traces=steps, notes=_figure_notes(run)))
    if "reconciliation" in kinds:
        if month != 12:
            notes.append(f"reconciliation from January to {key} only: the year is complete after December's run")
        written.append(write_reconciliation_summary(records, year_figures(result, ids=inputs.codes),
                                                    InMemory(f"{year}-reconciliation.{fmt}")))
    return Exports(files=[ExportFile(name=f.name, content=f.content, media_type=MEDIA.get(f.suffix, "application/octet-stream"))
                          for f in written], notes=notes)


def _figure_notes(run: StoredRun) -> dict[str, list[str]]:
    """Employee code → the payslip's notes on the social insurance figures (carried forward,
    employer-supplied, low confidence; true-ups paid with the month), in English and Chinese."""
    out: dict[str, list[str]] = {}
    for code, row in zip(run.inputs.codes, run.stored):
        lines = [f"{SCHEME_NAMES[scheme][0]}: {text['en']} / {SCHEME_NAMES[scheme][1]}：{text['zh']}"
                 for scheme, text in json.loads(row.figure_notes or "{}").items()]
        if row.employee_carried or row.employer_carried:
            lines.append("Contributions rest on figures carried forward (not yet published): a true-up follows once "
                         "they are / 社保按沿用数据计算，新标准公布后补差")
        for c in json.loads(getattr(row, "conversions", None) or "[]"):
            if c["month"] == f"{run.inputs.year}-{run.inputs.month:02d}":
                unit = "" if c["unit"] == 1 else f" per {c['unit']}"
                lines.append(f"{c['kind']} paid in {c['currency']}: {c['amount']} × {c['rate']}{unit} (central parity of "
                             f"{c['rate_date']}) = {yuan_str(c['fen'])} / {PAY_KINDS.get(c['kind'], c['kind'])}以"
                             f"{c['currency']}支付：{c['amount']}，按{c['rate_date']}人民币汇率中间价{c['rate']}"
                             f"{'' if c['unit'] == 1 else '（每' + str(c['unit']) + '单位）'}折合{yuan_str(c['fen'])}元")
        if row.employee_makeup or row.employer_makeup:
            lines.append(f"Includes true-ups of earlier months: employee {yuan_str(row.employee_makeup)}, employer "
                         f"{yuan_str(row.employer_makeup)} / 含以前月份补差：个人{yuan_str(row.employee_makeup)}元，"
                         f"单位{yuan_str(row.employer_makeup)}元")
        if lines:
            out[code] = lines
    return out


SCHEME_NAMES = {scheme: (en, zh) for scheme, en, zh in SCHEME_ROWS}

__all__ = ["DEFAULT_KINDS", "ExportFile", "Exports", "KINDS", "export_month"]
