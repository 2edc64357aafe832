"""The assignment the planner works on: one person's cross-border assignment, already checked for
shape (a file, the API, the web form or a batch build it; ``io.assignment_file`` is the file's
reader). Amounts are exact decimals in ``package.currency`` (per month unless said otherwise)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import numpy as np

from expatcn.dates import Month
from expatcn.equalization import HypotheticalContributions, HypotheticalTax
from expatcn.planning.structures import INBOUND, OUTBOUND, of_direction


@dataclass(frozen=True)
class Person:
    name: str = "assignee"
    nationality: str = "CN"
    allowance_exemption: bool = True  # a foreigner elects the allowance exemption each year
    special_additional_deductions: Decimal = Decimal(0)  # RMB a month
    housing_fund: bool | None = None  # a foreigner's opt-in (None: by nationality)
    prior_years: int = 0  # qualifying years for the six-year clock before the trips start


@dataclass(frozen=True)
class Bonus:
    amount: Decimal
    month: int = 12


@dataclass(frozen=True)
class Package:
    salary_monthly: Decimal
    currency: str = "CNY"
    salary_by_year: dict[int, Decimal] = field(default_factory=dict)  # monthly salary from that year on
    allowances: dict[str, Decimal] = field(default_factory=dict)  # monthly expat allowances by kind
    bonus: Bonus | None = None  # every year of the assignment, in its month
    china_contribution_wage: Decimal | None = None  # RMB a month (default: the salary)
    host_wage_monthly: Decimal | None = None  # outbound: in the host currency (default: the salary at the rates)


@dataclass(frozen=True)
class Equalization:
    """The employer's tax-equalization policy: the hypothetical home tax (the composite's
    :class:`expatcn.equalization.HypotheticalTax`) and hypothetical contributions, RMB fen."""

    tax: HypotheticalTax
    contributions: HypotheticalContributions


@dataclass(frozen=True)
class Certificate:
    start: dt.date | None = None  # default: the assignment start
    until: dt.date | None = None  # default: start + the agreement's maximum − 1 day


@dataclass(frozen=True)
class Assignment:
    """One assignment; ``structures`` empty means every structure of its direction."""

    home_country: str
    host_country: str
    city: str  # the China city of the social insurance tables
    start: dt.date
    end: dt.date
    package: Package
    person: Person = Person()
    title: str | None = None
    stays: tuple[tuple[dt.date, dt.date | None], ...] = ()  # stays in China (default: start to end)
    business_days_per_month: int = 6  # the business-traveller structure's days in China a month
    certificate: Certificate | None = None
    foreign_employer_class: str | None = None  # where the other country's rates depend on the employer (KR)
    paid_abroad_share: Decimal = Decimal("0.5")  # split payroll: share of salary and bonus paid abroad
    fx: dict[str, Decimal] = field(default_factory=dict)  # RMB per unit, given by the user
    projections: tuple[str, ...] = ()  # projection overlays assumed (names, shown in every output)
    structures: tuple[str, ...] = ()
    host_tax_options: dict = field(default_factory=dict)  # the host income tax's own choices (e.g. DE church)
    equalization: Equalization | None = None  # tax equalization (None: the assignee bears the taxes)

    @property
    def inbound(self) -> bool:
        return self.host_country == "CN"

    @property
    def direction(self) -> str:
        return INBOUND if self.inbound else OUTBOUND

    @property
    def other_country(self) -> str:
        """The country that is not China: home (inbound) or host (outbound)."""
        return self.home_country if self.inbound else self.host_country

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def chosen_structures(self) -> list[str]:
        return list(self.structures or of_direction(self.direction))

    def salary(self, year: int) -> Decimal:
        amount = self.package.salary_monthly
        for from_year in sorted(self.package.salary_by_year):
            if from_year <= year:
                amount = self.package.salary_by_year[from_year]
        return amount

    def trip_dates(self) -> list[tuple[dt.date, dt.date | None]]:
        """Stays in China: those given, else one stay from start to end."""
        return list(self.stays) or [(self.start, self.end)]

    def employed(self, year: int) -> np.ndarray:
        """Months of ``year`` that overlap the assignment (a part month counts as a whole month)."""
        return _overlap(self.start, self.end, year)


@lru_cache(maxsize=4096)
def _overlap(start: dt.date, end: dt.date, year: int) -> np.ndarray:
    first = np.array([Month(year, m).first for m in range(1, 13)])
    last = np.array([Month(year, m).last for m in range(1, 13)])
    out = (last >= start) & (first <= end)
    out.flags.writeable = False
    return out
