"""Trips as arrays: the engine's input. A trip is one stay in China, from the day of entry to the
day of exit (``OPEN`` while the person is still in China). Days are integer day numbers since
1970-01-01, so that arithmetic on them is plain integer arithmetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    """Trips of ``n_persons`` people: ``person`` (0..n_persons-1), ``entry`` and ``exit`` day numbers."""

    person: np.ndarray
    entry: np.ndarray
    exit: np.ndarray
    n_persons: int

    @classmethod
    def from_dates(cls, person: object, entry: object, exit: object, n_persons: int | None = None) -> Trips:
        """Build from dates (``datetime.date``, ``datetime64``; ``None``/NaT exit = still in China)."""
        p = np.asarray(person, dtype=np.int64)
        n = int(p.max()) + 1 if n_persons is None and p.size else (n_persons or 0)
        return cls(p, _days(entry), _days(exit), n)

    def __len__(self) -> int:
        return int(self.person.size)

    def order(self) -> np.ndarray:
        """Positions that sort the trips by person, then entry."""
        return np.lexsort((self.exit, self.entry, self.person))

    def sorted(self) -> Trips:
        idx = self.order()
        return Trips(self.person[idx], self.entry[idx], self.exit[idx], self.n_persons)

    def take(self, persons: object) -> Trips:
        """The trips of ``persons[i]`` as person ``i`` (a person may be taken more than once)."""
        persons = np.asarray(persons, dtype=np.int64)
        ordered = self.sorted()
        first = np.searchsorted(ordered.person, persons)
        counts = np.searchsorted(ordered.person, persons, side="right") - first
        offsets = np.cumsum(counts) - counts
        at = np.repeat(first - offsets, counts) + np.arange(int(counts.sum()))
        return Trips(np.repeat(np.arange(persons.size), counts), ordered.entry[at], ordered.exit[at], int(persons.size))

    def concat(self, other: Trips) -> Trips:
        return Trips(
            np.concatenate([self.person, other.person]),
            np.concatenate([self.entry, other.entry]),
            np.concatenate([self.exit, other.exit]),
            max(self.n_persons, other.n_persons),
        )


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
    for c0 in range(0, m, CHUNK):
        c1 = min(c0 + CHUNK + 1, m)  # overlap one trip with the next piece
        pp, ee, xx = p[c0:c1], e[c0:c1], x[c0:c1]
        if not (xx >= ee).all():
            return False
        if c1 - c0 > 1:
            later = pp[1:] > pp[:-1]
            later |= (pp[1:] == pp[:-1]) & (ee[1:] >= xx[:-1])
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
    s = trips if already else Trips(p[order], e[order], x[order], trips.n_persons)
    bad = np.flatnonzero(s.exit < s.entry)
    if bad.size:
        raise TripError("exit before entry", _at(order, bad[0]))
    same = s.person[1:] == s.person[:-1]
    open_not_last = np.flatnonzero(same & (s.exit[:-1] == OPEN))
    if open_not_last.size:
        raise TripError("a trip without exit must be the person's last", _at(order, open_not_last[0]))
    overlap = np.flatnonzero(same & (s.entry[1:] < s.exit[:-1]))
    if overlap.size:
        raise TripError("trip overlaps the previous trip of the same person", _at(order, overlap[0] + 1))
    if s.n_persons and s.person.size and (s.person.min() < 0 or s.person.max() >= s.n_persons):
        raise TripError("person index out of range", 0)
    return s
