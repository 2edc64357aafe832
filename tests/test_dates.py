"""The one date vocabulary: tax months ``YYYY-MM`` and month arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expatcn.dates import Month, add_months, month_range, pay_date
from expatcn.errors import InputError


def test_a_month_is_read_strictly():
    assert Month.parse("2026-03") == Month(2026, 3)
    assert Month.parse(" 2026-3 ") == Month(2026, 3)
    year, month = Month.parse("2025-12")
    assert (year, month) == (2025, 12)
    for bad in ("2026-13", "2026-00", "March", "2026/03", "2026-03-01", "26-03", "1899-01", "2026-03x", ""):
        with pytest.raises(InputError, match="expected a month YYYY-MM"):
            Month.parse(bad)


def test_first_last_and_text():
    feb = Month(2024, 2)
    assert (feb.first, feb.last, feb.days, str(feb)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29), 29, "2024-02")
    assert Month(2025, 12) + 1 == Month(2026, 1) and Month(2026, 1) - 1 == Month(2025, 12)
    assert pay_date(dt.date(2025, 2, 3)) == dt.date(2025, 2, 28)
    assert month_range(dt.date(2025, 11, 15), dt.date(2026, 2, 1)) == [
        dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2080, 12, 31)), st.integers(-240, 240))
def test_month_arithmetic_is_calendar_arithmetic(day, n):
    month = Month.of(day)
    assert (month + n) - n == month
    moved = add_months(day, n)
    assert Month.of(moved) == month + n
    assert moved.day == min(day.day, (month + n).days)
    assert Month.parse(str(month + n)) == month + n
