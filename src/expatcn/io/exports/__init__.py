"""Exports: the month's filing sheets, reports and payslips, and the year-end summary.

Each writer is a pure function of plain inputs — employee records and the figures the engines
computed (fen) — to one file; none reads a database or computes a rule. See
``docs/notes/issue-6-exports.md`` for how to call them.

    write_withholding_report(records, figures, "2026-03-iit.xlsx")        # residents, STA sheet
    write_nonresident_withholding_report(records, figures, "2026-03-iit-nonresident.xlsx")
    write_annual_bonus_report(records, figures, "2026-03-bonus.xlsx")
    write_social_insurance_report(records, figures, "2026-03-social.xlsx")
    write_employer_cost_report(records, figures, "2026-03-cost.xlsx")
    write_payslips(records, figures, "2026-03", "2026-03-payslips.zip", traces=…)
    write_reconciliation_summary(records, year_figures(result), "2026-reconciliation.xlsx")

``month_figures(result, month)`` / ``year_figures(result)`` take the figures from engine results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from expatcn.dates import Month
from expatcn.io.exports.common import EmployeeRecord, ExportError, as_figures, as_records, mask_id
from expatcn.io.exports.employer_cost import write_employer_cost_report
from expatcn.io.exports.figures import SAD_KINDS, month_figures, year_figures
from expatcn.io.exports.payslips import render_payslip, write_payslip_pdf, write_payslips
from expatcn.io.exports.reconciliation import write_reconciliation_summary
from expatcn.io.exports.social import write_social_insurance_report
from expatcn.io.exports.withholding import (
    write_annual_bonus_report,
    write_nonresident_withholding_report,
    write_withholding_report,
)


def write_month_exports(records: Any, figures: Any, month: str, directory: str | Path, *, fmt: str = "xlsx",
                        employer: str = "", traces: Mapping[str, Sequence[Any]] | None = None,
                        payslips: bool = True, variant: str = "V5", sad: str = "error") -> list[Path]:
    """Every export of ``month`` (``"2026-03"``) into ``directory``, as ``fmt`` (``xlsx`` or
    ``csv``): the withholding sheet (residents), the non-resident sheet and the annual bonus
    sheet when someone is in them, the social insurance and employer cost reports, and the
    payslips zip. Returns the paths written."""
    key = str(Month.parse(month))
    directory = Path(directory)
    recs = as_records(records)
    fig = as_figures(figures, recs)
    columns = dict(fig.columns)
    columns["employee_id"] = [r.employee_id for r in recs]
    title = f"{employer} — {key}" if employer else key
    written = [write_withholding_report(recs, columns,
                                        directory / f"{key}-withholding-residents.{fmt}", variant=variant, sad=sad)]
    if not fig["resident"].all():
        written.append(write_nonresident_withholding_report(recs, columns,
                                                            directory / f"{key}-withholding-nonresidents.{fmt}"))
    if fig.has("bonus_separate") and (fig["bonus_separate"][fig["resident"]] > 0).any():
        written.append(write_annual_bonus_report(recs, columns, directory / f"{key}-annual-bonus.{fmt}"))
    written.append(write_social_insurance_report(recs, columns, directory / f"{key}-social-insurance.{fmt}",
                                                 title=f"Social insurance and housing fund 社保公积金 — {title}"))
    written.append(write_employer_cost_report(recs, columns, directory / f"{key}-employer-cost.{fmt}",
                                              title=f"Employer cost 用工成本 — {title}"))
    if payslips:
        written.append(write_payslips(recs, columns, key, directory / f"{key}-payslips.zip",
                                      employer=employer, traces=traces))
    return written


__all__ = [
    "EmployeeRecord", "ExportError", "SAD_KINDS", "mask_id", "month_figures", "render_payslip", "write_annual_bonus_report",
    "write_employer_cost_report", "write_month_exports", "write_nonresident_withholding_report", "write_payslip_pdf",
    "write_payslips", "write_reconciliation_summary", "write_social_insurance_report", "write_withholding_report",
    "year_figures",
]
