"""Residency engine: examples from published rules (sources cited per test), an independent
per-person oracle, and Hypothesis properties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expatcn.law import LawError, load_law
from expatcn.residency import (
    NONRESIDENT_LONG,
    NONRESIDENT_SHORT,
    RESIDENT,
    RESIDENT_WORLDWIDE,
    TripError,
    Trips,
    apportion_wages,
    LumpSum,
    assess_year,
    china_taxable_pay,
    monthly_china_wages,
    period_work_halves,
    year_rules,
)

D = dt.date
LAW = load_law()


def trips(*rows, person=None):
    """rows: (entry, exit) pairs of one person, or (person, entry, exit)."""
    if person is None and rows and len(rows[0]) == 3:
        ps = [r[0] for r in rows]
        rows = [r[1:] for r in rows]
    else:
        ps = [0] * len(rows)
    return Trips.from_dates(ps, [r[0] for r in rows], [r[1] for r in rows])


def assess(t, year, **kw):
    return assess_year(t, year, law=LAW, **kw)


# ---------------------------------------------------------------- independent oracle
def oracle_days(rows, year):
    """Plain per-day count for one person: {day: 'full'|'partial'} for days of ``year``."""
    state = {}
    for entry, exit_ in rows:
        last = exit_ or D(year + 1, 12, 31)
        day = entry
        while day <= last:
            if day.year == year:
                edge = day == entry or (exit_ is not None and day == exit_)
                state[day] = "partial" if edge or state.get(day) == "partial" else "full"
            day += dt.timedelta(days=1)
    return state


def oracle_month_counts(rows, year):
    state = oracle_days(rows, year)
    full = [0] * 12
    partial = [0] * 12
    for day, kind in state.items():
        (full if kind == "full" else partial)[day.month - 1] += 1
    return full, partial


# ---------------------------------------------------------------- published rules
def test_24_hour_rule_arrival_and_departure_days_do_not_count():
    """MOF/STA 2019 No. 34 art. 2: only days with 24 hours in China count; arrival and departure
    days do not (bayarea.gov.hk 2019-03-14: "any stay of less than 24 hours ... will not count").
    In 1 March, out 10 March: 8 days of residence (2–9 March), 10 days of presence; work days for a
    person with a post abroad: 8 + 2 × ½ = 9."""
    a = assess(trips((D(2026, 3, 1), D(2026, 3, 10))), 2026)
    assert a.residence_days[0, 2] == 8
    assert a.days.presence[0, 2] == 10
    assert a.work_halves[0, 2] == 18


def test_hong_kong_commuter_crossing_daily_has_no_residence_days():
    """bayarea.gov.hk (Greater Bay Area measures, 2019): a stay of less than 24 hours on the
    Mainland does not count. A Hong Kong resident who crosses to Shenzhen every working day and
    returns the same evening has 0 days of residence, but each day is half a China work day
    (MOF/STA 2019 No. 35 §1(1))."""
    workdays = [D(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    workdays = [d for d in workdays if d.weekday() < 5]
    a = assess(trips(*[(d, d) for d in workdays]), 2026, treaty=["HK"])
    assert a.status.days[0] == 0
    assert not a.status.resident[0]
    assert a.work_halves[0].sum() == len(workdays)  # half a day each
    assert a.treaty_days[0] == len(workdays)  # presence days count for the arrangement's 183 days
    assert not a.status.treaty_relief[0]  # 261 presence days > 183 in the arrangement's period
    assert a.status.situation[0] == NONRESIDENT_SHORT  # yet 0 days of residence: the 90-day rule


def test_weekly_commuter_monday_to_friday():
    """The weekly pattern of the STA interpretation of No. 34 (in Monday morning, out Friday
    evening): only Tuesday–Thursday count, 3 days a week, so a year stays under 183 days."""
    mondays = [D(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(51)]
    a = assess(trips(*[(m, m + dt.timedelta(days=4)) for m in mondays]), 2026)
    assert a.status.days[0] == 3 * 51
    assert not a.status.resident[0]


def test_183_is_resident_182_is_not():
    """IIT Law art. 1: resident with an aggregate of 183 days or more in the tax year (Shenzhen Tax
    Service 12366 Q&A). Entry 31 Dec 2025, exit 2 Jul 2026: full days 1 Jan–1 Jul = 182; one day more: 183."""
    a = assess(trips((D(2025, 12, 31), D(2026, 7, 2))), 2026)
    assert a.status.days[0] == 182 and not a.status.resident[0]
    assert a.days_left_nonresident[0] == 0
    b = assess(trips((D(2025, 12, 31), D(2026, 7, 3))), 2026)
    assert b.status.days[0] == 183 and b.status.resident[0]
    assert b.status.situation[0] == RESIDENT
    assert b.reach[0, 1] == (D(2026, 7, 2) - D(1970, 1, 1)).days  # the 183rd day


def test_ninety_day_boundary_and_domicile():
    """Regulations (2018) art. 5 / No. 35 §2(1)1: at most 90 days of residence is the short case."""
    a = assess(trips((D(2026, 1, 1), D(2026, 4, 2))), 2026)  # full days 2 Jan–1 Apr = 90
    assert a.status.ninety_day_days[0] == 90 and a.status.situation[0] == NONRESIDENT_SHORT
    b = assess(trips((D(2026, 1, 1), D(2026, 4, 3))), 2026)
    assert b.status.situation[0] == NONRESIDENT_LONG
    c = assess(trips((D(2026, 1, 1), D(2026, 1, 3))), 2026, domiciled=[True])
    assert c.status.resident[0] and c.status.situation[0] == RESIDENT_WORLDWIDE


def _years_in_china(first, last, absence_year=None, absence_days=0):
    """One person resident every year from ``first`` to ``last`` (home leave 20 days each summer),
    with one longer absence of ``absence_days`` full days in ``absence_year``."""
    rows = []
    start = D(first, 1, 1) - dt.timedelta(days=1)
    for y in range(first, last + 1):
        away = absence_days if y == absence_year else 20
        leave = D(y, 7, 1)
        rows.append((start, leave))
        start = leave + dt.timedelta(days=away + 1)
    rows.append((start, None))
    return trips(*rows)


def test_six_year_clock_worldwide_first_possible_in_2025():
    """MOF/STA 2019 No. 34 art. 1: the six years count from 2019, so 2025 is the first year in which
    worldwide income can be taxable (KPMG GMS Flash Alert 2024-132; Rödl & Partner 2024)."""
    t = _years_in_china(2019, 2026)
    a = assess(t, 2025, history_from=2019)
    assert a.status.clock[0] == 6 and a.status.situation[0] == RESIDENT_WORLDWIDE
    b = assess(t, 2024, history_from=2019)
    assert b.status.clock[0] == 5 and b.status.situation[0] == RESIDENT
    assert b.first_worldwide_year[0] == 2025
    # years before 2019 never count, even with records
    t2 = _years_in_china(2015, 2026)
    assert assess(t2, 2024, history_from=2015).status.clock[0] == 5


def test_six_year_clock_reset_by_a_31_day_trip():
    """No. 34 art. 1: a single departure of more than 30 days in a year restarts the count
    (KPMG GMS Flash Alert 2024-132). 31 full days abroad in 2022 resets; 30 does not."""
    reset = _years_in_china(2019, 2026, absence_year=2022, absence_days=31)
    a = assess(reset, 2025, history_from=2019)
    assert a.status.clock[0] == 2  # 2023, 2024
    assert a.status.situation[0] == RESIDENT
    assert a.first_worldwide_year[0] == 2029  # 2023..2028 if every year qualifies
    kept = _years_in_china(2019, 2026, absence_year=2022, absence_days=30)
    assert assess(kept, 2025, history_from=2019).status.situation[0] == RESIDENT_WORLDWIDE
    assert a.reset_absence_days == 31 and a.reset_latest_departure == D(2025, 11, 30)


def test_prior_years_from_outside_the_trips_file():
    t = _years_in_china(2024, 2026)
    a = assess(t, 2026, history_from=2024, prior_years=5)  # 2019..2023 from HR records
    assert a.status.clock[0] == 7 and a.status.situation[0] == RESIDENT_WORLDWIDE


def test_pre_2019_year_uses_old_rules():
    """Before 2019 (old Regulations art. 3): arrival and departure days count, a resident is in China
    the whole year, temporary departures of at most 30 days each / 90 in all are not deducted."""
    rows = [(D(2017, 12, 20), D(2018, 3, 1)), (D(2018, 3, 25), D(2018, 8, 1)), (D(2018, 8, 20), D(2019, 1, 10))]
    a = assess(trips(*rows), 2018)
    assert a.status.resident[0]  # absences of 23 and 18 days
    assert a.residence_days[0, 2] == 1 + 7  # 1 March (departure) + 25–31 March (arrival counts)
    long_gap = [(D(2017, 12, 20), D(2018, 3, 1)), (D(2018, 4, 1), D(2019, 1, 10))]  # 30 full days away
    assert assess(trips(*long_gap), 2018).status.resident[0]
    too_long = [(D(2017, 12, 20), D(2018, 3, 1)), (D(2018, 4, 2), D(2019, 1, 10))]  # 31 days away
    b = assess(trips(*too_long), 2018)
    assert not b.status.resident[0] and b.status.situation[0] == NONRESIDENT_LONG
    short = assess(trips((D(2018, 1, 1), D(2018, 3, 31))), 2018)  # 90 days with arrival/departure
    assert short.status.ninety_day_days[0] == 90 and short.status.situation[0] == NONRESIDENT_SHORT


def test_treaty_calendar_year_and_twelve_month_window():
    """MOF/STA 2019 No. 35 §4(1): at most 183 days within the treaty's period. US (calendar year,
    STA 1995 table) vs Germany 2014 DTA (any 12-month period commencing or ending in the year,
    Deloitte 2016): the same 150 days in Sep–Dec 2025 and 100 days in Jan–Apr 2026."""
    rows = [(D(2025, 8, 3), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 4, 10))]
    t = Trips.from_dates([0, 0, 1, 1], [r[0] for r in rows] * 2, [r[1] for r in rows] * 2)
    a = assess(t, 2026, treaty=["US", "DE"])
    assert a.treaty_days[0] == 100
    assert a.treaty_days[1] > 183
    assert a.status.situation[0] == NONRESIDENT_SHORT  # 98 residence days > 90 but treaty relief
    assert a.status.situation[1] == NONRESIDENT_LONG
    tw = assess(t, 2026, treaty=["TW", "TW"])  # cross-strait agreement not in force
    assert (tw.treaty_days == -1).all()


def test_treaties_in_force_apply_from_their_dates():
    """Dates from the STA list and notices (SOCIAL_CITIES_2026.md §6): Korea from 1995, Austria
    (in force 1992-11-01), Israel (in force 1995-12-22), Ireland from 2001 (Guoshuifa [2000] No. 212),
    Russia 1994 agreement 1998–2016, 2014 agreement from 2017 (STA Announcement 2016 No. 48)."""
    table = LAW.value("residency/treaty_183", D(2026, 1, 1))
    for code in ("KR", "AT", "IL", "IE", "RU"):
        assert table.partner_on(code, D(2026, 1, 1)) is not None, code
    assert table.partner_on("RU", D(2016, 1, 1)).version.startswith("Agreement 1994")
    assert table.partner_on("RU", D(2017, 1, 1)).counting_period == "twelve_months_in_year"
    assert table.partner_on("IE", D(2000, 1, 1)) is None and table.partner_on("IE", D(2001, 1, 1)) is not None
    rows = [(D(2026, 2, 2), D(2026, 7, 1))]  # 150 days of presence
    t = Trips.from_dates([0, 1, 2, 3, 4], [rows[0][0]] * 5, [rows[0][1]] * 5)
    a = assess(t, 2026, treaty=["KR", "AT", "IL", "IE", "RU"])
    assert (a.treaty_days == 150).all() and a.status.treaty_relief.all()
    assert (a.status.situation == NONRESIDENT_SHORT).all()


# ---------------------------------------------------------------- apportionment
R2026 = year_rules(2026, LAW)


@pytest.mark.parametrize(
    "situation,executive,china_paid,china_days,expected",
    [
        # research note EX-N35-F1 (docs/research/iit_worked_examples.md; formula 1 verbatim, ESNAI):
        # 50,000 × 20,000/50,000 × 10/30 = 6,666.67
        (NONRESIDENT_SHORT, False, 2_000_000, 10, 666_667),
        # EX-N35-F2: 50,000 × 20/30 = 33,333.33
        (NONRESIDENT_LONG, False, 3_000_000, 20, 3_333_333),
        # EX-N35-F3: overseas-paid 20,000, overseas days 10 of 30: 50,000 × [1 − 20,000/50,000 × 10/30] = 43,333.33
        (RESIDENT, False, 3_000_000, 20, 4_333_333),
        (RESIDENT_WORLDWIDE, False, 3_000_000, 20, 5_000_000),
        # executives (No. 35 §2(3)): ≤ 90 days the China-paid part; > 90 days formula 3
        (NONRESIDENT_SHORT, True, 2_000_000, 10, 2_000_000),
        (NONRESIDENT_LONG, True, 3_000_000, 20, 4_333_333),
    ],
)
def test_apportionment_situations(situation, executive, china_paid, china_days, expected):
    got = apportion_wages(5_000_000, china_paid, 2 * china_days, 30, situation, R2026, executive=executive)
    assert int(got) == expected


def test_treaty_claim_for_resident_on_worldwide_income():
    """No. 35 §4(2) (treaty research summary): formula 3 instead of all wages."""
    got = apportion_wages(5_000_000, 3_000_000, 40, 30, RESIDENT_WORLDWIDE, R2026, treaty_claim=True)
    assert int(got) == 4_333_333


def test_apportionment_from_trips_end_to_end():
    """A non-resident (> 90 days) in June 2026: in 1 June, out 20 June → 18 full days + 2 half days
    = 19 China work days of 30: 60,000 × 19/30 = 38,000.00 (formula 2)."""
    t = trips((D(2026, 1, 10), D(2026, 4, 30)), (D(2026, 6, 1), D(2026, 6, 20)))
    a = assess(t, 2026)
    assert a.status.situation[0] == NONRESIDENT_LONG
    total = np.zeros((1, 12), dtype=np.int64)
    total[0, 5] = 6_000_000
    wages = monthly_china_wages(a, total, np.zeros_like(total))
    assert wages[0, 5] == 3_800_000


def test_bonus_spread_over_its_period():
    """No. 35 §1(2): a bonus relating to several months is apportioned by the China work days of
    that period: Jan–Jun 2026 (181 days), in China 1 Jan–31 Mar: 88 full days + 2 half days = 89 work days."""
    t = trips((D(2026, 1, 1), D(2026, 3, 31)))
    halves, cal = period_work_halves(t, D(2026, 1, 1), D(2026, 6, 30), law=LAW)
    assert cal == 181 and halves[0] == 2 * 88 + 2
    got = apportion_wages(18_100_000, 0, halves, cal, NONRESIDENT_LONG, R2026)
    assert int(got[0]) == 8_900_000  # 181,000 × 89/181


def test_china_taxable_pay_wires_wages_and_lump_sums():
    """The one No. 35 wiring, from the trips alone. In China 1 Jan–31 Mar and 1–20 Jun 2026 (more
    than 90 days: formula 2, W × d/D): June's 60,000 → 19 of 30 days = 38,000.00 (§2); a Jan–Jun
    bonus of 181,000 over its period (§1(2)): 89 + 19 = 108 work days of 181 → 108,000.00."""
    t = trips((D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 6, 1), D(2026, 6, 20)))
    wages = np.zeros((1, 12), dtype=np.int64)
    wages[0, 5] = 6_000_000
    bonus = np.zeros((1, 12), dtype=np.int64)
    bonus[0, 6] = 18_100_000
    start = np.full((1, 12), np.datetime64("NaT"), dtype="datetime64[D]")
    end = start.copy()
    start[0, 6], end[0, 6] = D(2026, 1, 1), D(2026, 6, 30)
    nothing = np.zeros_like(bonus)
    pay = china_taxable_pay(t, 2026, wages, nothing, {"bonus": LumpSum(bonus, nothing, start, end),
                                                      "equity": LumpSum(nothing, nothing)}, law=LAW)
    assert pay.assessment.status.situation[0] == NONRESIDENT_LONG
    assert pay.wages[0, 5] == 3_800_000
    assert list(pay.lump_sums) == ["bonus"]  # nobody has equity
    assert pay.lump_sums["bonus"].china[0, 6] == 10_800_000
    assert pay.lump_sums["bonus"].work_halves[0, 6] == 2 * 108 and pay.lump_sums["bonus"].calendar_days[0, 6] == 181


def test_pay_rows_taken_from_one_persons_trips():
    """Several pay rows of one person (the planner's structures) each get that person's work days:
    20 days in June, at most 90 in the year, formula 1 (C × d/D): nothing paid in China → 0; all
    60,000 paid in China → 19 of 30 days = 38,000.00 (MOF/STA 2019 No. 35 §2(1))."""
    t = trips((D(2026, 6, 1), D(2026, 6, 20)))
    wages = np.zeros((2, 12), dtype=np.int64)
    wages[:, 5] = 6_000_000
    china_paid = wages * np.array([[0], [1]])
    rows = china_taxable_pay(t.take([0, 0]), 2026, wages, china_paid, law=LAW)
    assert (rows.assessment.status.situation == NONRESIDENT_SHORT).all()
    assert rows.wages[:, 5].tolist() == [0, 3_800_000]


def test_bad_wages_and_trips():
    with pytest.raises(ValueError):
        apportion_wages(100, 200, 10, 30, RESIDENT, R2026)
    with pytest.raises(TripError):
        assess(trips((D(2026, 3, 1), D(2026, 2, 1))), 2026)
    with pytest.raises(TripError):
        assess(trips((D(2026, 3, 1), D(2026, 3, 10)), (D(2026, 3, 5), D(2026, 3, 20))), 2026)
    with pytest.raises(TripError):
        assess(trips((D(2026, 3, 1), None), (D(2026, 5, 5), D(2026, 5, 20))), 2026)


# ---------------------------------------------------------------- oracle and properties
@st.composite
def person_trips(draw, year=2026):
    n = draw(st.integers(0, 8))
    days = sorted(draw(st.lists(st.integers(-40, 400), min_size=2 * n, max_size=2 * n)))
    base = D(year, 1, 1)
    rows = [(base + dt.timedelta(days=days[2 * i]), base + dt.timedelta(days=days[2 * i + 1])) for i in range(n)]
    if rows and draw(st.booleans()):
        rows[-1] = (rows[-1][0], None)
    return rows


@settings(max_examples=60, deadline=None)
@given(st.lists(person_trips(), min_size=1, max_size=4))
def test_matches_oracle_and_order_does_not_matter(people):
    flat = [(p, e, x) for p, rows in enumerate(people) for e, x in rows]
    if not flat:
        return
    t = Trips.from_dates([f[0] for f in flat], [f[1] for f in flat], [f[2] for f in flat], n_persons=len(people))
    a = assess(t, 2026)
    for p, rows in enumerate(people):
        full, partial = oracle_month_counts(rows, 2026)
        assert a.days.full[p].tolist() == full
        assert a.days.partial[p].tolist() == partial
    perm = np.random.default_rng(len(flat)).permutation(len(flat))
    shuffled = Trips(t.person[perm], t.entry[perm], t.exit[perm], t.n_persons)
    b = assess(shuffled, 2026)
    assert np.array_equal(a.residence_days, b.residence_days)
    assert np.array_equal(a.status.situation, b.status.situation)
    # residence days <= work days <= calendar days
    assert (a.residence_days * 2 <= a.work_halves).all()
    assert (a.work_halves <= 2 * a.days.calendar_days).all()


@settings(max_examples=40, deadline=None)
@given(person_trips(), st.integers(0, 364))
def test_adding_a_day_in_china_never_lowers_counts(rows, offset):
    base = assess(trips(*rows), 2026) if rows else None
    day = D(2026, 1, 1) + dt.timedelta(days=offset)
    covered = oracle_days(rows, 2026)
    if day in covered:
        return
    more = assess(trips(*(rows + [(day, day)])), 2026)
    if base is not None:
        assert (more.days.presence.sum() >= base.days.presence.sum())
        assert (more.residence_days.sum() >= base.residence_days.sum())
        assert (more.work_halves.sum() >= base.work_halves.sum())


def test_law_failure_surfaces(monkeypatch):
    """No fallback: the engine is given the law (it never loads it); when the law tables cannot be
    loaded, `expatcn residency` says so."""
    from typer.testing import CliRunner

    import expatcn.services.residency
    from expatcn.cli import app

    def broken(*args, **kwargs):
        raise LawError("law table social/host/xx.yaml: broken")

    monkeypatch.setattr(expatcn.services.residency, "load_law", broken)
    example = Path(__file__).parents[2] / "src" / "expatcn" / "examples" / "trips_example.csv"
    out = CliRunner().invoke(app, ["residency", str(example), "--year", "2026"])
    assert out.exit_code == 2 and "broken" in out.output
    with pytest.raises(TypeError):
        assess_year(trips((D(2026, 1, 1), D(2026, 1, 5))), 2026)  # the law is required


def test_many_trips_per_person_and_small_chunks_match_oracle(monkeypatch):
    """The counting packs several counts into one float64 bincount; with thousands of trips per
    person (daily commuters crossing several times a day) it splits them into more bincounts, and
    long inputs are cut into chunks at person boundaries. Both must give the oracle's counts."""
    import expatcn.residency.days as days_module

    rng = np.random.default_rng(3)
    people = []
    for many in (3000, 400, 0, 25):  # the first person crosses several times a day
        rows, day = [], D(2025, 12, 20)
        while len(rows) < many and day.year <= 2026:
            stay = 0 if many > 1000 else int(rng.integers(0, 3)) if rng.random() < 0.7 else int(rng.integers(0, 40))
            rows.append((day, day + dt.timedelta(days=stay)))
            day += dt.timedelta(days=stay + (0 if rng.random() < (0.99 if many > 1000 else 0.5) else int(rng.integers(1, 20))))
        people.append(rows)
    flat = [(p, e, x) for p, rows in enumerate(people) for e, x in rows]
    t = Trips.from_dates([f[0] for f in flat], [f[1] for f in flat], [f[2] for f in flat], n_persons=len(people))
    for chunk in (1 << 20, 100):
        monkeypatch.setattr(days_module, "CHUNK_TRIPS", chunk)
        a = assess(t, 2026)
        for p, rows in enumerate(people):
            full, partial = oracle_month_counts(rows, 2026)
            assert a.days.full[p].tolist() == full
            assert a.days.partial[p].tolist() == partial
