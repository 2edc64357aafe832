"""The law of one tax year as integer arrays, for the compiled kernel: prepared once per year and
set of cities (and cached), never inside the loop over employees.

Every figure is read from the same law tables, by the same lookups, as the reference engines
(:mod:`expatcn.social.contributions`, :mod:`expatcn.social.participation`, :mod:`expatcn.iit`):
a month's value is the one in force on its first day; a city's figures are those
:func:`expatcn.social.figures.city_figures` resolves (carried forward unless strict), with the
published ones beside them (``published``) where a figure was carried, so that the kernel marks
the amounts that rest on a carried figure as the reference does. Amounts are fen, rates ppm. A
figure neither published nor carried is "not known" (``*_KNOWN = 0``), never a number.

Where the kernel's month-by-month reading could differ from the reference's batch-wide one
(the cumulative table or the equity rules changing inside a year, a year mixing the monthly and
cumulative methods, a year-level table missing), :func:`year_arrays` returns ``None`` and the
batch goes to the reference engine, which computes it or raises its error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from expatcn.errors import LawError, LawNotInForce, SocialDataGap
from expatcn.law import Law
from expatcn.law.schemas.social import SCHEMES, UNCONFIRMED
from expatcn.law.tables import (
    ANNUAL_BONUS,
    BASIC_DEDUCTION,
    EQUITY_INCENTIVE_SEPARATE,
    EXPAT_ALLOWANCE_EXEMPTION,
    HOUSING_FUND_TAX_CAP,
    LABOUR_REMUNERATION,
    LOW_INCOME_SIMPLIFICATION,
    NEW_HIRE_DEDUCTION,
    NONRESIDENT_EQUITY_INCENTIVE,
    NONRESIDENT_MULTIMONTH_BONUS,
    RECONCILIATION_EXEMPTION,
    SOCIAL_AGREEMENTS,
    SOCIAL_FOREIGNERS,
    WAGE_WITHHOLDING_METHOD,
)
from expatcn.money import rate_to_ppm, yuan_to_fen
from expatcn.social.figures import ALL_SCHEMES, HOUSING_FUND, city_figures

MONTHS = 12
SCHEME_COUNT = len(ALL_SCHEMES)  # the five schemes, then the housing fund (index HF)
HF = ALL_SCHEMES.index(HOUSING_FUND)
PENSION = ALL_SCHEMES.index("pension")
MAX_PARTS = 4  # employer_rate_parts collected apart (Shanghai medical has 2)

# --- fields of social[city, month, scheme, :] ----------------------------------------------
(FLOOR_KNOWN, FLOOR, FLOOR_AT_MOST_SET, FLOOR_AT_MOST, CEILING_KIND, CEILING,
 ER_KIND, ER_RATE, ER_KNOWN, ER_NL_SET, ER_NL_RATE, ER_NL_KNOWN, RANGE_LOW, RANGE_HIGH,
 EE_RATE, EE_KNOWN, EE_NL_SET, EE_NL_RATE, EE_NL_KNOWN, FIXED, MERGED, N_PARTS, PART0) = range(23)
SCHEME_FIELDS = PART0 + MAX_PARTS
# housing fund row (scheme HF) reuses the base fields and these:
HF_PRESENT, HF_RANGED, HF_KNOWN_END_SET, HF_KNOWN_END = ER_KIND, ER_RATE, ER_KNOWN, ER_NL_SET
CEILING_VALUE, CEILING_NONE, CEILING_UNCONFIRMED = 0, 1, 2
RATE_FIXED, RATE_RANGE, RATE_RANGE_UNCONFIRMED = 0, 1, 2

# --- fields of city_month[city, month, :] --------------------------------------------------
(CM_DATA, CM_FOREIGNERS, CM_MANDATORY, CM_OPTIONAL, CM_HF_MODE, CM_CAP, CM_CAP_RATE, CM_CARRIES,
 CM_SAME_AS_BEFORE) = range(9)
CITY_MONTH_FIELDS = 9
HF_MANDATORY, HF_OPTIONAL, HF_EXCLUDED = 0, 1, 2

# --- fields of iit[month, :] ----------------------------------------------------------------
(M_CUMULATIVE, M_MONTHLY_TABLE, M_BASIC, M_FOREIGN_ADD, M_NEW_HIRE, M_LOW_INCOME,
 M_ALLOW_IN_FORCE, M_ALLOW_EITHER_OR, M_ALLOW_NONRES,
 M_AB, M_AB_RESIDENTS_ONLY, M_AB_CHOICE, M_AB_SHORTFALL, M_AB_DIVISOR, M_AB_TABLE,
 M_NB, M_NB_DIVISOR, M_NB_TABLE,
 M_LAB, M_LAB_FIXED, M_LAB_UP_TO, M_LAB_RATE, M_LAB_INCOME_RATE, M_LAB_TABLE, M_LAB_FINAL_TABLE,
 M_EQ_RES, M_EQ_RES_TABLE, M_EQ_NON, M_EQ_NON_DIVISOR, M_EQ_NON_TABLE,
 M_FIRST_DAY, M_LAST_DAY) = range(32)
IIT_FIELDS = 32

# --- year[:] --------------------------------------------------------------------------------
(Y_ANNUAL_TABLE, Y_SETTLES, Y_ANNUAL_BASIC, Y_EXEMPTION, Y_EXEMPT_INCOME, Y_EXEMPT_PAYABLE) = range(6)
YEAR_FIELDS = 6


@dataclass(frozen=True)
class YearArrays:
    """The law of ``year`` for ``cities`` (see the field constants above); ``countries`` maps an
    agreement partner (ISO alpha-2) to its column in ``agreements`` (12, K): the bits of the
    schemes a certificate exempts that month (0 where the agreement is not in force)."""

    year: int
    cities: tuple[str, ...]
    social: np.ndarray
    published: np.ndarray
    city_month: np.ndarray
    agreements: np.ndarray
    countries: dict[str, int]
    iit: np.ndarray
    annual: np.ndarray
    bounds: np.ndarray
    bound_count: np.ndarray
    rates: np.ndarray
    quick: np.ndarray


class _Schedules:
    """Every tax schedule the year uses, numbered; arrays padded to the longest."""

    def __init__(self, law: Law) -> None:
        self.law, self.index, self.items = law, {}, []

    def of(self, name: str, day: dt.date) -> int:
        schedule = self.law.value(name, day)
        key = id(schedule)
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(schedule.arrays)
        return self.index[key]

    def arrays(self):
        width = max(len(rates) for _, rates, _ in self.items)
        bounds = np.zeros((len(self.items), width), dtype=np.int64)
        rates = np.zeros((len(self.items), width), dtype=np.int64)
        quick = np.zeros((len(self.items), width), dtype=np.int64)
        count = np.zeros(len(self.items), dtype=np.int64)
        for s, (b, r, q) in enumerate(self.items):
            bounds[s, : b.size], rates[s, : r.size], quick[s, : q.size], count[s] = b, r, q, b.size
        return bounds, count, rates, quick


_CACHE: dict[tuple, YearArrays | None] = {}


def year_arrays(law: Law, year: int, cities: tuple[str, ...], carry_forward: bool = True) -> YearArrays | None:
    """The law of ``year`` for ``cities`` as arrays (figures carried forward unless strict), or
    ``None`` where the kernel leaves the year to the reference engine. Cached per law, year and cities."""
    key = (law.digest, id(law), year, cities, carry_forward)
    if key not in _CACHE:
        try:
            _CACHE[key] = _prepare(law, year, cities, carry_forward)
        except LawNotInForce:
            _CACHE[key] = None
    return _CACHE[key]


def _prepare(law: Law, year: int, cities: tuple[str, ...], carry_forward: bool) -> YearArrays | None:
    days = [dt.date(year, m, 1) for m in range(1, MONTHS + 1)]
    schedules = _Schedules(law)
    iit = np.zeros((MONTHS, IIT_FIELDS), dtype=np.int64)
    methods = [law.value(WAGE_WITHHOLDING_METHOD, day) for day in days]
    cumulative = [m.resident_method == "cumulative" for m in methods]
    if any(cumulative) and not all(cumulative):
        return None  # the reference refuses such a year with its own message
    annual_table = schedules.of(methods[0].resident_table, days[0]) if cumulative[0] else -1
    if cumulative[0] and any(schedules.of(m.resident_table, d) != annual_table for m, d in zip(methods, days)):
        return None
    equity_rules = []
    for m, day in enumerate(days):
        row = iit[m]
        row[M_CUMULATIVE] = cumulative[m]
        row[M_MONTHLY_TABLE] = schedules.of(methods[m].nonresident_table if cumulative[m] else methods[m].resident_table, day)
        basic = law.value(BASIC_DEDUCTION, day)
        row[M_BASIC], row[M_FOREIGN_ADD] = basic.monthly_fen, basic.foreigner_additional_fen
        row[M_NEW_HIRE] = _optional(law, NEW_HIRE_DEDUCTION, day) is not None
        low = _optional(law, LOW_INCOME_SIMPLIFICATION, day)
        row[M_LOW_INCOME] = 0 if low is None else yuan_to_fen(low.deduction_from_january)
        allowance = _optional(law, EXPAT_ALLOWANCE_EXEMPTION, day)
        if allowance is not None:
            row[M_ALLOW_IN_FORCE] = 1
            row[M_ALLOW_EITHER_OR] = allowance.excludes_special_additional_deductions
            row[M_ALLOW_NONRES] = allowance.nonresidents_may_claim
        bonus = _optional(law, ANNUAL_BONUS, day)
        if bonus is not None:
            row[M_AB], row[M_AB_RESIDENTS_ONLY] = 1, bonus.residents_only
            row[M_AB_CHOICE] = bonus.method == "separate_or_combined"
            row[M_AB_SHORTFALL], row[M_AB_DIVISOR] = bonus.shortfall_adjustment, bonus.divisor
            row[M_AB_TABLE] = schedules.of(bonus.table, day)
        spread = _optional(law, NONRESIDENT_MULTIMONTH_BONUS, day)
        if spread is not None:
            row[M_NB], row[M_NB_DIVISOR], row[M_NB_TABLE] = 1, spread.divisor, schedules.of(spread.table, day)
        labour = _optional(law, LABOUR_REMUNERATION, day)
        if labour is not None:
            row[M_LAB] = 1
            row[M_LAB_FIXED], row[M_LAB_UP_TO], row[M_LAB_RATE], row[M_LAB_INCOME_RATE] = labour.arrays
            row[M_LAB_TABLE] = schedules.of(labour.resident_prepayment_table, day)
            row[M_LAB_FINAL_TABLE] = row[M_MONTHLY_TABLE] if cumulative[m] else row[M_LAB_TABLE]
        resident_equity = _optional(law, EQUITY_INCENTIVE_SEPARATE, day)
        nonresident_equity = _optional(law, NONRESIDENT_EQUITY_INCENTIVE, day)
        if resident_equity is not None:
            row[M_EQ_RES], row[M_EQ_RES_TABLE] = 1, schedules.of(resident_equity.table, day)
        if nonresident_equity is not None:
            row[M_EQ_NON], row[M_EQ_NON_DIVISOR] = 1, nonresident_equity.divisor
            row[M_EQ_NON_TABLE] = schedules.of(nonresident_equity.table, day)
        equity_rules.append(tuple(row[M_EQ_RES:M_EQ_NON_TABLE + 1]))
        first = np.datetime64(day, "D")
        row[M_FIRST_DAY] = first.astype(np.int64)
        row[M_LAST_DAY] = (first.astype("datetime64[M]") + 1).astype("datetime64[D]").astype(np.int64) - 1
    if len(set(equity_rules)) > 1:
        return None  # equity taxed to date across a change of rule: the reference's batch reading

    annual = np.zeros(YEAR_FIELDS, dtype=np.int64)
    december = days[-1]
    annual[Y_ANNUAL_TABLE] = annual_table
    if cumulative[-1]:
        annual[Y_SETTLES] = 1
        annual[Y_ANNUAL_BASIC] = law.value(BASIC_DEDUCTION, december).annual_fen
        exemption = _optional(law, RECONCILIATION_EXEMPTION, december)
        if exemption is not None:
            annual[Y_EXEMPTION] = 1
            annual[Y_EXEMPT_INCOME] = yuan_to_fen(exemption.income_up_to)
            annual[Y_EXEMPT_PAYABLE] = yuan_to_fen(exemption.payable_up_to)

    social = np.zeros((len(cities), MONTHS, SCHEME_COUNT, SCHEME_FIELDS), dtype=np.int64)
    published = np.zeros_like(social)
    city_month = np.zeros((len(cities), MONTHS, CITY_MONTH_FIELDS), dtype=np.int64)
    for c, city in enumerate(cities):
        for m, day in enumerate(days):
            _city_month(law, city, day, carry_forward, social[c, m], published[c, m], city_month[c, m])
            city_month[c, m, CM_SAME_AS_BEFORE] = m > 0 and city_month[c, m, CM_DATA] and (
                social[c, m] == social[c, m - 1]).all() and (published[c, m] == published[c, m - 1]).all() and (
                city_month[c, m, :CM_SAME_AS_BEFORE] == city_month[c, m - 1, :CM_SAME_AS_BEFORE]).all()
    agreements, countries = _agreements(law, days)
    bounds, count, rates, quick = schedules.arrays()
    return YearArrays(year, cities, social, published, city_month, agreements, countries, iit, annual, bounds, count,
                      rates, quick)


def _optional(law: Law, table, day: dt.date):
    t = law.table(table)
    return t.entry_on(day).value if t.in_force_on(day) else None


def _city_month(law: Law, city: str, day: dt.date, carry_forward: bool, social: np.ndarray, published: np.ndarray,
                cm: np.ndarray) -> None:
    """One city and month: the schemes' figures (and the published ones, where some are carried
    forward), who takes part, the housing fund's tax cap."""
    try:
        figures = city_figures(law, city, day, carry_forward=carry_forward)
    except (LawError, SocialDataGap):
        figures = None  # the reference raises it for a month someone works in
    if figures is not None:
        cm[CM_DATA] = 1
        _city_value(figures.value, social)
        _city_value(figures.published, published)
        cm[CM_CARRIES] = figures.published is not figures.value
    foreigners = law.table(SOCIAL_FOREIGNERS)
    if foreigners.in_force_on(day):
        rule = foreigners.entry_on(day).value
        local = rule.local.get(city.lower())
        cm[CM_FOREIGNERS] = 1
        cm[CM_MANDATORY] = _bits(local.mandatory_schemes if local else rule.mandatory_schemes)
        cm[CM_OPTIONAL] = _bits(local.optional_schemes if local else rule.optional_schemes)
        cm[CM_HF_MODE] = ("mandatory", "optional", "excluded").index(rule.housing_fund)
    cap = _optional(law, HOUSING_FUND_TAX_CAP, day)
    if cap is not None:
        cm[CM_CAP], cm[CM_CAP_RATE] = 1, rate_to_ppm(cap.rate_cap)


