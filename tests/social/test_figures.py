"""Figures carried forward, employer-supplied and of low confidence (issue 11, items 1 and 2).

Payroll practice when a city has not yet published a year's figures: declare on the last
published ones and make up the difference later (Shanghai HRSS announcement of 2026-08-18, the
difference for July and August 2026 due by the end of September; Jiangsu tax/HRSS/healthcare
notice of 2026-01-07, 2026 collected on the 2025 range — SOCIAL_CITIES_2026.md §4). Sums below
are worked by hand from the city tables' figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expatcn.errors import InputError, SocialDataGap
from expatcn.gross_to_net import MonthInputs, explain_month, gross_to_net
from expatcn.iit.inputs import YearInputs
from expatcn.law import load_law
from expatcn.social.contributions import cities, contributions
from expatcn.social.figures import CARRIED_FORWARD, EMPLOYER_SUPPLIED, LOW_CONFIDENCE, EmployerRate, EmployerRates

LAW = load_law()
NO_HF = {"housing_fund": np.array([False])}


def yuan(fen) -> Decimal:
    return Decimal(int(fen)) / 100


def one(city, month, wage, **kw):
    kw.setdefault("participates", NO_HF)
    return contributions(LAW, city, month, np.array([int(wage * 100)], dtype=np.int64), **kw)


def rate(city, scheme, start, end=None, why="our own declaration", **figures) -> EmployerRate:
    return EmployerRate(city, scheme, start, end, why, **{k: Decimal(v) for k, v in figures.items()})


# --- carried forward ------------------------------------------------------------------------------


def test_a_pending_period_carries_every_figure_from_the_last_published_period():
    """Beijing 2027-07.. is pending: 京人社发〔2026〕7号's 7,270–36,348 and the rates carry on."""
    with pytest.raises(SocialDataGap, match="pending|strict"):
        one("beijing", dt.date(2027, 9, 1), 50_000, carry_forward=False)
    r = one("beijing", dt.date(2027, 9, 1), 50_000)
    pension = r.schemes["pension"]
    assert yuan(pension.employee[0]) == Decimal("2907.84")  # 36,348 × 8%
    assert yuan(pension.employer[0]) == Decimal("5815.68")  # 36,348 × 16%
    assert pension.sources["base_ceiling"].text() == "carried forward from 2026-07..2027-06"
    assert pension.employee_carried.all() and pension.employer_carried.all()
    assert any(ref.start == dt.date(2026, 7, 1) for ref in r.refs)  # the period carried from is cited


def test_a_wage_above_a_published_ceiling_does_not_rest_on_a_carried_floor():
    """Guangzhou 2024-25 work injury: the floor is unconfirmed (at most 2,300, the minimum wage)
    and Guangdong work injury has no ceiling; 10,000 is decided by the bound, 2,200 is not."""
    r = one("guangzhou", dt.date(2024, 9, 1), 10_000)
    assert not r.schemes["work_injury"].employer_carried[0]
    low = one("guangzhou", dt.date(2024, 9, 1), 2_200)
    assert low.schemes["work_injury"].employer_carried[0]


def test_nothing_is_carried_across_a_no_data_period():
    """Shanghai 2012-01..2019-04 has no data: neither it nor the months after it take 2011's figures."""
    with pytest.raises(SocialDataGap, match="no social insurance data for shanghai in 2015-03"):
        one("shanghai", dt.date(2015, 3, 1), 10_000)


def test_a_figure_never_published_is_still_refused_and_names_the_rates_file():
    """Tianjin unemployment: no rate has been published in the table's years."""
    with pytest.raises(SocialDataGap, match=r"tianjin 2026-12: .*unemployment.*none was ever published.*rates file"):
        one("tianjin", dt.date(2026, 12, 1), 10_000)


def test_low_confidence_figures_are_labelled():
    r = one("shanghai", dt.date(2026, 9, 1), 10_000)
    assert r.schemes["unemployment"].sources["employer_rate"].kind == LOW_CONFIDENCE
    assert r.schemes["work_injury"].sources["employer_rate_range"].text("zh") == "低可信度"
    assert not r.schemes["pension"].sources  # published, high enough: no label
    assert not r.employer_carried.any()


# --- employer-supplied --------------------------------------------------------------------------


