"""France: 10% deduction, barème by part, cap, décote, rounding."""

import datetime as dt
from decimal import Decimal

from host_support import amount, person


def test_service_public_f1419_income_2024_single_30000():
    """service-public.fr fiche F1419 (2025 version, mirror https://hagenbach.illicoweb.com/service-public/fiche/F1419):
    income 2024, single, taxable 30,000 → (29,315 − 11,497) × 11% = 1,959.98 + (30,000 − 29,315) × 30%
    = 205.50 → 2,165.48. Net salary 33,333.33 less its 10% (3,333.33) gives the 30,000."""
    result = person("FR", dt.date(2024, 6, 1), "33333.33")
    assert amount(result, "taxable_income") == 30_000
    assert amount(result, "gross_tax") == Decimal("2165.48")
    assert amount(result, "total_tax") == 2_165


def test_couple_two_parts_and_the_cap_with_children_2025():
    """Couple, 2 parts, taxable 60,000 (income 2024): 2 × 2,165.48 = 4,330.96 (F1419 couple rule, derived).
    Income 2025, couple + 2 children (3 parts), 100,000: 3-part tax 9,311.97; 2-part tax 16,207.98;
    advantage 6,896.01 > 2 × 1,807 → 12,593.98 → 12,594 (CROSS_BORDER_TAX.md FR-5, derived)."""
    couple = person("FR", dt.date(2024, 6, 1), "66666.67", parts=2, couple=True)
    assert amount(couple, "taxable_income") == 60_000
    assert amount(couple, "gross_tax") == Decimal("4330.96")
    family = person("FR", dt.date(2025, 6, 1), "111111.11", parts=3, couple=True)
    assert amount(family, "taxable_income") == 100_000
    assert amount(family, "tax_by_parts") == Decimal("9311.97")
    assert amount(family, "gross_tax") == Decimal("12593.98")
    assert amount(family, "total_tax") == 12_594


def test_decote_and_non_resident_minimum_2024():
    """Income 2024, single, taxable 20,000: 11% × 8,503 = 935.33; décote 889 − 45.25% × 935.33 (423.24) =
    465.76; tax 469.57 → 470. A non-resident: at least 20% × 20,000 = 4,000, no décote (derived)."""
    resident = person("FR", dt.date(2024, 6, 1), "22222.22")
    assert amount(resident, "gross_tax") == Decimal("935.33")
    assert amount(resident, "decote") == Decimal("465.76")
    assert amount(resident, "total_tax") == 470
    assert amount(person("FR", dt.date(2024, 6, 1), "22222.22", resident=False), "total_tax") == 4_000
