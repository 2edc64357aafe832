"""Benchmark: China social insurance + housing fund contributions for 1,000,000 employees ×
12 months (July 2024 – June 2025) across Beijing, Shanghai, Guangzhou and Shenzhen, through the
vectorized engine; against a per-employee plain-Decimal loop on a sample in the same run.

Shenzhen's employer maternity rate for 2024-25 is unconfirmed, so its rows run with
``allow_partial`` (that scheme reported unknown, never guessed). Run: .venv/bin/python bench/social.py [N]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from expatcn.law import load_law
from expatcn.social.contributions import contributions

CITIES = ("beijing", "shanghai", "guangzhou", "shenzhen")
MONTHS = [dt.date(2024 + (m >= 6), (6 + m) % 12 + 1, 1) for m in range(12)]
CENT = Decimal("0.01")


def decimal_employee_month(law, city: str, month: dt.date, wage: Decimal) -> tuple[Decimal, Decimal]:
    """The per-employee baseline: plain Decimal, one employee at a time (lowest injury class)."""
    v = law.value(f"social/{city}", month)
    ee = er = Decimal(0)
    for s in v.schemes.values():
        if s.employer_rate == "unconfirmed":
            continue
        floor = Decimal(s.base_floor) if s.base_floor != "unconfirmed" else Decimal(s.base_floor_at_most)
        base = max(wage, floor)
        if s.base_ceiling is not None:
            base = min(base, Decimal(s.base_ceiling))
        er_rate = s.employer_rate_range[0] if s.employer_rate_range else (s.employer_rate_nonlocal or s.employer_rate)
        ee += (base * Decimal(s.employee_rate_nonlocal or s.employee_rate)).quantize(CENT, ROUND_HALF_UP) + s.employee_fixed
        er += (base * Decimal(er_rate)).quantize(CENT, ROUND_HALF_UP)
    hf = v.housing_fund
    hf_base = min(max(wage, Decimal(hf.base_floor if hf.base_floor != "unconfirmed" else hf.base_floor_at_most)),
                  Decimal(hf.base_ceiling))
    amount = (hf_base * Decimal(hf.rate_max)).quantize(CENT, ROUND_HALF_UP)
    return ee + amount, er + amount


def main(n: int = 1_000_000) -> None:
    law = load_law()
    rng = np.random.default_rng(4)
    wage = rng.integers(300_000, 8_000_000, size=n, dtype=np.int64)  # 3,000 – 80,000 yuan
    city = rng.integers(0, len(CITIES), size=n)
    groups = [np.flatnonzero(city == c) for c in range(len(CITIES))]
    # warm-up (law loading, imports)
    contributions(law, "beijing", MONTHS[0], wage[:10])

    start = time.perf_counter()
    total_employee = 0
    for month in MONTHS:
        for c, rows in enumerate(groups):
            r = contributions(law, CITIES[c], month, wage[rows], allow_partial=CITIES[c] == "shenzhen")
            total_employee += int(r.employee_total.sum())
    elapsed = time.perf_counter() - start
    employee_months = n * len(MONTHS)
    rate = employee_months / elapsed

    sample = 2_000
    start = time.perf_counter()
    for i in range(sample):
        c, month = CITIES[city[i]], MONTHS[i % 12]
        decimal_employee_month(law, c, month, Decimal(int(wage[i])) / 100)
    loop_rate = sample / (time.perf_counter() - start)

    # cross-check the sample against the engine
    mismatches = 0
    for i in range(200):
        c, month = CITIES[city[i]], MONTHS[i % 12]
        r = contributions(law, c, month, wage[i:i + 1], allow_partial=c == "shenzhen")
        ee, _ = decimal_employee_month(law, c, month, Decimal(int(wage[i])) / 100)
        mismatches += Decimal(int(r.employee_total[0])) / 100 != ee

    print(f"employees: {n:,} × {len(MONTHS)} months = {employee_months:,} employee-months, 4 cities")
    print(f"vectorized engine: {elapsed:.2f} s, {rate / 1e6:.1f} M employee-months/s")
    print(f"per-employee Decimal loop (sample {sample:,}): {loop_rate:,.0f} employee-months/s")
    print(f"ratio: {rate / loop_rate:,.0f}× ; sample mismatches engine vs Decimal: {mismatches} of 200")
    print(f"(checksum: employee contributions {total_employee / 100:,.2f} yuan)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
