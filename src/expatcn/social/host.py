"""Host-country social security contributions (``law/social/host/<iso2>.yaml``), month by month.

Amounts are int64 minor units of the host currency (cents, or yen and won where the currency has
none); rates apply with the project's one rule, half up (``expatcn.money.apply_rate``). Each month
is read from the table on its pay date, the month's last day (so UK April pay falls in the new tax
year). Annual (or quarterly) wage bases are cumulative: the running total of the window decides how
much of this month's wage is still below the ceiling or already above the threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from expatcn.dates import pay_date
from expatcn.errors import InputError, LawError
from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.law.schemas.social_international import EmployerClass, HostScheme, HostSocialSecurity
from expatcn.money import apply_rate, rate_to_ppm

HOST_SCHEMA = "host_social_security"


def host_countries(law: Law) -> tuple[str, ...]:
    """The countries (ISO alpha-2) with a host-country social security table, ``law/social/host/<cc>.yaml``."""
    return tuple(sorted(name.rsplit("/", 1)[1].upper() for name in law.names(HOST_SCHEMA)
                        if name.startswith("social/host/")))


def host_table(country: str) -> str:
    return f"social/host/{country.lower()}"


def to_minor(amount: Decimal | str | int, minor_per_unit: int) -> int:
    """A currency amount as integer minor units; exact or an error."""
    value = Decimal(str(amount)) * minor_per_unit
    if value != value.to_integral_value():
        raise InputError(f"amount {amount} is finer than the currency's minor unit (1/{minor_per_unit})")
    return int(value)


@dataclass
class HostMonthLaw:
    """The host table's entry for one month, with its reference."""

    month: dt.date
    value: HostSocialSecurity
    ref: LawRef


@dataclass
class HostContributions:
    """Host contributions for N people over M consecutive months, per scheme: the intermediate
    bases and the employer and employee amounts, each (N, M) int64 minor units."""

    country: str
    currency: str
    minor_per_unit: int
    months: list[dt.date]
    schemes: dict[str, HostScheme]  # key -> scheme (the latest period's wording)
    base: dict[str, np.ndarray] = field(default_factory=dict)
    employer: dict[str, np.ndarray] = field(default_factory=dict)
    employee: dict[str, np.ndarray] = field(default_factory=dict)
    exempt: dict[str, np.ndarray] = field(default_factory=dict)
    law: list[HostMonthLaw] = field(default_factory=list)
    employer_class: list[EmployerClass | None] = field(default_factory=list)  # per person, as applied

    def _sum(self, parts: dict[str, np.ndarray], keys: Sequence[str] | None = None) -> np.ndarray:
        shape = (0, len(self.months))
        total = None
        for key, array in parts.items():
            if keys is not None and key not in keys:
                continue
            total = array.copy() if total is None else total + array
            shape = array.shape
        return total if total is not None else np.zeros(shape, dtype=np.int64)

    def employer_total(self, keys: Sequence[str] | None = None) -> np.ndarray:
        return self._sum(self.employer, keys)

    def employee_total(self, keys: Sequence[str] | None = None) -> np.ndarray:
        return self._sum(self.employee, keys)

    def keys_in_branches(self, branches: set[str]) -> list[str]:
        return [k for k, s in self.schemes.items() if s.branch in branches]


def _window(month: dt.date, window: str) -> object:
    """The cumulative window a month falls in: calendar year, calendar quarter, or the financial
    year from July (Australia's annual maximum contributions base from 2026-27)."""
    if window == "year":
        return month.year
    if window == "year_from_july":
        return month.year if month.month >= 7 else month.year - 1
    return month.year, (month.month - 1) // 3


def _cumulative_base(
    base: np.ndarray, months: list[dt.date], window: str, threshold: int, ceiling: int | None
) -> np.ndarray:
    """Month by month, the part of the window's running total between threshold and ceiling."""

    def band(x: np.ndarray) -> np.ndarray:
        above = np.maximum(x - threshold, 0)
        return above if ceiling is None else np.minimum(above, ceiling - threshold)

    out = np.zeros_like(base)
    running = np.zeros(base.shape[0], dtype=np.int64)
    key_before = None
    for m, month in enumerate(months):
        key = _window(month, window)
        if key != key_before:
            running = np.zeros(base.shape[0], dtype=np.int64)
            key_before = key
        after = running + base[:, m]
        out[:, m] = band(after) - band(running)
        running = after
    return out


def _running_round(base: np.ndarray, months: list[dt.date], m: int, window: str, ppm: np.ndarray | int) -> np.ndarray:
    """This month's contribution as round(rate × window base to date) − round(rate × base before)."""
    first = m
    while first > 0 and _window(months[first - 1], window) == _window(months[m], window):
        first -= 1
    before = base[:, first:m].sum(axis=1)
    return apply_rate(before + base[:, m], ppm) - apply_rate(before, ppm)


def scheme_base(scheme: HostScheme, wage: np.ndarray, minor: int) -> np.ndarray:
    """The month's base before any cumulative window: share, floor, ceiling, exemption."""
    base = np.asarray(wage, dtype=np.int64)
    if scheme.base_share != 1:
        base = apply_rate(base, rate_to_ppm(scheme.base_share))
    if scheme.monthly_floor is not None:
        base = np.where(base > 0, np.maximum(base, to_minor(scheme.monthly_floor, minor)), 0)
    if scheme.monthly_ceiling is not None:
        base = np.minimum(base, to_minor(scheme.monthly_ceiling, minor))
    if scheme.monthly_exemption:
        base = np.maximum(base - to_minor(scheme.monthly_exemption, minor), 0)
    return base


