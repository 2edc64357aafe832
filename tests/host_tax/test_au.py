"""Australia: resident and foreign-resident rates, low income tax offset, Medicare levy."""

import datetime as dt

from host_support import amount, person


def test_pwc_2024_25_sample():
    """PwC Worldwide Tax Summaries, Australia — sample 2024-25 (16 Dec 2024): taxable income 134,500 →
    4,288 + 30% × 89,500 = 31,138; Medicare levy 2% = 2,690."""
    result = person("AU", dt.date(2024, 7, 1), 134_500)
    assert amount(result, "income_tax") == 31_138
    assert amount(result, "medicare_levy") == 2_690
    assert amount(result, "total_tax") == 33_828


def test_2024_25_tax_on_50000_and_100000():
    """taxcalculator.tax brackets page (low reliability): 2024-25 tax on 50,000 = 5,788 and on 100,000 =
    20,788 before offsets and the levy. With LITO (700 − 375 − 75 = 250) and 2% levy at 50,000:
    5,788 − 250 + 1,000 = 6,538 (derived)."""
    low = person("AU", dt.date(2025, 3, 1), 50_000)
    assert amount(low, "income_tax") == 5_788
    assert amount(low, "low_income_tax_offset") == 250
    assert amount(low, "total_tax") == 6_538
    assert amount(person("AU", dt.date(2025, 3, 1), 100_000), "income_tax") == 20_788


def test_foreign_resident_and_medicare_phase_in():
    """Derived: a foreign resident on 100,000 (2024-25) pays 30% = 30,000, no levy or offset; a resident
    on 30,000 pays the levy phased in: min(600, 10% × (30,000 − 27,222) = 277.80)."""
    assert amount(person("AU", dt.date(2025, 3, 1), 100_000, resident=False), "total_tax") == 30_000
    assert str(amount(person("AU", dt.date(2025, 3, 1), 30_000), "medicare_levy")) == "277.8"
