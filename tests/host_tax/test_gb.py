"""United Kingdom (rest of UK): personal allowance with taper, basic/higher/additional rates."""

import datetime as dt

from host_support import amount, person


def test_gov_uk_previous_tax_years_example_2024_25():
    """GOV.UK 'Income Tax rates and Personal Allowances — previous tax years' example (relayed in
    shared/reference/CROSS_BORDER_TAX.md §1.5): 2024/25, income 35,000, standard allowance 12,570 →
    basic rate on 22,430 = 4,486."""
    result = person("GB", dt.date(2024, 10, 1), 35_000)
    assert amount(result, "taxable_income") == 22_430
    assert amount(result, "total_tax") == 4_486


def test_no_allowance_above_125140_pwc_sample_income():
    """PwC Worldwide Tax Summaries, UK sample (15 Dec 2024): income 175,000, allowance nil. PwC taxes
    0–50,270 at 20% (62,439); the statute's basic-rate band is 37,700 of taxable income, so derived:
    37,700 × 20% + 87,440 × 40% + 49,860 × 45% = 7,540 + 34,976 + 22,437 = 64,953."""
    result = person("GB", dt.date(2025, 1, 1), 175_000)
    assert amount(result, "personal_allowance") == 0
    assert amount(result, "total_tax") == 64_953


def test_taper_rounds_the_allowance_up_to_the_pound():
    """ITA 2007 s. 35: income 105,001 (2025/26) → reduction 2,500.50 → allowance 10,069.50 rounded up
    to 10,070; taxable 94,931: 7,540 + 40% × 57,231 = 30,432.40 (derived)."""
    result = person("GB", dt.date(2025, 6, 1), 105_001)
    assert amount(result, "personal_allowance") == 10_070
    assert str(amount(result, "total_tax")) == "30432.4"
