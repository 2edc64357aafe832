"""Germany: §32a EStG, solidarity surcharge, church tax."""

import datetime as dt
from decimal import Decimal

from host_support import amount, person

LUMP_SUMS = 1_230 + 36  # Arbeitnehmer-Pauschbetrag + Sonderausgaben-Pauschbetrag


def test_pwc_2024_sample_by_splitting():
    """PwC Worldwide Tax Summaries, Germany — 'Sample personal income tax calculation' (last reviewed
    28 Dec 2024): married couple, joint zvE 77,138 → income tax 14,004. Splitting (§32a(5) EStG) is
    2 × the single tariff on 38,569: 2 × 7,002."""
    result = person("DE", dt.date(2024, 12, 31), 38_569 + LUMP_SUMS)
    assert amount(result, "taxable_income") == 38_569
    assert 2 * amount(result, "income_tax") == 14_004


def test_bmf_calculator_values_2024_and_2025():
    """Joint zvE 23,634 (2024) → 8 and 24,342 (2025) → 20, as checked against the BMF calculator
    (bmf-steuerrechner.de; relayed in shared/reference/CROSS_BORDER_TAX.md §1.2, low reliability):
    2 × T(11,817) and 2 × T(12,171), in the first zone just above the basic allowance."""
    assert 2 * amount(person("DE", dt.date(2024, 6, 1), 11_817 + LUMP_SUMS), "income_tax") == 8
    assert 2 * amount(person("DE", dt.date(2025, 6, 1), 12_171 + LUMP_SUMS), "income_tax") == 20


def test_solidarity_phase_in_and_church_tax_2025():
    """Derived (§32a 2025; SolZG §§3, 4): zvE 100,000 → 0.42 × 100,000 − 10,911.92 = 31,088.08 →
    31,088; SolZ = min(5.5% × 31,088 = 1,709.84; 11.9% × (31,088 − 19,950) = 1,325.422) → 1,325.42;
    Bavarian church tax 8% × 31,088 = 2,487.04."""
    result = person("DE", dt.date(2025, 6, 1), 100_000 + LUMP_SUMS, church="BY")
    assert amount(result, "income_tax") == 31_088
    assert amount(result, "solidarity_surcharge") == Decimal("1325.42")
    assert amount(result, "church_tax") == Decimal("2487.04")
    assert amount(result, "total_tax") == Decimal("34900.46")


def test_contributions_are_deducted_before_the_tariff_2026():
    """Derived: 2026, wages 61,266, deductible contributions 11,266 → zvE 61,266 − 1,266 − 11,266 =
    48,734; zone 2: z = (48,734 − 17,799)/10,000 = 3.0935; (173.10 × 3.0935 + 2,397) × 3.0935 +
    1,034.87 = 10,106.50… → 10,106."""
    result = person("DE", dt.date(2026, 6, 1), 61_266, contributions=11_266)
    assert amount(result, "taxable_income") == 48_734
    assert amount(result, "income_tax") == 10_106
