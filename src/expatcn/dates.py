"""Months and days: the one date vocabulary of the project.

A tax month is written ``YYYY-MM`` (``2026-03``; ``2026-3`` is read too). Withholding is monthly
and cumulative within the calendar year (IIT Law art. 10; STA Announcement 2018 No. 61), social
insurance is declared per calendar month, so whole calendar months are the unit everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from expatcn.errors import InputError

_MONTH_TEXT = re.compile(r"(\d{4})-(\d{1,2})")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a year outside is a typo, not a payroll month


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month. Unpacks as ``year, month``; prints as ``YYYY-MM``; ``+ n`` moves by months."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InputError(f"month must be 1–12, got {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: object) -> Month:
        """``"2026-03"`` → ``Month(2026, 3)``; anything else is an :class:`InputError`."""
        match = _MONTH_TEXT.fullmatch(str(text).strip())
        if not match or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR or not 1 <= int(match.group(2)) <= 12:
            raise InputError(f"expected a month YYYY-MM, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month a date falls in."""
        return cls(day.year, day.month)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def __add__(self, months: int) -> Month:
        year, index = divmod(self.year * 12 + self.month - 1 + months, 12)
        return Month(year, index + 1)

    def __sub__(self, months: int) -> Month:
        return self + -months

    def __iter__(self):
        return iter((self.year, self.month))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, clipped to the month's last day (Jan 31 + 1 = Feb 28)."""
    target = Month.of(day) + months
    return target.first.replace(day=min(day.day, target.days))


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every calendar month from ``start``'s to ``end``'s, inclusive."""
    months, cursor, stop = [], Month.of(start), Month.of(end)
    while cursor <= stop:
        months.append(cursor.first)
        cursor += 1
    return months


def pay_date(day: dt.date) -> dt.date:
    """The last day of ``day``'s month: the date on which a month's pay (and the contributions
    on it) is read against the law tables."""
    return Month.of(day).last
