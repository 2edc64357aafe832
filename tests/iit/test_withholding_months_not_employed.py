"""A month in which the withholding agent pays nothing withholds nothing: the cumulative basic
deduction of STA 2020 No. 13 (from January) and No. 19 (60,000 from January) does not fall back
to 5,000 × months employed after the person leaves (found by the batch ↔ ``expatcn tax`` property,
issue 13)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from expatcn.iit.person_year import compute_year
from expatcn.iit.withholding import cumulative_basic_deduction
from expatcn.iit.year_law import YearLaw
from conftest import months, one_person, yuan


def test_low_income_deduction_stays_after_leaving(law):
    """No. 19: 60,000 deducted from January. Paid 15,000.17 in January, employed to March: the
    cumulative taxable income stays 0 after March (15,000.17 − 60,000 < 0), so April withholds
    nothing (it used to deduct 5,000 × 3 = 15,000 and withhold 0.17 × 3 % = 0.01)."""
    employed = np.array([[True] * 3 + [False] * 9])
    result = compute_year(one_person(2021, wages=months(0, m1="15000.17"), employed=employed,
                                     low_income_last_year=True), law)
    assert yuan(result.monthly["total_tax"][0].sum()) == Decimal("0.00")
    assert yuan(result.monthly["basic_deduction"][0, 3]) == Decimal("60000.00")


def test_new_hire_deduction_stays_after_leaving(law):
    """No. 13: first paid in October 2024, 20,000 in October and November, gone in December:
    October deducts 50,000, November 55,000 (cumulative income 40,000: nothing withheld); December
    keeps 55,000 (it used to drop to 5,000 × 2 = 10,000 and withhold (40,000 − 10,000) × 3 % = 900
    with no pay at all)."""
    employed = np.array([[False] * 9 + [True] * 2 + [False]])
    wages = months(0, m10=20000, m11=20000)
    result = compute_year(one_person(2024, wages=wages, employed=employed, first_income_this_year=True), law)
    assert [yuan(v) for v in result.monthly["basic_deduction"][0, 9:]] == [Decimal("50000.00"), Decimal("55000.00"),
                                                                         Decimal("55000.00")]
    assert yuan(result.monthly["total_tax"][0].sum()) == Decimal("0.00")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=12, max_size=12), st.booleans(), st.booleans(), st.integers(2019, 2026))
def test_the_cumulative_deduction_never_falls(employed, first_income, low_income, year):
    """Whatever the months employed, the cumulative basic deduction never decreases in the year."""
    from expatcn.law import load_law

    law = load_law()
    deduction = cumulative_basic_deduction(np.array([employed]), np.array([first_income]), np.array([low_income]),
                                           YearLaw(law, year))
    assert (np.diff(deduction[0]) >= 0).all()