def test_employer_rates_fill_a_gap_and_override_a_rate():
    """Tianjin 2026-12, wage 10,000 (between 5,180 and 25,902): the employer gives unemployment
    0.5% + 0.5% (never published), its work-injury class 0.4%, and declares medical at 10% where
    the table has 10.5%. Employer: pension 1,600 + medical 1,000 + unemployment 50 + injury 40 =
    2,690.00; employee: 800 + 200 + 50 = 1,050.00."""
    rates = EmployerRates([
        rate("tianjin", "unemployment", dt.date(2026, 1, 1), employer_rate="0.005", employee_rate="0.005"),
        rate("tianjin", "work_injury", dt.date(2026, 1, 1), employer_rate="0.004", why="class II, our notice"),
        rate("tianjin", "medical", dt.date(2026, 7, 1), dt.date(2026, 12, 31), employer_rate="0.10"),
    ])
    r = one("tianjin", dt.date(2026, 12, 1), 10_000, rates=rates)
    assert yuan(r.employer_social[0]) == Decimal("2690.00")
    assert yuan(r.employee_social[0]) == Decimal("1050.00")
    medical = r.schemes["medical"]
    assert medical.sources["employer_rate"].kind == EMPLOYER_SUPPLIED
    assert medical.sources["employer_rate"].text() == "employer-supplied (our own declaration)"
    assert "employee_rate" not in medical.sources  # the table's 2% stands
    assert r.schemes["work_injury"].sources["employer_rate"].why == "class II, our notice"
    # a rate given for one employee still wins over the employer's default class
    given = one("tianjin", dt.date(2026, 12, 1), 10_000, rates=rates, work_injury_rate=np.array([10_000]))
    assert yuan(given.schemes["work_injury"].employer[0]) == Decimal("100.00")  # 1%
    # outside the rows' dates the table holds again: July 2027 is pending, medical carried (10.5%)
    later = one("tianjin", dt.date(2027, 1, 1), 10_000, rates=rates)
    assert yuan(later.schemes["medical"].employer[0]) == Decimal("1050.00")
    assert later.schemes["medical"].sources["employer_rate"].kind == CARRIED_FORWARD


def test_employer_base_and_housing_fund_rate():
    """Shanghai 2026-09: the employer declares a floor of 8,000 (above the published 7,546) and its
    housing fund rate 5% (the table's range 5%–7%; default otherwise the highest, 7%)."""
    rates = EmployerRates([rate("shanghai", "pension", dt.date(2026, 7, 1), base_floor="8000"),
                           rate("shanghai", "housing_fund", dt.date(2026, 7, 1), employer_rate="0.05")])
    r = one("shanghai", dt.date(2026, 9, 1), 6_000, rates=rates, participates={})
    assert yuan(r.schemes["pension"].employee[0]) == Decimal("640.00")  # 8,000 × 8%
    assert yuan(r.schemes["medical"].employee[0]) == Decimal("150.92")  # 7,546 × 2%: the table's floor
    assert yuan(r.schemes["housing_fund"].employee[0]) == Decimal("300.00")  # 6,000 × 5%
    assert r.schemes["housing_fund"].sources["rate"].kind == EMPLOYER_SUPPLIED
    assert not any("housing fund" in a for a in r.assumptions)  # the employer's rate, not an assumed one


def test_bad_employer_rows_are_refused_with_where():
    with pytest.raises(InputError, match="rates.csv row 3: employer_rate: expected a share"):
        EmployerRate("shanghai", "pension", dt.date(2026, 7, 1), None, "x", employer_rate=Decimal(16),
                     where="rates.csv row 3")
    with pytest.raises(InputError, match="row 4: scheme: expected one of"):
        EmployerRate("shanghai", "pensions", dt.date(2026, 7, 1), None, "x", employer_rate=Decimal("0.16"),
                     where="row 4")
    with pytest.raises(InputError, match="row 3: shanghai pension from 2026-09-01 overlaps row 2"):
        EmployerRates([EmployerRate("shanghai", "pension", dt.date(2026, 7, 1), None, "x", base_floor=Decimal(1),
                                    where="row 2"),
                       EmployerRate("shanghai", "pension", dt.date(2026, 9, 1), None, "x", base_floor=Decimal(2),
                                    where="row 3")])


# --- the full month -----------------------------------------------------------------------------


def _shanghai_2027(wage: int = 20_000):
    n, months = 1, 12
    wages = np.full((n, months), wage * 100, dtype=np.int64)
    income = YearInputs(year=2027, wages=wages, foreigner=np.array([False]))
    return gross_to_net(MonthInputs(income, np.array(["shanghai"]), housing_fund=np.array([False])), LAW)


