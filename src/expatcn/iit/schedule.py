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
    """The band of each amount (0 = lowest), where the amount is compared as ``amount ÷ spread``
    (the ÷ 12 of the annual bonus, the ÷ 6 of non-residents) — exactly, by multiplying the bounds
    instead. Counting the bounds exceeded is faster than a binary search for a handful of bands."""
    bounds, _, _ = schedule.arrays
    amount = np.asarray(amount_fen)
    index = np.zeros(amount.shape, dtype=np.uint8)
    above = np.empty(amount.shape, dtype=bool)
    for bound in bounds * spread:
        np.greater(amount, bound, out=above)
        index += above.view(np.uint8)
    return index


def progressive_tax(
    amount_fen: np.ndarray,
    schedule: TaxSchedule,
    spread: int = 1,
    quick_deduction_times: int = 1,
    non_negative: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tax on each amount: (tax, rate in ppm, quick deduction in fen as applied).

    ``spread`` picks the band from amount ÷ spread; ``quick_deduction_times`` multiplies the quick
    deduction (the × 6 of 2019 No. 35 formula 5: [(B ÷ 6) × r − QD] × 6 = B × r − 6 × QD).
    Amounts ≤ 0 fall in the lowest band, whose quick deduction is 0, and pay nothing
    (``non_negative=True`` promises there are none).
    """
    _, rates, quick = schedule.arrays
    amount = np.asarray(amount_fen, dtype=np.int64)
    if not non_negative:
        amount = np.maximum(amount, 0)
    index = band_index(amount, schedule, spread)
    rate = rates[index]
    deduction = quick[index] * quick_deduction_times if quick_deduction_times != 1 else quick[index]
    tax = apply_rate(amount, rate, non_negative=True)
    tax -= deduction
    return tax, rate, deduction
