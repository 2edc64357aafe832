"""The host country's income tax of an outbound assignee, year by year (``expatcn.host_tax``): on
the year's host wage (the wage the host contributions are on, with the bonus) and the package's
allowances at the user's rates, less the relief the host law gives for the employee's own
contributions (``law/host_tax/contribution_relief.yaml``), resident or not by the host's own day
rule. One engine call per country, year and set of options.

A calendar year's income is taxed under the host tax year that starts in it (the UK from 6 April,
Australia from 1 July: an approximation, said in the notes); residence is decided on the days of
the assignment in the calendar year (the US adds the two years before)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np

from expatcn.errors import LawError
from expatcn.host_tax import (
    COUNTRIES,
    UNDETERMINED,
    HostTax,
    HostTaxError,
    host_income_tax,
    host_residence,
    host_tax_table,
)
from expatcn.law import Law
from expatcn.law.tables import HOST_CONTRIBUTION_RELIEF
from expatcn.money import div_half_up
from expatcn.planning.assignment import Assignment
from expatcn.planning.fx import Converter, minor_units
from expatcn.planning.results import PlanError, YearFigures
from expatcn.planning.rows import Row


def contribution_relief(law: Law, country: str, year: int, employee: dict[str, int]) -> tuple[int, int]:
    """(deducted, credited): the shares of each scheme's employee contributions of the year
    (minor units) that the host income tax deducts or credits; (0, 0) where the table has none."""
    try:
        reliefs = law.value(HOST_CONTRIBUTION_RELIEF, dt.date(year, 1, 1)).countries
    except LawError:
        return 0, 0
    relief = reliefs.get(country)
    if relief is None:
        return 0, 0

    def part(shares: dict[str, str]) -> int:
        total = 0
        for key, text in shares.items():
            f = Fraction(text)
            total += int(div_half_up(employee.get(key, 0) * f.numerator, f.denominator))
        return total

    return part(relief.deductible), part(relief.credited)


def host_year(law: Law, country: str, year: int, income: np.ndarray, deductible: np.ndarray, credited: np.ndarray,
              days: np.ndarray, options: dict) -> tuple[HostTax, np.ndarray]:
    """The host income tax of N people on a calendar year's income (the host tax year that starts
    in it), resident or not by the host's day rule on ``days`` (N, 3: this year and the two
    before); the credited contributions go to the country's credit where it has one (Canada).
    Returns the result and the residence codes. A :class:`LawError` where the host has no table."""
    on = dt.date(year, 12, 31)
    status = host_residence(law, country, on, days)
    options = dict(options)
    if "credit_contributions" in COUNTRIES[country].OPTIONS:
        options["credit_contributions"] = credited
    return host_income_tax(law, country, on, income, deductible_contributions=deductible, resident=status != 0,
                           **options), status


def check_options(f: Assignment) -> None:
    """The host tax options name a modelled country's own choices (a :class:`PlanError` names them)."""
    if not f.host_tax_options:
        return
    module = COUNTRIES.get(f.host_country)
    if f.inbound or module is None:
        raise PlanError(f"host_tax.options: no host income tax is modelled for {f.host_country}; "
                        f"modelled: {', '.join(COUNTRIES)}")
    unknown = sorted(set(f.host_tax_options) - set(module.OPTIONS) - {"credit_contributions"})
    if unknown:
        raise PlanError(f"host_tax.options: unknown for {f.host_country}: {', '.join(unknown)}; "
                        f"expected {', '.join(o for o in module.OPTIONS if o != 'credit_contributions') or 'none'}")


def days_in(f, year: int) -> int:
    """Days of an assignment (anything with ``start`` and ``end``) in a calendar year: the days
    present in the host that its day rule counts."""
    first, last = max(f.start, dt.date(year, 1, 1)), min(f.end, dt.date(year, 12, 31))
    return max((last - first).days + 1, 0)