def _city_value(value, social: np.ndarray) -> None:
    for s, scheme in enumerate(SCHEMES):
        if scheme == "maternity" and value.maternity_in_medical:
            social[s, MERGED] = 1
        else:
            _scheme(value.schemes[scheme], social[s])
    _housing_fund(value.housing_fund, social[HF])


def _bits(schemes) -> int:
    return sum(1 << ALL_SCHEMES.index(s) for s in set(schemes))


def _known_fen(row: np.ndarray, known: int, at: int, value) -> None:
    if value != UNCONFIRMED:
        row[known], row[at] = 1, yuan_to_fen(value)


def _base_limits(law_value, row: np.ndarray, ceiling_may_be_none: bool) -> None:
    _known_fen(row, FLOOR_KNOWN, FLOOR, law_value.base_floor)
    if law_value.base_floor_at_most is not None:
        row[FLOOR_AT_MOST_SET], row[FLOOR_AT_MOST] = 1, yuan_to_fen(law_value.base_floor_at_most)
    ceiling = law_value.base_ceiling
    if ceiling is None and ceiling_may_be_none:
        row[CEILING_KIND] = CEILING_NONE
    elif ceiling == UNCONFIRMED:
        row[CEILING_KIND] = CEILING_UNCONFIRMED
    else:
        row[CEILING_KIND], row[CEILING] = CEILING_VALUE, yuan_to_fen(ceiling)


