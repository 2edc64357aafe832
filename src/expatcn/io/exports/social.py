"""The month's social insurance and housing fund report: per employee, each scheme's base and
the employee's and employer's amounts, the totals of each side, and a totals row.

Figures (fen, :mod:`expatcn.io.exports.figures`): ``<scheme>_base``, ``employee_<scheme>``,
``employer_<scheme>`` for pension, medical, maternity, unemployment, work_injury and
housing_fund (as :func:`~expatcn.io.exports.figures.month_figures` gives them from the
contribution engine). Schemes in which nobody has an amount or a base are left out (maternity
merged into medical, for instance). The totals are sums of the engine's amounts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from expatcn.io.exports.common import Column, InMemory, Target, as_figures, as_records, column_total, write_table
from expatcn.io.exports.figures import SCHEMES

SCHEME_LABELS = {
    "pension": ("Pension", "养老"),
    "medical": ("Medical", "医疗"),
    "maternity": ("Maternity", "生育"),
    "unemployment": ("Unemployment", "失业"),
    "work_injury": ("Work injury", "工伤"),
    "housing_fund": ("Housing fund", "公积金"),
}


def write_social_insurance_report(records: Any, figures: Any, path: Target, *, title: str | None = None) -> Path | InMemory:
    """Write the report to ``path`` (``.xlsx`` or ``.csv``); ``title`` (Excel only) goes above
    the header, e.g. ``"Acme Shanghai — 2026-03"``."""
    recs = as_records(records)
    fig = as_figures(figures, recs)
    keys = [(s, f"{s}_base", f"employee_{s}", f"employer_{s}") for s in SCHEMES]
    fig.require([k for group in keys for k in group[1:]], "social insurance report")
    shown = [g for g in keys if any(fig[k].any() for k in g[1:])]
    columns = [Column("Employee ID 工号", "text"), Column("Name 姓名", "text", 22), Column("City 城市", "text", 12)]
    for scheme, *_ in shown:
        en, zh = SCHEME_LABELS[scheme]
        columns += [Column(f"{en} base {zh}基数"), Column(f"{en} employee {zh}个人"), Column(f"{en} employer {zh}单位")]
    columns += [Column("Employee total 个人合计"), Column("Employer total 单位合计"), Column("Total 合计")]
    employee_total = sum(fig[g[2]] for g in keys)
    employer_total = sum(fig[g[3]] for g in keys)
    rows = []
    for i, r in enumerate(recs):
        row = [r.number, r.name, r.city]
        for _, base, employee, employer in shown:
            row += [int(fig[base][i]), int(fig[employee][i]), int(fig[employer][i])]
        row += [int(employee_total[i]), int(employer_total[i]), int(employee_total[i] + employer_total[i])]
        rows.append(row)
    totals = ["Total 合计", None, None]
    for _, _base, employee, employer in shown:
        totals += [None, column_total(fig[employee]), column_total(fig[employer])]
    totals += [column_total(employee_total), column_total(employer_total), column_total(employee_total + employer_total)]
    return write_table(path, "Social insurance 社保公积金", columns, rows, totals=totals,
                       title_rows=[title] if title else ())
