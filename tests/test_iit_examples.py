"""Published worked examples, each with its source. Where a figure is re-derived by us from a
published rule (no published number found), the test says "derived" — see
docs/research/iit_worked_examples.md for the search record."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from conftest import fen, months, one_person, yuan
from expatcn.iit.inputs import BonusMethod, InputError
from expatcn.iit.person_year import compute_year
from expatcn.iit.reconciliation import Filing


def wage_tax(result) -> list[Decimal]:
    return [yuan(v) for v in result.monthly["wage_tax"][0]]


# --- Residents' cumulative withholding (STA Announcement 2018 No. 61) --------------------------

def test_sta61_interpretation_example_salary_30000(law):
    """STA interpretation of Announcement 2018 No. 61, example 2 (relayed verbatim): salary
    30,000/month, "three insurances and one fund" 4,500, special additional deductions 2,000 →
    January 555, February 625, March 1,850; cumulative taxable income in February 37,000."""
    result = compute_year(one_person(2019, wages=30000, employee_contributions=4500,
                                     special_additional_deductions=2000), law)
    assert wage_tax(result)[:3] == [Decimal("555.00"), Decimal("625.00"), Decimal("1850.00")]
    assert yuan(result.monthly["wage_taxable"][0, 1]) == Decimal("37000.00")


def test_sta61_interpretation_example_salary_10000(law):
    """STA interpretation of 2018 No. 61, example 1, as recorded in IIT_RULES.md §12 item 3:
    salary 10,000, social insurance 1,500, children's education 1,000 → 75 every month
    (the published inputs are not confirmed verbatim; figures derived from the published rule)."""
    result = compute_year(one_person(2019, wages=10000, employee_contributions=1500,
                                     special_additional_deductions=1000), law)
    assert wage_tax(result) == [Decimal("75.00")] * 12


def test_hrinasia_cumulative_example(law):
    """HRinAsia, "How to calculate an employee's payroll in China – Part III: IIT": taxable income
    30,000 a month → 900, 2,580, 3,000 for January–March.
    https://www.hrinasia.com/management/how-to-calculate-an-employees-payroll-in-china-part-iii/"""
    result = compute_year(one_person(2021, wages=35000), law)
    assert wage_tax(result)[:3] == [Decimal("900.00"), Decimal("2580.00"), Decimal("3000.00")]


def test_new_hire_deduction_counts_from_january(law):
    """STA Announcement 2020 No. 13 (China Briefing / i-admin explainers): a graduate first paid in
    July deducts 5,000 × 7 = 35,000 in July, instead of 5,000 for one month employed."""
    employed = np.array([[False] * 6 + [True] * 6])
    wages = months(0, **{f"m{m}": 12000 for m in range(7, 13)})
    first = compute_year(one_person(2021, wages=wages, employed=employed, first_income_this_year=True), law)
    normal = compute_year(one_person(2021, wages=wages, employed=employed), law)
    assert yuan(first.monthly["basic_deduction"][0, 6]) == Decimal("35000.00")
    assert yuan(normal.monthly["basic_deduction"][0, 6]) == Decimal("5000.00")
    assert wage_tax(first)[6] == Decimal("0.00")
    assert wage_tax(normal)[6] == Decimal("210.00")  # (12,000 − 5,000) × 3%


def test_new_hire_rule_not_before_its_date(law):
    """2020 No. 13 took effect on 2020-07-01: a June 2020 month still deducts by months employed."""
    employed = np.array([[False] * 5 + [True] * 7])
    result = compute_year(one_person(2020, wages=10000, employed=employed, first_income_this_year=True), law)
    assert yuan(result.monthly["basic_deduction"][0, 5]) == Decimal("5000.00")  # June: one month
    assert yuan(result.monthly["basic_deduction"][0, 6]) == Decimal("35000.00")  # July: from January


def test_low_income_last_year_withholds_nothing_until_60000(law):
    """STA Announcement 2020 No. 19 (i-admin, Orbitax): last year ≤ 60,000 with the same employer
    → 60,000 deducted from January; no withholding while cumulative income ≤ 60,000 (derived
    figures: 8,000/month crosses 60,000 in August: (64,000 − 60,000) × 3% = 120)."""
    result = compute_year(one_person(2022, wages=8000, low_income_last_year=True), law)
    taxes = wage_tax(result)
    assert taxes[:7] == [Decimal("0.00")] * 7
    assert taxes[7] == Decimal("120.00")
    assert taxes[8] == Decimal("240.00")


