"""The filing calendar (law/calendar/withholding_deadlines.yaml, expatcn.filing_calendar).

Expected dates: the STA General Office's annual notices as listed in the project's reference
FILING_CALENDAR.md — 2023 税总办征科函〔2022〕245号, 2024 (notice text, number unconfirmed),
2025 税总办征科函〔2024〕71号 (Guangdong 征期日历 of 2024-12-30), 2026 税总办征科函〔2025〕64号.
Keys are the filing month (the month the deadline falls in)."""

from __future__ import annotations

import datetime as dt

import pytest

from expatcn.filing_calendar import CalendarError, due_date, filing_month, rule_deadline, tax_month
from expatcn.law import LawNotInForce, load_law
from expatcn.law.schemas.calendar import WithholdingDeadlines

D = dt.date
PUBLISHED = {
    2023: ["01-16", "02-15", "03-15", "04-17", "05-18", "06-15", "07-17", "08-15", "09-15", "10-23", "11-15", "12-15"],
    2024: ["01-15", "02-23", "03-15", "04-18", "05-22", "06-19", "07-15", "08-15", "09-18", "10-24", "11-15", "12-16"],
    2025: ["01-15", "02-20", "03-17", "04-18", "05-22", "06-16", "07-15", "08-15", "09-15", "10-27", "11-17", "12-15"],
    2026: ["01-20", "02-24", "03-16", "04-20", "05-22", "06-15", "07-15", "08-17", "09-15", "10-26", "11-16", "12-15"],
}


@pytest.fixture(scope="module")
def law():
    return load_law()


def _wage_month(year: int, filing: int) -> str:
    """The wage month whose return is due in filing month ``filing`` of ``year``."""
    return f"{year - 1}-12" if filing == 1 else f"{year}-{filing - 1:02d}"


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_published_calendars(law, year):
    for filing, expected in enumerate(PUBLISHED[year], start=1):
        day, ref, how = due_date(law, _wage_month(year, filing))
        assert day == D.fromisoformat(f"{year}-{expected}"), (year, filing)
        assert how.startswith("published")
        assert ref.table == "calendar/withholding_deadlines" and ref.sources
        assert day.weekday() < 5  # every published deadline is a weekday


def test_the_2025_dates_named_in_the_reference(law):
    """January 2025 wages are due 20 Feb (2月1日至4日放假4天), February's 17 Mar (15 Mar a
    Saturday), and so on — 税总办征科函〔2024〕71号."""
    expected = {"2025-01": D(2025, 2, 20), "2025-02": D(2025, 3, 17), "2025-03": D(2025, 4, 18),
                "2025-04": D(2025, 5, 22), "2025-05": D(2025, 6, 16), "2025-09": D(2025, 10, 27),
                "2025-10": D(2025, 11, 17)}
    for month, day in expected.items():
        found, ref, how = due_date(law, month)
        assert found == day, month
        assert ref.confidence == "high"
        assert "税总办征科函〔2024〕71号" in how
    assert "2月1日至4日放假4天" in due_date(law, "2025-01")[2]


def test_december_is_filed_in_january_of_the_next_year(law):
    assert filing_month("2025-12") == (2026, 1)
    assert due_date(law, "2025-12")[0] == D(2026, 1, 20)  # 1月1日至3日放假3天 (2026 notice)
    assert due_date(law, D(2024, 12, 31))[0] == D(2025, 1, 15)
    assert due_date(law, (2023, 2))[0] == D(2023, 3, 15)


# 2027, computed (no State Council notice or STA calendar as of 2026-12-02): statutory holidays of
# the 2024 National Holidays Regulations (State Council Order No. 795, art. 2; make-up days under
# art. 6 as the following working days), extended under art. 109 by working days. By hand:
# Jan: 1–3 Jan off (3 days) → 15 Jan (Fri) + 3 working days = 20 Jan; Feb: 5–10 Feb (6) → 15 Feb
# (Mon) + 6 = 23 Feb; Apr: 3–5 Apr (3) → 15 Apr (Thu) + 3 = 20 Apr; May: 1–4 May (4) → 15 May
# (Sat) + 4 = 20 May; Aug: 15 Aug is a Sunday → 16 Aug; Sep: 15 Sep is Mid-Autumn → 16 Sep;
# Oct: 1–5 Oct (5) → 15 Oct (Fri) + 5 = 22 Oct; the rest on the 15th.
COMPUTED_2027 = ["01-20", "02-23", "03-15", "04-20", "05-20", "06-15", "07-15", "08-16", "09-16", "10-22",
                 "11-15", "12-15"]


