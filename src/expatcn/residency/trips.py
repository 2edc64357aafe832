"""Trips as arrays: the engine's input. A trip is one stay in China, from the day of entry to the
day of exit (``OPEN`` while the person is still in China). Days are integer day numbers since
1970-01-01, so that arithmetic on them is plain integer arithmetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from expatcn.errors import InputError

OPEN = np.int64(10**7)  # the exit of a trip still going on: far beyond any tax year
EPOCH = dt.date(1970, 1, 1)


class TripError(InputError):
    """Trips that cannot be counted (an exit before its entry, overlapping trips, an open trip
    that is not the person's last). ``index`` is the position of the offending trip in the input."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def to_date(number: int | np.integer) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def _days(values: object) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind == "M":
        days = array.astype("datetime64[D]")
        out = days.astype(np.int64)
        return np.where(np.isnat(days), OPEN, out)
    if array.dtype == object:
        return np.array([OPEN if v is None else day_number(v) for v in array.ravel()], dtype=np.int64)
    return array.astype(np.int64)


@dataclass(frozen=True)
class Trips:
    """Trips of ``n_persons`` people: ``person`` (0..n_persons-1), ``entry`` and ``exit`` day numbers.

    The day of entry and the day of exit are partial days (less than 24 hours in China) unless
    ``entry_full`` / ``exit_full`` say the person was in China for the whole of it (arrived at
    00:00; left at 24:00), as the 24-hour rule counts (MOF/STA 2019 No. 34 art. 2). A trip whose
    entry and exit fall on the same day is a full day only when both are set. ``None``: all partial.
    ``leave``: periods (whole days) spent abroad on public holidays, personal leave or training
    inside the China work period — China work days, never days of residence or presence (MOF/STA
    2019 No. 35 §1(1)).
    """

    person: np.ndarray
    entry: np.ndarray
    exit: np.ndarray
    n_persons: int
    entry_full: np.ndarray | None = None
    exit_full: np.ndarray | None = None
    leave: Trips | None = None  # days abroad on leave or training inside the China work period

    @classmethod
    def from_dates(
        cls, person: object, entry: object, exit: object, n_persons: int | None = None,
        entry_full: object = None, exit_full: object = None,
    ) -> Trips:
        """Build from dates (``datetime.date``, ``datetime64``; ``None``/NaT exit = still in China)."""
        p = np.asarray(person, dtype=np.int64)
        n = int(p.max()) + 1 if n_persons is None and p.size else (n_persons or 0)
        full = [None if f is None or not np.any(f) else np.asarray(f, dtype=bool) for f in (entry_full, exit_full)]
        if full[0] is not None or full[1] is not None:
            full = [np.zeros(p.size, dtype=bool) if f is None else f for f in full]
        return cls(p, _days(entry), _days(exit), n, *full)

    def __len__(self) -> int:
        return int(self.person.size)

    def order(self) -> np.ndarray:
        """Positions that sort the trips by person, then entry."""
        return np.lexsort((self.exit, self.entry, self.person))

    def at(self, idx: np.ndarray, person: np.ndarray | None = None, n_persons: int | None = None) -> Trips:
        """The trips at positions ``idx`` (renumbered ``person``, ``n_persons`` when given)."""
        full = [None if f is None else f[idx] for f in (self.entry_full, self.exit_full)]
        return Trips(self.person[idx] if person is None else person, self.entry[idx], self.exit[idx],
                     self.n_persons if n_persons is None else n_persons, *full, leave=self.leave if person is None else None)

    def sorted(self) -> Trips:
        return self.at(self.order())

    def take(self, persons: object) -> Trips:
        """The trips of ``persons[i]`` as person ``i`` (a person may be taken more than once)."""
        persons = np.asarray(persons, dtype=np.int64)
        ordered = self.sorted()
        first = np.searchsorted(ordered.person, persons)
        counts = np.searchsorted(ordered.person, persons, side="right") - first
        offsets = np.cumsum(counts) - counts
        at = np.repeat(first - offsets, counts) + np.arange(int(counts.sum()))
        taken = ordered.at(at, np.repeat(np.arange(persons.size), counts), int(persons.size))
        return taken if self.leave is None else replace(taken, leave=self.leave.take(persons))

    def concat(self, other: Trips) -> Trips:
        if self.entry_full is None and other.entry_full is None:
            full = [None, None]
        else:
            full = [np.concatenate([a.full_ends()[k] for a in (self, other)]) for k in (0, 1)]
        return Trips(
            np.concatenate([self.person, other.person]),
            np.concatenate([self.entry, other.entry]),
            np.concatenate([self.exit, other.exit]),
            max(self.n_persons, other.n_persons),
            *full,
            leave=self.leave if self.leave is not None else other.leave,
        )

    def full_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """``entry_full`` and ``exit_full`` as arrays (all False when not given)."""
        if self.entry_full is None:
            none = np.zeros(self.person.size, dtype=bool)
            return none, none
        return self.entry_full, self.exit_full


def full_days(trips: Trips, entry: np.ndarray, exit: np.ndarray, where: object) -> tuple[np.ndarray, np.ndarray]:
    """The full days of the trips at ``where`` (``entry``, ``exit`` = their day numbers) as
    half-open day ranges ``[a, b)``: from the day after entry, or the entry day when entered at
    00:00, to the exit day, inclusive when left at 24:00 (MOF/STA 2019 No. 34 art. 2)."""
    if trips.entry_full is None:
        return entry + 1, exit
    return entry + 1 - trips.entry_full[where], exit + trips.exit_full[where]


def _at(order: np.ndarray | None, i: int) -> int:
    return int(i) if order is None else int(order[i])


CHUNK = 1 << 20


def _sorted_and_valid(trips: Trips) -> bool:
    """True when the trips are already in order (person, entry) and valid: each exit on or after
    its entry, each entry on or after the same person's previous exit (so no overlap, and an open
    trip only last), persons within range. Checked in cache-sized pieces, no sorting."""
    p, e, x = trips.person, trips.entry, trips.exit
    m = p.size
    if m == 0:
        return True
    if p[0] < 0 or (trips.n_persons and p[-1] >= trips.n_persons):  # p[0], p[-1]: min and max once ordered
        return False
    entry_full, exit_full = trips.full_ends()
    for c0 in range(0, m, CHUNK):
        c1 = min(c0 + CHUNK + 1, m)  # overlap one trip with the next piece
        pp, ee, xx = p[c0:c1], e[c0:c1], x[c0:c1]
        if not (xx >= ee).all():
            return False
        if c1 - c0 > 1:
            later = pp[1:] > pp[:-1]
            apart = ee[1:] >= xx[:-1]
            if trips.entry_full is not None:  # a day left at 24:00 or entered at 00:00 is not shared
                apart &= (ee[1:] > xx[:-1]) | ~(exit_full[c0:c1 - 1] | entry_full[c0 + 1:c1])
            later |= (pp[1:] == pp[:-1]) & apart
            if not later.all():
                return False
    return True


def check_trips(trips: Trips) -> Trips:
    """Sorted trips, or a :class:`TripError` naming the first trip (input position) that is wrong."""
    if _sorted_and_valid(trips):
        return trips
    p, e, x = trips.person, trips.entry, trips.exit
    step_p = p[1:] - p[:-1]
    already = bool(np.all((step_p > 0) | ((step_p == 0) & ((e[1:] > e[:-1]) | ((e[1:] == e[:-1]) & (x[1:] >= x[:-1]))))))
    order = None if already else trips.order()
    s = trips if already else trips.at(order)
    bad = np.flatnonzero(s.exit < s.entry)
    if bad.size:
        raise TripError("exit before entry", _at(order, bad[0]))
    same = s.person[1:] == s.person[:-1]
    open_not_last = np.flatnonzero(same & (s.exit[:-1] == OPEN))
    if open_not_last.size:
        raise TripError("a trip without exit must be the person's last", _at(order, open_not_last[0]))
    entry_full, exit_full = s.full_ends()
    # a day the previous trip left at 24:00, or the next one entered at 00:00, is not shared
    overlap = np.flatnonzero(same & ((s.entry[1:] < s.exit[:-1])
                                     | ((s.entry[1:] == s.exit[:-1]) & (exit_full[:-1] | entry_full[1:]))))
    if overlap.size:
        raise TripError("trip overlaps the previous trip of the same person", _at(order, overlap[0] + 1))
    if s.n_persons and s.person.size and (s.person.min() < 0 or s.person.max() >= s.n_persons):
        raise TripError("person index out of range", 0)
    return s