# --- Annual one-off bonus (Caishui [2018] No. 164; MOF/STA 2023 No. 30) --------------------------

@pytest.mark.parametrize(
    ("bonus", "expected"),
    [
        # shuducw.com bonus calculator article: the 36,000 / 36,001 cliff.
        ("36000", "1080.00"),
        ("36001", "3390.10"),
        # Derived from the same rule at the 144,000 edge: 144,000 ÷ 12 = 12,000 → 10% − 210.
        ("144000", "14190.00"),
        ("144001", "27390.20"),
    ],
)
def test_annual_bonus_separate_cliffs(law, bonus, expected):
    wages = months(20000)
    result = compute_year(one_person(2024, wages=wages, bonus=months(0, m12=bonus)), law)
    assert yuan(result.monthly["bonus_tax"][0, 11]) == Decimal(expected)


def test_bonus_cliff_is_flagged_with_the_cheaper_amount(law):
    """shuducw.com: bonuses from 36,001 up to 38,566.67 net less than 36,000 itself."""
    flagged = compute_year(one_person(2025, wages=20000, bonus=months(0, m12="38566")), law)
    assert yuan(flagged.annual["bonus_cliff_cheaper_bonus"][0]) == Decimal("36000.00")
    past = compute_year(one_person(2025, wages=20000, bonus=months(0, m12="38567")), law)
    assert past.annual["bonus_cliff_cheaper_bonus"][0] == 0


def test_bonus_lower_tax_option_picks_combined_when_cheaper(law):
    """Derived: salary 6,000/month (annual taxable 12,000); a 36,001 bonus taxed separately costs
    3,390.10 + 360 = 3,750.10 for the year; combined, 48,001 × 10% − 2,520 = 2,280.10 — the option
    combines it."""
    inputs = one_person(2023, wages=6000, bonus=months(0, m12="36001"), bonus_method=int(BonusMethod.LOWER_TAX))
    result = compute_year(inputs, law)
    assert not result.annual["bonus_taxed_separately"][0]
    assert yuan(result.annual["year_tax"][0]) == Decimal("2280.10")
    separate = compute_year(one_person(2023, wages=6000, bonus=months(0, m12="36001")), law)
    assert yuan(separate.annual["year_tax"][0]) == Decimal("3750.10")  # 3,390.10 + 360


def test_second_bonus_of_the_year_joins_wages(law):
    """Caishui [2018] No. 164 §1(1): separate taxation once a year per taxpayer."""
    result = compute_year(one_person(2024, wages=20000, bonus=months(0, m6=10000, m12=10000)), law)
    assert result.monthly["bonus_separate"][0, 5] == fen(10000)
    assert result.monthly["bonus_combined"][0, 11] == fen(10000)


def test_bonus_window_closes_after_2027(law):
    """MOF/STA 2023 No. 30 runs to 2027-12-31; in 2028 the bonus joins wages under current law."""
    result = compute_year(one_person(2028, wages=20000, bonus=months(0, m12=36000)), law)
    assert result.monthly["bonus_combined"][0, 11] == fen(36000)
    assert result.monthly["bonus_tax"][0, 11] == 0


# --- Labour remuneration (STA 2018 No. 61 art. 8; IIT Law art. 6) ----------------------------

@pytest.mark.parametrize(
    ("receipts", "expected"),
    [
        ("2000", "240.00"),  # (2,000 − 800) × 20% — the STA Q&A figure, derived from the rule
        ("4000", "640.00"),  # (4,000 − 800) × 20%
        ("5000", "800.00"),  # 5,000 × 80% × 20%
        ("50000", "10000.00"),  # 40,000 × 30% − 2,000
        ("100000", "25000.00"),  # 80,000 × 40% − 7,000
    ],
)
def test_resident_labour_prepayment(law, receipts, expected):
    result = compute_year(one_person(2024, wages=0, labour=months(0, m5=receipts)), law)
    assert yuan(result.monthly["labour_tax"][0, 4]) == Decimal(expected)


