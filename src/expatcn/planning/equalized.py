"""Tax equalization in a plan: the assignee keeps the stay-at-home net (the package less the
hypothetical home tax and contributions of the employer's policy); the employer pays the taxes
and employee contributions actually due on both sides, after China's foreign tax credit. The
year's settlement is :func:`expatcn.equalization.settle` (the composite's hypothetical tax,
withheld monthly and trued up on the year)."""

from __future__ import annotations

import numpy as np

from expatcn.equalization import settle
from expatcn.planning.assignment import Assignment
from expatcn.planning.results import YearFigures
from expatcn.planning.rows import Row


def equalized(files: list[Assignment], rows: list[Row], figures: dict[tuple[int, int], YearFigures]) -> None:
    """Fill the hypothetical tax, true-up, hypothetical contributions and the employer's
    equalization cost of every row-year of an assignment with a policy (None where an RMB
    figure is missing)."""
    for r, row in enumerate(rows):
        f = files[row.a]
        policy = f.equalization
        if policy is None:
            continue
        for year in f.years:
            y = figures[r, year]
            host = 0 if y.host_tax is None else y.host_tax_cny
            actual = (y.china_tax_after_credit, host, y.abroad_employee_cny)
            home = np.array([y.package_monthly], dtype=np.int64)
            if any(v is None for v in actual) or not y.package_monthly:
                y.notes.append(f"tax equalization {year}: not settled (an RMB figure is missing)")
                continue
            s = settle(policy.tax, policy.contributions, home, np.array([actual[0] + actual[1]]),
                       np.array([y.china_employee + actual[2]]))
            y.hypothetical_tax = int(s.hypothetical_tax[0])
            y.hypothetical_true_up = int(s.hypothetical_true_up[0])
            y.hypothetical_contributions = int(s.hypothetical_contributions[0])
            y.equalization_cost = int(s.cost[0])
