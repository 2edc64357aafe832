"""Schemas of the filing-calendar tables (``law/calendar/``).

A period of ``calendar/withholding_deadlines`` covers the days on which returns fall due (the
*filing* month: the return for March wages is due in April, under April's period). Its value is
either the calendar the STA published for that year (``method: published``: the last day of
each month's filing period, with the notice's reasons), or the rule itself (``method: rule``:
the ``day_of_month``, moved past weekly rest days and public holidays under art. 109 of the
Implementing Rules of the Tax Collection Administration Law) for years without a published
calendar, with the public holidays where the State Council's holiday notice is known.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue, listed_once

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Holiday(LawValue):
    """A block of public holidays as the State Council lists it (weekend days inside included)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    name: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.end < self.start:
            raise ValueError(f"holiday ends ({self.end}) before it starts ({self.start})")
        return self


@value_schema("withholding_deadlines")
class WithholdingDeadlines(LawValue):
    """When the monthly withholding return (扣缴申报) is due.

    day_of_month: the period ends on this day of the month after the month withheld (IIT Law).
    weekly_rest_days: rest days that move a deadline (法定休假日 include the weekly rest days).
    min_holiday_run: a run of at least this many consecutive holidays inside the period extends
        it by as many working days (Implementing Rules art. 109: "连续3日以上法定休假日").
    deadlines / reasons: the published last day of each filing month (1–12) and the reason the
        notice gives (``method: published`` only).
    holidays / workdays: public holiday blocks and weekend days made working days, where known,
        for computing from the rule; holidays_note: where they come from if not from the State
        Council's notice (e.g. the statutory holidays before the notice is out).
    """

    method: Literal["published", "rule"]
    day_of_month: int = Field(ge=1, le=28)
    weekly_rest_days: list[Weekday] = Field(default_factory=lambda: ["saturday", "sunday"])
    min_holiday_run: int = Field(default=3, ge=1)
    document: str | None = None
    deadlines: dict[int, dt.date] = Field(default_factory=dict)
    reasons: dict[int, str] = Field(default_factory=dict)
    holidays: list[Holiday] = Field(default_factory=list)
    workdays: list[dt.date] = Field(default_factory=list)
    holidays_note: str | None = Field(
        default=None, description="where the holidays come from, when not from the State Council's notice"
    )

    @model_validator(mode="after")
    def _complete(self) -> WithholdingDeadlines:
        if self.method == "published":
            if sorted(self.deadlines) != list(range(1, 13)):
                raise ValueError("a published calendar gives the deadline of every filing month 1–12")
            years = {d.year for d in self.deadlines.values()}
            if len(years) != 1:
                raise ValueError(f"a published calendar is for one year, got {sorted(years)}")
            for month, day in self.deadlines.items():
                if day.month != month or day.day < self.day_of_month:
                    raise ValueError(f"deadline {day} of filing month {month} is not on or after day {self.day_of_month} of that month")
            if not set(self.reasons) <= set(self.deadlines):
                raise ValueError("reasons are keyed by filing month 1–12")
        elif self.deadlines:
            raise ValueError("method 'rule' computes the deadlines; list published dates under method 'published'")
        return self

    def holiday_days(self) -> set[dt.date]:
        days: set[dt.date] = set()
        for block in self.holidays:
            day = block.start
            while day <= block.end:
                days.add(day)
                day += dt.timedelta(days=1)
        return days


MonthDay = Annotated[str, StringConstraints(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


class Deadline(LawValue):
    """One filing or reporting obligation and when it falls due, counted from ``anchor``:
    ``window_from``..``window_to`` (MM-DD) of the year after it; ``days_after`` it; or before the
    event it names (``before``). ``law``: the article that sets it; ``optional``: the taxpayer
    may do it (a right), need not."""

    obligation: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    party: Literal["taxpayer", "withholding_agent"]
    law: str = Field(min_length=1)
    anchor: Literal["tax_year_end", "month_of_income_end", "month_threshold_reached_end", "event"]
    window_from: MonthDay | None = None
    window_to: MonthDay | None = None
    days_after: int | None = Field(default=None, ge=1)
    before: Literal["departure", "hukou_cancellation", "leaving_employer"] | None = None
    optional: bool = Field(default=False, description="a right the taxpayer may use, not a duty")

    @model_validator(mode="after")
    def _one_rule(self) -> Deadline:
        rules = [self.window_to is not None, self.days_after is not None, self.before is not None]
        if sum(rules) != 1:
            raise ValueError(f"{self.obligation}: give exactly one of window_to, days_after or before")
        if (self.window_from is None) != (self.window_to is None):
            raise ValueError(f"{self.obligation}: window_from and window_to go together")
        return self


@value_schema("filing_deadlines")
class FilingDeadlines(LawValue):
    """The taxpayer's and the withholding agent's IIT filing and reporting deadlines other than
    the monthly withholding return (``withholding_deadlines``)."""

    deadlines: list[Deadline] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> FilingDeadlines:
        listed_once([d.obligation for d in self.deadlines], "obligation")
        return self
