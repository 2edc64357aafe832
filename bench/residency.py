"""Benchmark: status and per-month China work days for 1,000,000 person-years with 20 trips each.

Prints the engine's time, and the time of a plain per-person Python loop (days counted one by
one) measured on a sample in the same run, extrapolated, with the ratio. Target: engine <= 5 s.

    .venv/bin/python bench/residency.py [persons] [sample]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np

from expatcn.residency import Trips, assess_year
from expatcn.residency.rules import residency_law
from expatcn.residency.trips import day_number

YEAR = 2026


def make_trips(persons: int, per_person: int = 20, seed: int = 7) -> Trips:
    rng = np.random.default_rng(seed)
    lo = day_number(dt.date(YEAR, 1, 1)) - 20
    days = np.sort(rng.integers(0, 400, size=(persons, 2 * per_person), dtype=np.int64), axis=1) + lo
    person = np.repeat(np.arange(persons, dtype=np.int64), per_person)
    return Trips(person, days[:, 0::2].ravel(), days[:, 1::2].ravel(), persons)


def loop_baseline(trips: Trips, persons: int) -> tuple[list, list]:
    """Per person, per trip, per day: the obvious Python."""
    start = dt.date(YEAR, 1, 1)
    epoch = dt.date(1970, 1, 1)
    status, halves = [], []
    for p in range(persons):
        sel = np.flatnonzero(trips.person == p)
        kind: dict[dt.date, str] = {}
        for i in sel:
            e = epoch + dt.timedelta(days=int(trips.entry[i]))
            x = epoch + dt.timedelta(days=int(trips.exit[i]))
            d = e
            while d <= x:
                if d.year == YEAR:
                    kind[d] = "partial" if d in (e, x) or kind.get(d) == "partial" else "full"
                d += dt.timedelta(days=1)
        month = [0] * 12
        for d, k in kind.items():
            month[d.month - 1] += 2 if k == "full" else 1
        residence = sum(1 for k in kind.values() if k == "full")
        status.append(residence >= 183)
        halves.append(month)
    _ = start
    return status, halves


def main() -> None:
    persons = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sample = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    law = residency_law()
    t0 = time.perf_counter()
    trips = make_trips(persons)
    t1 = time.perf_counter()
    a = assess_year(trips, YEAR, law=law, forecast=False)
    t2 = time.perf_counter()
    small = make_trips(sample)
    t3 = time.perf_counter()
    status, halves = loop_baseline(small, sample)
    t4 = time.perf_counter()
    check = assess_year(small, YEAR, law=law, forecast=False)
    assert np.array_equal(np.array(halves), check.work_halves), "engine and loop disagree"
    assert np.array_equal(np.array(status), check.status.resident)
    engine = t2 - t1
    loop_per_person = (t4 - t3) / sample
    loop_full = loop_per_person * persons
    print(f"person-years: {persons:,}  trips: {len(trips):,}  (generated in {t1 - t0:.2f} s)")
    print(f"engine (status, situation, clock, per-month residence/work days): {engine:.2f} s "
          f"= {engine / persons * 1e6:.2f} µs per person-year; target <= 5 s: {'OK' if engine <= 5 else 'MISSED'}")
    print(f"per-person Python loop: {loop_per_person * 1e3:.3f} ms per person (sample of {sample:,}, same run, results equal)"
          f" -> {loop_full:.0f} s extrapolated")
    print(f"ratio loop / engine: {loop_full / engine:.0f}x")
    print(f"residents: {int(a.status.resident.sum()):,}  situations: {np.bincount(a.status.situation, minlength=4).tolist()}")


if __name__ == "__main__":
    main()
