"""US federal income tax: published examples, to the dollar."""

import datetime as dt
from decimal import Decimal

from host_support import amount, person


def test_pwc_2024_married_joint_sample():
    """PwC Worldwide Tax Summaries, United States — 'Sample personal income tax calculation' (last
    reviewed 13 Aug 2024, https://taxsummaries.pwc.com/united-states/individual/sample-personal-income-tax-calculation):
    taxable ordinary income 139,300 after the 29,200 standard deduction → tax 20,752
    (2,320 + 8,532 + 9,900). From 100,000 the Tax Rate Schedule applies."""
    result = person("US", dt.date(2024, 12, 31), 139_300 + 29_200, filing_status="married_joint")
    assert amount(result, "taxable_income") == 139_300
    assert amount(result, "total_tax") == 20_752


def test_tax_table_2025_single_row_59250():
    """IRS 2025 Form 1040 Tax Table, row 59,250–59,300, single: 7,955 (the schedule at the row's
    middle, 59,275, gives 7,954.50, rounded to the dollar; the formula on 59,250 would give 7,949).
    Figure relayed in shared/reference/CROSS_BORDER_TAX.md §5a; wages 75,000 − 15,750."""
    result = person("US", dt.date(2025, 6, 30), 75_000)
    assert amount(result, "taxable_income") == 59_250
    assert amount(result, "total_tax") == 7_955


def test_non_resident_alien_has_no_standard_deduction():
    """IRC §63(c)(6)(B): derived — 2026 single, wages 30,000: 1,240 + 12% × 17,600 at the row
    middle 30,025 → 1,240 + 2,115 = 3,355 (row 30,000–30,050)."""
    result = person("US", dt.date(2026, 3, 1), 30_000, resident=False)
    assert amount(result, "standard_deduction") == 0
    assert amount(result, "total_tax") == Decimal(3_355)