def _rate(row: np.ndarray, known: int, at: int, value) -> None:
    if value != UNCONFIRMED:
        row[known], row[at] = 1, rate_to_ppm(value)


def _scheme(sl, row: np.ndarray) -> None:
    _base_limits(sl, row, ceiling_may_be_none=True)
    if sl.employer_rate_range is not None:
        if sl.employer_rate_range == UNCONFIRMED:
            row[ER_KIND] = RATE_RANGE_UNCONFIRMED
        else:
            row[ER_KIND] = RATE_RANGE
            row[RANGE_LOW], row[RANGE_HIGH] = (rate_to_ppm(r) for r in sl.employer_rate_range)
    else:
        _rate(row, ER_KNOWN, ER_RATE, sl.employer_rate)
        if sl.employer_rate_nonlocal is not None:
            row[ER_NL_SET] = 1
            _rate(row, ER_NL_KNOWN, ER_NL_RATE, sl.employer_rate_nonlocal)
    _rate(row, EE_KNOWN, EE_RATE, sl.employee_rate)
    if sl.employee_rate_nonlocal is not None:
        row[EE_NL_SET] = 1
        _rate(row, EE_NL_KNOWN, EE_NL_RATE, sl.employee_rate_nonlocal)
    row[FIXED] = yuan_to_fen(sl.employee_fixed)
    if sl.employer_rate_parts:
        if len(sl.employer_rate_parts) > MAX_PARTS:
            raise LawNotInForce(f"more than {MAX_PARTS} employer rate parts")  # the reference takes the year
        row[N_PARTS] = len(sl.employer_rate_parts)
        for k, part in enumerate(sl.employer_rate_parts):
            row[PART0 + k] = rate_to_ppm(part)


