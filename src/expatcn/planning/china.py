"""The China side of one calendar year for every (assignment, structure) row at once: pay columns,
residency and sourcing (``residency.china_taxable_pay``, MOF/STA 2019 No. 35), the full month
(``gross_to_net``) for rows with a China payroll and IIT alone (``iit.person_year.compute_year``)
for the business traveller. One call of each engine per year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from expatcn.dates import Month
from expatcn.errors import SocialDataGap
from expatcn.gross_to_net import MonthInputs, gross_to_net
from expatcn.iit.inputs import YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import Law
from expatcn.law.tables import TREATY_183
from expatcn.money import apply_rate, rate_to_ppm
from expatcn.planning.assignment import Assignment
from expatcn.planning.fx import Converter, minor_units
from expatcn.planning.results import StructurePlan, YearFigures
from expatcn.planning.rows import Context, Row
from expatcn.residency import (
    NONRESIDENT_SHORT,
    NOT_REACHED,
    SITUATION_NAMES,
    LumpSum,
    Trips,
    china_taxable_pay,
    to_date,
)
from expatcn.social.contributions import city_entry
from expatcn.social.figures import EmployerRates
from expatcn.social.participation import hk_macao_taiwan_residents

MONTHS = 12
COLUMNS = ("total", "china_paid", "allowances", "bonus", "bonus_china", "contribution_wage", "sad", "deduction")


@dataclass
class _Year:
    """The rows active in ``year`` and their columns (rows × 12 months, fen)."""

    year: int
    active: list[int]  # row numbers
    cols: dict[str, np.ndarray]
    employed: np.ndarray
    resident: np.ndarray


def trips(files: list[Assignment]) -> Trips | None:
    """Persons 2a (the assignment's stays) and 2a+1 (business trips) of every inbound assignment."""
    person, entry, exit_ = [], [], []
    for a, f in enumerate(files):
        if not f.inbound:
            continue
        for start, end in f.trip_dates():
            person.append(2 * a)
            entry.append(np.datetime64(start, "D"))
            exit_.append(np.datetime64(end, "D") if end is not None else np.datetime64("NaT", "D"))
        days = f.business_days_per_month
        for year in f.years:
            for m, on in enumerate(f.employed(year)):
                if on:
                    first = dt.date(year, m + 1, 2)
                    person.append(2 * a + 1)
                    entry.append(np.datetime64(first, "D"))
                    exit_.append(np.datetime64(first + dt.timedelta(days=days - 1), "D"))
    if not person:
        return None
    return Trips.from_dates(np.array(person), np.array(entry), np.array(exit_), n_persons=2 * len(files))


def china_year(files: list[Assignment], rows: list[Row], plans: list[StructurePlan], contexts: list[Context],
               converters: list[Converter], law: Law, book: Trips | None, year: int,
               figures: dict[tuple[int, int], YearFigures], rates: EmployerRates | None = None) -> None:
    """Every row of ``year``: its pay columns, residency and sourcing, the full month and IIT only;
    fills ``figures[row, year]``. ``rates``: the employer's own social insurance figures."""
    y = _columns(files, rows, converters, year, figures)
    _sourcing(files, rows, plans, law, book, y, figures)
    _full_month(files, rows, contexts, law, y, figures, rates)
    _iit_only(files, rows, law, y, figures)
    _worldwide(files, rows, law, y, figures)
    for i, r in enumerate(y.active):
        figures[r, year].gross_cny = int(y.cols["total"][i].sum() + y.cols["bonus"][i].sum()
                                         + y.cols["allowances"][i].sum())


def _columns(files, rows, converters, year, figures) -> _Year:
    """Salary, bonus and allowances in RMB fen; the China-paid part; the contribution wage."""
    active = [r for r, row in enumerate(rows) if year in files[row.a].years]
    shape = (len(active), MONTHS)
    cols = {name: np.zeros(shape, np.int64) for name in COLUMNS}
    employed = np.zeros(shape, bool)
    for i, r in enumerate(active):
        row, f = rows[r], files[rows[r].a]
        conv, package = converters[row.a], f.package
        emp = employed[i] = f.employed(year)
        y = figures[r, year] = YearFigures(year, int(emp.sum()))
        salary = conv.to_fen(minor_units(f.salary(year)), package.currency)
        cols["total"][i] = np.where(emp, salary, 0)
        if package.bonus is not None and emp[package.bonus.month - 1]:
            cols["bonus"][i, package.bonus.month - 1] = conv.to_fen(minor_units(package.bonus.amount), package.currency)
        if row.structure.allowances and package.allowances:
            total_allowances = sum(package.allowances.values(), Decimal(0))
            cols["allowances"][i] = np.where(emp, conv.to_fen(minor_units(total_allowances), package.currency), 0)
        abroad_ppm = rate_to_ppm(row.paid_abroad_share)
        cols["china_paid"][i] = cols["total"][i] - apply_rate(cols["total"][i], abroad_ppm)
        cols["bonus_china"][i] = cols["bonus"][i] - apply_rate(cols["bonus"][i], abroad_ppm)
        if f.inbound:
            base = cols["china_paid"][i]
        elif package.china_contribution_wage:
            base = conv.to_fen(minor_units(package.china_contribution_wage), "CNY")
        else:
            base = cols["total"][i]
        cols["contribution_wage"][i] = np.where(emp, base, 0)
        if not f.inbound or not f.person.allowance_exemption:
            cols["sad"][i] = np.where(emp, minor_units(f.person.special_additional_deductions), 0)
        y.package_monthly = [int(v) for v in cols["total"][i] + cols["bonus"][i]]
        if row.structure.stops_china:
            y.lost_contribution_months = y.months
    return _Year(year, active, cols, employed, np.ones(len(active), bool))


def _treaty_codes(files: list[Assignment], law: Law, year: int) -> list[str | None]:
    """Per trips person: the home country where a 183-day treaty with it is in the table."""
    table = law.value(TREATY_183, dt.date(year, 1, 1))
    known = {p.code for p in table.partners}
    codes: list[str | None] = []
    for f in files:
        code = f.home_country if f.inbound and f.home_country in known else None
        codes += [code, code]
    return codes


def _sourcing(files, rows, plans, law, book, y: _Year, figures) -> None:
    """Each row with trips is assessed on its person's trips (a person has a row per structure):
    residence, status and the China-taxable wages and bonus (MOF/STA 2019 No. 35)."""
    idx = np.array([i for i, r in enumerate(y.active) if rows[r].person is not None], dtype=np.int64)
    if book is None or not idx.size:
        return
    cols, year = y.cols, y.year
    p = np.array([rows[y.active[i]].person for i in idx], dtype=np.int64)
    prior = np.array([files[q // 2].person.prior_years for q in p], dtype=np.int64)
    codes = _treaty_codes(files, law, year)
    pay = china_taxable_pay(book.take(p), year, cols["total"][idx], cols["china_paid"][idx],
                            {"bonus": LumpSum(cols["bonus"][idx], cols["bonus_china"][idx])}, law=law,
                            treaty=[codes[q] for q in p], history_from=min(f.start.year for f in files),
                            prior_years=prior)
    assessment = pay.assessment
    cols["china_paid"][idx] = pay.wages  # China-taxable wages (for rows paid in China: the China-paid part)
    if "bonus" in pay.lump_sums:
        cols["bonus_china"][idx] = pay.lump_sums["bonus"].china
    y.resident[idx] = assessment.status.resident
    short = assessment.status.situation == NONRESIDENT_SHORT
    for k, i in enumerate(idx):
        r = y.active[i]
        figures[r, year].residency = residency_summary(assessment, k)
        if rows[r].structure.business_trips and not short[k]:
            plans[r].compliant = False
            plans[r].reasons.append(
                f"{year}: {assessment.status.days[k]} days in China — beyond the "
                f"{assessment.rules.ninety_day_rule.max_days}-day rule and any treaty's "
                f"{law.value(TREATY_183, dt.date(year, 1, 1)).max_days} days, so no longer a short-term visit")


def residency_summary(assessment, p: int) -> dict:
    """Person ``p`` of an assessment: days, status, six-year clock and the days the year's rules
    are reached on, with the thresholds as the residency tables give them."""
    reach, rules, status = assessment.reach[p], assessment.rules, assessment.status
    return {
        "residence_days": int(status.days[p]),
        "resident": bool(status.resident[p]),
        "situation": SITUATION_NAMES[status.situation[p]],
        "treaty_relief": bool(status.treaty_relief[p]),
        "six_year_clock": int(status.clock[p]),
        "worldwide_income_taxable": bool(status.worldwide[p]),
        "first_worldwide_year_if_every_year_qualifies": int(assessment.first_worldwide_year[p]),
        "day_90": None if reach[0] == NOT_REACHED else to_date(reach[0]).isoformat(),
        "day_183": None if reach[1] == NOT_REACHED else to_date(reach[1]).isoformat(),
        "ninety_day_rule_days": int(rules.ninety_day_rule.max_days),
        "resident_min_days": int(rules.residence_days.resident_min_days),
        "clock_max_single_absence_days": rules.six_year_rule.max_single_absence_days,
    }


def _city_gaps(law: Law, city: str, year: int, cache: dict) -> list[tuple[int, str]]:
    """Months (1–12) of ``year`` for which the city tables cannot answer, with the engine's message."""
    key = (city, year)
    if key not in cache:
        gaps = []
        for m in range(1, MONTHS + 1):
            try:
                city_entry(law, city, Month(year, m).first)
            except SocialDataGap as exc:
                gaps.append((m, str(exc)))
        cache[key] = gaps
    return cache[key]


def _full_month(files, rows, contexts, law, y: _Year, figures, rates: EmployerRates | None) -> None:
    """Every row with a China payroll, one ``gross_to_net`` call; months the city tables lack are
    reported unknown from the first of them, never guessed; months costed on figures carried
    forward (not yet published) are named in the year's notes."""
    pay_rows = [i for i, r in enumerate(y.active) if rows[r].structure.china_payroll]
    if not pay_rows:
        return
    idx, cols, year = np.array(pay_rows), y.cols, y.year
    emp = y.employed[idx].copy()
    paid_here = np.array([[rows[y.active[i]].structure.china_pay] for i in idx])
    wages = np.where(paid_here, cols["china_paid"][idx], 0)
    bonus = np.where(paid_here, cols["bonus_china"][idx], 0)
    allowances, contribution_wage, sad = (cols[c][idx].copy() for c in ("allowances", "contribution_wage", "sad"))
    files_of = [files[rows[y.active[i]].a] for i in idx]
    gap_cache: dict = {}
    for k, i in enumerate(idx):
        gaps = [(m, msg) for m, msg in _city_gaps(law, files_of[k].city, year, gap_cache) if emp[k, m - 1]]
        if gaps:
            first = gaps[0][0]
            figure = figures[y.active[i], year]
            figure.unknown_months += [f"{year}-{m:02d}" for m in range(first, 13) if y.employed[i, m - 1]]
            figure.notes.append(gaps[0][1])
            for arr in (wages, allowances, bonus, contribution_wage, sad):
                arr[k, first - 1:] = 0
            emp[k, first - 1:] = False
    foreign = np.array([f.inbound for f in files_of])
    cert_from = np.full(len(idx), np.datetime64("NaT"), "datetime64[D]")
    cert_until = cert_from.copy()
    for k, i in enumerate(idx):
        row = rows[y.active[i]]
        timeline = contexts[row.a].timeline
        if row.china_certificate and timeline is not None and timeline.expiry is not None:
            cert_from[k] = np.datetime64(timeline.start, "D")
            cert_until[k] = np.datetime64(timeline.expiry, "D")
    income = YearInputs(
        year=year, wages=wages, allowances=allowances, bonus=bonus, special_additional_deductions=sad,
        employed=emp, resident=y.resident[idx], foreigner=foreign,
        allowance_election=np.array([f.inbound and f.person.allowance_exemption for f in files_of]),
    )
    result = gross_to_net(MonthInputs(
        income=income, city=np.array([f.city for f in files_of]), contribution_wage=contribution_wage,
        foreign=foreign, nationality=np.array([f.person.nationality for f in files_of]),
        hk_macao_taiwan=hk_macao_taiwan_residents(law, np.array([f.person.nationality for f in files_of])),
        certificate_from=cert_from, certificate_until=cert_until,
        housing_fund=np.array([bool(f.person.housing_fund) for f in files_of]), rates=rates,
    ), law, keep_trace=False, allow_partial=True)
    m = result.monthly
    cols["deduction"][idx] = m["employee_deduction"]
    for k, i in enumerate(idx):
        r = y.active[i]
        figure = figures[r, year]
        unknown = m["unknown"][k] & emp[k]
        if unknown.any():
            figure.unknown_months += [f"{year}-{mm + 1:02d}" for mm in np.flatnonzero(unknown)]
            figure.notes.append(f"{files_of[k].city} {year}: a figure the tables mark unconfirmed "
                                f"(months {', '.join(str(mm + 1) for mm in np.flatnonzero(unknown))})")
        carried = (m["employee_carried"][k] | m["employer_carried"][k]) & emp[k]
        if carried.any():
            figure.notes.append(f"{files_of[k].city} {year}: social insurance figures not yet published, carried "
                                f"forward from the last published period (months "
                                f"{', '.join(str(mm + 1) for mm in np.flatnonzero(carried))}; to be trued up)")
        figure.unknown_months = sorted(set(figure.unknown_months))
        figure.notes += result.iit.alerts([k])
        figure.china_iit = int(m["iit"][k].sum()) if rows[r].structure.china_iit else 0
        figure.china_employee = int(m["employee_contributions"][k].sum())
        figure.china_employer = int(m["employer_contributions"][k].sum())
        figure.china_monthly = {key: [int(v) for v in m[key][k]] for key in (
            "gross", "iit", "employee_social", "employee_housing_fund", "employer_social", "employer_housing_fund")}


def _iit_only(files, rows, law, y: _Year, figures) -> None:
    """IIT without a China payroll (the business traveller): one ``compute_year`` call."""
    iit_rows = [i for i, r in enumerate(y.active) if rows[r].structure.china_iit and not rows[r].structure.china_payroll]
    if not iit_rows:
        return
    idx, cols = np.array(iit_rows), y.cols
    result = compute_year(YearInputs(
        year=y.year, wages=cols["china_paid"][idx], bonus=cols["bonus_china"][idx],
        special_additional_deductions=cols["sad"][idx], employed=y.employed[idx], resident=y.resident[idx],
        foreigner=np.array([files[rows[y.active[i]].a].inbound for i in idx]),
    ), law)
    for k, i in enumerate(idx):
        figure = figures[y.active[i], y.year]
        figure.notes += result.alerts([k])
        figure.china_iit = int(result.total_tax[k].sum())
        figure.china_monthly = {"iit": [int(v) for v in result.total_tax[k]]}


def _worldwide(files, rows, law, y: _Year, figures) -> None:
    """China tax on the worldwide income of every outbound row (a domiciled Chinese national stays
    resident and is taxed on it wherever it is earned, IIT Law art. 1): the whole package of the
    year with the employee's deductible China contributions, as the annual reconciliation settles
    it (``year_tax``: comprehensive income plus any bonus taxed on its own). One ``compute_year``.
    The work is done abroad, so all of it is foreign-source income (Announcement 2020 No. 3 §1)."""
    out = [i for i, r in enumerate(y.active) if not files[rows[r].a].inbound]
    if not out:
        return
    idx, cols = np.array(out), y.cols
    result = compute_year(YearInputs(
        year=y.year, wages=cols["total"][idx], allowances=cols["allowances"][idx], bonus=cols["bonus"][idx],
        employee_contributions=cols["deduction"][idx], special_additional_deductions=cols["sad"][idx],
        employed=y.employed[idx], resident=np.ones(len(idx), bool), foreigner=np.zeros(len(idx), bool),
        allowance_election=np.zeros(len(idx), bool),
    ), law)
    for k, i in enumerate(idx):
        figure = figures[y.active[i], y.year]
        figure.china_tax = int(result.annual["year_tax"][k])
        figure.china_income = int(cols["total"][i].sum() + cols["allowances"][i].sum() + cols["bonus"][i].sum())
