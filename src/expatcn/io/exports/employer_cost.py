"""The month's employer cost report: per employee, gross pay, the employer's social insurance
and housing fund, and the total cost; a totals row. Figures (fen): ``gross``,
``employer_social``, ``employer_housing_fund``, ``employer_contributions``, ``employer_cost``
(the full-month engine's columns; nothing is recomputed — the report checks that
cost = gross + contributions, the engine's identity, and refuses figures that break it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from expatcn.io.exports.common import Column, ExportError, InMemory, Target, as_figures, as_records, column_total, write_table

COLUMNS = (
    Column("Employee ID 工号", "text"), Column("Name 姓名", "text", 22), Column("Department 部门", "text"),
    Column("Gross pay 应发工资", width=16), Column("Employer social insurance 单位社保", width=18),
    Column("Employer housing fund 单位公积金", width=18), Column("Employer contributions 单位缴费合计", width=18),
    Column("Total employer cost 用工总成本", width=18),
)


def write_employer_cost_report(records: Any, figures: Any, path: Target, *, title: str | None = None) -> Path | InMemory:
    recs = as_records(records)
    fig = as_figures(figures, recs)
    names = ("gross", "employer_social", "employer_housing_fund", "employer_contributions", "employer_cost")
    fig.require(names, "employer cost report")
    broken = np.flatnonzero((fig["employer_social"] + fig["employer_housing_fund"] != fig["employer_contributions"])
                            | (fig["gross"] + fig["employer_contributions"] != fig["employer_cost"]))
    if broken.size:
        raise ExportError(f"employer cost report: employee {recs[broken[0]].employee_id}: cost ≠ gross + social "
                          "insurance + housing fund in the figures")
    rows = [[r.number, r.name, r.department] + [int(fig[n][i]) for n in names] for i, r in enumerate(recs)]
    totals = ["Total 合计", None, None] + [column_total(fig[n]) for n in names]
    return write_table(path, "Employer cost 用工成本", COLUMNS, rows, totals=totals, title_rows=[title] if title else ())
