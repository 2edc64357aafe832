"""Times that decide a day (issue 13, bug 2). Under the 24-hour rule (MOF/STA Announcement 2019
No. 34 art. 2: a day counts towards residence only when the person is in China for the full 24
hours of it) a person who arrives at 00:00 is in China for the whole arrival day, and one who
leaves at 24:00 (= 00:00 of the next day) for the whole departure day. A date without a time,
or any other time, leaves the day of arrival or departure a partial day (less than 24 hours).
China work days (MOF/STA 2019 No. 35 §1(1)): a partial day is half a work day."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.io.trips import build_trips, trip_records
from expatcn.law import load_law
from expatcn.residency import NOT_REACHED, assess_year, to_date
from expatcn.residency.days import year_days

LAW = load_law()

runner = CliRunner()


def tax_json(tmp_path, trips, year=2024):
    scenario = {"year": year, "person": {"foreigner": True, "trips": trips}, "every_month": {"wages": 30000}}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario))
    result = runner.invoke(app, ["tax", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["residency"]


def test_the_issue_case_arrival_at_midnight_is_a_full_day(tmp_path):
    # 1 Jan 00:00 – 2 Jul 12:00, 2024 (a leap year): 1 Jan … 1 Jul are full days, 31 + 29 + 31 +
    # 30 + 31 + 30 + 1 = 183 → resident (IIT Law art. 1: 183 days); 2 Jul is a partial day.
    summary = tax_json(tmp_path, [{"entry": "2024-01-01 00:00", "exit": "2024-07-02 12:00"}])
    assert summary["residence_days"] == 183
    assert summary["resident"] is True
    assert summary["months"][0]["china_work_days"] == 31
    assert summary["months"][6]["residence_days"] == 1 and summary["months"][6]["china_work_days"] == 1.5


def days(trips, year=2024):
    book = build_trips(trip_records(trips, "trips"), year)
    return year_days(book.trips, year)


@pytest.mark.parametrize(
    ("entry", "exit", "full", "partial"),
    [
        # March 2024 has 31 days; the trip's first and last day decide
        ("2024-03-01 00:00", "2024-03-10 12:00", 9, 1),    # arrival at midnight: 1–9 full, 10 partial
        ("2024-03-01 00:01", "2024-03-10 12:00", 8, 2),    # a minute later: 1 and 10 partial
        ("2024-03-01", "2024-03-10 12:00", 8, 2),          # a date alone: the time is not known
        ("2024-03-01 08:00", "2024-03-10 24:00", 9, 1),    # leaves at the end of the 10th: 10 is full
        ("2024-03-01 08:00", "2024-03-11 00:00", 9, 1),    # the same instant written as 00:00 of the 11th
        ("2024-03-01 08:00", "2024-03-10 23:59", 8, 2),    # a minute short of 24 hours
        ("2024-03-01 00:00", "2024-03-11 00:00", 10, 0),   # both ends at midnight: ten full days
        ("2024-03-05 00:00", "2024-03-06 00:00", 1, 0),    # one whole day
        ("2024-03-05 00:00", "2024-03-05 18:00", 0, 1),    # arrives at midnight, leaves the same day
        ("2024-03-05 10:00", "2024-03-06 00:00", 0, 1),    # arrives in the day, leaves at its end
    ],
)
def test_the_ends_of_a_trip(entry, exit, full, partial):
    counted = days([{"entry": entry, "exit": exit}])
    assert (int(counted.full[0, 2]), int(counted.partial[0, 2])) == (full, partial)
    assert counted.full[0].sum() == full and counted.partial[0].sum() == partial


def test_midnight_across_a_month_end():
    # leaves at 24:00 on 31 March and comes back at 00:00 on 2 April: 31 March and 2 April are
    # full days; 1 April is a day wholly abroad
    counted = days([{"entry": "2024-03-30 12:00", "exit": "2024-04-01 00:00"},
                    {"entry": "2024-04-02 00:00", "exit": "2024-04-03 12:00"}])
    assert counted.full[0, 2:4].tolist() == [1, 1]
    assert counted.partial[0, 2:4].tolist() == [1, 1]
    assert counted.absences.longest[0] == 366 - (31 + 29 + 31 + 3)  # 4 April to the year end


def test_the_forecast_counts_the_midnight_day():
    # the 183rd day of residence is 1 July when 1 January counts; 2 July when it does not
    for entry, reached in (("2024-01-01 00:00", "2024-07-01"), ("2024-01-01 08:00", "2024-07-02")):
        book = build_trips(trip_records([{"entry": entry, "exit": "2024-08-01 12:00"}], "trips"), 2024)
        a = assess_year(book.trips, 2024, law=LAW)
        assert str(to_date(a.reach[0, 1])) == reached


def test_presence_ends_at_a_midnight_exit(tmp_path):
    # presence (the treaty's days of physical presence) counts any part of a day; leaving at
    # 00:00 of 11 March is no presence on 11 March
    counted = days([{"entry": "2024-03-01 08:00", "exit": "2024-03-11 00:00"}])
    assert int(counted.presence[0, 2]) == 10


def test_residency_command_reports_the_midnight_day(tmp_path):
    path = tmp_path / "trips.csv"
    path.write_text("entry,exit\n2024-01-01 00:00,2024-07-02 12:00\n")
    result = runner.invoke(app, ["residency", str(path), "--year", "2024", "--json"])
    assert result.exit_code == 0, result.output
    person = json.loads(result.output)["persons"][0]
    assert person["residence_days"] == 183 and person["resident"] is True
    assert person["months"][0]["china_work_days"] == 31


def test_a_stay_through_midnight_is_one_stay():
    # leaving at 24:00 and re-entering at 00:00 of the next day is no gap
    counted = days([{"entry": "2024-03-01 08:00", "exit": "2024-03-10 24:00"},
                    {"entry": "2024-03-11 00:00", "exit": "2024-03-20 12:00"}])
    assert (int(counted.full[0, 2]), int(counted.partial[0, 2])) == (18, 2)
    assert np.array_equal(counted.full, days([{"entry": "2024-03-01 08:00", "exit": "2024-03-20 12:00"}]).full)


# --- later trips in the same file (issue 13: `expatcn residency --year Y` refused them) -----------

def test_later_trips_are_left_out_of_the_year(tmp_path):
    this_year = "entry,exit\n2024-03-01 08:00,2024-05-10 18:00\n"
    with_later = this_year + "2025-02-01,2025-02-20\n2026-07-01,\n"
    reports = []
    for name, text in (("a.csv", this_year), ("b.csv", with_later)):
        (tmp_path / name).write_text(text)
        result = runner.invoke(app, ["residency", str(tmp_path / name), "--year", "2024", "--json"])
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.output)["persons"][0])
    assert reports[1]["residence_days"] == reports[0]["residence_days"] == 30 + 30 + 9  # 2–31 March, April, 1–9 May
    assert reports[1]["months"] == reports[0]["months"]


def test_a_treaty_period_commencing_in_the_year_sees_the_next_years_trips(tmp_path):
    # China–Germany (2014): 183 days in any 12-month period commencing or ending in the tax year.
    # 1 Oct – 20 Dec 2024 is 81 days of presence; with 5 Jan – 30 May 2025 (146 days) the period
    # from 1 October 2024 holds 227 days
    path = tmp_path / "trips.csv"
    path.write_text("entry,exit\n2024-10-01,2024-12-20\n2025-01-05,2025-05-30\n")
    result = runner.invoke(app, ["residency", str(path), "--year", "2024", "--treaty", "DE", "--json"])
    assert result.exit_code == 0, result.output
    treaty = json.loads(result.output)["persons"][0]["treaty"]
    assert treaty["days_in_period"] == 81 + 146 and treaty["relief"] is False


def test_a_scenario_may_hold_the_whole_travel_history(tmp_path):
    summary = tax_json(tmp_path, [{"entry": "2024-01-01 00:00", "exit": "2024-07-02 12:00"},
                                  {"entry": "2025-03-01", "exit": "2025-03-05"}])
    assert summary["residence_days"] == 183


# --- an independent count in hours -------------------------------------------------------------

BASE = dt.datetime(2023, 12, 20)


def oracle(stays, year):
    """Hours in China per day of ``year`` → (full, partial) per month, and the day the 183rd full
    day falls on (None if never): a day is full with 24 hours, partial with some."""
    full, partial, count, reached = [0] * 12, [0] * 12, 0, None
    day = dt.datetime(year, 1, 1)
    while day.year == year:
        nxt = day + dt.timedelta(days=1)
        hours = sum((max(dt.timedelta(0), min(nxt, x or nxt) - max(day, e)) for e, x in stays),
                    dt.timedelta(0)) / dt.timedelta(hours=1)
        if hours == 24:
            full[day.month - 1] += 1
            count += 1
            if count == 183 and reached is None:
                reached = day.date()
        elif hours > 0:
            partial[day.month - 1] += 1
        day = nxt
    return full, partial, reached


@st.composite
def timed_stays(draw):
    n = draw(st.integers(1, 6))
    hours = sorted(draw(st.lists(st.integers(0, 420 * 24), min_size=2 * n, max_size=2 * n, unique=True)))
    stays = []
    for i in range(n):
        entry, exit_ = BASE + dt.timedelta(hours=hours[2 * i]), BASE + dt.timedelta(hours=hours[2 * i + 1])
        stays.append((entry, exit_))
    if draw(st.booleans()):
        stays[-1] = (stays[-1][0], None)
    # midnight written as 24:00 of the day before, now and then
    rows = [{"entry": f"{e:%Y-%m-%d %H:%M}",
             "exit": "" if x is None else (f"{x - dt.timedelta(days=1):%Y-%m-%d} 24:00"
                                          if x.hour == 0 and draw(st.booleans()) else f"{x:%Y-%m-%d %H:%M}")}
            for e, x in stays]
    return stays, rows


@settings(max_examples=150, deadline=None)
@given(timed_stays())
def test_days_match_an_hour_count(drawn):
    stays, rows = drawn
    book = build_trips(trip_records(rows, "trips"), 2024, first_year=2023)
    counted = year_days(book.trips, 2024)
    full, partial, reached = oracle(stays, 2024)
    assert counted.full[0].tolist() == full
    assert counted.partial[0].tolist() == partial
    reach = assess_year(book.trips, 2024, law=LAW).reach[0, 1]
    assert (None if reach == NOT_REACHED else to_date(reach)) == reached


def test_a_day_left_on_cannot_be_a_whole_day_in_china():
    from expatcn.io.trips import TripFileError

    rows = [{"entry": "2024-03-01 08:00", "exit": "2024-03-10"}, {"entry": "2024-03-10 00:00", "exit": "2024-03-20"}]
    with pytest.raises(TripFileError, match="row 2, field 'entry': trip overlaps the trip of trips, row 1"):
        build_trips(trip_records(rows, "trips"), 2024)
