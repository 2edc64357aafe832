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

CHUNK_TRIPS = 1 << 20
FLOAT_EXACT = 2**52  # integers below this add up exactly in float64 (bincount weights)
DIGITS = ("starts", "ends", "partial", "off")


def _tables(edges: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Look-up tables over clipped day positions ``c = clip(day - edges[0] + 1, 0, n + 1)``
    (0: before the span, 1..n: its n days, n + 1: after it): the segment of each position, and
    what a trip entering (``start``) or leaving (``end``) on that position adds to its cell.

    A trip's days in China ``[entry, exit]`` are summed per segment from two cells, the segment
    of the entry and that of the exit: ``starts`` and ``ends`` (the trip covers the segments from
    its start to its end, inclusive), ``partial`` (the entry and exit days), and ``off``: days of
    the covered segments that are not full days of the trip (those before the entry and after the
    exit in their segments, and the entry and exit days themselves)."""
    n = int(edges[-1] - edges[0])
    k = edges.size - 1
    day = np.arange(n)
    seg = (np.searchsorted(edges, edges[0] + day, side="right") - 1).astype(np.int64)
    before = day - (edges[seg] - edges[0])
    after = edges[seg + 1] - edges[0] - day - 1
    ones, zero = np.ones(n + 2), np.zeros(n + 2)
    in_span = np.r_[0.0, np.ones(n), 0.0]
    start = {"starts": ones, "ends": zero, "partial": in_span, "off": np.r_[0.0, before + 1.0, 0.0]}
    # an exit before the span: the trip covers segment 0 and takes all of it off again
    end = {"starts": zero, "ends": ones, "partial": in_span, "off": np.r_[float(edges[1] - edges[0]), after + 1.0, 0.0]}
    return np.r_[0, seg, k], start, end


def _radix_groups(per_person: int, longest_segment: int) -> list[list[tuple[str, float]]]:
    """Pack the four digits into as few float64 bincounts as stay exact: per group, the digits
    with their scale. A digit's radix is a power of two above what one cell can reach."""
    bound = {"starts": per_person, "ends": per_person, "partial": 2 * per_person,
             "off": 2 * per_person * (longest_segment + 1)}
    groups: list[list[tuple[str, float]]] = []
    scale = FLOAT_EXACT
    for name in reversed(DIGITS):
        radix = 1 << int(bound[name]).bit_length()
        if scale * radix > FLOAT_EXACT:
            groups.append([])
            scale = 1
        groups[-1].append((name, float(scale)))
        scale *= radix
    return groups


def _chunks(person: np.ndarray) -> list[tuple[int, int]]:
    """Cuts of sorted trips into pieces of about ``CHUNK_TRIPS`` at person boundaries."""
    cuts = [0]
    for s in range(CHUNK_TRIPS, person.size, CHUNK_TRIPS):
        cut = int(np.searchsorted(person, person[s], side="left"))
        if cut > cuts[-1]:
            cuts.append(cut)
    cuts.append(person.size)
    return list(zip(cuts[:-1], cuts[1:]))


def _scan(trips: Trips, edges: np.ndarray, with_absences: bool) -> tuple[np.ndarray, np.ndarray, Absences | None]:
    """Full and partial days per person and segment, and (optionally) absences within
    ``[edges[0], edges[-1])``, in one pass over sorted, valid trips (clipped positions, look-up
    tables, one or two float64 bincounts per chunk with the counts packed as digits)."""
    edges = np.asarray(edges, dtype=np.int64)
    k = edges.size - 1
    p = trips.n_persons
    n = int(edges[-1] - edges[0])
    full = np.zeros((p, k), dtype=np.int32)
    partial = np.zeros((p, k), dtype=np.int32)
    longest = np.zeros(p, dtype=np.int64)
    total = np.zeros(p, dtype=np.int64)
    covers = np.zeros(p, dtype=bool)
    if len(trips) and p:
        seglen = np.diff(edges)
        width = k + 1
        shift = int(edges[0]) - 1
        seg, start, end = _tables(edges)
        for c0, c1 in _chunks(trips.person):
            person = trips.person[c0:c1]
            p0 = int(person[0])
            n_local = int(person[-1]) + 1 - p0
            m = c1 - c0
            cs = np.subtract(trips.entry[c0:c1], shift)  # clipped position of the entry day
            np.clip(cs, 0, n + 1, out=cs)
            cu = np.subtract(trips.exit[c0:c1], shift)  # clipped position of the exit day (OPEN: after)
            np.clip(cu, 0, n + 1, out=cu)
            local = person - p0
            same = local[1:] == local[:-1]  # trip i+1 belongs to the same person as trip i
            firsts = np.flatnonzero(np.r_[True, ~same])
            per_person = int(np.diff(np.r_[firsts, m]).max())
            local *= width
            at_end = local + np.take(seg, cu)
            at_start = local
            at_start += np.take(seg, cs)
            # the entry day is one partial day, not another one when it is also the trip's own
            # exit day (a day trip) or the previous trip's exit day (a same-day return)
            day_trip = np.flatnonzero(cu == cs)
            same_day = np.flatnonzero(same & (cs[1:] == cu[:-1])) + 1
            # an entry at 00:00 or an exit at 24:00 makes that day a full one (a one-day trip: both)
            full_entry, full_exit = _full_ends(trips, c0, c1, cs, cu)
            grid: dict[str, np.ndarray] = {}
            for group in _radix_groups(per_person, int(seglen.max())):
                scale = dict(group)
                whole = scale.get("partial", 0.0) + scale.get("off", 0.0)  # a partial day made full
                weights = np.take(sum(start[name] * sc for name, sc in group), cs)
                for fix, which in ((whole, day_trip), (scale.get("partial", 0.0), same_day), (whole, full_entry)):
                    if fix and which.size:
                        weights[which] -= fix * start["partial"][cs[which]]
                end_weights = np.take(sum(end[name] * sc for name, sc in group), cu)
                if whole and full_exit.size:
                    end_weights[full_exit] -= whole * end["partial"][cu[full_exit]]
                packed = np.bincount(at_start, weights=weights, minlength=n_local * width)
                packed += np.bincount(at_end, weights=end_weights, minlength=n_local * width)
                for name, value in _unpack(packed.astype(np.int64), group).items():
                    grid[name] = value.reshape(n_local, width)
            cover = np.cumsum(grid["starts"], axis=1)
            cover[:, 1:] -= np.cumsum(grid["ends"], axis=1)[:, :-1]
            full[p0 : p0 + n_local] = (cover[:, :k] * seglen - grid["off"][:, :k]).astype(np.int32)
            partial[p0 : p0 + n_local] = grid["partial"][:, :k].astype(np.int32)
            if with_absences:
                _absences_into(cs, cu, firsts, person, n, longest, total, covers)
    return full, partial, (Absences(longest, total, covers) if with_absences else None)


def _full_ends(trips: Trips, c0: int, c1: int, cs: np.ndarray, cu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (within the chunk) of trips whose entry day, and of those whose exit day, is a
    full day; a one-day trip counts once, on its entry, and only when both ends are full."""
    if trips.entry_full is None:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    entry_full, exit_full = trips.entry_full[c0:c1], trips.exit_full[c0:c1]
    one_day = cs == cu
    return np.flatnonzero(entry_full & (~one_day | exit_full)), np.flatnonzero(exit_full & ~one_day)


def _unpack(packed: np.ndarray, group: list[tuple[str, float]]) -> dict[str, np.ndarray]:
    """The digits of each packed cell (scales are powers of two, in increasing order)."""
    out = {}
    for i, (name, scale) in enumerate(group):
        shift = int(scale).bit_length() - 1
        value = packed >> shift if shift else packed
        if i + 1 < len(group):
            value = value & ((int(group[i + 1][1]) >> shift) - 1)
        out[name] = value
    return out


def _absences_into(cs, cu, firsts, person, n, longest, total, covers) -> None:
    """Gaps between a trip's exit and the person's next entry (or the span's end), in days wholly
    outside China within the span; whether the trips cover the span's first and last day."""
    gap_from = np.minimum(cu, n)  # the day after the exit
    lasts = np.r_[firsts[1:] - 1, cs.size - 1]
    gap = np.empty_like(cs)  # the next entry day (-1: before the span), less the gap's first day
    np.subtract(cs[1:], 1, out=gap[:-1])
    gap[lasts] = n  # after a person's last trip: up to the span's end
    gap -= gap_from
    np.maximum(gap, 0, out=gap)
    who = person[firsts]
    longest[who] = np.maximum.reduceat(gap, firsts)
    total[who] = np.add.reduceat(gap, firsts)
    covers[who] = (cs[firsts] <= 1) & (cu[lasts] >= n)


def count_days(trips: Trips, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Full and partial days in China per person and segment ``[edges[k], edges[k+1])``.

    ``trips`` must be sorted and valid (see ``check_trips``). Returns two int32 arrays (P, K).
    """
    full, partial, _ = _scan(trips, edges, with_absences=False)
    return full, partial


def leave_days(trips: Trips, edges: np.ndarray) -> np.ndarray:
    """Days abroad on leave or training inside the China work period (``trips.leave``, whole days)
    per person and segment (P, K); zeros where there are none (MOF/STA 2019 No. 35 §1(1))."""
    shape = (trips.n_persons, edges.size - 1)
    if trips.leave is None or not len(trips.leave):
        return np.zeros(shape, dtype=np.int64)
    full, _ = count_days(trips.leave, edges)
    return full.astype(np.int64)


def month_edges(year: int) -> np.ndarray:
    return np.array([day_number(dt.date(year, m, 1)) for m in range(1, 13)] + [day_number(dt.date(year + 1, 1, 1))])


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
    return _scan(trips, month_edges(year), with_absences=True)[2]


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

    def residence_total(self, day_count: str) -> np.ndarray:
        """Days of residence in the year per person under ``day_count`` (computed once)."""
        totals = self.__dict__.setdefault("_totals", {})
        if day_count not in totals:
            totals[day_count] = self.residence(day_count).sum(axis=1)
        return totals[day_count]

    def residence(self, day_count: str) -> np.ndarray:
        """Days of residence per month under the law's ``day_count`` (``full_24_hours`` or ``any_presence``)."""
        return self.full if day_count == "full_24_hours" else self.full + self.partial

    def work_halves(self, partial_day_halves: int, overseas_post: np.ndarray | bool = True) -> np.ndarray:
        """China work days in half days per month (MOF/STA 2019 No. 35 §1(1))."""
        post = np.asarray(overseas_post, dtype=bool)
        out = np.multiply(self.full, 2, dtype=np.int64)
        if post.ndim == 0:
            out += self.partial * np.int32(partial_day_halves if post else 2)
        else:
            weight = np.where(post, partial_day_halves, 2).astype(np.int32)
            out += np.broadcast_to(weight, (self.full.shape[0],))[:, None] * self.partial
        return out


def year_days(trips: Trips, year: int) -> YearDays:
    """Full and partial days in China per person and month of ``year``, and the year's absences."""
    edges = month_edges(year)
    full, partial, gaps = _scan(trips, edges, with_absences=True)
    return YearDays(year, full, partial, np.diff(edges).astype(np.int32), gaps)
