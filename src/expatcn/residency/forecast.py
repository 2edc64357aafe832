"""Forecasts from actual plus planned trips: the day a person reaches 90 and 183 days of
residence, the days they can still spend in China this year and stay non-resident, and how the
worldwide clock would run (MOF/STA 2019 No. 34; No. 35 §5 asks for such estimates at the first
filing of the year, and a report within 15 days after the month a threshold is passed)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from expatcn.residency.trips import OPEN, Trips, day_number, full_days

NOT_REACHED = -1
CHUNK_PERSONS = 50_000


def threshold_days(trips: Trips, year: int, day_count: str, thresholds: list[int]) -> np.ndarray:
    """For each person and threshold k: the day number on which the k-th day of residence of
    ``year`` falls (``NOT_REACHED`` if never). Trips sorted and valid. Shape (P, len(thresholds))."""
    lo = day_number(dt.date(year, 1, 1))
    hi = day_number(dt.date(year + 1, 1, 1))
    n = hi - lo
    out = np.full((trips.n_persons, len(thresholds)), NOT_REACHED, dtype=np.int64)
    for p0 in range(0, trips.n_persons, CHUNK_PERSONS):
        p1 = min(p0 + CHUNK_PERSONS, trips.n_persons)
        t0, t1 = np.searchsorted(trips.person, [p0, p1])
        local = trips.person[t0:t1] - p0
        entry, exit_ = trips.entry[t0:t1], trips.exit[t0:t1]
        if day_count == "full_24_hours":
            a, b = full_days(trips, entry, exit_, slice(t0, t1))
        else:
            a, b = entry, np.where(exit_ == OPEN, OPEN, exit_ + 1)
        a = np.clip(a, lo, hi) - lo
        b = np.clip(np.maximum(a + lo, b), lo, hi) - lo
        width = n + 1
        size = (p1 - p0) * width
        diff = np.bincount(local * width + a, minlength=size).astype(np.int64)
        diff -= np.bincount(local * width + b, minlength=size)
        present = np.minimum(np.cumsum(diff.reshape(p1 - p0, width), axis=1)[:, :n], 1)
        cum = np.cumsum(present, axis=1)
        for j, k in enumerate(thresholds):
            hit = cum >= k
            first = hit.argmax(axis=1)
            out[p0:p1, j] = np.where(hit.any(axis=1), lo + first, NOT_REACHED)
    return out


def days_left(days_so_far: np.ndarray, limit: int) -> np.ndarray:
    """Days that can still be added while staying at or under ``limit``."""
    return np.maximum(0, limit - np.asarray(days_so_far, dtype=np.int64))


def latest_reset_departure(year: int, max_single_absence_days: int) -> dt.date:
    """The last day of ``year`` on which a departure can still give an absence of more than
    ``max_single_absence_days`` full days abroad within the year (absences clipped to the year)."""
    return dt.date(year, 12, 31) - dt.timedelta(days=max_single_absence_days + 1)