def test_nonresident_labour_on_monthly_table(law):
    """IIT Law art. 6(1)(2): non-residents' labour remuneration — 80% of receipts on the monthly
    table, no 5,000 deduction (derived: 10,000 × 80% = 8,000 × 10% − 210 = 590)."""
    result = compute_year(one_person(2024, wages=0, labour=months(0, m5=10000), resident=False), law)
    assert yuan(result.monthly["labour_tax"][0, 4]) == Decimal("590.00")


# --- Reconciliation (IIT Law art. 11; STA Announcement 2024 No. 2) ------------------------------

def test_pwc_annual_sample_tax(law):
    """PwC Worldwide Tax Summaries, China — Individual, sample calculation: taxable comprehensive
    income 304,000 → tax 44,080 (304,000 × 25% − 31,920)."""
    result = compute_year(one_person(2024, wages=months(30000, m12=34000)), law)
    assert yuan(result.annual["reconciliation_taxable"][0]) == Decimal("304000.00")
    assert yuan(result.annual["reconciliation_tax_due"][0]) == Decimal("44080.00")


def test_reconciliation_refund_from_labour_prepaid_at_20_percent(law):
    """Derived from the published formula: wages 8,000/month and one 10,000 labour payment.
    Prepaid: wages 1,080 + labour 1,600 = 2,680; annual (96,000 + 8,000 − 60,000) = 44,000 →
    1,880; refund 800, filing optional (claim the refund)."""
    result = compute_year(one_person(2024, wages=8000, labour=months(0, m6=10000)), law)
    assert yuan(result.annual["reconciliation_prepaid"][0]) == Decimal("2680.00")
    assert yuan(result.annual["reconciliation_tax_due"][0]) == Decimal("1880.00")
    assert yuan(result.annual["reconciliation_balance"][0]) == Decimal("-800.00")
    assert result.annual["reconciliation_filing"][0] == Filing.REFUND_OPTIONAL


def test_reconciliation_payable_must_file(law):
    """Derived from the published formula: wages 50,000/month (30% band) and a 20,000 labour
    payment prepaid at 20% → 1,600 payable, above 400 and income above 120,000: must file."""
    result = compute_year(one_person(2024, wages=50000, labour=months(0, m3=20000)), law)
    assert yuan(result.annual["reconciliation_balance"][0]) == Decimal("1600.00")
    assert result.annual["reconciliation_filing"][0] == Filing.PAYABLE_MUST_FILE


def test_reconciliation_payable_under_400_needs_no_filing(law):
    """The ≤ 400 exemption (PwC Tax administration; Artxdigi for 2024–2027), derived figures:
    wages 40,000/month withheld 420,000 × 25% − 31,920 = 73,080; a 3,000 labour payment prepaid
    (3,000 − 800) × 20% = 440; annual 422,400 × 30% − 52,920 = 73,800 → payable 280."""
    result = compute_year(one_person(2024, wages=40000, labour=months(0, m3=3000)), law)
    assert yuan(result.annual["reconciliation_balance"][0]) == Decimal("280.00")
    assert result.annual["reconciliation_filing"][0] == Filing.PAYABLE_EXEMPT


def test_reconciliation_refund_when_labour_prepaid_above_marginal_rate(law):
    """Derived: wages 26,000/month withheld 252,000 × 20% − 16,920 = 33,480; 30,000 labour prepaid
    24,000 × 30% − 2,000 = 5,200; annual 276,000 × 20% − 16,920 = 38,280 → refund 400."""
    result = compute_year(one_person(2024, wages=26000, labour=months(0, m3=30000)), law)
    assert yuan(result.annual["reconciliation_balance"][0]) == Decimal("-400.00")


# --- Non-residents (IIT Law art. 6(1)(2); MOF/STA 2019 No. 35) ---------------------------------

def test_nonresident_month(law):
    """PwC (non-residents: monthly table, 5,000 only): wages 20,000 → 15,000 × 20% − 1,410 = 1,590
    (derived from the published rule). Social insurance is not deducted."""
    result = compute_year(one_person(2024, wages=20000, employee_contributions=2000, resident=False), law)
    assert wage_tax(result)[0] == Decimal("1590.00")


