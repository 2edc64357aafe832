"""The assignment planner: one cross-border assignment run under several structures side by side,
over every year it lasts, each year under its own law; the cheapest compliant structure and why.

Structures (names as HR and mobility teams use them):

inbound — a foreign national working in China:
- ``local_hire``: a China employment contract, paid in China, in the Chinese schemes in full
  (MOHRSS Decree No. 16); no home-country contributions.
- ``secondment_certificate``: seconded by the home employer, paid in China, the home country's
  social security continues on the salary, and a certificate of coverage under the bilateral
  agreement removes the China schemes the agreement covers (``social.agreements``).
- ``secondment_no_certificate``: the same without a certificate: both countries' contributions.
- ``split_payroll``: part of salary and bonus paid by the home entity abroad; China-taxable wages
  apportioned by the residency engine (MOF/STA 2019 No. 35); China contributions on the
  China-paid part (with the certificate where an agreement exists); home contributions continue.
- ``short_term_business_traveller``: employed and paid at home, visiting China on business
  trips (``travel.business_days_per_month``); China IIT from the days (90-day and treaty 183-day
  rules, residency engine); no China contributions; home contributions continue.

outbound — a Chinese national sent abroad (seed 000: deployment models):
- ``ssa_certificate``: the China contract continues with China contributions in the home city;
  a Chinese certificate of coverage removes the host branches the agreement covers.
- ``double_contributions``: the same without a certificate (the only secondment where there is
  no agreement, e.g. the United States): both countries' contributions.
- ``localization``: the China contract ends; the host entity pays and insures; China
  contributions stop (the lost contribution months are reported).
- ``home_contributions_host_payroll``: the home entity keeps China contributions while a host
  entity (or an employer of record) runs the local payroll; host contributions in full.

Every figure comes from the engines: ``iit.person_year.compute_year`` and
``gross_to_net.gross_to_net`` (China IIT and contributions), ``social.host.host_contributions``
(the other country), ``residency.assess_year`` and ``residency.apportion_wages`` (days, status,
sourcing), ``social.outbound.certificate_timeline`` (certificate expiry). This module only builds
their input columns — all structures × years × assignments of one year in one call of each engine —
and adds their answers up. Where an engine cannot answer (a month without city or host data, a
missing exchange rate) the months are reported unknown for that structure and year, never guessed.

Money: China amounts int fen; the other country's amounts int minor units of its currency; RMB
totals only with a rate the user gives (``fx``), converted half up by ``expatcn.money``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import numpy as np

from expatcn.dates import Month, pay_date
from expatcn.errors import InputError, SocialDataGap
from expatcn.iit.allowances import check_kinds
from expatcn.iit.inputs import YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.io.assignment_file import AssignmentFile
from expatcn.law import Law
from expatcn.law.tables import TREATY_183
from expatcn.money import RATE_SCALE, MoneyError, apply_rate, div_half_up, fen_to_str, rate_to_ppm
from expatcn.social.agreements import agreement_for, certificate_covers_month
from expatcn.social.contributions import cities, city_entry
from expatcn.gross_to_net import MonthInputs, gross_to_net
from expatcn.social.host import host_contributions, host_countries, host_table

MONTHS = 12

TITLES = {
    "local_hire": "Local hire in China",
    "secondment_certificate": "Secondment with certificate of coverage",
    "secondment_no_certificate": "Secondment without certificate",
    "split_payroll": "Split payroll (part paid abroad)",
    "short_term_business_traveller": "Short-term business traveller",
    "ssa_certificate": "Secondment, SSA certificate",
    "double_contributions": "Secondment, double contributions",
    "localization": "Full localization",
    "home_contributions_host_payroll": "Home keeps China SI, host payroll",
}

# the employer-cost components the chart stacks (all RMB)
COMPONENTS = ("gross", "china_employer", "abroad_employer")
COMPONENT_TITLES = {"gross": "pay (gross)", "china_employer": "China employer contributions",
                    "abroad_employer": "home/host-country employer contributions"}


class PlanError(InputError):
    """An assignment the planner cannot run at all (names the field)."""


# ----------------------------------------------------------------------------- results


@dataclass
class YearFigures:
    """One structure in one calendar year. China amounts in fen; ``abroad_*`` in minor units of
    ``abroad_currency``; ``*_cny`` RMB fen, None where a needed exchange rate is missing."""

    year: int
    months: int
    china_iit: int = 0
    china_employee: int = 0
    china_employer: int = 0
    abroad_country: str | None = None
    abroad_currency: str | None = None
    abroad_minor: int = 100
    abroad_employee: int = 0
    abroad_employer: int = 0
    gross_cny: int | None = 0
    abroad_employee_cny: int | None = 0
    abroad_employer_cny: int | None = 0
    employee_net_cny: int | None = None
    employer_cost_cny: int | None = None
    unknown_months: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    residency: dict | None = None
    lost_contribution_months: int = 0
    china_monthly: dict[str, list[int]] = field(default_factory=dict)  # month by month (fen), from the engines

    @property
    def complete(self) -> bool:
        return not self.unknown_months and self.employer_cost_cny is not None

    def component(self, name: str) -> int | None:
        return {"gross": self.gross_cny, "china_employer": self.china_employer,
                "abroad_employer": self.abroad_employer_cny}[name]


@dataclass
class StructurePlan:
    key: str
    title: str
    applicable: bool = True
    compliant: bool = True
    comparable: bool = True  # delivers the assignment's planned presence in China (else an alternative pattern)
    reasons: list[str] = field(default_factory=list)  # why not applicable / compliant / comparable
    years: list[YearFigures] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(y.complete for y in self.years)

    def total(self, name: str) -> int | None:
        """Σ over the years of a YearFigures attribute; None if any year lacks it."""
        values = [getattr(y, name) for y in self.years]
        return None if any(v is None for v in values) else sum(values)

    @property
    def risks(self) -> list[str]:
        return [r for y in self.years for r in y.risks]


@dataclass
class Plan:
    assignment: AssignmentFile
    structures: list[StructurePlan]
    cheapest: str | None
    reason: str
    law_digest: str
    assumptions: list[str] = field(default_factory=list)
    certificate_saving: str | None = None  # what the certificate of coverage saves, where both sides are costed

    def structure(self, key: str) -> StructurePlan:
        return next(s for s in self.structures if s.key == key)


# ----------------------------------------------------------------------------- money at the edges


def _minor(amount: Decimal, minor_per_unit: int) -> int:
    value = amount * minor_per_unit
    if value != value.to_integral_value():
        raise MoneyError(f"amount {amount} is finer than the currency's minor unit")
    return int(value)


def _ppm(rate: Decimal, code: str) -> int:
    try:
        return rate_to_ppm(rate)
    except MoneyError:
        raise PlanError(f"fx.{code}: a rate finer than one millionth ({rate})") from None


class Converter:
    """Conversions with the user's rates only (RMB per unit); half up via ``expatcn.money``."""

    def __init__(self, fx: dict[str, Decimal]) -> None:
        self.fx = {k.upper(): v for k, v in fx.items()}

    def has(self, currency: str) -> bool:
        return currency == "CNY" or currency in self.fx

    def to_fen(self, minor: np.ndarray | int, currency: str, minor_per_unit: int = 100) -> np.ndarray:
        if currency == "CNY":
            return np.asarray(minor, dtype=np.int64) * (100 // minor_per_unit)
        ppm = _ppm(self.fx[currency], currency)
        return div_half_up(np.asarray(minor, dtype=np.int64) * ppm * 100, minor_per_unit * RATE_SCALE)

    def from_fen(self, fen: np.ndarray | int, currency: str, minor_per_unit: int = 100) -> np.ndarray:
        if currency == "CNY":
            return div_half_up(np.asarray(fen, dtype=np.int64) * minor_per_unit, 100)
        ppm = _ppm(self.fx[currency], currency)
        return div_half_up(np.asarray(fen, dtype=np.int64) * minor_per_unit * RATE_SCALE, 100 * ppm)


# ----------------------------------------------------------------------------- rows


@dataclass
class _Row:
    """One (assignment, structure): how its columns are built."""

    a: int
    key: str
    china_payroll: bool = False  # China contributions (and IIT) through the full month
    china_iit: bool = False  # China IIT withheld (without a China payroll: IIT only)
    china_pay: bool = True  # the salary is paid through the China payroll (else only contributions)
    person: int | None = None  # trips person (inbound)
    paid_abroad_share: Decimal = Decimal(0)
    allowances: bool = True
    china_certificate: bool = False  # inbound: the foreigner's certificate used in China
    abroad: str | None = None  # the other country's contributions
    host_certificate: bool = False  # outbound: a Chinese certificate exempts host branches
    stops_china: bool = False  # localization: China contributions stop


def _rows(files: list[AssignmentFile], law: Law) -> tuple[list[_Row], list[StructurePlan], list[dict]]:
    rows, plans, context = [], [], []
    for a, f in enumerate(files):
        ctx = {"timeline": None, "agreement": None}
        if f.inbound:
            ctx["agreement"] = _agreement(law, f.person.nationality, f.start)
            ctx["timeline"] = _timeline(law, f) if ctx["agreement"] is not None else None
        else:
            ctx["agreement"] = _agreement(law, f.host_country, f.start)
            ctx["timeline"] = _timeline(law, f)
        context.append(ctx)
        for key in f.chosen_structures():
            plan = StructurePlan(key, TITLES[key])
            row = _Row(a, key)
            if f.inbound:
                home = f.home_country
                row.person = 2 * a + (1 if key == "short_term_business_traveller" else 0)
                if key == "local_hire":
                    row.china_payroll = row.china_iit = True
                elif key in ("secondment_certificate", "secondment_no_certificate"):
                    row.china_payroll = row.china_iit = True
                    row.china_certificate = key == "secondment_certificate"
                    row.abroad = home
                elif key == "split_payroll":
                    row.china_payroll = row.china_iit = True
                    row.paid_abroad_share = f.split_payroll.paid_abroad_share
                    row.china_certificate = ctx["agreement"] is not None
                    row.abroad = home
                else:  # short-term business traveller
                    row.china_iit = True
                    row.paid_abroad_share = Decimal(1)
                    row.allowances = False
                    row.abroad = home
                if key == "secondment_certificate" and ctx["agreement"] is None:
                    plan.applicable = False
                    plan.reasons.append(f"no social security agreement between China and {f.person.nationality} "
                                        f"in force on {f.start}: no certificate of coverage is possible")
                if row.abroad is not None:
                    plan.assumptions.append(f"{home} social security continues on the salary during the assignment "
                                            "(home-country posting rules)")
                if key == "split_payroll":
                    plan.assumptions.append(f"share paid abroad {f.split_payroll.paid_abroad_share} of salary and bonus; "
                                            "China contributions on the China-paid part; allowances paid in China")
                if key == "short_term_business_traveller":
                    plan.comparable = False
                    plan.reasons.append(f"a different work pattern ({f.travel.business_days_per_month} days in China a "
                                        "month instead of the planned stays): shown for comparison, not chosen")
                    plan.assumptions.append(f"{f.travel.business_days_per_month} days in China a month (one trip from "
                                            "the 2nd of each month of the assignment); all pay from the home entity, "
                                            "not borne by a China establishment; no China allowances")
            else:
                row.abroad = f.host_country
                if key in ("ssa_certificate", "double_contributions"):
                    row.china_payroll = row.china_iit = True
                    row.host_certificate = key == "ssa_certificate"
                    if key == "ssa_certificate" and ctx["agreement"] is None:
                        plan.applicable = False
                        plan.reasons.append(f"no social security agreement between China and {f.host_country}: "
                                            "no certificate of coverage, host contributions are due in full")
                elif key == "localization":
                    row.stops_china = True
                    row.china_pay = False
                    plan.assumptions.append("the host entity pays the whole package; the China contract ends")
                else:
                    row.china_payroll = True
                    row.china_pay = False
                    plan.assumptions.append("the host entity pays the package; the home entity keeps China "
                                            "contributions on the China contribution wage")
                plan.assumptions.append("host-country income tax and the foreign tax credit are not modelled: "
                                        "employee net is before host income tax")
                plan.assumptions.append("China contributions of a Chinese employee: local household registration "
                                        "assumed")
            rows.append(row)
            plans.append(plan)
    return rows, plans, context


def _agreement(law: Law, country: str, day: dt.date):
    agreement = agreement_for(law, country, day)
    return agreement if agreement is not None and agreement.in_force_on(day) else None


def _timeline(law: Law, f: AssignmentFile):
    """The certificate timeline of ``social.outbound`` (expiry from the agreement's maximum)."""
    from expatcn.social.outbound import certificate_timeline

    cert = f.certificate
    country = f.person.nationality if f.inbound else f.host_country
    return certificate_timeline(law, country, f.start, f.end, cert.start if cert else None, cert.until if cert else None)


# ----------------------------------------------------------------------------- the plan


def plan(files: list[AssignmentFile], law: Law, fx: dict[str, Decimal] | None = None) -> list[Plan]:
    """Every structure of every assignment over every year of it (see the module docstring)."""
    rows, plans, context = _rows(files, law)
    converters = [Converter({**f.fx, **(fx or {})}) for f in files]
    for f in files:
        if f.package.currency != "CNY" and not converters[files.index(f)].has(f.package.currency):
            raise PlanError(f"fx.{f.package.currency}: the package is in {f.package.currency}; give the rate "
                            f"(RMB per unit) in the file or with --fx {f.package.currency}=…")
        if f.city not in cities(law):
            raise PlanError(f"city: no social insurance table for {f.city!r}; known cities: {', '.join(cities(law))}")
        check_kinds(law, f.package.allowances, "package.allowances", PlanError)
        if f.foreign_employer_class is not None and f.other_country in host_countries(law):
            try:
                law.table(host_table(f.other_country)).values[-1].employer_class(f.foreign_employer_class)
            except ValueError as exc:
                raise PlanError(f"foreign_employer_class: {exc}") from None
    years = sorted({y for f in files for y in f.years})
    figures: dict[tuple[int, int], YearFigures] = {}
    trips = _trips(files)
    for year in years:
        _china_year(files, rows, plans, context, converters, law, trips, year, figures)
    _abroad(files, rows, context, converters, law, years, figures)
    for r, row in enumerate(rows):
        f = files[row.a]
        for year in f.years:
            y = figures[r, year]
            _totals(y, converters[row.a], f)
            plans[r].years.append(y)
        _structure_risks(plans[r], row, f, context[row.a])
    out = []
    for a, f in enumerate(files):
        mine = [p for p, row in zip(plans, rows) if row.a == a]
        cheapest, reason = choose(mine)
        assumptions = [f"projection (assumption, not law): {p}" for p in f.projections]
        out.append(Plan(f, mine, cheapest, reason, law.digest, assumptions, _certificate_saving(mine)))
    return out


CERTIFICATE_PAIRS = (("secondment_certificate", "secondment_no_certificate"), ("ssa_certificate", "double_contributions"))


def _certificate_saving(plans: list[StructurePlan]) -> str | None:
    """The employer-cost and contribution difference the certificate makes (same structure otherwise)."""
    by_key = {p.key: p for p in plans}
    for with_key, without_key in CERTIFICATE_PAIRS:
        a, b = by_key.get(with_key), by_key.get(without_key)
        if a is None or b is None or not a.applicable or not (a.complete and b.complete):
            continue
        cost = b.total("employer_cost_cny") - a.total("employer_cost_cny")
        china = b.total("china_employee") + b.total("china_employer") - a.total("china_employee") - a.total("china_employer")
        abroad = (b.total("abroad_employee_cny") + b.total("abroad_employer_cny")
                  - a.total("abroad_employee_cny") - a.total("abroad_employer_cny"))
        net = a.total("employee_net_cny") - b.total("employee_net_cny")
        return (f"the certificate of coverage saves the employer {fen_to_str(cost)} RMB over the assignment "
                f"(contributions removed: China {fen_to_str(china)}, abroad {fen_to_str(abroad)} RMB); "
                f"employee net {'+' if net >= 0 else '−'}{fen_to_str(abs(net))}")
    return None


def _month_firsts(year: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in range(1, MONTHS + 1)]


def _employed(f: AssignmentFile, year: int) -> np.ndarray:
    """Months of ``year`` that overlap the assignment (a part month counts as a whole month)."""
    return _overlap(f.start, f.end, year)


@lru_cache(maxsize=4096)
def _overlap(start: dt.date, end: dt.date, year: int) -> np.ndarray:
    first = np.array([Month(year, m).first for m in range(1, 13)])
    last = np.array([Month(year, m).last for m in range(1, 13)])
    out = (last >= start) & (first <= end)
    out.flags.writeable = False
    return out


def _trips(files: list[AssignmentFile]):
    """Persons 2a (the assignment's stays) and 2a+1 (business trips) of every inbound assignment."""
    from expatcn.residency import Trips

    person, entry, exit_ = [], [], []
    for a, f in enumerate(files):
        if not f.inbound:
            continue
        for start, end in f.trip_dates():
            person.append(2 * a)
            entry.append(np.datetime64(start, "D"))
            exit_.append(np.datetime64(end, "D") if end is not None else np.datetime64("NaT", "D"))
        days = f.travel.business_days_per_month
        for year in f.years:
            for m, on in enumerate(_employed(f, year)):
                if on:
                    first = dt.date(year, m + 1, 2)
                    person.append(2 * a + 1)
                    entry.append(np.datetime64(first, "D"))
                    exit_.append(np.datetime64(first + dt.timedelta(days=days - 1), "D"))
    if not person:
        return None
    return Trips.from_dates(np.array(person), np.array(entry), np.array(exit_), n_persons=2 * len(files))


def _treaty_codes(files: list[AssignmentFile], law: Law, year: int) -> list[str | None]:
    table = law.value(TREATY_183, dt.date(year, 1, 1))
    known = {p.code for p in table.partners}
    codes: list[str | None] = []
    for f in files:
        code = f.home_country if f.inbound and f.home_country in known else None
        codes += [code, code]
    return codes


def _city_gaps(law: Law, city: str, year: int, cache: dict) -> list[tuple[int, str]]:
    """Months (1–12) of ``year`` for which the city tables cannot answer, with the engine's message."""
    key = (city, year)
    if key not in cache:
        gaps = []
        for month in _month_firsts(year):
            try:
                city_entry(law, city, month)
            except SocialDataGap as exc:
                gaps.append((month.month, str(exc)))
        cache[key] = gaps
    return cache[key]


def _china_year(files, rows, plans, context, converters, law, trips, year, figures) -> None:
    """All rows of ``year``: residency and sourcing (one call), the full month (one call) and IIT-only
    rows (one call)."""
    from expatcn.residency import NONRESIDENT_SHORT, SITUATION_NAMES, LumpSum, china_taxable_pay

    active = [r for r, row in enumerate(rows) if year in files[row.a].years]
    n = len(active)
    shape = (n, MONTHS)
    cols = {name: np.zeros(shape, np.int64) for name in ("total", "china_paid", "allowances", "bonus", "bonus_china",
                                                         "contribution_wage", "sad")}
    employed = np.zeros(shape, bool)
    resident = np.ones(n, bool)
    gap_cache: dict = {}
    for i, r in enumerate(active):
        row, f = rows[r], files[rows[r].a]
        conv = converters[row.a]
        y = figures[r, year] = YearFigures(year, int(_employed(f, year).sum()))
        emp = _employed(f, year)
        employed[i] = emp
        salary = conv.to_fen(_minor(f.salary(year), 100), f.package.currency)
        cols["total"][i] = np.where(emp, salary, 0)
        if f.package.bonus is not None and emp[f.package.bonus.month - 1]:
            cols["bonus"][i, f.package.bonus.month - 1] = conv.to_fen(_minor(f.package.bonus.amount, 100), f.package.currency)
        if row.allowances and f.package.allowances:
            total_allowances = sum(f.package.allowances.values(), Decimal(0))
            cols["allowances"][i] = np.where(emp, conv.to_fen(_minor(total_allowances, 100), f.package.currency), 0)
        abroad_ppm = rate_to_ppm(row.paid_abroad_share)
        cols["china_paid"][i] = cols["total"][i] - apply_rate(cols["total"][i], abroad_ppm)
        cols["bonus_china"][i] = cols["bonus"][i] - apply_rate(cols["bonus"][i], abroad_ppm)
        if f.inbound:
            base = cols["china_paid"][i]
        else:
            base = conv.to_fen(_minor(f.package.china_contribution_wage, 100), "CNY") if f.package.china_contribution_wage \
                else cols["total"][i]
        cols["contribution_wage"][i] = np.where(emp, base, 0)
        if not f.inbound or not f.person.allowance_exemption:
            cols["sad"][i] = np.where(emp, _minor(f.person.special_additional_deductions, 100), 0)
        if row.stops_china:
            y.lost_contribution_months = y.months
    idx = np.array([i for i, r in enumerate(active) if rows[r].person is not None], dtype=np.int64)
    if trips is not None and idx.size and any(files[rows[r].a].inbound for r in active):
        # each row with trips is assessed on its person's trips (a person has a row per structure)
        p = np.array([rows[active[i]].person for i in idx], dtype=np.int64)
        prior = np.array([files[q // 2].person.prior_years for q in p], dtype=np.int64)
        codes = _treaty_codes(files, law, year)
        treaty = [codes[q] for q in p]
        pay = china_taxable_pay(trips.take(p), year, cols["total"][idx], cols["china_paid"][idx],
                                {"bonus": LumpSum(cols["bonus"][idx], cols["bonus_china"][idx])}, law=law,
                                treaty=treaty, history_from=min(f.start.year for f in files), prior_years=prior)
        assessment = pay.assessment
        cols["china_paid"][idx] = pay.wages  # China-taxable wages (for rows paid in China: the China-paid part)
        if "bonus" in pay.lump_sums:
            cols["bonus_china"][idx] = pay.lump_sums["bonus"].china
        resident[idx] = assessment.status.resident
        short = assessment.status.situation == NONRESIDENT_SHORT
        for k, i in enumerate(idx):
            r = active[i]
            figures[r, year].residency = _residency_summary(assessment, k, SITUATION_NAMES)
            if rows[r].key == "short_term_business_traveller" and not short[k]:
                plans[r].compliant = False
                plans[r].reasons.append(
                    f"{year}: {assessment.status.days[k]} days in China — beyond the "
                    f"{assessment.rules.ninety_day_rule.max_days}-day rule and any treaty's "
                    f"{law.value(TREATY_183, dt.date(year, 1, 1)).max_days} days, so no longer a short-term visit")

    # the China full month: every row with a China payroll, one call
    pay_rows = [i for i, r in enumerate(active) if rows[r].china_payroll]
    if pay_rows:
        idx = np.array(pay_rows)
        emp = employed[idx].copy()
        wages = np.where([[rows[active[i]].china_pay] for i in idx], cols["china_paid"][idx], 0)
        allowances = cols["allowances"][idx].copy()
        bonus = np.where([[rows[active[i]].china_pay] for i in idx], cols["bonus_china"][idx], 0)
        contribution_wage = cols["contribution_wage"][idx].copy()
        sad = cols["sad"][idx].copy()
        for k, i in enumerate(idx):
            f = files[rows[active[i]].a]
            gaps = [(m, msg) for m, msg in _city_gaps(law, f.city, year, gap_cache) if emp[k, m - 1]]
            if gaps:
                first = gaps[0][0]
                y = figures[active[i], year]
                y.unknown_months += [f"{year}-{m:02d}" for m in range(first, 13) if employed[i, m - 1]]
                y.notes.append(gaps[0][1])
                for arr in (wages, allowances, bonus, contribution_wage, sad):
                    arr[k, first - 1:] = 0
                emp[k, first - 1:] = False
        files_of = [files[rows[active[i]].a] for i in idx]
        foreign = np.array([f.inbound for f in files_of])
        cert_from = np.full(len(idx), np.datetime64("NaT"), "datetime64[D]")
        cert_until = cert_from.copy()
        for k, i in enumerate(idx):
            row = rows[active[i]]
            timeline = context[row.a]["timeline"]
            if row.china_certificate and timeline is not None and timeline.expiry is not None:
                cert_from[k] = np.datetime64(timeline.start, "D")
                cert_until[k] = np.datetime64(timeline.expiry, "D")
        income = YearInputs(
            year=year, wages=wages, allowances=allowances, bonus=bonus, special_additional_deductions=sad,
            employed=emp, resident=resident[idx], foreigner=foreign,
            allowance_election=np.array([f.inbound and f.person.allowance_exemption for f in files_of]),
        )
        result = gross_to_net(MonthInputs(
            income=income, city=np.array([f.city for f in files_of]), contribution_wage=contribution_wage,
            foreign=foreign, nationality=np.array([f.person.nationality for f in files_of]),
            certificate_from=cert_from, certificate_until=cert_until,
            housing_fund=np.array([bool(f.person.housing_fund) for f in files_of]),
        ), law, keep_trace=False, allow_partial=True)
        m = result.monthly
        for k, i in enumerate(idx):
            r = active[i]
            y = figures[r, year]
            unknown = m["unknown"][k] & emp[k]
            if unknown.any():
                y.unknown_months += [f"{year}-{mm + 1:02d}" for mm in np.flatnonzero(unknown)]
                y.notes.append(f"{files[rows[r].a].city} {year}: a figure the tables mark unconfirmed "
                               f"(months {', '.join(str(mm + 1) for mm in np.flatnonzero(unknown))})")
            y.unknown_months = sorted(set(y.unknown_months))
            y.notes += result.iit.alerts([k])
            y.china_iit = int(m["iit"][k].sum()) if rows[r].china_iit else 0
            y.china_employee = int(m["employee_contributions"][k].sum())
            y.china_employer = int(m["employer_contributions"][k].sum())
            y.china_monthly = {key: [int(v) for v in m[key][k]] for key in (
                "gross", "iit", "employee_social", "employee_housing_fund", "employer_social", "employer_housing_fund")}
    # IIT only (the business traveller): one call
    iit_rows = [i for i, r in enumerate(active) if rows[r].china_iit and not rows[r].china_payroll]
    if iit_rows:
        idx = np.array(iit_rows)
        files_of = [files[rows[active[i]].a] for i in idx]
        result = compute_year(YearInputs(
            year=year, wages=cols["china_paid"][idx], bonus=cols["bonus_china"][idx],
            special_additional_deductions=cols["sad"][idx], employed=employed[idx], resident=resident[idx],
            foreigner=np.array([f.inbound for f in files_of]),
        ), law)
        for k, i in enumerate(idx):
            figures[active[i], year].notes += result.alerts([k])
            figures[active[i], year].china_iit = int(result.total_tax[k].sum())
            figures[active[i], year].china_monthly = {"iit": [int(v) for v in result.total_tax[k]]}
    for i, r in enumerate(active):
        y = figures[r, year]
        f = files[rows[r].a]
        y.gross_cny = int(cols["total"][i].sum() + cols["bonus"][i].sum() + cols["allowances"][i].sum())


def _residency_summary(assessment, p: int, names) -> dict:
    from expatcn.residency import NOT_REACHED, to_date

    reach, rules = assessment.reach[p], assessment.rules
    return {
        "residence_days": int(assessment.status.days[p]),
        "resident": bool(assessment.status.resident[p]),
        "situation": names[assessment.status.situation[p]],
        "treaty_relief": bool(assessment.status.treaty_relief[p]),
        "six_year_clock": int(assessment.status.clock[p]),
        "worldwide_income_taxable": bool(assessment.status.worldwide[p]),
        "first_worldwide_year_if_every_year_qualifies": int(assessment.first_worldwide_year[p]),
        "day_90": None if reach[0] == NOT_REACHED else to_date(reach[0]).isoformat(),
        "day_183": None if reach[1] == NOT_REACHED else to_date(reach[1]).isoformat(),
        # the year's thresholds, as the residency tables give them (day_90 / day_183 are reached on them)
        "ninety_day_rule_days": int(rules.ninety_day_rule.max_days),
        "resident_min_days": int(rules.residence_days.resident_min_days),
        "clock_max_single_absence_days": rules.six_year_rule.max_single_absence_days,
    }


def _abroad(files, rows, context, converters, law, years, figures) -> None:
    """The other country's contributions: one ``host_contributions`` call per country over every
    month of every assignment that pays there (rows × months)."""
    by_country: dict[str, list[int]] = {}
    for r, row in enumerate(rows):
        if row.abroad is not None:
            by_country.setdefault(row.abroad, []).append(r)
    for country, members in by_country.items():
        if country not in host_countries(law):
            for r in members:
                for year in files[rows[r].a].years:
                    y = figures[r, year]
                    y.abroad_country = country
                    y.unknown_months = sorted(set(y.unknown_months) | {f"{year}-{m:02d}" for m in range(1, 13)
                                                                        if _employed(files[rows[r].a], year)[m - 1]})
                    y.notes.append(f"no social security table for {country} (known: {', '.join(host_countries(law))}): "
                                   f"its contributions are not computed")
            continue
        table = law.table(host_table(country))
        months = [dt.date(y, m, 1) for y in years for m in range(1, 13)]
        covered = [table.in_force_on(pay_date(month)) for month in months]
        currency, minor = table.values[-1].currency, table.values[-1].minor_per_unit
        wage = np.zeros((len(members), len(months)), np.int64)
        exempt = np.zeros_like(wage, dtype=bool)
        missing_fx: dict[int, str] = {}
        index = {(month.year, month.month): j for j, month in enumerate(months)}
        for k, r in enumerate(members):
            row, f = rows[r], files[rows[r].a]
            conv = converters[row.a]
            for year in f.years:
                emp = _employed(f, year)
                cols = [index[year, m] for m in range(1, 13)]
                regular = _abroad_wage(f, conv, year, False, currency, minor)
                if regular is None:
                    missing_fx[k] = currency if not conv.has(currency) else f.package.currency
                    continue
                wage[k, cols] = np.where(emp, regular, 0)
                if f.package.bonus is not None and emp[f.package.bonus.month - 1]:
                    with_bonus = _abroad_wage(f, conv, year, True, currency, minor)
                    if with_bonus is None:
                        missing_fx[k] = currency if not conv.has(currency) else f.package.currency
                        continue
                    wage[k, index[year, f.package.bonus.month]] = with_bonus
            timeline = context[row.a]["timeline"] if row.host_certificate else None
            if timeline is not None:
                if timeline.applied and timeline.expiry is not None and timeline.agreement is not None:
                    start = np.array([timeline.start], dtype="datetime64[D]")
                    until = np.array([timeline.expiry], dtype="datetime64[D]")
                    for j, month in enumerate(months):
                        exempt[k, j] = bool(certificate_covers_month(start, until, month)[0]) and \
                            timeline.agreement.in_force_on(month)
        branches = set()
        for r in members:
            timeline = context[rows[r].a]["timeline"] if rows[r].host_certificate else None
            if timeline is not None and timeline.agreement is not None:
                branches |= set(timeline.agreement.partner_exempt_branches)
        employer = np.zeros_like(wage)
        employee = np.zeros_like(wage)
        classes: list = [None] * len(members)
        for lo, hi in _runs(covered):
            result = host_contributions(law, country, wage[:, lo:hi], months[lo:hi],
                                        {b: exempt[:, lo:hi] for b in branches},
                                        employer_class=[files[rows[r].a].foreign_employer_class for r in members])
            employer[:, lo:hi] = result.employer_total()
            employee[:, lo:hi] = result.employee_total()
            classes = result.employer_class
        for k, r in enumerate(members):
            f = files[rows[r].a]
            for year in f.years:
                y = figures[r, year]
                y.abroad_country, y.abroad_currency, y.abroad_minor = country, currency, minor
                cols = [j for j, month in enumerate(months) if month.year == year]
                emp = _employed(f, year)
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


def _abroad_wage(f: AssignmentFile, conv: Converter, year: int, bonus_month: bool, currency: str,
                 minor: int) -> int | None:
    """A month's wage for the other country's contributions, in its minor units: the salary (home
    contributions continue on the whole salary), plus the bonus in its month; None: a rate is missing."""
    bonus = f.package.bonus.amount if bonus_month and f.package.bonus is not None else Decimal(0)
    if not f.inbound and f.package.host_wage_monthly is not None:
        # the host wage is given in the host currency; the bonus follows at the rates
        base = _minor(f.package.host_wage_monthly, minor)
        if not bonus:
            return base
        if not (conv.has(f.package.currency) and conv.has(currency)):
            return None
        return base + int(conv.from_fen(conv.to_fen(_minor(bonus, 100), f.package.currency), currency, minor))
    amount = f.salary(year) + bonus
    if f.package.currency == currency:
        return _minor(amount, minor)
    if not (conv.has(f.package.currency) and conv.has(currency)):
        return None
    return int(conv.from_fen(conv.to_fen(_minor(amount, 100), f.package.currency), currency, minor))


def _runs(covered: list[bool]) -> list[tuple[int, int]]:
    runs, start = [], None
    for j, ok in enumerate(covered + [False]):
        if ok and start is None:
            start = j
        elif not ok and start is not None:
            runs.append((start, j))
            start = None
    return runs


def _totals(y: YearFigures, conv: Converter, f: AssignmentFile) -> None:
    if y.abroad_currency is not None and (y.abroad_employee or y.abroad_employer):
        if conv.has(y.abroad_currency):
            y.abroad_employee_cny = int(conv.to_fen(y.abroad_employee, y.abroad_currency, y.abroad_minor))
            y.abroad_employer_cny = int(conv.to_fen(y.abroad_employer, y.abroad_currency, y.abroad_minor))
        else:
            y.abroad_employee_cny = y.abroad_employer_cny = None
            y.notes.append(f"fx.{y.abroad_currency}: give the rate (RMB per unit) to add {y.abroad_country} "
                           "contributions to RMB totals")
    if y.gross_cny is None or y.abroad_employee_cny is None:
        return
    y.employee_net_cny = y.gross_cny - y.china_iit - y.china_employee - y.abroad_employee_cny
    y.employer_cost_cny = y.gross_cny + y.china_employer + y.abroad_employer_cny


def _structure_risks(plan: StructurePlan, row: _Row, f: AssignmentFile, ctx: dict) -> None:
    timeline = ctx["timeline"]
    uses_certificate = row.china_certificate or row.host_certificate
    for y in plan.years:
        res = y.residency
        if res is not None and row.key != "short_term_business_traveller":
            if res["day_183"] and res["resident"] and not res.get("_said"):
                y.risks.append(f"{y.year}: {res['resident_min_days']}-day crossing on {res['day_183']} — resident for "
                               f"{y.year} ({res['residence_days']} days)")
            if res["worldwide_income_taxable"]:
                y.risks.append(f"{y.year}: six-year clock run out — worldwide income taxable in China")
            elif res["resident"] and res["first_worldwide_year_if_every_year_qualifies"] <= f.end.year + 1:
                y.risks.append(f"{y.year}: six-year clock at {res['six_year_clock']} — worldwide income taxable from "
                               f"{res['first_worldwide_year_if_every_year_qualifies']} if every year qualifies; a single "
                               f"absence of more than {res['clock_max_single_absence_days']} days resets it")
        if res is not None and row.key == "short_term_business_traveller":
            ninety = res["ninety_day_rule_days"]
            left = f"day {ninety} on {res['day_90']}" if res["day_90"] else f"{ninety}-day limit not reached"
            y.risks.append(f"{y.year}: {res['residence_days']} days of residence in China ({left}); a China "
                           "permanent establishment would make the pay China-borne")
        if y.lost_contribution_months:
            y.risks.append(f"{y.year}: China contributions stop — {y.lost_contribution_months} lost contribution "
                           "months (pension record gap, medical cover ends)")
    if uses_certificate and timeline is not None and plan.years:
        if timeline.expiry is not None and timeline.expiry < f.end:
            year = next((y for y in plan.years if y.year == timeline.expiry.year), plan.years[-1])
            schemes = ", ".join(timeline.agreement.china_exempt if f.inbound else timeline.agreement.partner_exempt_branches)
            year.risks.append(f"{timeline.expiry.year}: certificate of coverage expires {timeline.expiry} before the "
                              f"assignment ends ({f.end}): {schemes} due again from "
                              f"{timeline.expiry + dt.timedelta(days=1)}; apply for renewal by {timeline.renewal_alert}")
        elif timeline.expiry is None and timeline.agreement is not None:
            plan.years[0].risks.append("certificate: " + "; ".join(timeline.alerts))
        if not f.inbound:
            for alert in timeline.alerts:
                if "expires" not in alert and "after the certificate" not in alert:
                    plan.years[0].risks.append(alert)


# ----------------------------------------------------------------------------- choice


def choose(plans: list[StructurePlan]) -> tuple[str | None, str]:
    """The cheapest compliant structure by total employer cost in RMB, with the reason."""
    ranked, left_out = [], []
    for p in plans:
        cost = p.total("employer_cost_cny")
        if not p.applicable:
            left_out.append(f"{p.key}: not applicable ({'; '.join(p.reasons)})")
        elif not p.compliant:
            left_out.append(f"{p.key}: not compliant ({'; '.join(p.reasons)})")
        elif not p.comparable:
            left_out.append(f"{p.key}: {'; '.join(p.reasons)}"
                            + (f", employer cost {fen_to_str(cost)}" if cost is not None and p.complete else ""))
        elif not p.complete or cost is None:
            months = sorted({m for y in p.years for m in y.unknown_months})
            left_out.append(f"{p.key}: cannot be costed in full ({len(months)} unknown months"
                            f"{', from ' + months[0] if months else ''}; see notes)")
        else:
            ranked.append((cost, p))
    if not ranked:
        return None, "no structure can be costed in full: " + "; ".join(left_out)
    ranked.sort(key=lambda item: item[0])
    cost, best = ranked[0]
    span = f"{best.years[0].year}–{best.years[-1].year}" if len(best.years) > 1 else str(best.years[0].year)
    reason = f"{best.title}: employer cost {fen_to_str(cost)} RMB over {span}"
    if len(ranked) > 1:
        cost2, second = ranked[1]
        reason += f", {fen_to_str(cost2 - cost)} less than {second.title} ({fen_to_str(cost2)})"
        parts = []
        for name in COMPONENTS:
            a = sum(y.component(name) or 0 for y in best.years)
            b = sum(y.component(name) or 0 for y in second.years)
            if a != b:
                parts.append(f"{COMPONENT_TITLES[name]} {'lower' if a < b else 'higher'} by {fen_to_str(abs(b - a))}")
        if parts:
            reason += ": " + ", ".join(parts)
    lost = sum(y.lost_contribution_months for y in best.years)
    if lost:
        reason += f" — but {lost} months of China contributions are lost"
    if left_out:
        reason += ". Left out: " + "; ".join(left_out)
    return best.key, reason


# ----------------------------------------------------------------------------- what-if


@dataclass
class Difference:
    """A structure-year under the modified law minus under current law (RMB fen; None where
    either side is incomplete)."""

    structure: str
    year: int
    china_iit: int
    employee_net_cny: int | None
    employer_cost_cny: int | None


def compare(base: Plan, modified: Plan) -> list[Difference]:
    out = []
    for s in base.structures:
        other = modified.structure(s.key)
        for a, b in zip(s.years, other.years):
            def diff(name: str):
                x, y = getattr(a, name), getattr(b, name)
                return None if x is None or y is None else y - x
            out.append(Difference(s.key, a.year, b.china_iit - a.china_iit, diff("employee_net_cny"),
                                  diff("employer_cost_cny")))
    return out
