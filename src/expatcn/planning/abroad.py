"""The other country's contributions (home inbound, host outbound): one
``social.host.host_contributions`` call per country over every month of every row that pays
there, with a Chinese certificate of coverage removing the branches the agreement covers
(``social.agreements``). Months without data or without a rate are reported unknown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from expatcn.dates import pay_date
from expatcn.law import Law
from expatcn.planning.assignment import Assignment
from expatcn.planning.fx import Converter, minor_units
from expatcn.planning.results import YearFigures
from expatcn.planning.rows import Context, Row
from expatcn.social.agreements import certificate_covers_month
from expatcn.planning.host_income_tax import contribution_relief
from expatcn.social.host import host_contributions, host_countries, host_table


def abroad(files: list[Assignment], rows: list[Row], contexts: list[Context], converters: list[Converter], law: Law,
           years: list[int], figures: dict[tuple[int, int], YearFigures]) -> None:
    """Fill the ``abroad_*`` figures of every row that pays contributions in another country."""
    by_country: dict[str, list[int]] = {}
    for r, row in enumerate(rows):
        if row.abroad is not None:
            by_country.setdefault(row.abroad, []).append(r)
    known = host_countries(law)
    for country, members in by_country.items():
        if country in known:
            _country(files, rows, contexts, converters, law, years, figures, country, members)
            continue
        for r in members:
            f = files[rows[r].a]
            for year in f.years:
                y = figures[r, year]
                y.abroad_country = country
                y.unknown_months = sorted(set(y.unknown_months) | {f"{year}-{m:02d}" for m in range(1, 13)
                                                                    if f.employed(year)[m - 1]})
                y.notes.append(f"no social security table for {country} (known: {', '.join(known)}): "
                               f"its contributions are not computed")


def _country(files, rows, contexts, converters, law, years, figures, country: str, members: list[int]) -> None:
    table = law.table(host_table(country))
    months = [dt.date(y, m, 1) for y in years for m in range(1, 13)]
    covered = [table.in_force_on(pay_date(month)) for month in months]
    currency, minor = table.values[-1].currency, table.values[-1].minor_per_unit
    wage = np.zeros((len(members), len(months)), np.int64)
    exempt = np.zeros_like(wage, dtype=bool)
    missing_fx: dict[int, str] = {}
    index = {(month.year, month.month): j for j, month in enumerate(months)}
    branches: set[str] = set()
    for k, r in enumerate(members):
        row, f = rows[r], files[rows[r].a]
        conv = converters[row.a]
        for year in f.years:
            emp = f.employed(year)
            regular = _abroad_wage(f, conv, year, False, currency, minor)
            if regular is None:
                missing_fx[k] = currency if not conv.has(currency) else f.package.currency
                continue
            wage[k, [index[year, m] for m in range(1, 13)]] = np.where(emp, regular, 0)
            if f.package.bonus is not None and emp[f.package.bonus.month - 1]:
                with_bonus = _abroad_wage(f, conv, year, True, currency, minor)
                if with_bonus is None:
                    missing_fx[k] = currency if not conv.has(currency) else f.package.currency
                    continue
                wage[k, index[year, f.package.bonus.month]] = with_bonus
        timeline = contexts[row.a].timeline if row.host_certificate else None
        if timeline is not None and timeline.agreement is not None:
            branches |= set(timeline.agreement.partner_exempt_branches)
            if timeline.applied and timeline.expiry is not None:
                start = np.array([timeline.start], dtype="datetime64[D]")
                until = np.array([timeline.expiry], dtype="datetime64[D]")
                for j, month in enumerate(months):
                    exempt[k, j] = bool(certificate_covers_month(start, until, month)[0]) and \
                        timeline.agreement.in_force_on(month)
    employer = np.zeros_like(wage)
    employee = np.zeros_like(wage)
    by_scheme: dict[str, np.ndarray] = {}
    classes: list = [None] * len(members)
    for lo, hi in _runs(covered):
        result = host_contributions(law, country, wage[:, lo:hi], months[lo:hi],
                                    {b: exempt[:, lo:hi] for b in branches},
                                    employer_class=[files[rows[r].a].foreign_employer_class for r in members])
        employer[:, lo:hi] = result.employer_total()
        employee[:, lo:hi] = result.employee_total()
        for key, amounts in result.employee.items():
            by_scheme.setdefault(key, np.zeros_like(wage))[:, lo:hi] = amounts
        classes = result.employer_class
    for k, r in enumerate(members):
        f = files[rows[r].a]
        for year in f.years:
            y = figures[r, year]
            y.abroad_country, y.abroad_currency, y.abroad_minor = country, currency, minor
            cols = [j for j, month in enumerate(months) if month.year == year]
            emp = f.employed(year)
            gaps = [months[j] for j in cols if emp[months[j].month - 1] and not covered[j]]
            if gaps:
                y.unknown_months = sorted(set(y.unknown_months) | {f"{g:%Y-%m}" for g in gaps})
                y.notes.append(f"no {country} social security data for {gaps[0]:%Y-%m}"
                               f"{' to ' + format(gaps[-1], '%Y-%m') if len(gaps) > 1 else ''}")
            if k in missing_fx:
                y.unknown_months = sorted(set(y.unknown_months) | {f"{year}-{m + 1:02d}" for m in np.flatnonzero(emp)})
                y.notes.append(f"fx.{missing_fx[k]}: give the rate (RMB per unit) to compute {country} contributions")
            if classes[k] is not None:
                assumed = " (assumed: give foreign_employer_class)" if f.foreign_employer_class is None else ""
                y.notes.append(f"{country} employer class: {classes[k].name}{assumed}")
            y.abroad_employer = int(employer[k, cols].sum())
            y.abroad_employee = int(employee[k, cols].sum())
            y.abroad_wage = None if k in missing_fx else int(wage[k, cols].sum())
            y.abroad_deductible, y.abroad_credited = contribution_relief(
                law, country, year, {key: int(amounts[k, cols].sum()) for key, amounts in by_scheme.items()})


def _abroad_wage(f: Assignment, conv: Converter, year: int, bonus_month: bool, currency: str,
                 minor: int) -> int | None:
    """A month's wage for the other country's contributions, in its minor units: the salary (home
    contributions continue on the whole salary), plus the bonus in its month; None: a rate is missing."""
    bonus = f.package.bonus.amount if bonus_month and f.package.bonus is not None else Decimal(0)
    if not f.inbound and f.package.host_wage_monthly is not None:
        # the host wage is given in the host currency; the bonus follows at the rates
        base = minor_units(f.package.host_wage_monthly, minor)
        if not bonus:
            return base
        if not (conv.has(f.package.currency) and conv.has(currency)):
            return None
        return base + int(conv.from_fen(conv.to_fen(minor_units(bonus), f.package.currency), currency, minor))
    amount = f.salary(year) + bonus
    if f.package.currency == currency:
        return minor_units(amount, minor)
    if not (conv.has(f.package.currency) and conv.has(currency)):
        return None
    return int(conv.from_fen(conv.to_fen(minor_units(amount), f.package.currency), currency, minor))


def _runs(covered: list[bool]) -> list[tuple[int, int]]:
    """The runs of consecutive months with data, as (start, stop) indices."""
    runs, start = [], None
    for j, ok in enumerate(covered + [False]):
        if ok and start is None:
            start = j
        elif not ok and start is not None:
            runs.append((start, j))
            start = None
    return runs