def test_nonresident_multimonth_bonus_divided_by_six(law):
    """MOF/STA 2019 No. 35 formula 5: 60,000 ÷ 6 = 10,000 → 10% − 210 → (1,000 − 210) × 6 = 4,740
    (derived). Once a year: a second bonus joins that month's wages."""
    result = compute_year(one_person(2024, wages=20000, resident=False, bonus=months(0, m3=60000, m9=6000)), law)
    assert yuan(result.monthly["bonus_tax"][0, 2]) == Decimal("4740.00")
    assert result.monthly["bonus_combined"][0, 8] == fen(6000)
    assert yuan(result.monthly["wage_tax"][0, 8]) == Decimal("2790.00")  # 21,000 × 20% − 1,410


def test_nonresident_special_additional_deductions_are_not_applied(law):
    """IIT Law art. 6(1)(2): a non-resident's wages less 5,000 a month, nothing else — declared
    special additional deductions are not applied, and the result says so (no error)."""
    claimed = compute_year(one_person(2024, wages=20000, resident=False, special_additional_deductions=1000), law)
    plain = compute_year(one_person(2024, wages=20000, resident=False), law)
    assert (claimed.monthly["wage_tax"] == plain.monthly["wage_tax"]).all()
    assert yuan(claimed.monthly["wage_tax"][0, 0]) == Decimal("1590.00")  # (20,000 − 5,000) × 20% − 1,410
    assert claimed.annual["special_additional_not_applied"][0] == 12 * 100_000
    [alert] = claimed.alerts()
    assert "special additional deductions of 12,000.00 not applied" in alert and "IIT Law art. 6(1)(2)" in alert
    assert plain.alerts() == []


# --- Back periods --------------------------------------------------------------------------------

def test_dezan_shira_2016_foreigner_with_and_without_housing(law):
    """Dezan Shira & Associates, Human Resources and Payroll in China 2016-2017, p. 77: a foreigner
    earning 10,000 → 485; with 3,000 of it as a reimbursed housing allowance → 115.
    https://www.asiabriefing.com/userfiles/epubs/guides/china/english/CB-2016-08/files/assets/basic-html/page-77.html"""
    plain = compute_year(one_person(2016, wages=10000, foreigner=True), law)
    housing = compute_year(one_person(2016, wages=7000, allowances=3000, foreigner=True), law)
    assert wage_tax(plain)[4] == Decimal("485.00")
    assert wage_tax(housing)[4] == Decimal("115.00")


def test_2016_chinese_national_deducts_3500(law):
    """IIT Law 2011: 3,500 for Chinese nationals (JCK Shanghai): 10,000 → 6,500 × 20% − 555 = 745."""
    result = compute_year(one_person(2016, wages=10000), law)
    assert wage_tax(result)[0] == Decimal("745.00")


def test_november_2018_foreigner_5000(law):
    """JCK Beijing: from 1 October 2018 the deduction is 5,000 for foreign and Chinese individuals,
    with the new monthly table: 10,000 → 5,000 × 10% − 210 = 290 (derived). September still 485."""
    result = compute_year(one_person(2018, wages=10000, foreigner=True), law)
    assert wage_tax(result)[10] == Decimal("290.00")
    assert wage_tax(result)[8] == Decimal("485.00")


def test_2008_regime_foreigner(law):
    """Guangzhou expat blog (2008-08), 9-band table with 4,800 for foreigners: 18,000 → 2,265;
    65,000 → 14,695. https://guangzhou-expat.blogspot.com/2008/08/china-personal-income-tax.html"""
    assert wage_tax(compute_year(one_person(2010, wages=18000, foreigner=True), law))[0] == Decimal("2265.00")
    assert wage_tax(compute_year(one_person(2010, wages=65000, foreigner=True), law))[0] == Decimal("14695.00")


