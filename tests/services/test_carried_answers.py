"""What the use cases answer about figures carried forward, employer-supplied, of low confidence or
never published (issue 11): social, month, gross-up, plan and the law's freshness."""

from __future__ import annotations

import datetime as dt

import pytest
from decimal import Decimal

from expatcn.dates import Month
from expatcn.errors import SocialDataGap
from expatcn.io.month_scenario import MonthScenario
from expatcn.services.grossup import gross_up
from expatcn.services.law_status import law_status
from expatcn.services.month import full_month
from expatcn.services.social import cities, social_month
from expatcn.social.figures import EmployerRate, EmployerRates

TODAY = dt.date(2026, 12, 2)
RATE_FIGURES = {"employer_rate", "employee_rate", "employer_rate_range", "employer_rate_nonlocal",
                "employee_rate_nonlocal", "rate_max"}


@pytest.mark.parametrize("city", [c.key for c in cities()])
def test_every_city_answers_for_this_month_and_never_shows_an_unknown_rate_as_zero(city):
    answer = social_month(city, Month(2026, 12), 2_000_000)
    assert answer.city == city and len(answer.schemes) == 6
    for row in answer.schemes:
        if RATE_FIGURES & set(row.not_published) and row.participates:
            assert row.employer_rate is None or row.employee_rate is None
            assert row.employer is None or row.employee is None
    if any(row.not_published for row in answer.schemes if row.participates):
        assert not answer.totals.complete and answer.totals.employer_total is None


def test_social_strict_refuses_what_it_would_carry():
    carried = social_month("shanghai", Month(2027, 3), 2_000_000)
    medical = next(r for r in carried.schemes if r.scheme == "medical")
    assert medical.carried and medical.employer_rate == "9%" and carried.totals.carried
    assert [n.en for n in medical.figures] == ["employer rate: carried forward from 2026-07..2027-02"]
    assert medical.figures[0].zh == "单位费率：沿用2026-07..2027-02已公布的数据"
    with pytest.raises(SocialDataGap, match="strict"):
        social_month("shanghai", Month(2027, 3), 2_000_000, strict=True)


def test_social_with_employer_rates_fills_the_gap():
    rates = EmployerRates([EmployerRate("tianjin", "unemployment", dt.date(2026, 1, 1), None, "our declaration",
                                        employer_rate=Decimal("0.005"),
                                        employee_rate=Decimal("0.005")),
                           EmployerRate("tianjin", "work_injury", dt.date(2026, 1, 1), None, "class I",
                                        employer_rate=Decimal("0.002"))])
    answer = social_month("天津", Month(2026, 12), 1_000_000, rates=rates)
    assert answer.totals.complete and not answer.totals.carried
    unemployment = next(r for r in answer.schemes if r.scheme == "unemployment")
    assert unemployment.employer == "50.00" and unemployment.figures[0].kind == "employer_supplied"
    # employer: pension 1,600 + medical 10.5% 1,050 + 50 + injury 20 = 2,720.00
    assert answer.totals.employer_social_insurance == "2720.00"


SHANGHAI_2027 = {"name": "Li Lei", "year": 2027, "city": "上海", "employment": {"from": 1, "to": 12},
                 "every_month": {"wages": 20000}}


def test_month_marks_the_months_and_totals_resting_on_carried_figures():
    answer = full_month(MonthScenario.model_validate(SHANGHAI_2027), explain=True)
    by_month = {r.month: r for r in answer.months}
    assert not by_month["2027-02"].employer_carried and by_month["2027-03"].employer_carried
    assert not by_month["2027-06"].employee_carried and by_month["2027-07"].employee_carried
    assert by_month["2027-03"].figure_notes["medical"] == {
        "en": "carried forward from 2026-07..2027-02: employer rate", "zh": "沿用2026-07..2027-02已公布的数据：单位费率"}
    assert answer.carried
    assert any("carried forward" in step.how for step in answer.trace if step.month == 9)
    with pytest.raises(SocialDataGap, match="shanghai 2027-03"):
        full_month(MonthScenario.model_validate(SHANGHAI_2027), strict=True)


def test_grossup_months_on_carried_figures_say_so():
    answer = gross_up(3_000_000, 2027, city="shanghai")
    assert [m.carried for m in answer.months] == [False, False] + [True] * 10
    assert {"scheme": "medical", "en": "carried forward from 2026-07..2027-02: employer rate",
            "zh": "沿用2026-07..2027-02已公布的数据：单位费率"} in answer.figure_notes


def test_law_status_lists_what_ends_soon_and_what_is_carried():
    status = law_status(TODAY)
    lines = {t.table: t for t in status.tables}
    assert lines["social/shanghai"].ends_soon == dt.date(2027, 2, 28)  # 沪医保规〔2026〕2号 runs out
    assert lines["social/shanghai"].last_period == "2027-07-01..2027-12-31"
    assert lines["iit/expat_allowance_exemption"].ends_soon is None  # 2027-12-31: beyond 90 days
    assert lines["host_tax/us"].ends_soon == dt.date(2026, 12, 31)
    later = {t.table: t for t in law_status(dt.date(2027, 10, 15)).tables}
    assert later["social/shanghai"].pending and later["iit/expat_allowance_exemption"].ends_soon == dt.date(2027, 12, 31)
    by_city = {c.city: c for c in status.cities}
    assert any(f.kind == "not_published" and f.scheme == "unemployment" for f in by_city["tianjin"].figures)
    assert any(f.kind == "low_confidence" and f.scheme == "unemployment" for f in by_city["beijing"].figures)
    assert any(f.kind == "carried_forward" for f in by_city["nanjing"].figures)
