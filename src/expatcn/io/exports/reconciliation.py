"""The year-end reconciliation summary (综合所得汇算清缴) per employee: comprehensive income,
deductions, taxable income, tax due, tax prepaid, the balance (+ payable / − refund) and what
the employee has to do, from the engine's reconciliation (:func:`~expatcn.io.exports.figures.year_figures`).
Non-residents (no reconciliation) are listed with their tax withheld and "not applicable".
Totals row of the amounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from expatcn.iit.reconciliation import Filing
from expatcn.io.exports.common import Column, InMemory, Target, as_figures, as_records, column_total, write_table

FILING_LABELS = {
    Filing.NOT_APPLICABLE: "Not applicable (non-resident) 不适用（非居民）",
    Filing.SETTLED: "Settled 无需补退",
    Filing.REFUND_OPTIONAL: "Refund due, filing optional 可申请退税",
    Filing.PAYABLE_EXEMPT: "Payable, exempt from filing 免于补税",
    Filing.PAYABLE_MUST_FILE: "Payable, must file 需补税申报",
}
AMOUNTS = ("income", "basic_deduction", "special_deductions", "special_additional_deductions", "other_deductions",
           "taxable", "tax_due", "prepaid", "balance", "withheld")
COLUMNS = (
    Column("Employee ID 工号", "text"), Column("Name 姓名", "text", 22), Column("Resident 居民个人", "text", 10),
    Column("Comprehensive income 综合所得收入额", width=18), Column("Basic deduction 减除费用"),
    Column("Special deductions 专项扣除"), Column("Special additional deductions 专项附加扣除", width=18),
    Column("Other deductions 其他扣除"), Column("Taxable income 应纳税所得额", width=16),
    Column("Tax due 应纳税额"), Column("Tax prepaid 已预缴税额"), Column("Balance 应补(退)税额", width=16),
    Column("Tax withheld in the year 全年已扣缴税额", width=18), Column("Rate 税率", "rate", 8),
    Column("Filing 办理情况", "text", 34),
)


def write_reconciliation_summary(records: Any, figures: Any, path: Target, *, title: str | None = None) -> Path | InMemory:
    """``figures``: the year's figures (``year_figures``); ``path``: ``.xlsx`` or ``.csv``."""
    recs = as_records(records)
    fig = as_figures(figures, recs)
    fig.require(("resident", "rate", "filing", *AMOUNTS), "reconciliation summary")
    order = ("income", "basic_deduction", "special_deductions", "special_additional_deductions", "other_deductions",
             "taxable", "tax_due", "prepaid", "balance", "withheld")
    rows = []
    for i, r in enumerate(recs):
        resident = bool(fig["resident"][i])
        rows.append([r.number, r.name, "Yes 是" if resident else "No 否", *(int(fig[n][i]) for n in order),
                     int(fig["rate"][i]), FILING_LABELS[Filing(int(fig["filing"][i]))]])
    totals = ["Total 合计", None, None, *(column_total(fig[n]) for n in order), None, None]
    return write_table(path, "Reconciliation 汇算清缴", COLUMNS, rows, totals=totals, title_rows=[title] if title else ())
