"""Progressive tax on a schedule (a ``tax_schedule`` law table), vectorized.

tax = amount × rate − quick deduction, where the band is the first whose inclusive upper bound
("不超过") is not below the amount; amounts ≤ 0 pay nothing. The product is rounded half up to
the fen by :func:`expatcn.money.apply_rate`.
"""

from __future__ import annotations

import numpy as np

from expatcn.law.schemas.common import TaxSchedule
from expatcn.money import apply_rate


def band_index(amount_fen: np.ndarray, schedule: TaxSchedule, spread: int = 1) -> np.ndarray:
    """The band of each amount, where the amount is compared as ``amount ÷ spread`` (the ÷12 of
    the annual bonus, the ÷6 of non-residents) — exactly, by multiplying the bounds instead."""
    bounds, _, _ = schedule.arrays
    return np.searchsorted(bounds * spread, amount_fen, side="left")


def progressive_tax(
    amount_fen: np.ndarray, schedule: TaxSchedule, spread: int = 1, quick_deduction_times: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tax on each amount: (tax, rate in ppm, quick deduction in fen as applied).

    ``spread`` picks the band from amount ÷ spread; ``quick_deduction_times`` multiplies the quick
    deduction (the ×6 of 2019 No. 35 formula 5: [(B ÷ 6) × r − QD] × 6 = B × r − 6 × QD).
    """
    _, rates, quick = schedule.arrays
    amount = np.asarray(amount_fen, dtype=np.int64)
    index = band_index(amount, schedule, spread)
    rate = rates[index]
    deduction = quick[index] * quick_deduction_times
    positive = amount > 0
    tax = np.where(positive, apply_rate(amount, rate) - deduction, 0)
    return np.maximum(tax, 0), np.where(positive, rate, 0), np.where(positive, deduction, 0)
