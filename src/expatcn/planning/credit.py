"""China's foreign tax credit in a plan (``iit.foreign_tax_credit``): for every outbound row, the
host income tax in RMB credited against the China tax on the worldwide income, country by country,
with the excess carried forward across the plan's years (five years, the same country's room
only). Inbound rows: no foreign tax is modelled, the China tax is the IIT withheld."""

from __future__ import annotations

import numpy as np

from expatcn.iit.foreign_tax_credit import foreign_tax_credit
from expatcn.law import Law
from expatcn.planning.assignment import Assignment
from expatcn.planning.results import YearFigures
from expatcn.planning.rows import Row


def credit(files: list[Assignment], rows: list[Row], law: Law, figures: dict[tuple[int, int], YearFigures]) -> None:
    """Fill the credit figures and ``china_tax_after_credit`` of every row-year."""
    out = [r for r, row in enumerate(rows) if not files[row.a].inbound]
    for r, row in enumerate(rows):
        if files[row.a].inbound:
            for year in files[row.a].years:
                figures[r, year].china_tax_after_credit = figures[r, year].china_iit
    if not out:
        return
    years = list(range(min(files[rows[r].a].start.year for r in out), max(files[rows[r].a].end.year for r in out) + 1))
    countries = sorted({files[rows[r].a].host_country for r in out})
    n, c, span = len(out), len(countries), len(years)
    china_tax = np.zeros((n, span), np.int64)
    income = np.zeros((n, span), np.int64)
    country_income = np.zeros((n, c, span), np.int64)
    paid = np.zeros((n, c, span), np.int64)
    for k, r in enumerate(out):
        f = files[rows[r].a]
        j = countries.index(f.host_country)
        for year in f.years:
            y, t = figures[r, year], year - years[0]
            china_tax[k, t] = y.china_tax or 0
            income[k, t] = country_income[k, j, t] = y.china_income
            if y.host_tax is not None and y.host_tax_cny is None:
                y.notes.append(f"foreign tax credit {year}: without the {f.host_country} income tax (no rate)")
            paid[k, j, t] = y.host_tax_cny or 0
    result = foreign_tax_credit(law, years, countries, china_tax, income, country_income, paid)
    for k, r in enumerate(out):
        f = files[rows[r].a]
        j = countries.index(f.host_country)
        for year in f.years:
            y, t = figures[r, year], year - years[0]
            at = (k, j, t)
            y.credit_limit = int(result.limit[at])
            y.credit = int(result.credit[at])
            y.carry_forward_used = int(result.carry_used[at])
            y.excess = int(result.excess[at])
            y.carried_forward = int(result.ledger[k, j, :, t].sum())
            y.lapsed = int(result.lapsed[at])
            y.china_tax_after_credit = int(result.china_tax_after_credit[k, t])
            if y.host_tax is not None:
                y.notes.append(f"foreign tax credit {year} (law/{result.ref.table}): claimed at the China "
                               f"reconciliation of {year + 1} (1 March – 30 June) with the {f.host_country} tax "
                               "certificate; the China payroll's withholding is not reduced by it")
