"""Schemas of the residency and sourcing tables (``law/residency/``): how days are counted,
who is resident, the 90-day rule, the six-year (before 2019: five-year) clock, the treaty
183-day periods and which apportionment formula applies in each situation."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from expatcn.law.model import Confidence, Source
from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue

DayCount = Literal["full_24_hours", "any_presence"]


@value_schema("residence_days")
class ResidenceDays(LawValue):
    """Which days count as days of residence in China, and the test that makes a non-domiciled
    individual resident for a tax year.

    ``full_24_hours`` (MOF/STA 2019 No. 34 art. 2): only days with 24 hours in China count.
    ``any_presence`` (before 2019): the days of arrival and departure count as days in China.
    ``days`` test: resident with at least ``resident_min_days``; ``full_year`` test (before
    2019): resident only if in China the whole year, temporary departures (one of at most
    ``temporary_absence_max_single_days``, all together at most
    ``temporary_absence_max_total_days``) not deducted.
    """

    day_count: DayCount
    resident_test: Literal["days", "full_year"]
    resident_min_days: int | None = Field(default=None, ge=1, le=366)
    temporary_absence_max_single_days: int | None = Field(default=None, ge=0)
    temporary_absence_max_total_days: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _complete(self) -> ResidenceDays:
        if self.resident_test == "days" and self.resident_min_days is None:
            raise ValueError("the 'days' test needs resident_min_days")
        if self.resident_test == "full_year" and (
            self.temporary_absence_max_single_days is None or self.temporary_absence_max_total_days is None
        ):
            raise ValueError("the 'full_year' test needs both temporary-absence limits")
        return self


@value_schema("work_days")
class WorkDays(LawValue):
    """How China work days are counted for apportioning wages (MOF/STA 2019 No. 35 §1(1)).

    A day with 24 hours in China is one work day; a day in China of less than 24 hours counts as
    ``partial_day_halves`` half days (1 = half a day) for individuals who also hold a post abroad
    (or only abroad); for individuals with a post in China only it counts as a whole day.
    """

    partial_day_halves: Literal[1, 2]


@value_schema("ninety_day_rule")
class NinetyDayRule(LawValue):
    """Implementation Regulations art. 5 (2018) / art. 7 (before 2019): a non-domiciled individual
    in China for at most ``max_days`` in the year is exempt on China-source wages paid by an
    overseas employer and not borne by its establishment in China. ``day_count`` says which days count."""

    max_days: int = Field(ge=1, le=366)
    day_count: DayCount


@value_schema("worldwide_clock")
class WorldwideClock(LawValue):
    """The clock after which a non-domiciled resident is taxed on worldwide income.

    Worldwide income is taxable in year Y if the individual is resident in Y and each of the
    ``years`` years before Y qualified; years before ``count_from_year`` never qualify.
    A year qualifies if the individual was resident that year and (where set) no single absence
    in it was longer than ``max_single_absence_days``. ``absence_days``: how long an absence is —
    ``full_days_abroad`` counts the days strictly between the departure and the return.
    ``absence_across_year_end``: ``clip_to_year`` counts only the days of an absence that fall
    in the year being tested. ``restart_below_days`` (before 2019, Caishui Zi [1995] No. 98 §2):
    once the clock has run, a later year with fewer days of residence than this leaves that
    year's obligations to the short-stay rule and restarts the count from the next full year.
    """

    years: int = Field(ge=1)
    count_from_year: int
    max_single_absence_days: int | None = Field(default=None, ge=0)
    absence_days: Literal["full_days_abroad"] = "full_days_abroad"
    absence_across_year_end: Literal["clip_to_year"] = "clip_to_year"
    requires_record_filing: bool = False
    restart_below_days: int | None = Field(default=None, ge=1)


CountingPeriod = Literal[
    "calendar_year",
    "twelve_months_in_year",
    "unverified",
    "not_in_force",
]


class TreatyPartner(LawValue):
    """One treaty or arrangement version and how its 183-day period is counted.

    ``calendar_year``: days in the calendar year concerned (also 'fiscal/taxable year' wordings,
    since China's tax year is the calendar year). ``twelve_months_in_year``: any 12-month period
    commencing or ending in the year (also 'any 12 months'). ``unverified``: the wording was not
    read; the engine applies both counts and keeps the stricter, and says so.
    """

    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    version: str
    applies_from: dt.date | None = None
    applies_to: dt.date | None = None
    counting_period: CountingPeriod
    confidence: Confidence
    note: str | None = None
    sources: list[Source] = Field(min_length=1)
    directors_fee_covers_management: bool | Literal["unverified"] = Field(
        "unverified", description="the director's-fee article also covers senior management (MOF/STA 2019 No. 35 §4(4))")


@value_schema("treaty_183")
class Treaty183(LawValue):
    """The treaty 183-day rule: a resident of a treaty partner in China for at most ``max_days``
    within the treaty's period is not taxed on wages for work in China that are not paid by or on
    behalf of a China employer nor borne by its establishment in China (MOF/STA 2019 No. 35 §4(1)).
    ``day_count``: which days count (treaty practice: any part of a day)."""

    max_days: int = Field(ge=1, le=366)
    day_count: DayCount
    partners: list[TreatyPartner]

    @model_validator(mode="after")
    def _no_overlapping_versions(self) -> Treaty183:
        by_code: dict[str, list[TreatyPartner]] = {}
        for partner in self.partners:
            by_code.setdefault(partner.code, []).append(partner)
        for code, versions in by_code.items():
            versions.sort(key=lambda v: v.applies_from or dt.date.min)
            for before, after in zip(versions, versions[1:]):
                if before.applies_to is None or (after.applies_from or dt.date.min) <= before.applies_to:
                    raise ValueError(f"treaty versions for {code} overlap")
        return self

    def partner_on(self, code: str, day: dt.date) -> TreatyPartner | None:
        for partner in self.partners:
            if partner.code != code:
                continue
            if partner.applies_from is not None and day < partner.applies_from:
                continue
            if partner.applies_to is not None and day > partner.applies_to:
                continue
            return partner
        return None


Formula = Literal[
    "china_paid_x_china_days",
    "china_days",
    "exclude_overseas_paid_overseas_days",
    "china_paid",
    "all",
]


class SituationFormulas(LawValue):
    employee: Formula
    executive: Formula


@value_schema("wage_sourcing")
class WageSourcing(LawValue):
    """Which wage-apportionment formula applies in each sourcing situation (MOF/STA 2019 No. 35 §2;
    before 2019 Guoshuifa [2004] No. 97 / [1994] No. 148). Formulas, with W total wages, C the
    part paid or borne in China, d China work days and D calendar days of the period:
    ``china_paid_x_china_days`` W × C/W × d/D; ``china_days`` W × d/D;
    ``exclude_overseas_paid_overseas_days`` W × [1 − (W−C)/W × (D−d)/D]; ``china_paid`` C; ``all`` W.
    ``treaty_resident_worldwide``: the formula for a resident on the worldwide clock who is a
    treaty-partner resident claiming the treaty for work abroad (2019 No. 35 §4(2))."""

    nonresident_short: SituationFormulas
    nonresident_long: SituationFormulas
    resident: SituationFormulas
    resident_worldwide: SituationFormulas
    treaty_resident_worldwide: Formula | None = None