def test_2027_is_computed_from_the_statutory_holidays_and_flagged(law):
    for filing, expected in enumerate(COMPUTED_2027, start=1):
        day, ref, how = due_date(law, _wage_month(2027, filing))
        assert day == D.fromisoformat(f"2027-{expected}"), (filing, how)
        assert ref.confidence == "low" and how.startswith("computed from the rule")
        assert "State Council Order No. 795" in how and "not out" in how
    assert any("Order No. 795" in (s.document or "") for s in ref.sources)
    assert "Computed, not published" in ref.note


def test_years_without_holidays_use_the_rule_with_weekends_and_low_confidence(law):
    day, ref, how = due_date(law, "2028-02")  # due March 2028: 15 March 2028 is a Wednesday
    assert day == D(2028, 3, 15) and ref.confidence == "low" and how.startswith("computed from the rule")
    assert "not in the law tables" in how
    day, ref, _ = due_date(law, "2028-03")  # 15 April 2028 is a Saturday
    assert day == D(2028, 4, 17) and ref.confidence == "low"
    assert any("art. 109" in (s.document or "") for s in ref.sources)
    assert any("art. 14" in (s.document or "") for s in ref.sources)
    day, ref, _ = due_date(law, "2021-07")  # 15 August 2021 is a Sunday
    assert day == D(2021, 8, 16) and ref.confidence == "low"


def test_before_the_table_the_law_is_not_guessed(law):
    with pytest.raises(LawNotInForce):
        due_date(law, "2011-06")  # due in July 2011: the 7-day period, not in this table


def test_months_are_checked():
    assert tax_month("2026-3") == (2026, 3)
    for bad in ("2026-13", "March", "2026/03"):
        with pytest.raises(CalendarError):
            tax_month(bad)


# The State Council's holiday blocks (and weekend working days) behind each notice, as the
# notices' reasons give them — test data to show that the rule, given the holidays, reproduces
# every published date (so a rule year with its holidays entered can be trusted).
HOLIDAYS = {
    2023: ([("2022-12-31", "2023-01-02"), ("2023-01-21", "2023-01-27"), ("2023-04-05", "2023-04-05"),
            ("2023-04-29", "2023-05-03"), ("2023-06-22", "2023-06-24"), ("2023-09-29", "2023-10-06")],
           ["2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08"]),
    2024: ([("2024-01-01", "2024-01-01"), ("2024-02-10", "2024-02-17"), ("2024-04-04", "2024-04-06"),
            ("2024-05-01", "2024-05-05"), ("2024-06-08", "2024-06-10"), ("2024-09-15", "2024-09-17"),
            ("2024-10-01", "2024-10-07")],
           ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29",
            "2024-10-12"]),
    2025: ([("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
            ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08")],
           ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]),
    2026: ([("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
            ("2026-05-01", "2026-05-05"), ("2026-10-01", "2026-10-07")],
           ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]),
}


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_the_rule_with_the_holidays_reproduces_the_published_calendar(year):
    blocks, workdays = HOLIDAYS[year]
    rule = WithholdingDeadlines.model_validate({
        "method": "rule", "day_of_month": 15,
        "holidays": [{"from": a, "to": b} for a, b in blocks], "workdays": workdays,
    })
    for filing, expected in enumerate(PUBLISHED[year], start=1):
        day, how = rule_deadline(rule, year, filing)
        assert day == D.fromisoformat(f"{year}-{expected}"), (year, filing, how)
        assert "not in the law tables" not in how


def test_published_periods_hold_their_own_year(law):
    table = law.table("calendar/withholding_deadlines")
    for period, value in zip(table.periods, table.values):
        if value.method == "published":
            assert all(period.covers(day) for day in value.deadlines.values())
            assert period.confidence in ("high", "medium")
        else:  # weekends only, or holidays not from the State Council's notice: low
            assert period.confidence == "low" and (not value.holidays or value.holidays_note)


def test_a_published_calendar_must_be_complete():
    with pytest.raises(ValueError):
        WithholdingDeadlines.model_validate({"method": "published", "day_of_month": 15,
                                             "deadlines": {1: "2030-01-15"}})
    with pytest.raises(ValueError):
        WithholdingDeadlines.model_validate({"method": "published", "day_of_month": 15,
                                             "deadlines": {m: f"2030-{m:02d}-14" for m in range(1, 13)}})
