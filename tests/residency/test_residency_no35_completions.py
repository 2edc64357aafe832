"""Issue 13 item 6: leave abroad inside the China work period (MOF/STA 2019 No. 35 §1(1)),
executives under a treaty's director's-fee article (§4(4)), and the pre-2019 five-year clock that
restarts after a year of fewer than 90 days (Caishui Zi [1995] No. 98). Derived cases, the
arithmetic written out (docs/research/issue-13.md item 6)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from expatcn.io.trips import TripFileError, build_trips, trip_records
from expatcn.residency import assess_year, china_taxable_pay
from expatcn.residency.status import NONRESIDENT_LONG, NONRESIDENT_SHORT

STAYS_2026 = [
    {"entry": "2026-01-05", "exit": "2026-01-31"},
    {"entry": "2026-02-02 10:00", "exit": "2026-02-20 18:00"},
    {"entry": "2026-02-25 09:00", "exit": "2026-05-10"},
]
LEAVE = {"entry": "2026-02-21", "exit": "2026-02-24", "kind": "leave", "note": "annual leave at home"}


def trips(rows, year=2026, first_year=None):
    return build_trips(trip_records(rows, "trips"), year, first_year=first_year).trips


def february_wages(rows, law):
    wages = np.full((1, 12), 2_800_000, dtype=np.int64)
    pay = china_taxable_pay(trips(rows), 2026, wages, wages, law=law)
    return pay


def test_leave_abroad_counts_as_china_work_days(law):
    """No. 35 §1(1): "境内工作天数 … 包括 … 境内工作期间在境内、境外享受的公休假、个人休假、接受培训的天数".
    Derived, February 2026 (28 days), a person who also holds a post abroad: in China 2 Feb 10:00
    – 20 Feb 18:00 = 17 full + 2 partial days = 18 work days; annual leave abroad 21–24 Feb = 4;
    back 25 Feb 09:00 = 0.5 + 26–28 Feb = 3 → 25.5 work days (21.5 without the leave). The year:
    27 + 19 + 75 = 121 days, non-resident over 90 days → formula 2: 28,000 × 25.5 / 28 = 25,500.00
    (21,500.00 without the leave). Days of residence do not change."""
    without = february_wages(STAYS_2026, law)
    with_leave = february_wages([*STAYS_2026, LEAVE], law)
    assert without.assessment.status.situation[0] == NONRESIDENT_LONG
    assert without.assessment.work_halves[0, 1] == 43 and with_leave.assessment.work_halves[0, 1] == 51
    assert int(without.wages[0, 1]) == 2_150_000
    assert int(with_leave.wages[0, 1]) == 2_550_000
    assert (with_leave.assessment.residence_days == without.assessment.residence_days).all()


@pytest.mark.parametrize(("row", "message"), [
    ({"entry": "2026-01-02", "exit": "2026-01-03", "kind": "leave"}, "not between two stays"),
    ({"entry": "2026-02-20", "exit": "2026-02-24", "kind": "leave"}, "not between two stays"),
    ({"entry": "2026-05-11", "exit": "2026-05-20", "kind": "training"}, "not between two stays"),
    ({"entry": "2026-02-21", "kind": "leave"}, "field 'exit': a leave row needs"),
    ({"entry": "2026-02-21", "exit": "2026-02-22", "kind": "holiday"}, "field 'kind'"),
])
def test_leave_outside_the_china_work_period_is_refused(row, message):
    with pytest.raises(TripFileError, match=message):
        trips([*STAYS_2026, row])


def test_overlapping_leave_rows_are_refused():
    with pytest.raises(TripFileError, match="overlaps the row"):
        trips([*STAYS_2026, LEAVE, {"entry": "2026-02-24", "exit": "2026-02-24", "kind": "training"}])


EXECUTIVE_STAYS = [{"entry": "2026-01-05", "exit": "2026-03-31"}, {"entry": "2026-05-04", "exit": "2026-06-30"}]


@pytest.mark.parametrize(("treaty", "article", "february"), [
    # Canada: the director's-fee article covers senior management (Guoshuifa [2004] No. 97 list) →
    # No. 35 §2(3), executive ≤ 90 days (or within 183 under the treaty): China-paid pay in full
    ("CA", "directors_fee", 2_800_000),
    # Germany: not known → §2(3) kept (and said so)
    ("DE", "unverified", 2_800_000),
])
def test_executive_within_a_treaty_period(law, treaty, article, february):
    """MOF/STA 2019 No. 35 §4(4) (relay, medium). Derived, 2026: 86 + 58 = 144 days (> 90, ≤ 183:
    treaty relief); wages 28,000 a month, all paid in China. An executive taxed under the
    director's-fee article is taxed on the China-paid pay (28,000 in February); apportioned as an
    employee (§4(1), formula 1) it would be 28,000 × 28 / 28 in February, 28,000 × 4 / 30 in April."""
    wages = np.full((1, 12), 2_800_000, dtype=np.int64)
    pay = china_taxable_pay(trips(EXECUTIVE_STAYS), 2026, wages, wages, law=law, treaty=[treaty], executive=[True])
    assert pay.assessment.status.situation[0] == NONRESIDENT_SHORT
    assert pay.executive_article[0] == article
    assert int(pay.wages[0, 1]) == february
    assert int(pay.wages[0, 3]) == 2_800_000  # April: no day in China, still China-paid executive pay


def test_executive_whose_treaty_does_not_cover_management_is_apportioned_as_an_employee(law):
    """No. 35 §4(4) with a treaty whose director's-fee article does not cover senior management
    (a table entry set to false): April, no China day → 0; May (entry on the 4th: 1 partial + 27
    full days of 31, overseas post: 27.5 days) → 28,000 × 55 / 62 = 24,838.71."""
    treaty = law.value("residency/treaty_183", dt.date(2026, 1, 1))
    partner = next(p for p in treaty.partners if p.code == "DE" and p.applies_from and p.applies_from.year > 2010)
    object.__setattr__(partner, "directors_fee_covers_management", False)
    try:
        wages = np.full((1, 12), 2_800_000, dtype=np.int64)
        pay = china_taxable_pay(trips(EXECUTIVE_STAYS), 2026, wages, wages, law=law, treaty=["DE"], executive=[True])
    finally:
        object.__setattr__(partner, "directors_fee_covers_management", "unverified")
    assert pay.executive_article[0] == "employment"
    assert int(pay.wages[0, 3]) == 0
    assert int(pay.wages[0, 4]) == 2_483_871


def clock_trips(days_in_2011: int):
    """In China without a break 2004-12-01 → 2011 (``days_in_2011`` days, exit day included as the
    pre-2019 count did), back on 2011-12-31 for good: full years 2005–2010 and 2012 on."""
    last = dt.date(2011, 1, 1) + dt.timedelta(days=days_in_2011 - 1)
    return trips([{"entry": "2004-12-01", "exit": last.isoformat()}, {"entry": "2011-12-31"}], year=2018, first_year=2004)


@pytest.mark.parametrize(("days_in_2011", "worldwide"), [
    # Caishui Zi [1995] No. 98: five full years 2005–2009 → 2010 worldwide; 2011 with 80 days
    # (< 90) → the five years restart from 2012 → 2012–2016 full → 2017 worldwide again
    (80, {2010: True, 2011: False, 2012: False, 2016: False, 2017: True}),
    # 200 days in 2011 (not full, ≥ 90): China-source only that year, no restart → 2012 worldwide
    (200, {2010: True, 2011: False, 2012: True, 2016: True, 2017: True}),
])
def test_five_year_clock_restarts_after_a_year_below_90_days(law, days_in_2011, worldwide):
    """Caishui Zi [1995] No. 98 (full text, http://dyerandpostasalon.com/tax/61291.html):
    "如该个人在第六年起以后的某一纳税年度内在境内居住不足90天 … 并从再次居住满一年的年度起重新计算五年期限".
    The clock counts from the first year of the records (``history_from``)."""
    book = clock_trips(days_in_2011)
    for year, expected in worldwide.items():
        assessment = assess_year(book, year, law=law, history_from=2005)
        assert bool(assessment.status.worldwide[0]) == expected, year


def test_the_tax_answer_says_which_article_decided(law):
    """``expatcn tax`` on the executive's scenario: the residency part names the article (and the
    formula is the one applied)."""
    from expatcn.io.scenario import Scenario
    from expatcn.services.tax import tax_year

    scenario = Scenario.model_validate({
        "year": 2026, "person": {"foreigner": True, "executive": True, "treaty": "CA", "trips": EXECUTIVE_STAYS},
        "every_month": {"wages": 28000}})
    answer = tax_year(scenario, law=law)
    assert answer.residency.executive_article == "directors_fee"
    assert answer.residency.formula == "china_paid"
