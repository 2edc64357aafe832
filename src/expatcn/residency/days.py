"""Counting days in China from trips, for any set of periods (months of a tax year, the period a
bonus relates to): full days (24 hours in China) and partial days (arrival, departure or a
same-day return: less than 24 hours), per person and period, vectorized.

From these the law's counts follow (see :class:`YearDays`):
- days of residence (MOF/STA 2019 No. 34 art. 2): full days only; before 2019 partial days too;
- days of presence (treaty 183-day tests): full + partial days;
- China work days (MOF/STA 2019 No. 35 §1(1)), in half days: 2 per full day, and per partial day
  1 for people who also hold a post abroad, else 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from expatcn.residency.trips import OPEN, Trips, day_number

CHUNK_TRIPS = 2_000_000


def _segments(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each day from edges[0] to edges[-1] (inclusive), its segment index (K at the end)."""
    span = np.arange(edges[0], edges[-1] + 1)
    seg_of = (np.searchsorted(edges, span, side="right") - 1).astype(np.int64)
    return seg_of, np.diff(edges)


def count_days(trips: Trips, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Full and partial days in China per person and segment ``[edges[k], edges[k+1])``.

    ``trips`` must be sorted and valid (see ``check_trips``). Returns two int32 arrays (P, K).
    """
    edges = np.asarray(edges, dtype=np.int64)
    k = edges.size - 1
    p = trips.n_persons
    full = np.zeros((p, k), dtype=np.int32)
    partial = np.zeros((p, k), dtype=np.int32)
    if len(trips) == 0 or p == 0:
        return full, partial
    seg_of, seglen = _segments(edges)
    lo, hi = edges[0], edges[-1]
    # persons are contiguous in sorted trips: cut into chunks at person boundaries
    starts = np.arange(0, len(trips), CHUNK_TRIPS)
    cuts = [0]
    for s in starts[1:]:
        cut = int(np.searchsorted(trips.person, trips.person[s], side="left"))
        if cut > cuts[-1]:
            cuts.append(cut)
    cuts.append(len(trips))
    for c0, c1 in zip(cuts, cuts[1:]):
        person = trips.person[c0:c1]
        entry = trips.entry[c0:c1]
        exit_ = trips.exit[c0:c1]
        p0 = int(person[0])
        p1 = int(person[-1]) + 1
        local = person - p0
        n_local = p1 - p0
        # full days: [entry + 1, exit) clipped to [lo, hi)
        a = np.clip(entry + 1, lo, hi)
        b = np.clip(exit_, lo, hi)
        b = np.maximum(a, b)
        sa = seg_of[a - lo]
        sb = seg_of[b - lo]
        width = k + 1
        same = sa == sb
        idx_a = local * width + sa
        idx_b = local * width + sb
        size = n_local * width
        head = np.where(same, b - a, edges[np.minimum(sa + 1, k)] - a)
        grid = np.bincount(idx_a, weights=head, minlength=size)
        tail = np.where(same, 0, b - edges[sb])
        grid += np.bincount(idx_b, weights=tail, minlength=size)
        cover = np.bincount(idx_a + 1, weights=(~same).astype(np.float64), minlength=size + 1)[:size]
        cover -= np.bincount(idx_b, weights=(~same).astype(np.float64), minlength=size)
        cover = np.cumsum(cover.reshape(n_local, width), axis=1)[:, :k] * seglen
        full[p0:p1] = (grid.reshape(n_local, width)[:, :k] + cover).astype(np.int32)
        # partial days: entry and exit days, each day once per person
        ev = np.empty(2 * local.size, dtype=np.int64)
        ev[0::2] = entry
        ev[1::2] = exit_
        who = np.repeat(local, 2)
        keep = ev != OPEN
        keep[1:] &= ~((who[1:] == who[:-1]) & (ev[1:] == ev[:-1]))
        keep &= (ev >= lo) & (ev < hi)
        ev, who = ev[keep], who[keep]
        part = np.bincount(who * k + seg_of[ev - lo], minlength=n_local * k)
        partial[p0:p1] = part.reshape(n_local, k).astype(np.int32)
    return full, partial


def month_edges(year: int) -> np.ndarray:
    return np.array([day_number(dt.date(year, m, 1)) for m in range(1, 13)] + [day_number(dt.date(year + 1, 1, 1))])


def _group_reduce(values: np.ndarray, person: np.ndarray, n_persons: int, ufunc: np.ufunc, empty: int) -> np.ndarray:
    out = np.full(n_persons, empty, dtype=np.int64)
    if values.size == 0:
        return out
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
    out[person[starts]] = ufunc.reduceat(values, starts)
    return out


@dataclass(frozen=True)
class Absences:
    """Per person, for one tax year: absences between trips (days wholly outside China, clipped to
    the year), and whether the person's records cover the whole year (in China on its first and
    last day, or away on a temporary departure with a trip on the other side)."""

    longest: np.ndarray
    total: np.ndarray
    covers_year: np.ndarray


def absences(trips: Trips, year: int) -> Absences:
    """Absences in ``year`` (trips sorted and valid). A gap after a person's last exit counts as an
    absence up to the year end; a gap before a person's first entry does not (not a departure)."""
    lo = day_number(dt.date(year, 1, 1))
    hi = day_number(dt.date(year + 1, 1, 1))
    p = trips.person
    last = np.r_[p[1:] != p[:-1], True] if p.size else np.zeros(0, dtype=bool)
    next_entry = np.r_[trips.entry[1:], OPEN] if p.size else trips.entry
    next_entry = np.where(last, hi, next_entry)
    gap_start = np.where(trips.exit == OPEN, hi, trips.exit + 1)
    gap = np.clip(np.minimum(next_entry, hi) - np.maximum(gap_start, lo), 0, None)
    longest = _group_reduce(gap, p, trips.n_persons, np.maximum, 0)
    total = _group_reduce(gap, p, trips.n_persons, np.add, 0)
    first_entry = _group_reduce(trips.entry, p, trips.n_persons, np.minimum, int(OPEN))
    last_exit = _group_reduce(np.where(last, trips.exit, trips.exit), p, trips.n_persons, np.maximum, -int(OPEN))
    covers = (first_entry <= lo) & (last_exit >= hi - 1)
    return Absences(longest, total, covers)


@dataclass(frozen=True)
class YearDays:
    """Day counts of one tax year, per person (rows) and month (columns)."""

    year: int
    full: np.ndarray
    partial: np.ndarray
    calendar_days: np.ndarray
    absences: Absences

    @property
    def presence(self) -> np.ndarray:
        return self.full + self.partial

    def residence(self, day_count: str) -> np.ndarray:
        """Days of residence per month under the law's ``day_count`` (``full_24_hours`` or ``any_presence``)."""
        return self.full if day_count == "full_24_hours" else self.full + self.partial

    def work_halves(self, partial_day_halves: int, overseas_post: np.ndarray | bool = True) -> np.ndarray:
        """China work days in half days per month (MOF/STA 2019 No. 35 §1(1))."""
        weight = np.where(np.asarray(overseas_post, dtype=bool), partial_day_halves, 2)
        weight = np.broadcast_to(weight, (self.full.shape[0],))[:, None]
        return 2 * self.full + weight * self.partial


def year_days(trips: Trips, year: int) -> YearDays:
    """Full and partial days in China per person and month of ``year``, and the year's absences."""
    edges = month_edges(year)
    full, partial = count_days(trips, edges)
    return YearDays(year, full, partial, np.diff(edges).astype(np.int32), absences(trips, year))
