"""Korea: income tax on earned income and local income tax."""

import datetime as dt

import pytest

from host_support import amount, person
from expatcn.host_tax import HostTaxError


def test_pwc_2024_sample_married_two_children():
    """PwC Worldwide Tax Summaries, Korea — 'Sample personal income tax calculation' (last reviewed
    23 Dec 2024): salary 100,000,000, married, two children aged 8–20: earned income deduction
    14,750,000; personal deductions 6,000,000; tax base 79,250,000; computed tax 13,260,000; credits
    500,000 + 350,000 + 130,000; determined tax 12,280,000; local 1,228,000; total 13,508,000."""
    result = person("KR", dt.date(2024, 12, 31), 100_000_000, dependants=3, children=2)
    assert amount(result, "earned_income_deduction") == 14_750_000
    assert amount(result, "tax_base") == 79_250_000
    assert amount(result, "computed_tax") == 13_260_000
    assert amount(result, "earned_income_credit") == 500_000
    assert amount(result, "national_tax") == 12_280_000
    assert amount(result, "total_tax") == 13_508_000


def test_flat_rate_election():
    """Kim & Chang / PwC: 19% of total salary + 10% local = 20.9%: 100,000,000 → 20,900,000; not for
    work begun after the cut-off date."""
    assert amount(person("KR", dt.date(2024, 6, 1), 100_000_000, flat_rate_from=dt.date(2020, 3, 1)),
                  "total_tax") == 20_900_000
    with pytest.raises(HostTaxError, match="flat rate"):
        person("KR", dt.date(2024, 6, 1), 100_000_000, flat_rate_from=dt.date(2027, 1, 1))


def test_single_50_million_derived():
    """Derived: salary 50,000,000 → deduction 12,000,000 + 5% × 5,000,000 = 12,250,000; base
    50,000,000 − 12,250,000 − 1,500,000 = 36,250,000; tax 840,000 + 15% × 22,250,000 = 4,177,500;
    credit min(715,000 + 30% × 2,877,500 = 1,578,250; 740,000 − 0.8% × 17,000,000 = 604,000 → floor
    660,000) = 660,000; − 130,000 → 3,387,500; local 338,750; total 3,726,250."""
    result = person("KR", dt.date(2025, 6, 1), 50_000_000)
    assert amount(result, "earned_income_deduction") == 12_250_000
    assert amount(result, "earned_income_credit") == 660_000
    assert amount(result, "total_tax") == 3_726_250
