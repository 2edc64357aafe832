"""Who takes part: MOHRSS Decree No. 16 (2011-10-15), Shanghai's 2009 Notice until 2021-08-15,
the housing fund optional for foreigners, and certificates of coverage under an agreement
(Germany: pension and unemployment exempt, medical still due)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from expatcn.law import load_law
from expatcn.social.contributions import SocialDataGap, contributions
from expatcn.social.participation import one_employee, participation

LAW = load_law()
NAT = np.datetime64("NaT", "D")


def d(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


def test_chinese_join_everything_foreigners_not_housing_fund_by_default():
    p = participation(LAW, "beijing", dt.date(2024, 9, 1), np.array([False, True]))
    for scheme in ("pension", "medical", "maternity", "unemployment", "work_injury"):
        assert p.schemes[scheme].tolist() == [True, True]
    assert p.schemes["housing_fund"].tolist() == [True, False]
    opted = participation(LAW, "beijing", dt.date(2024, 9, 1), np.array([True]), housing_fund=np.array([True]))
    assert opted.schemes["housing_fund"].tolist() == [True]
    # the default lives here: a Chinese employee is enrolled even when "not chosen", a foreigner only by choice
    chosen = participation(LAW, "beijing", dt.date(2024, 9, 1), np.array([False, True, True]),
                           housing_fund=np.array([False, False, True]))
    assert chosen.schemes["housing_fund"].tolist() == [True, False, True]
    for nationality, choice, enrolled in (("CN", None, True), ("CN", False, True), ("DE", None, False), ("DE", True, True)):
        _, one = one_employee(LAW, "beijing", dt.date(2024, 9, 1), 2_000_000, nationality, housing_fund=choice)
        assert one.schemes["housing_fund"].tolist() == [enrolled]


def test_shanghai_opt_out_until_2021_08_15():
    before = participation(LAW, "shanghai", dt.date(2021, 7, 1), np.array([True, True, False]),
                           opt_in=np.array([False, True, False]))
    assert before.schemes["pension"].tolist() == [False, True, True]
    assert before.schemes["work_injury"].tolist() == [False, True, True]
    assert before.schemes["unemployment"].tolist() == [False, False, True]  # not in the 2009 Notice
    after = participation(LAW, "shanghai", dt.date(2021, 9, 1), np.array([True]))
    assert after.schemes["pension"].tolist() == [True]
    # other cities never had the opt-out
    assert participation(LAW, "beijing", dt.date(2015, 1, 1), np.array([True])).schemes["pension"].all()


def test_foreigners_before_decree_16_is_an_error():
    with pytest.raises(SocialDataGap, match="before 2011-10-15"):
        participation(LAW, "beijing", dt.date(2011, 9, 1), np.array([True]))


def _german(month, until):
    return participation(LAW, "shanghai", month, np.array([True, True]),
                         nationality=np.array(["DE", "DE"]),
                         certificate_from=np.array([d("2024-01-01"), NAT]),
                         certificate_until=np.array([d(until), NAT]))


def test_german_with_and_without_certificate():
    p = _german(dt.date(2025, 3, 1), "2028-01-31")
    assert p.schemes["pension"].tolist() == [False, True]
    assert p.schemes["unemployment"].tolist() == [False, True]
    assert p.schemes["medical"].tolist() == [True, True]
    assert p.schemes["work_injury"].tolist() == [True, True]
    r = contributions(LAW, "shanghai", dt.date(2025, 3, 1), np.array([5_000_000, 5_000_000]), participates=p.schemes)
    assert r.schemes["pension"].employee.tolist() == [0, 295_368]  # 36,921 × 8%
    assert r.schemes["medical"].employee.tolist() == [73_842, 73_842]  # 36,921 × 2%
    assert any("agreements" in ref.table for ref in p.refs)


def test_certificate_expiring_mid_year():
    # certificate until 2025-06-15: May exempt, June only partly covered -> due, July due
    may = _german(dt.date(2025, 5, 1), "2025-06-15")
    june = _german(dt.date(2025, 6, 1), "2025-06-15")
    july = _german(dt.date(2025, 7, 1), "2025-06-15")
    assert may.schemes["pension"][0] == False  # noqa: E712
    assert june.schemes["pension"][0] == True  # noqa: E712
    assert july.schemes["pension"][0] == True  # noqa: E712