def _employer_ppm(scheme: HostScheme, classes: list[EmployerClass | None]) -> np.ndarray | int:
    """The employer rate in ppm: one number, or one per person where it depends on the class."""
    if scheme.employer_rate_by_class is None:
        return rate_to_ppm(scheme.employer_rate_for(None))
    return np.array([rate_to_ppm(scheme.employer_rate_for(c.key if c else None)) for c in classes], dtype=np.int64)


def host_contributions(
    law: Law,
    country: str,
    wages: np.ndarray,
    months: Sequence[dt.date],
    exempt_branches: Mapping[str, np.ndarray] | None = None,
    not_applicable: frozenset[str] | set[str] = frozenset(),
    employer_class: str | Sequence[str | None] | None = None,
) -> HostContributions:
    """Employer and employee contributions in ``country`` on monthly ``wages``.

    wages: (N, M) int64 minor units of the host currency, one column per month of ``months``
    (consecutive calendar months, first day or any day of each). exempt_branches: branch ->
    (N, M) bool, months in which a certificate of coverage removes that branch (exempt months also
    drop out of annual wage bases). not_applicable: scheme keys that do not apply to these people
    (e.g. Japan's ``kaigo_hoken`` under age 40). employer_class: the employer's class where a rate
    depends on it (e.g. Korea's employment security by size), one for all or one per person; ``None``
    takes the table's ``default_employer_class`` (the class used is in the result). Raises
    ``LawError`` naming the country and month where the table has no data, ``ValueError`` for a
    class the table does not know.
    """
    wages = np.atleast_2d(np.asarray(wages, dtype=np.int64))
    months = [m.replace(day=1) for m in months]
    if wages.shape[1] != len(months):
        raise ValueError(f"wages have {wages.shape[1]} month columns, months has {len(months)}")
    if (wages < 0).any():
        raise ValueError("wages must not be negative")
    table = host_table(country)
    entries: list[HostMonthLaw] = []
    for month in months:
        try:
            entry = law.on(table, pay_date(month))
        except LawError as exc:
            raise LawError(f"no host-country data for {country.upper()} in {month:%Y-%m}: {exc}") from None
        entries.append(HostMonthLaw(month, entry.value, entry.ref))
    first = entries[0].value
    result = HostContributions(country.upper(), first.currency, first.minor_per_unit, months, {}, law=entries)
    for entry in entries:
        if entry.value.currency != first.currency or entry.value.minor_per_unit != first.minor_per_unit:
            raise LawError(f"{table}: currency changes within the months asked for")
        for scheme in entry.value.schemes:
            result.schemes[scheme.key] = scheme
    n, m_count = wages.shape
    asked = [employer_class] * n if employer_class is None or isinstance(employer_class, str) else list(employer_class)
    if len(asked) != n:
        raise ValueError(f"employer_class has {len(asked)} entries for {n} people")
    classes = [[entry.value.employer_class(key) for key in asked] for entry in entries]  # month -> person
    result.employer_class = classes[-1]
    no = np.zeros((n, m_count), dtype=bool)
    for key, latest in result.schemes.items():
        base = np.zeros((n, m_count), dtype=np.int64)
        employer = np.zeros_like(base)
        employee = np.zeros_like(base)
        exempt = (exempt_branches or {}).get(latest.branch, no)
        exempt = np.broadcast_to(np.asarray(exempt, dtype=bool), (n, m_count))
        # months grouped by identical scheme definitions, so a cumulative window sees every month
        monthly = np.zeros_like(base)
        for m, entry in enumerate(entries):
            scheme = next((s for s in entry.value.schemes if s.key == key), None)
            if scheme is None or key in not_applicable:
                continue
            monthly[:, m] = np.where(exempt[:, m], 0, scheme_base(scheme, wages[:, m], first.minor_per_unit))
        for m, entry in enumerate(entries):
            scheme = next((s for s in entry.value.schemes if s.key == key), None)
            if scheme is None or key in not_applicable:
                continue
            if scheme.cumulative == "none":
                base[:, m] = monthly[:, m]
            else:
                thr = to_minor(scheme.cumulative_threshold, first.minor_per_unit)
                cap = None if scheme.cumulative_ceiling is None else to_minor(scheme.cumulative_ceiling, first.minor_per_unit)
                base[:, m] = _cumulative_base(monthly, months, scheme.cumulative, thr, cap)[:, m]
            employer_ppm = _employer_ppm(scheme, classes[m])
            employer[:, m] = apply_rate(base[:, m], employer_ppm)
            employee[:, m] = apply_rate(base[:, m], rate_to_ppm(scheme.employee_rate))
            if scheme.cumulative != "none":
                # cumulative schemes round the running total, so the window's contributions equal
                # rate × window base exactly and never pass the legal maximum (e.g. CPP, OASDI)
                employer[:, m] = _running_round(base, months, m, scheme.cumulative, employer_ppm)
                employee[:, m] = _running_round(base, months, m, scheme.cumulative, rate_to_ppm(scheme.employee_rate))
        result.base[key] = base
        result.employer[key] = employer
        result.employee[key] = employee
        result.exempt[key] = exempt.copy()
    return result
