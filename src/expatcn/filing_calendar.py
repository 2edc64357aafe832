"""The filing calendar: when each month's withholding return is due, and when the other filing
and reporting obligations fall (:func:`obligations`, :func:`obligation_due`).

The dates are law data (``law/calendar/withholding_deadlines.yaml``): the calendar the STA
published for the year where there is one, else the rule (the 15th of the next month, moved past
weekly rest days and public holidays, Implementing Rules of the Tax Collection Administration
Law art. 109). This module only reads that table and, for rule years, applies the rule to the
days it lists; it holds no date of its own.

    >>> from expatcn.law import load_law
    >>> day, ref, how = due_date(load_law(), "2025-01")    # January 2025 wages
    >>> day.isoformat(), ref.confidence
    ('2025-02-20', 'high')
"""

from __future__ import annotations

import datetime as dt

from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.law.schemas.calendar import WEEKDAYS, Deadline, WithholdingDeadlines
from expatcn.law.tables import FILING_DEADLINES, STATUS_CHANGE_REPORTS, WITHHOLDING_DEADLINES



class CalendarError(InputError):
    """A month that is not a month."""


def tax_month(value: str | dt.date | tuple[int, int]) -> tuple[int, int]:
    """``"2026-03"``, a date in the month, or ``(2026, 3)`` → ``(2026, 3)``."""
    if isinstance(value, dt.date):
        return value.year, value.month
    try:
        if isinstance(value, tuple) and len(value) == 2:
            return tuple(Month(int(value[0]), int(value[1])))
        return tuple(Month.parse(value))
    except InputError as exc:
        raise CalendarError(str(exc)) from None


def filing_month(month: str | dt.date | tuple[int, int]) -> tuple[int, int]:
    """The month in which the return for ``month``'s withholding is filed (the next month)."""
    return tuple(Month(*tax_month(month)) + 1)


def due_date(law: Law, month: str | dt.date | tuple[int, int]) -> tuple[dt.date, LawRef, str]:
    """The last day to file and pay the tax withheld in ``month`` (the wage month, e.g.
    ``"2026-03"``: due in April 2026), the law entry it comes from, and how it was found:
    ``"published: <notice> (<reason>)"`` or ``"computed from the rule: …"``.

    Raises :class:`expatcn.law.LawNotInForce` for a month the table does not cover."""
    year, number = filing_month(month)
    entry = law.on(WITHHOLDING_DEADLINES, dt.date(year, number, 1))
    rule: WithholdingDeadlines = entry.value
    if rule.method == "published":
        day = rule.deadlines[number]
        reason = rule.reasons.get(number) or ("截至当月15日" if day.day == rule.day_of_month else "")
        notice = rule.document or "the STA's calendar for the year"
        return day, entry.ref, f"published: {notice}" + (f" ({reason})" if reason else "")
    day, explanation = rule_deadline(rule, year, number)
    return day, entry.ref, "computed from the rule: " + explanation


def rule_deadline(rule: WithholdingDeadlines, year: int, month: int) -> tuple[dt.date, str]:
    """The last day of the filing period of ``month`` (the filing month) under the rule
    (art. 109): day ``day_of_month``; where runs of at least ``min_holiday_run`` consecutive
    public holidays fall inside the period, that many working days after it; otherwise that day
    or, if it is a rest day or holiday, the next working day."""
    holidays = rule.holiday_days()
    workdays = set(rule.workdays)
    rest = {WEEKDAYS.index(d) for d in rule.weekly_rest_days}

    def working(day: dt.date) -> bool:
        return day in workdays or (day not in holidays and day.weekday() not in rest)

    last = dt.date(year, month, rule.day_of_month)
    extension, run = 0, 0
    for offset in range(rule.day_of_month):
        if dt.date(year, month, offset + 1) in holidays:
            run += 1
            continue
        extension += run if run >= rule.min_holiday_run else 0
        run = 0
    extension += run if run >= rule.min_holiday_run else 0
    day = last
    if extension:
        counted = 0
        while counted < extension:
            day += dt.timedelta(days=1)
            counted += working(day)
        why = f"{rule.day_of_month}th extended by {extension} holiday day(s) inside the period, counted in working days"
    else:
        while not working(day):
            day += dt.timedelta(days=1)
        why = f"the {rule.day_of_month}th" + (", moved to the next working day" if day != last else "")
    year_holidays = any(h.start.year == year or h.end.year == year for h in rule.holidays)
    if not year_holidays:
        why += f"; public holidays of {year} not in the law tables (weekends only) — check the STA's notice"
    elif rule.holidays_note:
        why += f"; {rule.holidays_note}"
    return day, why


def obligations(law: Law, day: dt.date) -> dict[str, tuple[Deadline, LawRef]]:
    """The filing and reporting obligations in force on ``day`` (``calendar/filing_deadlines`` and
    ``calendar/status_change_reports``), by name, each with its law entry."""
    out = {}
    for table in (FILING_DEADLINES, STATUS_CHANGE_REPORTS):
        entry = law.on(table, day)
        for deadline in entry.value.deadlines:
            out[deadline.obligation] = (deadline, entry.ref)
    return out


def obligation_due(deadline: Deadline, tax_year: int, *, month: int | None = None,
                   event: dt.date | None = None) -> tuple[dt.date | None, dt.date]:
    """When ``deadline`` falls for ``tax_year``: ``(window opens or None, last day)``. ``month``:
    the month the anchor names (the month of the income, or in which the threshold was reached);
    ``event``: the day of the event it must precede (departure, leaving the employer). The days
    are the law's own (a rest day is not moved here: the table's note says how it moves)."""
    if deadline.before is not None:
        if event is None:
            raise CalendarError(f"{deadline.obligation}: needs the day of the {deadline.before.replace('_', ' ')}")
        return None, event
    if deadline.anchor == "tax_year_end":
        if deadline.window_to is not None:
            opens = dt.date.fromisoformat(f"{tax_year + 1}-{deadline.window_from}")
            return opens, dt.date.fromisoformat(f"{tax_year + 1}-{deadline.window_to}")
        return None, dt.date(tax_year, 12, 31) + dt.timedelta(days=deadline.days_after)
    if month is None:
        raise CalendarError(f"{deadline.obligation}: needs the month it counts from")
    return None, Month(tax_year, month).last + dt.timedelta(days=deadline.days_after)
