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
_DAY_TEXT = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MOMENT_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a year outside is a typo, not a payroll month
# Days (hire dates, trips, periods, certificates) reach back further than payroll months: the
# six-year clock counts from 1994 on (Caishui Zi [1995] No. 98), staff were hired decades ago.
FIRST_DAY_YEAR = 1950


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


def parse_day(value: object, first_year: int = FIRST_DAY_YEAR, last_year: int = LAST_YEAR) -> dt.date:
    """A day: a date (a date-time at 00:00 is its day) or the text ``YYYY-MM-DD`` — the whole
    text, a real calendar day, in ``first_year``..``last_year``; anything else is an
    :class:`InputError` saying what was expected."""
    expected = f"a date YYYY-MM-DD in {first_year}–{last_year}"
    if isinstance(value, dt.datetime):
        if value.time() != dt.time() or value.tzinfo is not None:
            raise InputError(f"expected {expected} (no time of day), got {value!r}")
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        match = _DAY_TEXT.fullmatch(str(value).strip()) if isinstance(value, str) else None
        try:
            day = dt.date(*map(int, match.groups())) if match else None
        except ValueError:
            raise InputError(f"expected {expected}, got {value!r}: no such day") from None
        if day is None:
            raise InputError(f"expected {expected}, got {value!r}")
    if not first_year <= day.year <= last_year:
        raise InputError(f"expected {expected}, got {day}")
    return day


def parse_moment(value: object, first_year: int = FIRST_DAY_YEAR, last_year: int = LAST_YEAR) -> dt.datetime:
    """A day or a moment: a date (its 00:00), a date-time, or the text ``YYYY-MM-DD`` or
    ``YYYY-MM-DD HH:MM[:SS]`` (``T`` between them is read too; ``24:00`` is 00:00 of the next day,
    ISO 8601) — the whole text, real days and times, in ``first_year``..``last_year``."""
    expected = f"a date YYYY-MM-DD or date-time YYYY-MM-DD HH:MM in {first_year}–{last_year}"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise InputError(f"expected {expected} (China time, no time zone), got {value!r}")
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        match = _MOMENT_TEXT.fullmatch(str(value).strip()) if isinstance(value, str) else None
        if match is None:
            raise InputError(f"expected {expected}, got {value!r}")
        day_text, hour, minute, second = match.groups()
        try:
            day = dt.date.fromisoformat(day_text)
            if (hour, minute, second or "00") == ("24", "00", "00"):
                moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
            else:
                moment = dt.datetime.combine(day, dt.time(int(hour or 0), int(minute or 0), int(second or 0)))
        except ValueError:
            raise InputError(f"expected {expected}, got {value!r}: no such day or time") from None
    if not first_year <= moment.year <= last_year:
        raise InputError(f"expected {expected}, got {moment.isoformat(' ')}")
    return moment


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
