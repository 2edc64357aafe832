"""The clock to worldwide taxation (MOF/STA 2019 No. 34 art. 1; before 2019 the five-year rule).

For year Y the clock is the number of consecutive qualifying years immediately before Y, never
counting years before the rule's ``count_from_year`` (2019). Worldwide income becomes taxable in
a year in which the person is resident and the clock has reached ``years`` (six).

Before 2019 (Caishui Zi [1995] No. 98) a clock that has reached five years stays there through
years of less than a full year (taxed then on China-source income only), and restarts only after
a year with fewer than ``restart_below_days`` (90) days of residence: the five years then count
again from the next full year.
"""

from __future__ import annotations

import numpy as np


def six_year_clock(
    qualifying: np.ndarray,
    first_year: int,
    year: int,
    count_from_year: int,
    prior_years: np.ndarray | int = 0,
    *,
    years_required: int | None = None,
    restart_below_days: int | None = None,
    residence_days: np.ndarray | None = None,
) -> np.ndarray:
    """Consecutive qualifying years immediately before ``year``, per person.

    ``qualifying``: bool (P, n) for the years ``first_year .. first_year+n-1`` (all < ``year``);
    ``prior_years``: consecutive qualifying years known to end just before ``first_year``
    (from records outside the trips), counted only from ``count_from_year``. With
    ``restart_below_days`` (and ``residence_days`` (P, n), ``years_required``) the pre-2019 rule:
    once ``years_required`` is reached, only a year below ``restart_below_days`` breaks the chain.
    """
    if restart_below_days is not None:
        return _clock_with_restart(np.asarray(qualifying, dtype=bool), first_year, year, count_from_year,
                                   prior_years, years_required, restart_below_days, residence_days)
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


def _clock_with_restart(qualifying, first_year, year, count_from_year, prior_years, years_required,
                        restart_below_days, residence_days) -> np.ndarray:
    """Caishui Zi [1995] No. 98 §§1–2, year by year: a full year adds one; a shorter year breaks a
    chain that has not yet reached ``years_required``; once reached, a year below
    ``restart_below_days`` days of residence starts the count again."""
    p, n = qualifying.shape
    if year - (first_year + n) > 0:
        return np.zeros(p, dtype=np.int64)
    count = np.broadcast_to(np.minimum(np.asarray(prior_years, dtype=np.int64), max(0, first_year - count_from_year)),
                            (p,)).copy()
    days = np.asarray(residence_days, dtype=np.int64)
    for j in range(n):
        if first_year + j < count_from_year:
            continue
        reached = count >= years_required
        count = np.where(qualifying[:, j], count + 1,
                         np.where(reached & (days[:, j] >= restart_below_days), count, 0))
    return count
