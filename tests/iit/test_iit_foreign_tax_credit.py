"""China's foreign tax credit (IIT Law art. 7; Regulations art. 21; MOF/STA Announcement 2020 No. 3):
per-country limit, credit, five-year carry-forward."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import fen
from expatcn.iit.foreign_tax_credit import foreign_tax_credit
from expatcn.law import load_law

LAW = load_law()


def grid(*rows):
    return np.array([[fen(v) for v in row] for row in rows], dtype=np.int64)


def test_17win_qa_labour_remuneration_from_country_a():
    """Tax-service Q&A citing Announcement 2020 No. 3 §3(1) (https://consult.17win.com/yqconsult-web-ssr/
    questionDetail/1/001580807947812296180050568a66bb?type=qa): domestic wages 140,000; labour
    remuneration from country A 200,000 (income amount 160,000); A tax 15,000. Income amount
    300,000; T = 240,000 × 20% − 16,920 = 31,080; limit A = 31,080 × 160,000 / 300,000 = 16,576;
    15,000 < 16,576 → credit 15,000; China tax after credit 16,080."""
    result = foreign_tax_credit(LAW, [2019], ["A"], grid([31_080]), grid([300_000]),
                                grid([160_000])[None], grid([15_000])[None])
    assert result.limit[0, 0, 0] == fen(16_576)
    assert result.credit[0, 0, 0] == fen(15_000)
    assert result.excess[0, 0, 0] == 0
    assert result.china_tax_after_credit[0, 0] == fen(16_080)


def test_limit_binds_then_the_excess_is_used_the_next_year():
    """Derived (shared/reference/CROSS_BORDER_TAX.md FTC-2). Year 1: China wages 120,000, German wages
    480,000, China social insurance 24,000: taxable 600,000 − 60,000 − 24,000 = 516,000;
    T = 516,000 × 30% − 52,920 = 101,880; limit DE = 101,880 × 480,000 / 600,000 = 81,504;
    German tax 130,000 > limit → credit 81,504, excess 48,496, China tax after credit 20,376.
    Year 2: German wages 200,000, China 400,000, same T = 101,880; limit DE = 33,960; German tax
    20,000 → room 13,960 takes 13,960 of year 1's excess; 34,536 left, credit 33,960, China tax
    after credit 67,920."""
    result = foreign_tax_credit(LAW, [2024, 2025], ["DE"], grid([101_880, 101_880]), grid([600_000, 600_000]),
                                grid([480_000, 200_000])[None], grid([130_000, 20_000])[None])
    assert list(result.limit[0, 0]) == [fen(81_504), fen(33_960)]
    assert list(result.credit_current[0, 0]) == [fen(81_504), fen(20_000)]
    assert list(result.excess[0, 0]) == [fen(48_496), 0]
    assert list(result.carry_used[0, 0]) == [0, fen(13_960)]
    assert result.ledger[0, 0, 0, 1] == fen(34_536)
    assert list(result.china_tax_after_credit[0]) == [fen(20_376), fen(67_920)]
    labels = [s.label for s in result.explain(0)]
    assert "2025 DE: earlier excess credited" in labels


def test_an_excess_lapses_after_five_later_years_and_countries_do_not_pool():
    """An excess of 2019 (given as prior) is usable 2020–2024; in 2025 it lapses. Room in country B never
    takes country A's excess."""
    years = [2024, 2025]
    china = grid([50_000, 50_000])
    total = grid([200_000, 200_000])
    income = np.stack([grid([0, 0]), grid([100_000, 100_000])], axis=1)  # A: no income; B: half
    paid = np.stack([grid([0, 0]), grid([0, 0])], axis=1)
    prior = np.array([[[fen(1_000), 0, 0, 0, 0, fen(2_000)], [0] * 6]], dtype=np.int64)  # 2018..2023 for A
    result = foreign_tax_credit(LAW, years, ["A", "B"], china, total, income, paid, prior_excess=prior)
    assert result.carry_used[0].sum() == 0  # A has no room; B's room is not A's
    assert list(result.lapsed[0, 0]) == [fen(1_000), 0]  # 2018's excess: last usable 2023 — gone by 2024
    assert result.ledger[0, 0, :, 1].sum() == fen(2_000)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="consecutive"):
        foreign_tax_credit(LAW, [2024, 2026], ["A"], grid([1, 1]), grid([1, 1]), grid([0, 0])[None], grid([0, 0])[None])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**8), st.integers(0, 10**8), st.integers(0, 5 * 10**7)), min_size=1, max_size=8))
def test_credits_never_exceed_the_limit_nor_the_tax_paid_plus_carry(rows):
    """Each year: credit ≤ limit; Σ credits over the years ≤ Σ foreign tax paid; China tax after credit ≥ 0."""
    years = list(range(2019, 2019 + len(rows)))
    foreign = np.array([[[r[0] for r in rows]]], dtype=np.int64)
    domestic = np.array([[r[1] for r in rows]], dtype=np.int64)
    paid = np.array([[[r[2] for r in rows]]], dtype=np.int64)
    total = foreign[:, 0] + domestic
    china = total // 4
    result = foreign_tax_credit(LAW, years, ["X"], china, total, foreign, paid)
    assert (result.credit <= result.limit).all()
    assert result.credit.sum() <= paid.sum()
    assert (result.china_tax_after_credit >= 0).all()
    assert result.credit.sum() + result.ledger[0, 0, :, -1].sum() + result.lapsed.sum() == paid.sum()