def test_a_year_on_carried_figures_flags_its_totals_month_by_month():
    """Shanghai 2027 at 20,000: January–February published; March–June the employer medical rate
    is carried (沪医保规〔2026〕2号 ends 2027-02-28); July on, every figure (pending period)."""
    r = _shanghai_2027()
    employer = r.monthly["employer_carried"][0]
    employee = r.monthly["employee_carried"][0]
    assert list(employer) == [False] * 2 + [True] * 10
    assert list(employee) == [False] * 6 + [True] * 6
    labels = r.labels(3)
    assert labels["medical_sources"][0] == "carried forward from 2026-07..2027-02: employer rate"
    assert labels["pension_sources"][0] == ""
    assert "沿用2026-07..2027-02已公布的数据" in r.labels(3, "zh")["medical_sources"][0]
    # the same amounts as February: nothing changed but the label
    assert r.monthly["employer_social"][0, 2] == r.monthly["employer_social"][0, 1]
    trace = explain_month(r, 0)
    medical_march = [s for s in trace if s.month == 3 and s.label == "medical: employer"][0]
    assert "carried forward from 2026-07..2027-02" in medical_march.how
    employee_march = [s for s in trace if s.month == 3 and s.label == "medical: employee"][0]
    assert "carried forward" not in employee_march.how  # the employee's rate and the bases are published
    cost_march = [s for s in trace if s.month == 3 and s.label == "employer cost"][0]
    assert "carried forward" in cost_march.how
    net_march = [s for s in trace if s.month == 3 and s.label == "net pay"][0]
    assert "carried forward" not in net_march.how  # the employee side is published in March


def test_strict_month_refuses_what_it_would_carry():
    n = 1
    income = YearInputs(year=2027, wages=np.full((n, 12), 2_000_000, dtype=np.int64), foreigner=np.array([False]))
    with pytest.raises(SocialDataGap, match="shanghai 2027-03"):
        gross_to_net(MonthInputs(income, np.array(["shanghai"]), carry_forward=False), LAW)


def test_employer_rates_split_the_months_where_rows_begin():
    """A row from 2026-10 in a period from 2026-07: months before it keep the table's figure."""
    rates = EmployerRates([rate("shanghai", "pension", dt.date(2026, 10, 1), employer_rate="0.15")])
    income = YearInputs(year=2026, wages=np.full((1, 12), 2_000_000, dtype=np.int64), foreigner=np.array([False]))
    r = gross_to_net(MonthInputs(income, np.array(["shanghai"]), rates=rates, housing_fund=np.array([False])), LAW)
    pension = [r.figures(m)["employer_pension"][0] for m in (9, 10)]
    assert [yuan(x) for x in pension] == [Decimal("3200.00"), Decimal("3000.00")]  # 16% then 15% of 20,000
    assert r.labels(10)["pension_sources"][0] == "employer-supplied (our own declaration): employer rate"


# --- properties ---------------------------------------------------------------------------------

CITY_MONTHS = [(c, dt.date(y, m, 1)) for c in cities(LAW) for (y, m) in ((2025, 9), (2026, 3), (2026, 12))]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CITY_MONTHS), st.lists(st.integers(0, 6_000_000), min_size=1, max_size=8))
def test_carrying_forward_never_changes_a_published_amount(city_month, wages):
    """Where the published figures decide an amount, carrying forward leaves it as it is; where
    they do not, the amount is marked as resting on a carried figure (or is still unknown)."""
    city, month = city_month
    wage = np.array(wages, dtype=np.int64)
    try:
        strict = contributions(LAW, city, month, wage, allow_partial=True, carry_forward=False)
    except SocialDataGap:
        return  # no data at all for the month
    carried = contributions(LAW, city, month, wage, allow_partial=True)
    for name, s in strict.schemes.items():
        c = carried.schemes[name]
        for side in ("employer", "employee"):
            decided = ~getattr(s, f"{side}_unknown")
            assert (getattr(c, side)[decided] == getattr(s, side)[decided]).all()
            assert not getattr(c, f"{side}_carried")[decided].any()
            undecided = ~decided
            assert (getattr(c, f"{side}_carried")[undecided] | getattr(c, f"{side}_unknown")[undecided]).all()
