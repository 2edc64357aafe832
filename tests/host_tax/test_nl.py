"""Netherlands: box 1, credits, 30% ruling."""

import datetime as dt
from decimal import Decimal

from host_support import amount, person


def test_box1_2024_93765():
    """LessonUp economics lesson (https://lessonup.com/nl/lesson/BpKzFB9XLGB87bwbw, low reliability):
    2024 box 1 taxable 93,765 → 75,518 × 36.97% = 27,919.00 + 18,247 × 49.50% = 9,032.27 → 36,951.27
    before credits; the general credit is nil from 75,518, the labour credit 5,532 −
    6.51% × 53,808 = 2,029.10 (derived)."""
    result = person("NL", dt.date(2024, 6, 1), 93_765)
    assert amount(result, "box1_tax") == Decimal("36951.27")
    assert amount(result, "general_credit") == 0
    assert amount(result, "labour_credit") == Decimal("2029.10")


def test_ruling_cap_2025_pwc():
    """PwC Worldwide Tax Summaries, Netherlands (16 Jan 2025): the 30% allowance is capped at 30% of
    246,000 = 73,800; gross 300,000 → taxable wage 226,200. Derived tax: 38,441 × 35.82% = 13,769.57
    + 38,376 × 37.48% = 14,383.32 + 149,383 × 49.50% = 73,944.59 → 102,097.48, no credits left."""
    result = person("NL", dt.date(2025, 6, 1), 300_000, ruling=True)
    assert amount(result, "ruling_allowance") == 73_800
    assert amount(result, "taxable_income") == 226_200
    assert amount(result, "total_tax") == Decimal("102097.48")


def test_ruling_keeps_the_minimum_taxable_wage_2026():
    """Derived: 2026 wage 60,000 → 30% would leave 42,000 < 48,013, so the allowance is 11,987."""
    assert amount(person("NL", dt.date(2026, 6, 1), 60_000, ruling=True), "ruling_allowance") == 11_987