def _housing_fund(hl, row: np.ndarray) -> None:
    if hl is None:
        return
    row[HF_PRESENT] = 1
    _base_limits(hl, row, ceiling_may_be_none=False)
    if hl.rate_min == UNCONFIRMED or hl.rate_max == UNCONFIRMED:
        if hl.rate_max != UNCONFIRMED:
            row[HF_KNOWN_END_SET], row[HF_KNOWN_END] = 1, rate_to_ppm(hl.rate_max)
    else:
        row[HF_RANGED], row[RANGE_LOW], row[RANGE_HIGH] = 1, rate_to_ppm(hl.rate_min), rate_to_ppm(hl.rate_max)


def _agreements(law: Law, days: list[dt.date]) -> tuple[np.ndarray, dict[str, int]]:
    table = law.table(SOCIAL_AGREEMENTS)
    countries: dict[str, int] = {}
    for value in table.values:
        for agreement in value.agreements:
            countries.setdefault(agreement.country, len(countries))
    bits = np.zeros((MONTHS, max(len(countries), 1)), dtype=np.int64)
    for m, day in enumerate(days):
        if not table.in_force_on(day):
            continue
        for agreement in table.entry_on(day).value.agreements:
            if agreement.in_force_on(day):
                bits[m, countries[agreement.country]] |= _bits(agreement.china_exempt)
    return bits, countries
