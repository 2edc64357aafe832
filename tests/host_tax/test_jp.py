"""Japan: national income tax with the reconstruction surtax, and the inhabitant tax."""

import datetime as dt

from host_support import amount, person


def test_employment_income_by_annex_table_5_asakura_city():
    """Asakura city (official), 'employment income' example: salary 5,812,500 → ÷ 4 = 1,453,125,
    rounded down to 1,453,000; × 3.2 − 440,000 = 4,209,600
    (https://www.city.asakura.lg.jp/www/contents/1297152333239/index.html)."""
    assert amount(person("JP", dt.date(2024, 6, 1), 5_812_500), "employment_income") == 4_209_600


def test_nta_tax_answer_2260_quick_deduction_example():
    """NTA Tax Answer No. 2260: taxable income 7,000,000 → 7,000,000 × 23% − 636,000 = 974,000 (before
    the surtax). Salary 9,580,000 less the deduction of 1,950,000 (its cap), basic deduction 480,000
    and social insurance 150,000 gives exactly 7,000,000 in 2024."""
    result = person("JP", dt.date(2024, 6, 1), 9_580_000, contributions=150_000)
    assert amount(result, "taxable_income") == 7_000_000
    assert amount(result, "income_tax") == 974_000


def test_pwc_2024_sample_base_tax_and_the_cut_before_the_surtax():
    """PwC Worldwide Tax Summaries, Japan — sample 2024 (last reviewed 24 Jan 2025): salary 10,000,000
    → employment deduction 1,950,000, basic deduction 480,000, taxable 7,570,000, income tax
    1,105,100 (reproduced). PwC then adds the surtax on the whole 1,105,100 and deducts the 30,000
    cut (1,098,300); the reconstruction surtax is on the tax after the cut, so (1,105,100 −
    30,000) × 1.021 = 1,097,677.1 → 1,097,600 (derived). Inhabitant tax (derived, with the 2,500
    adjustment credit PwC omits): 7,620,000 × 4% − 1,000 = 303,800; × 6% − 1,500 = 455,700; + 5,000."""
    result = person("JP", dt.date(2024, 6, 1), 10_000_000)
    assert amount(result, "taxable_income") == 7_570_000
    assert amount(result, "income_tax") == 1_105_100
    assert amount(result, "national_tax") == 1_097_600
    assert amount(result, "prefectural_tax") == 303_800
    assert amount(result, "municipal_tax") == 455_700
    assert amount(result, "inhabitant_tax") == 764_500


def test_2025_basic_deduction_and_non_resident_flat_rate():
    """Derived (2025 reform): salary 10,000,000 → total income 8,050,000 → basic deduction 580,000 →
    taxable 7,470,000 → 1,082,100 × 1.021 = 1,104,824.1 → 1,104,800. A non-resident: 20.42% of
    salary, no inhabitant tax: 10,000,000 × 20% × 1.021 = 2,042,000."""
    assert amount(person("JP", dt.date(2025, 6, 1), 10_000_000), "national_tax") == 1_104_800
    non_resident = person("JP", dt.date(2025, 6, 1), 10_000_000, resident=False)
    assert amount(non_resident, "total_tax") == 2_042_000
