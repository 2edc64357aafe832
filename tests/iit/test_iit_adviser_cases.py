"""Issue 13: the cases an adviser brings — other withholding agents, exempt income and severance,
interns, deductions claimed at the reconciliation, pre-2019 equity, and the figures a reader
checks in the trace. Published examples cite their source; "derived" cases write the arithmetic
out (docs/research/issue-13.md records the search)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import fen, months, one_person, yuan
from expatcn.errors import InputError
from expatcn.iit.explain import explain_person
from expatcn.iit.person_year import compute_year
from expatcn.iit.reconciliation import Filing

D = Decimal


def annual(result, key: str) -> Decimal:
    return yuan(result.annual[key][0])


def filing(result) -> Filing:
    return Filing(result.annual["reconciliation_filing"][0])


def step(result, label: str, month: int | None = None):
    found = [s for s in explain_person(result, 0) if s.label == label and (month is None or s.month == month)]
    assert found, f"no step {label!r}"
    return found[0]


# --- 1. Tax withheld by another withholding agent ------------------------------------------------

def test_job_change_mid_year(law):
    """Derived (2025): A pays 20,000 a month Jan–Jun, B (this agent) 20,000 Jul–Dec. Each
    withholds 120,000 − 30,000 = 90,000 × 10 % − 2,520 = 6,480. The year: 240,000 − 60,000 =
    180,000 × 20 % − 16,920 = 19,080; prepaid 12,960 → payable 6,120; receipts 240,000 > 120,000
    and 6,120 > 400 → must file (Regulations art. 25; MOF/STA 2023 No. 32)."""
    first_half = np.array([[True] * 6 + [False] * 6])
    earlier = compute_year(one_person(2025, wages=months(0, **{f"m{m}": 20000 for m in range(1, 7)}),
                                      employed=first_half), law)
    assert yuan(earlier.monthly["wage_tax"][0].sum()) == D("6480.00")
    result = compute_year(one_person(
        2025, wages=months(0, **{f"m{m}": 20000 for m in range(7, 13)}), employed=~first_half,
        other_wages=months(0, **{f"m{m}": 20000 for m in range(1, 7)}),
        other_tax_withheld=earlier.monthly["wage_tax"]), law)
    assert yuan(result.monthly["wage_tax"][0].sum()) == D("6480.00")
    assert annual(result, "reconciliation_tax_due") == D("19080.00")
    assert annual(result, "reconciliation_prepaid") == D("12960.00")
    assert annual(result, "reconciliation_prepaid_others") == D("6480.00")
    assert annual(result, "reconciliation_balance") == D("6120.00")
    assert filing(result) == Filing.PAYABLE_MUST_FILE
    assert step(result, "income from other payers (other withholding agents this year)").amount == fen(120000)


def test_two_employers_at_once(law):
    """Derived (2025): 10,000 a month from each of two employers all year. Each withholds 60,000
    × 10 % − 2,520 = 3,480 (120,000 − 60,000); the year: 240,000 − 60,000 = 180,000 × 20 % −
    16,920 = 19,080 → payable 12,120."""
    other = compute_year(one_person(2025, wages=10000), law)
    result = compute_year(one_person(2025, wages=10000, other_wages=10000,
                                     other_tax_withheld=other.monthly["wage_tax"]), law)
    assert yuan(result.monthly["wage_tax"][0].sum()) == D("3480.00")
    assert annual(result, "reconciliation_tax_due") == D("19080.00")
    assert annual(result, "reconciliation_balance") == D("12120.00")


def test_employer_and_a_payer_of_labour_remuneration(law):
    """Derived (2025): wages 20,000 a month (withheld 180,000 × 20 % − 16,920 = 19,080); labour
    3,000 a month from another payer, prepaid (3,000 − 800) × 20 % = 440 × 12 = 5,280. The year:
    240,000 + 36,000 × 80 % = 268,800 − 60,000 = 208,800 × 20 % − 16,920 = 24,840; prepaid 24,360
    → payable 480; receipts 276,000 → must file."""
    result = compute_year(one_person(2025, wages=20000, other_labour=3000, other_tax_withheld=440), law)
    assert yuan(result.annual["withheld"][0]) == D("19080.00")
    assert annual(result, "reconciliation_income") == D("268800.00")
    assert annual(result, "reconciliation_gross_income") == D("276000.00")
    assert annual(result, "reconciliation_tax_due") == D("24840.00")
    assert annual(result, "reconciliation_balance") == D("480.00")
    assert filing(result) == Filing.PAYABLE_MUST_FILE


def test_a_failure_to_withhold_removes_the_filing_exemption(law):
    """MOF/STA 2023 No. 32: "居民个人取得综合所得时存在扣缴义务人未依法预扣预缴税款的情形除外". Derived
    (2025): wages 5,000 here (nothing to withhold), 4,000 a month from another payer and 12,000 of
    labour remuneration in December: receipts 60,000 + 48,000 + 12,000 = 120,000 ≤ 120,000;
    income 108,000 + 9,600 = 117,600 − 60,000 = 57,600 × 10 % − 2,520 = 3,240 payable → exempt,
    unless a withholding agent failed to withhold."""
    inputs = dict(wages=5000, other_wages=4000, other_labour=months(0, m12=12000))
    exempt = compute_year(one_person(2025, **inputs), law)
    assert annual(exempt, "reconciliation_gross_income") == D("120000.00")
    assert annual(exempt, "reconciliation_balance") == D("3240.00")
    assert filing(exempt) == Filing.PAYABLE_EXEMPT
    failed = compute_year(one_person(2025, not_withheld=True, **inputs), law)
    assert filing(failed) == Filing.PAYABLE_MUST_FILE


@settings(max_examples=60, deadline=None)
@given(
    wages=st.lists(st.integers(0, 8_000_000), min_size=12, max_size=12),
    share=st.lists(st.integers(0, 100), min_size=12, max_size=12),
    contributions=st.integers(0, 500_000),
    year=st.sampled_from([2019, 2022, 2025]),
)
def test_splitting_a_year_between_two_agents_never_changes_the_reconciliation(law, wages, share, contributions, year):
    """Property: however a year's wages (and the contributions with them) are split between this
    agent and another, the reconciliation tax is the same, and the balance is always the tax due
    less everything prepaid (IIT Law art. 11)."""
    total = np.array([wages], dtype=np.int64)
    here = total * np.array([share]) // 100
    there = total - here
    whole = compute_year(one_person(year, wages=total, employee_contributions=months(contributions / 100)), law)
    other = compute_year(one_person(year, wages=there), law)
    split = compute_year(one_person(year, wages=here, employee_contributions=months(contributions / 100),
                                    other_wages=there, other_tax_withheld=other.monthly["wage_tax"]), law)
    a, b = whole.annual, split.annual
    assert b["reconciliation_tax_due"][0] == a["reconciliation_tax_due"][0]
    assert b["reconciliation_income"][0] == a["reconciliation_income"][0]
    assert b["reconciliation_balance"][0] == b["reconciliation_tax_due"][0] - (
        split.monthly["wage_tax"][0].sum() + other.monthly["wage_tax"][0].sum())


# --- 2. Exempt income and severance --------------------------------------------------------------

def test_severance_published_example(law):
    """Relay of Caishui [2018] No. 164 §5(1) (https://www.yidianziliao.com/view/yZDQ1YWQxNDhlYWI5YzEyODU0MmI4MDc1d.html):
    compensation 160,000, local average wage 50,000 → "应纳税额=(160000-50000×3)×3%=300元"."""
    result = compute_year(one_person(2025, wages=0, severance=months(0, m6=160000), local_average_wage=50000), law)
    assert yuan(result.monthly["severance_exempt"][0, 5]) == D("150000.00")
    assert yuan(result.monthly["severance_tax"][0, 5]) == D("300.00")
    assert yuan(result.annual["year_tax"][0]) == D("300.00")


def test_severance_excess_stays_out_of_comprehensive_income(law):
    """Derived: 200,000 with the same average wage → 50,000 × 10 % − 2,520 = 2,480, and the year's
    comprehensive income and reconciliation are those of the wages alone."""
    base = compute_year(one_person(2025, wages=20000), law)
    result = compute_year(one_person(2025, wages=20000, severance=months(0, m12=200000), local_average_wage=50000), law)
    assert yuan(result.monthly["severance_tax"][0, 11]) == D("2480.00")
    assert yuan(result.monthly["total_tax"][0, 11]) == yuan(base.monthly["total_tax"][0, 11]) + D("2480.00")
    for key in ("reconciliation_income", "reconciliation_gross_income", "reconciliation_tax_due"):
        assert result.annual[key][0] == base.annual[key][0]
    how = step(result, "severance exempt", 12).how
    assert "50,000.00" in how and "150,000.00" in how and "No. 164" in how


def test_severance_needs_the_local_average_wage(law):
    with pytest.raises(InputError, match="local_average_wage"):
        compute_year(one_person(2025, wages=0, severance=months(0, m6=160000)), law)


def test_exempt_kinds_are_income_and_exempt_income(law):
    """IIT Law art. 4(1)(5): an insurance indemnity of 3,000 counts in the receipts and is taken
    off as exempt income — the tax does not move; a business travel allowance (not taxable,
    Guoshuifa [1994] No. 89) is not income at all. The trace names each kind with its law entry."""
    base = compute_year(one_person(2025, wages=20000), law)
    kinds = np.zeros((1, 2, 12), dtype=np.int64)
    kinds[0, 0, 2], kinds[0, 1, 2] = fen(3000), fen(800)
    result = compute_year(one_person(2025, wages=20000, exempt_kinds=kinds,
                                     exempt_kind_names=("insurance_indemnity", "business_travel_allowance")), law)
    assert yuan(result.monthly["exempt_income"][0, 2]) == D("3000.00")
    assert yuan(result.monthly["income"][0, 2]) == D("23000.00")
    assert yuan(result.monthly["not_taxable_income"][0, 2]) == D("800.00")
    assert (result.monthly["wage_tax"] == base.monthly["wage_tax"]).all()
    assert result.annual["reconciliation_gross_income"][0] == base.annual["reconciliation_gross_income"][0] + fen(3000)
    assert "art. 4(1)(5)" in step(result, "exempt income: Insurance indemnity / 保险赔款", 3).how


def test_unknown_exempt_kind_is_refused(law):
    kinds = np.zeros((1, 1, 12), dtype=np.int64)
    kinds[0, 0, 0] = 100
    with pytest.raises(InputError, match="'yacht'"):
        compute_year(one_person(2025, wages=1000, exempt_kinds=kinds, exempt_kind_names=("yacht",)), law)


# --- 3. Interns ----------------------------------------------------------------------------------

def test_intern_sta_example(law):
    """STA Announcement 2020 No. 13 art. 2, the STA's example (relay https://kaoyaya.com/shicao/42318.html):
    "学生小张7月份在某公司实习取得劳务报酬3000元 … 扣除5000元减除费用后则无需预缴税款，比 … 少预缴440元"."""
    employed = np.array([[False] * 6 + [True] + [False] * 5])
    intern = compute_year(one_person(2020, wages=0, labour=months(0, m7=3000), employed=employed, intern=True), law)
    other = compute_year(one_person(2020, wages=0, labour=months(0, m7=3000), employed=employed), law)
    assert yuan(intern.monthly["labour_tax"][0, 6]) == D("0.00")
    assert yuan(other.monthly["labour_tax"][0, 6]) == D("440.00")


def test_intern_two_months(law):
    """Derived (2021): internship July–August, 6,000 each month. July 6,000 − 5,000 = 1,000 × 3 %
    = 30; August 12,000 − 10,000 = 2,000 × 3 % − 30 = 30. The reconciliation: income 9,600 → tax 0
    → refund 60."""
    employed = np.array([[False] * 6 + [True] * 2 + [False] * 4])
    result = compute_year(one_person(2021, wages=0, labour=months(0, m7=6000, m8=6000), employed=employed,
                                     intern=True), law)
    assert [yuan(v) for v in result.monthly["labour_tax"][0, 6:8]] == [D("30.00"), D("30.00")]
    assert annual(result, "reconciliation_income") == D("9600.00")
    assert annual(result, "reconciliation_balance") == D("-60.00")
    assert "STA 2020 No. 13" in step(result, "labour tax", 8).how


def test_intern_rule_is_for_labour_from_july_2020(law):
    with pytest.raises(InputError, match="wages"):
        compute_year(one_person(2021, wages=3000, labour=months(0, m7=3000), intern=True), law)
    with pytest.raises(InputError, match="2020-07-01"):
        compute_year(one_person(2020, wages=0, labour=months(0, m3=3000), intern=True), law)


# --- 4. Deductions claimed at the reconciliation --------------------------------------------------

BASE_2024 = dict(wages=30000, employee_contributions=4500, special_additional_deductions=2000)


def test_base_case_2024(law):
    """STA 2018 No. 61 interpretation's inputs in 2024: 360,000 − 60,000 − 54,000 − 24,000 =
    222,000 × 20 % − 16,920 = 27,480 withheld; the reconciliation settles."""
    result = compute_year(one_person(2024, **BASE_2024), law)
    assert yuan(result.annual["withheld"][0]) == D("27480.00")
    assert annual(result, "reconciliation_balance") == D("0.00")


@pytest.mark.parametrize(("claim", "deducted", "balance"), [
    # 12,000 → 210,000 × 20 % − 16,920 = 25,080 → refund 2,400 (MOF/STA 2024 No. 21: 12,000 a year)
    ({"reconciliation_individual_pension": 12000}, ("reconciliation_individual_pension", "12000.00"), "-2400.00"),
    ({"reconciliation_individual_pension": 15000}, ("reconciliation_individual_pension", "12000.00"), "-2400.00"),
    # serious illness 40,000 − 15,000 = 25,000 → 197,000 × 20 % − 16,920 = 22,480 → refund 5,000
    ({"serious_illness_self_paid": 40000}, ("reconciliation_serious_illness", "25000.00"), "-5000.00"),
    # 100,000 − 15,000 = 85,000 → capped 80,000 → 142,000 × 10 % − 2,520 = 11,680 → refund 15,800
    ({"serious_illness_self_paid": 100000}, ("reconciliation_serious_illness", "80000.00"), "-15800.00"),
    # commercial health insurance 3,000 → 2,400 → 219,600 × 20 % − 16,920 = 27,000 → refund 480
    ({"reconciliation_commercial_health_insurance": 3000},
     ("reconciliation_commercial_health_insurance", "2400.00"), "-480.00"),
    # children's education not given to the employer: 2,000 × 12 = 24,000 → 198,000 → 22,680 → refund 4,800
    ({"reconciliation_special_additional_deductions": 24000},
     ("reconciliation_special_additional_claimed", "24000.00"), "-4800.00"),
])
def test_deductions_claimed_at_the_reconciliation(law, claim, deducted, balance):
    """Derived cases of docs/research/issue-13.md item 4 (caps from the law tables of 2024)."""
    result = compute_year(one_person(2024, **BASE_2024, **claim), law)
    assert annual(result, deducted[0]) == D(deducted[1])
    assert annual(result, "reconciliation_balance") == D(balance)
    assert filing(result) == Filing.REFUND_OPTIONAL


def test_individual_pension_outside_a_pilot_before_2024(law):
    """MOF/STA 2022 No. 34: 2022–2023 only in the pilot cities. Outside them nothing is deducted
    and an alert says so; in a pilot city the refund is 2,400 as in 2024."""
    outside = compute_year(one_person(2023, **BASE_2024, reconciliation_individual_pension=12000), law)
    assert annual(outside, "reconciliation_balance") == D("0.00")
    assert any("not applied" in alert for alert in outside.alerts())
    pilot = compute_year(one_person(2023, **BASE_2024, reconciliation_individual_pension=12000, pilot_region=True), law)
    assert annual(pilot, "reconciliation_balance") == D("-2400.00")
    assert not pilot.alerts()


def test_commercial_health_insurance_at_withholding_and_the_yearly_cap(law):
    """Caishui [2017] No. 39: 200 a month, 2,400 a year. Derived (2024): 300 paid each month →
    200 deducted → 219,600 × 20 % − 16,920 = 27,000 withheld; a further 1,000 claimed at the
    reconciliation finds the year's cap used up."""
    result = compute_year(one_person(2024, **BASE_2024, commercial_health_insurance=300,
                                     reconciliation_commercial_health_insurance=1000), law)
    assert yuan(result.monthly["commercial_health_insurance_deducted"][0, 0]) == D("200.00")
    assert yuan(result.annual["withheld"][0]) == D("27000.00")
    assert annual(result, "reconciliation_commercial_health_insurance") == D("0.00")
    assert annual(result, "reconciliation_balance") == D("0.00")


def test_tax_deferred_pension_in_2018_pilot(law):
    """Caishui [2018] No. 22 (from 2018-05-01, Shanghai / Fujian / Suzhou IP): the lower of 6 % of
    the month's wages and 1,000. Derived, June 2018: wages 10,000, premium 1,000 → 600 deducted;
    10,000 − 600 − 3,500 = 5,900 × 20 % − 555 = 625 (without it 6,500 → 745)."""
    result = compute_year(one_person(2018, wages=10000, tax_deferred_pension=months(0, m6=1000), pilot_region=True), law)
    assert yuan(result.monthly["tax_deferred_pension_deducted"][0, 5]) == D("600.00")
    assert yuan(result.monthly["wage_tax"][0, 5]) == D("625.00")
    outside = compute_year(one_person(2018, wages=10000, tax_deferred_pension=months(0, m6=1000)), law)
    assert yuan(outside.monthly["wage_tax"][0, 5]) == D("745.00")
    assert outside.alerts()


# --- 6(d). Equity before 2019 ----------------------------------------------------------------------

def test_equity_before_2019_over_twelve_months(law):
    """Caishui [2005] No. 35 §4(1), derived (2015): option income 120,000 over 12 China months →
    10,000 → 25 %, 1,005 → (2,500 − 1,005) × 12 = 17,940.00."""
    result = compute_year(one_person(2015, wages=0, equity=months(0, m5=120000),
                                     equity_months=np.array([[0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0]])), law)
    assert yuan(result.monthly["equity_tax"][0, 4]) == D("17940.00")
    assert step(result, "year's equity ÷ 12", 5).amount == fen(10000)


def test_equity_before_2019_two_exercises_in_a_year(law):
    """Guoshuihan [2006] No. 902 art. 7, derived (2015): March 60,000 over 6 months → 10,000 →
    25 % − 1,005 → (2,500 − 1,005) × 6 = 8,970; September 60,000 over 12 months → months =
    (60,000 × 6 + 60,000 × 12) ÷ 120,000 = 9; 120,000 ÷ 9 = 13,333.33 → 25 % → 120,000 × 25 % −
    1,005 × 9 = 20,955, less 8,970 paid = 11,985."""
    result = compute_year(one_person(2015, wages=0, equity=months(0, m3=60000, m9=60000),
                                     equity_months=np.array([[0, 0, 6, 0, 0, 0, 0, 0, 12, 0, 0, 0]])), law)
    assert yuan(result.monthly["equity_tax"][0, 2]) == D("8970.00")
    assert int(result.monthly["equity_months"][0, 8]) == 9
    assert yuan(result.monthly["equity_tax"][0, 8]) == D("11985.00")


# --- 7. What a reader checks ----------------------------------------------------------------------

def test_bonus_divided_by_twelve_in_the_trace(law):
    """EX-BONUS-36001 (docs/research/iit_worked_examples.md; Caishui [2018] No. 164 §1(1)): 36,001
    ÷ 12 = 3,000.08 → 10 %, 210 → 3,390.10."""
    result = compute_year(one_person(2024, wages=10000, bonus=months(0, m12=36001)), law)
    divided = step(result, "bonus ÷ 12", 12)
    assert divided.amount == fen("3000.08")
    assert "≈ 3,000.08" in divided.how and "band 2" in divided.how and "210.00" in divided.how
    assert step(result, "bonus tax", 12).amount == fen("3390.10")


def test_nonresident_bonus_divided_by_six_in_the_trace(law):
    """MOF/STA 2019 No. 35 formula 5, the shipped example nonresident_engineer_2026: 60,000 ÷ 6 =
    10,000 → 10 %, 210 → 790.00; × 6 = 4,740.00."""
    result = compute_year(one_person(2026, wages=30000, resident=False, bonus=months(0, m12=60000)), law)
    divided = step(result, "bonus ÷ 6", 12)
    assert divided.amount == fen(10000)
    assert "= 790.00" in divided.how
    assert step(result, "bonus tax", 12).amount == fen(4740)


def test_filing_exemption_compares_gross_receipts(law):
    """MOF/STA 2023 No. 32: "年度综合所得收入不超过12万元" — receipts, not the income amount
    (docs/research/issue-13.md item 7(b)). Derived (2025): wages 5,000 here and 4,500 a month from
    another payer (neither withholds), one labour payment of 7,500 (prepaid 7,500 × 80 % × 20 % =
    1,200). Year: 114,000 + 6,000 = 120,000 − 60,000 = 60,000 × 10 % − 2,520 = 3,480; prepaid
    1,200 → payable 2,280. Receipts 121,500 > 120,000 → must file (on the income amount of
    120,000 it would be exempt)."""
    result = compute_year(one_person(2025, wages=5000, other_wages=4500, other_labour=months(0, m6=7500),
                                     other_tax_withheld=months(0, m6=1200)), law)
    assert annual(result, "reconciliation_income") == D("120000.00")
    assert annual(result, "reconciliation_gross_income") == D("121500.00")
    assert annual(result, "reconciliation_balance") == D("2280.00")
    assert filing(result) == Filing.PAYABLE_MUST_FILE
    receipts = step(result, "receipts of comprehensive income for the filing exemption")
    assert receipts.amount == fen(121500) and "年度综合所得收入" in receipts.how
