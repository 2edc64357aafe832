"""The clock to worldwide taxation (MOF/STA 2019 No. 34 art. 1; before 2019 the five-year rule).

For year Y the clock is the number of consecutive qualifying years immediately before Y, never
counting years before the rule's ``count_from_year`` (2019). Worldwide income becomes taxable in
a year in which the person is resident and the clock has reached ``years`` (six).
"""

from __future__ import annotations

import numpy as np


def six_year_clock(
    qualifying: np.ndarray,
    first_year: int,
    year: int,
    count_from_year: int,
    prior_years: np.ndarray | int = 0,
) -> np.ndarray:
    """Consecutive qualifying years immediately before ``year``, per person.

    ``qualifying``: bool (P, n) for the years ``first_year .. first_year+n-1`` (all < ``year``);
    ``prior_years``: consecutive qualifying years known to end just before ``first_year``
    (from records outside the trips), counted only from ``count_from_year``.
    """
    qualifying = np.asarray(qualifying, dtype=bool)
    p, n = qualifying.shape
    years = first_year + np.arange(n)
    usable = (years >= count_from_year) & (years < year)
    q = qualifying & usable[None, :]
    # years of the record before ``year`` that are not in ``qualifying`` break the chain
    gap = year - (first_year + n)
    prior = np.minimum(np.asarray(prior_years, dtype=np.int64), max(0, first_year - count_from_year))
    if gap > 0:
        return np.zeros(p, dtype=np.int64)
    trailing = np.zeros(p, dtype=np.int64)
    unbroken = np.ones(p, dtype=bool)
    for j in range(n - 1, -1, -1):
        if not usable[j]:
            unbroken &= False
            continue
        unbroken &= q[:, j]
        trailing += unbroken
    return trailing + np.where(unbroken, prior, 0)


def first_worldwide_year(year: int, clock_before: np.ndarray, qualifies_now: np.ndarray, resident_now: np.ndarray,
                         years_required: int) -> np.ndarray:
    """The first year (≥ ``year``) in which worldwide income would be taxable if every year from
    now on qualifies: ``year`` itself if the clock has already run out and the person is resident."""
    clock_before = np.asarray(clock_before, dtype=np.int64)
    now = (clock_before >= years_required) & resident_now
    chain_after = np.where(qualifies_now, clock_before + 1, 0)
    later = year + 1 + np.maximum(0, years_required - chain_after)
    return np.where(now, year, later)