def host_tax(files: list[Assignment], rows: list[Row], converters: list[Converter], law: Law,
             figures: dict[tuple[int, int], YearFigures]) -> None:
    """Fill ``host_tax`` (host minor units), ``host_tax_cny`` and ``host_resident`` of every
    outbound row-year whose host country has an income tax table; a note where it has none."""
    groups: dict[tuple, list[tuple[int, int]]] = {}
    for r, row in enumerate(rows):
        f = files[row.a]
        if f.inbound:
            continue
        for year in f.years:
            y = figures[r, year]
            if y.abroad_currency is None or y.abroad_wage is None:
                continue  # no host contribution table or no rate: the notes say so
            options = tuple(sorted((k, str(v)) for k, v in f.host_tax_options.items()))
            groups.setdefault((f.host_country, year, options), []).append((r, year))
    for (country, year, _), members in groups.items():
        _group(files, rows, converters, law, figures, country, year, members)


def _group(files, rows, converters, law, figures, country: str, year: int, members: list[tuple[int, int]]) -> None:
    if country not in COUNTRIES:
        for r, _ in members:
            figures[r, year].notes.append(f"host income tax for {country} is not modelled "
                                          f"(modelled: {', '.join(COUNTRIES)}): employee net is before it and "
                                          "before China's foreign tax credit")
        return
    try:
        entry = law.on(host_tax_table(country), dt.date(year, 12, 31))
    except LawError as exc:
        for r, _ in members:
            figures[r, year].host_tax_gap = True
            figures[r, year].notes.append(f"{country} {year}: no host income tax table ({exc}); employee net is not "
                                          "computed (a projection of the table may be given)")
        return
    table = entry.value
    minor = table.minor_per_unit
    income, deductible, credited, allowances_missing = [], [], [], []
    for r, _ in members:
        f, y = files[rows[r].a], figures[r, year]
        extra = _allowances(f, converters[rows[r].a], year, table.currency, minor)
        allowances_missing.append(extra is None)
        income.append(y.abroad_wage + (extra or 0))
        deductible.append(y.abroad_deductible)
        credited.append(y.abroad_credited)
    days = np.array([[days_in(files[rows[r].a], year - k) for k in range(3)] for r, _ in members], dtype=np.int64)
    try:
        result, status = host_year(law, country, year, np.array(income, dtype=np.int64),
                                   np.array(deductible, dtype=np.int64), np.array(credited, dtype=np.int64), days,
                                   files[rows[members[0][0]].a].host_tax_options)
    except HostTaxError as exc:
        raise PlanError(f"host_tax.options: {exc}") from None
    approximate = table.tax_year_starts != "01-01"
    for k, (r, _) in enumerate(members):
        f, y = files[rows[r].a], figures[r, year]
        conv = converters[rows[r].a]
        y.host_tax = int(result.total[k])
        y.host_resident = bool(status[k] != 0)
        y.host_tax_cny = int(conv.to_fen(y.host_tax, table.currency, minor)) if conv.has(table.currency) else None
        how = "resident" if status[k] == 1 else "non-resident" if status[k] == 0 else \
            "resident (assumed: the host's residence rule decides on facts, not days)"
        y.notes.append(f"{country} income tax {year} (law/{entry.ref.table}, {entry.ref.confidence}): {how}, on the host wage"
                       f"{' and allowances' if f.package.allowances else ''}; not modelled: "
                       f"{'; '.join(table.not_modelled) or 'nothing listed'}")
        if status[k] == UNDETERMINED:
            y.host_resident = True
        if approximate:
            y.notes.append(f"{country} tax year starts {table.tax_year_starts} (MM-DD): the calendar year's income "
                           "is taxed under the tax year that starts in it (approximation)")
        if allowances_missing[k]:
            y.notes.append(f"fx.{f.package.currency}: give the rate to add the allowances to {country} taxable income")
        if y.host_tax_cny is None:
            y.notes.append(f"fx.{table.currency}: give the rate (RMB per unit) to add {country} income tax to RMB totals")


def _allowances(f: Assignment, conv: Converter, year: int, currency: str, minor: int) -> int | None:
    """The package's allowances of the year in the host currency (None: a rate is missing)."""
    total = sum(f.package.allowances.values(), Decimal(0)) * int(f.employed(year).sum())
    if not total:
        return 0
    if not (conv.has(f.package.currency) and conv.has(currency)):
        return None
    return int(conv.from_fen(conv.to_fen(minor_units(total), f.package.currency), currency, minor))
