"""What must always hold, on random inputs (Hypothesis), and the engine against the independent
plain-Decimal oracle in ``tests/oracle.py``, to the fen."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import oracle
from conftest import yuan
from expatcn.iit.inputs import BonusMethod, YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import load_law

LAW = load_law()
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

fen_amount = st.integers(min_value=0, max_value=20_000_000)  # up to 200,000 yuan a month
small_fen = st.integers(min_value=0, max_value=500_000)
month_row = st.lists(fen_amount, min_size=12, max_size=12)
small_row = st.lists(small_fen, min_size=12, max_size=12)
years = st.sampled_from([2016, 2019, 2021, 2023, 2024, 2026, 2027])


@st.composite
def people(draw, size=st.integers(min_value=1, max_value=6)):
    """A random batch: residents and non-residents, foreigners, bonuses, labour, equity."""
    n = draw(size)
    year = draw(years)
    rows = lambda strategy: np.array([draw(strategy) for _ in range(n)], dtype=np.int64)  # noqa: E731
    resident = np.array([draw(st.booleans()) for _ in range(n)])
    foreigner = np.array([draw(st.booleans()) for _ in range(n)])
    election = foreigner & np.array([draw(st.booleans()) for _ in range(n)])
    sad = rows(small_row) if year >= 2019 else np.zeros((n, 12), dtype=np.int64)
    sad[~resident | election] = 0
    bonus = np.zeros((n, 12), dtype=np.int64)
    for person in range(n):
        if draw(st.booleans()):
            bonus[person, draw(st.integers(0, 11))] = draw(st.integers(0, 100_000_000))
    labour = np.zeros((n, 12), dtype=np.int64)
    equity = np.zeros((n, 12), dtype=np.int64)
    if draw(st.booleans()):
        labour[:, draw(st.integers(0, 11))] = draw(fen_amount)
    if year >= 2019 and draw(st.booleans()):
        equity[:, draw(st.integers(0, 11))] = draw(fen_amount)
    return YearInputs(
        year=year,
        wages=rows(month_row),
        allowances=rows(small_row),
        employee_contributions=rows(small_row),
        special_additional_deductions=sad,
        bonus=bonus,
        labour=labour,
        equity=equity,
        resident=resident,
        foreigner=foreigner,
        allowance_election=election,
        bonus_method=np.array([draw(st.sampled_from(list(BonusMethod))) for _ in range(n)], dtype=np.int8),
    )


@SETTINGS
@given(people())
def test_a_batch_of_n_equals_n_batches_of_one(inputs):
    together = compute_year(inputs, LAW)
    for person in range(inputs.people):
        alone = compute_year(inputs.take(np.array([person])), LAW)
        for key, value in together.monthly.items():
            assert np.array_equal(value[person], alone.monthly[key][0]), key
        for key, value in together.annual.items():
            assert value[person] == alone.annual[key][0], key


@SETTINGS
@given(people(size=st.just(1)), st.integers(0, 11), st.integers(1, 5_000_000))
def test_tax_never_decreases_when_income_rises(inputs, month, raise_by):
    before = compute_year(inputs, LAW)
    inputs.wages[0, month] += raise_by
    after = compute_year(inputs, LAW)
    assert after.annual["year_tax"][0] >= before.annual["year_tax"][0]
    if inputs.bonus_method[0] != BonusMethod.LOWER_TAX:  # the option may switch method, and so
        assert after.annual["withheld"][0] >= before.annual["withheld"][0]  # when tax is withheld


@SETTINGS
@given(st.integers(0, 20_000_000), st.integers(0, 500_000), st.integers(0, 500_000), st.sampled_from([2019, 2022, 2025]))
def test_steady_pay_withholding_equals_reconciliation_tax(wage, contributions, sad, year):
    """Steady monthly pay, employed all year, no bonus: the year's withholding is the final tax."""
    inputs = YearInputs(year=year, wages=np.full((1, 12), wage), employee_contributions=np.full((1, 12), contributions),
                        special_additional_deductions=np.full((1, 12), sad))
    result = compute_year(inputs, LAW)
    assert result.annual["withheld"][0] == result.annual["reconciliation_tax_due"][0]
    assert result.annual["reconciliation_balance"][0] == 0