def test_guoshuifa_2005_9_bonus_with_salary_shortfall(law):
    """Guoshuifa [2005] No. 9 art. 2 (rule relayed by MS Advisory): a salary 1,000 below the 4,800
    deduction first reduces a 24,000 bonus to 23,000 → ÷ 12 = 1,916.67 → 10% − 105 = 2,195
    (derived). Without a shortfall: 24,000 × 10% − 105 = 2,295."""
    short = compute_year(one_person(2016, wages=months(10000, m12=3800), bonus=months(0, m12=24000), foreigner=True), law)
    full = compute_year(one_person(2016, wages=10000, bonus=months(0, m12=24000), foreigner=True), law)
    assert yuan(short.monthly["bonus_tax"][0, 11]) == Decimal("2195.00")
    assert yuan(full.monthly["bonus_tax"][0, 11]) == Decimal("2295.00")


def test_special_additional_deductions_before_2019_are_an_error(law):
    with pytest.raises(InputError, match="start in 2019"):
        compute_year(one_person(2017, wages=10000, special_additional_deductions=1000), law)


# --- Equity incentives (Caishui [2018] No. 164 §2; MOF/STA 2023 No. 25; 2019 No. 35) ------------

def test_resident_equity_grants_combined_on_annual_table(law):
    """MOF/STA 2023 No. 25: two exercises in a year are combined on the annual table (derived:
    100,000 → 100,000 × 10% − 2,520 = 7,480; a further 100,000 → 200,000 × 20% − 16,920 =
    23,080, less 7,480 = 15,600)."""
    result = compute_year(one_person(2024, wages=30000, equity=months(0, m3=100000, m9=100000)), law)
    assert yuan(result.monthly["equity_tax"][0, 2]) == Decimal("7480.00")
    assert yuan(result.monthly["equity_tax"][0, 8]) == Decimal("15600.00")


def test_nonresident_equity_divided_by_six(law):
    """MOF/STA 2019 No. 35 formula 6 (derived): 120,000 ÷ 6 = 20,000 → 20% − 1,410 →
    (4,000 − 1,410) × 6 = 15,540."""
    result = compute_year(one_person(2024, wages=30000, resident=False, equity=months(0, m5=120000)), law)
    assert yuan(result.monthly["equity_tax"][0, 4]) == Decimal("15540.00")


def test_equity_before_2019_needs_its_months(law):
    """Caishui [2005] No. 35 §4(1): the tax depends on the months of China work the income relates
    to; without them the input is refused, naming the field."""
    with pytest.raises(InputError, match="equity_months"):
        compute_year(one_person(2017, wages=30000, equity=months(0, m5=1000)), law)


# --- Expat allowances (Caishui [2018] No. 164 §7; MOF/STA 2023 No. 29) --------------------------

def test_allowance_exemption_and_special_deductions_are_exclusive(law):
    """Shenzhen Tax Service 12366 Q&A: the allowance exemption and special additional deductions
    cannot be enjoyed at the same time."""
    with pytest.raises(InputError, match="cannot both be claimed"):
        compute_year(one_person(2025, wages=50000, allowances=10000, foreigner=True, allowance_election=True,
                                special_additional_deductions=2000), law)


def test_allowances_exempt_only_when_elected_from_2019(law):
    elected = compute_year(one_person(2025, wages=50000, allowances=10000, foreigner=True, allowance_election=True), law)
    not_elected = compute_year(one_person(2025, wages=50000, allowances=10000, foreigner=True), law)
    assert elected.monthly["exempt_income"][0, 0] == fen(10000)
    assert not_elected.monthly["exempt_income"][0, 0] == 0


def test_allowance_exemption_ends_after_2027(law):
    """MOF/STA 2023 No. 29 runs to 2027-12-31: in 2028 the allowances are taxable under current law."""
    result = compute_year(one_person(2028, wages=50000, allowances=10000, foreigner=True, allowance_election=True), law)
    assert result.monthly["exempt_income"][0, 0] == 0


def test_chinese_nationals_cannot_elect_the_allowance_exemption(law):
    with pytest.raises(InputError, match="foreign individuals only"):
        compute_year(one_person(2025, wages=50000, allowances=10000, allowance_election=True), law)


# --- Closed months: tax actually withheld (STA 2018 No. 61 art. 6, "累计已预扣预缴税额") -----------

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


# --- Special additional deductions priced from declarations (Guo Fa [2018] No. 41, [2023] No. 13) -

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
