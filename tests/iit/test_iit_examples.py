"""Published worked examples the scenario format cannot hold, each with its source: the 2008
regime (a scenario starts in 2011), a closed month's tax actually withheld (a payroll figure),
and the pricing of declared special additional deductions. The other worked examples are cases
in tests/cases/iit (run by tests/cases/test_cases.py and by ``expatcn check``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import fen, months, one_person, yuan
from expatcn.iit.inputs import InputError
from expatcn.iit.person_year import compute_year


def wage_tax(result) -> list[Decimal]:
    return [yuan(v) for v in result.monthly["wage_tax"][0]]


def test_2008_regime_foreigner(law):
    """Guangzhou expat blog (2008-08), 9-band table with 4,800 for foreigners: 18,000 → 2,265;
    65,000 → 14,695. https://guangzhou-expat.blogspot.com/2008/08/china-personal-income-tax.html"""
    assert wage_tax(compute_year(one_person(2010, wages=18000, foreigner=True), law))[0] == Decimal("2265.00")
    assert wage_tax(compute_year(one_person(2010, wages=65000, foreigner=True), law))[0] == Decimal("14695.00")


def test_a_correction_of_a_closed_month_carries_into_the_next_open_month(law):
    """January was filed with 555 withheld on 30,000 wages; February finds January's wages were
    really 32,000. The cumulative formula deducts the 555 actually withheld, so February's tax
    carries the difference: to date (62,000 − 10,000 − 9,000 − 4,000) = 39,000 × 10% − 2,520 =
    1,380; minus 555 withheld → 825 (instead of 625)."""
    wages = months(30000, m1=32000)
    filed = months(0, m1=555)
    result = compute_year(one_person(2019, wages=wages, employee_contributions=4500, special_additional_deductions=2000,
                                     closed_months=1, wage_tax_withheld=filed), law)
    assert wage_tax(result)[:2] == [Decimal("555.00"), Decimal("825.00")]
    reopened = compute_year(one_person(2019, wages=wages, employee_contributions=4500,
                                       special_additional_deductions=2000), law)
    assert sum(wage_tax(result)) == sum(wage_tax(reopened))  # the year's total is the same


def test_special_additional_deductions_priced_by_the_law_of_the_month(law):
    """2022: children's education 1,000 + infant care 1,000 + elderly (only child) 2,000 + rent
    tier 1 1,500; 2023 on: 2,000 + 2,000 + 3,000 + 1,500 (Guo Fa [2023] No. 13)."""
    import datetime as dt

    from expatcn.iit.special_additional import special_additional_deduction

    claims = dict(children_education=1, infant_care=1, elderly_support="only_child", housing_rent_tier=1)
    assert special_additional_deduction(law, dt.date(2022, 6, 1), **claims) == fen(5500)
    assert special_additional_deduction(law, dt.date(2023, 6, 1), **claims) == fen(8500)
    with pytest.raises(InputError, match="sibling cap"):
        special_additional_deduction(law, dt.date(2024, 1, 1), elderly_support=Decimal(1600))
    with pytest.raises(InputError, match="cannot both be claimed"):
        special_additional_deduction(law, dt.date(2024, 1, 1), housing_rent_tier=2, housing_loan_interest=True)
