"""Benchmark: a full year of residents' cumulative withholding for N employees (default 1,000,000).

Prints employee-months per second for the vectorized engine and for a per-employee plain-Decimal
loop run in the same process on a sample, and their ratio. Both compute the same thing (the
sample's results are compared to the fen). Run: ``python bench/iit.py [--people N] [--sample S]``.
"""

from __future__ import annotations

import argparse
import time
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from expatcn.iit.inputs import YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import load_law


def make_inputs(people: int, seed: int = 2026) -> YearInputs:
    rng = np.random.default_rng(seed)
    wages = rng.integers(3_000_00, 150_000_00, size=(people, 1)) + rng.integers(0, 2_000_00, size=(people, 12))
    contributions = wages // 10
    sad = np.where(rng.random((people, 1)) < 0.5, 3_000_00, 0) + np.zeros((people, 12), dtype=np.int64)
    return YearInputs(year=2026, wages=wages, employee_contributions=contributions, special_additional_deductions=sad)


def decimal_loop(inputs: YearInputs, law, rows: range) -> list[list[Decimal]]:
    """The baseline: one employee at a time, one month at a time, in Decimal."""
    import datetime as dt

    schedule = law.value("iit/annual_table", dt.date(inputs.year, 1, 1))
    bands = [(None if b.up_to is None else b.up_to, b.rate, b.quick_deduction) for b in schedule.brackets]
    monthly = law.value("iit/basic_deduction", dt.date(inputs.year, 1, 1)).monthly
    cent = Decimal("0.01")
    out = []
    for person in rows:
        taxable = Decimal(0)
        withheld = Decimal(0)
        months = []
        for month in range(12):
            taxable += (Decimal(int(inputs.wages[person, month])) - Decimal(int(inputs.employee_contributions[person, month]))
                        - Decimal(int(inputs.special_additional_deductions[person, month]))) / 100
            base = taxable - monthly * (month + 1)
            tax = Decimal(0)
            if base > 0:
                for up_to, rate, quick in bands:
                    if up_to is None or base <= up_to:
                        tax = (base * rate).quantize(cent, ROUND_HALF_UP) - quick
                        break
            this_month = max(tax - withheld, Decimal(0))
            withheld += this_month
            months.append(this_month)
        out.append(months)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    law = load_law()
    inputs = make_inputs(args.people)
    compute_year(inputs.take(np.arange(10)), law)  # warm-up: law tables, caches
    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = compute_year(inputs, law)
        best = min(best, time.perf_counter() - start)
    engine_rate = args.people * 12 / best

    sample = range(min(args.sample, args.people))
    start = time.perf_counter()
    baseline = decimal_loop(inputs, law, sample)
    loop_time = time.perf_counter() - start
    loop_rate = len(sample) * 12 / loop_time

    engine_sample = [[Decimal(int(v)) / 100 for v in row] for row in result.monthly["wage_tax"][: len(sample)]]
    assert engine_sample == baseline, "engine and Decimal loop disagree"

    print(f"employees: {args.people:,} × 12 months (best of {args.repeat})")
    print(f"vectorized engine: {best:.3f} s → {engine_rate / 1e6:.2f} M employee-months/s")
    print(f"Decimal loop on {len(sample):,} employees: {loop_time:.3f} s → {loop_rate / 1e3:.1f} k employee-months/s")
    print(f"ratio engine / loop: {engine_rate / loop_rate:.0f}×  (same results on the sample, to the fen)")


if __name__ == "__main__":
    main()
