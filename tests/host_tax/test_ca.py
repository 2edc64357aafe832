"""Canada: federal and Ontario income tax."""

import datetime as dt
from decimal import Decimal

from host_support import amount, person


def test_pwc_2024_sample_federal_tax_before_credits():
    """PwC Worldwide Tax Summaries, Canada — sample 2024 (10 Dec 2024): taxable income 128,162 →
    federal tax before credits 24,104 (to the dollar; 24,104.12 to the cent)."""
    assert amount(person("CA", dt.date(2024, 6, 1), 128_162), "federal_tax_on_income") == Decimal("24104.12")


def test_rcgt_2025_ontario_table_50000():
    """RCGT tax table Ontario 2025 (https://www.rcgt.com/en/tax-planning-guide/tables/2-ontario-2/tax-table-2/):
    taxable 50,000 with the basic personal amounts only — federal 7,250 − 2,338.71 = 4,911 and
    Ontario 2,525 − 643.72 = 1,881. The engine also gives the Canada employment amount (1,471 ×
    14.5% = 213.30) and the Ontario Health Premium (600), which the table leaves out."""
    result = person("CA", dt.date(2025, 6, 1), 50_000)
    assert amount(result, "federal_tax_on_income") == 7_250
    assert amount(result, "federal_tax") + Decimal("213.30") == Decimal("4911.30")
    assert amount(result, "provincial_basic_tax") == Decimal("1881.28")
    assert amount(result, "health_premium") == 600
    assert amount(result, "total_tax") == Decimal("4698") + Decimal("1881.28") + 600


def test_2026_surtax_and_reduced_basic_amount_derived():
    """Derived, 2026, taxable 100,000: federal 14% × 58,523 + 20.5% × 41,477 = 8,193.22 + 8,502.79 =
    16,696.01, less 14% × (16,452 + 1,471) = 2,509.22 → 14,186.79; Ontario 5.05% × 53,891 +
    9.15% × 46,109 = 2,721.50 + 4,218.97 = 6,940.47 − 655.94 = 6,284.53; surtax 20% × 466.53 = 93.31;
    health premium 750."""
    result = person("CA", dt.date(2026, 6, 1), 100_000)
    assert amount(result, "federal_tax") == Decimal("14186.79")
    assert amount(result, "provincial_basic_tax") == Decimal("6284.53")
    assert amount(result, "provincial_surtax") == Decimal("93.31")
    assert amount(result, "total_tax") == Decimal("14186.79") + Decimal("6284.53") + Decimal("93.31") + 750