@SETTINGS
@given(month_row, small_row, small_row, small_row, st.lists(st.booleans(), min_size=12, max_size=12),
       st.sampled_from([2019, 2020, 2024, 2027]))
def test_resident_cumulative_withholding_matches_the_oracle(wages, exempt, contributions, sad, employed, year):
    inputs = YearInputs(year=year, wages=np.array([wages]), allowances=np.array([exempt]),
                        employee_contributions=np.array([contributions]),
                        special_additional_deductions=np.array([sad]), employed=np.array([employed]),
                        foreigner=np.array([False]))
    result = compute_year(inputs, LAW)
    expected = oracle.resident_cumulative(
        [yuan(w) + yuan(a) for w, a in zip(wages, exempt)], [Decimal(0)] * 12,  # allowances taxable: not foreign
        [yuan(c) for c in contributions], [yuan(s) for s in sad], [Decimal(0)] * 12, employed,
    )
    assert [yuan(v) for v in result.monthly["wage_tax"][0]] == expected


@SETTINGS
@given(st.lists(fen_amount, min_size=1, max_size=40))
def test_nonresident_monthly_tax_matches_the_oracle(wages):
    n = len(wages)
    inputs = YearInputs(year=2025, wages=np.repeat(np.array(wages)[:, None], 12, axis=1), resident=np.zeros(n, bool))
    result = compute_year(inputs, LAW)
    assert [yuan(v) for v in result.monthly["wage_tax"][:, 0]] == [oracle.nonresident_month(yuan(w)) for w in wages]


@SETTINGS
@given(st.lists(st.integers(0, 300_000_000), min_size=1, max_size=40))
def test_bonus_rules_match_the_oracle(bonuses):
    n = len(bonuses)
    bonus = np.zeros((n, 12), dtype=np.int64)
    bonus[:, 5] = bonuses
    wages = np.full((n, 12), 2_000_000)
    residents = compute_year(YearInputs(year=2025, wages=wages, bonus=bonus), LAW)
    nonresidents = compute_year(YearInputs(year=2025, wages=wages, bonus=bonus, resident=np.zeros(n, bool)), LAW)
    assert [yuan(v) for v in residents.monthly["bonus_tax"][:, 5]] == [oracle.annual_bonus(yuan(b)) for b in bonuses]
    assert [yuan(v) for v in nonresidents.monthly["bonus_tax"][:, 5]] == [
        oracle.nonresident_bonus(yuan(b)) for b in bonuses
    ]


@SETTINGS
@given(st.lists(st.integers(0, 100_000_000), min_size=1, max_size=40))
def test_labour_prepayment_matches_the_oracle(receipts):
    n = len(receipts)
    labour = np.zeros((n, 12), dtype=np.int64)
    labour[:, 2] = receipts
    result = compute_year(YearInputs(year=2024, wages=np.zeros((n, 12)), labour=labour), LAW)
    assert [yuan(v) for v in result.monthly["labour_tax"][:, 2]] == [
        oracle.resident_labour_prepayment(yuan(r)) for r in receipts
    ]


@SETTINGS
@given(month_row, small_row, st.booleans())
def test_2016_monthly_final_tax_matches_the_oracle(wages, contributions, foreigner):
    inputs = YearInputs(year=2016, wages=np.array([wages]), employee_contributions=np.array([contributions]),
                        foreigner=np.array([foreigner]))
    result = compute_year(inputs, LAW)
    assert [yuan(v) for v in result.monthly["wage_tax"][0]] == [
        oracle.monthly_2011(yuan(w), foreigner, yuan(c)) for w, c in zip(wages, contributions)
    ]


@SETTINGS
@given(month_row, small_row, st.sampled_from([2019, 2023, 2026]))
def test_reconciliation_matches_the_oracle(wages, contributions, year):
    inputs = YearInputs(year=year, wages=np.array([wages]), employee_contributions=np.array([contributions]))
    result = compute_year(inputs, LAW)
    income = sum(yuan(w) for w in wages)
    expected = oracle.reconciliation(income, sum(yuan(c) for c in contributions))
    assert yuan(result.annual["reconciliation_tax_due"][0]) == expected
