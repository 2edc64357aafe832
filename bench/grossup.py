"""Benchmark: net → gross for N employee-years (12 months each, default 1,000,000), residents'
cumulative method, exact to the fen. Prints employee-months per second for the closed-form
inversion (plus the forward check the result always carries) and the ratio against a bisection
baseline measured on a sample in the same run (the search a spreadsheet macro would do: halve
an interval of grosses, each step a forward calculation of the year so far).
Run: ``python bench/grossup.py [--people N] [--sample S]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from expatcn.grossup import grossup_wages, net_pay
from expatcn.iit.inputs import YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import load_law


def make(people: int, seed: int = 5) -> tuple[np.ndarray, YearInputs]:
    rng = np.random.default_rng(seed)
    target = rng.integers(5_000_00, 120_000_00, size=(people, 1)) + np.zeros((people, 12), dtype=np.int64)
    contributions = np.full((people, 12), 3_916_71)
    template = YearInputs(year=2026, wages=np.zeros((people, 12)), employee_contributions=contributions)
    return target, template


def bisection(target: np.ndarray, template: YearInputs, law) -> np.ndarray:
    """Baseline: per month, bisect the gross (in fen) until the forward net meets the target."""
    gross = np.zeros_like(target)
    for month in range(12):
        low = np.zeros(target.shape[0], dtype=np.int64)
        high = target[:, month] * 3 + 1_000_000
        while (high - low > 1).any():
            middle = (low + high) // 2
            trial = gross.copy()
            trial[:, month] = middle
            net = net_pay(compute_year(replace(template, wages=trial), law))[:, month]
            meets = net >= target[:, month]
            high = np.where(meets, middle, high)
            low = np.where(meets, low, middle)
        gross[:, month] = high
    return gross


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    law = load_law()
    target, template = make(args.people)
    grossup_wages(target[:10], template.take(np.arange(10)), law)  # warm-up
    start = time.perf_counter()
    found = grossup_wages(target, template, law)
    elapsed = time.perf_counter() - start
    assert (found.net_paid >= found.target_net).all()
    rate = args.people * 12 / elapsed

    sample = np.arange(min(args.sample, args.people))
    start = time.perf_counter()
    baseline = bisection(target[sample], template.take(sample), law)
    loop_time = time.perf_counter() - start
    loop_rate = sample.size * 12 / loop_time
    assert np.array_equal(baseline, found.gross_wages[sample]), "closed form and bisection disagree"

    print(f"employee-years: {args.people:,} × 12 months, residents, 2026")
    print(f"closed-form gross-up (with forward check): {elapsed:.2f} s → {rate / 1e6:.2f} M employee-months/s;"
          f" exact nets: {found.exact.mean():.2%}")
    print(f"bisection baseline on {sample.size} employees: {loop_time:.2f} s → {loop_rate / 1e3:.2f} k employee-months/s")
    print(f"ratio closed form / bisection: {rate / loop_rate:.0f}×  (same grosses on the sample, to the fen)")


if __name__ == "__main__":
    main()
