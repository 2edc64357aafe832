"""Benchmark: a tax year of gross-to-net — social insurance + housing fund + IIT → net pay and
employer cost — for N employees (default 1,000,000) × 12 months of 2025 across Beijing, Shanghai,
Guangzhou and Shenzhen, in one process:

- the compiled kernel (``expatcn.month_kernel``), 5 calls, the first included (it loads numba and
  the cached kernel; on a fresh install it compiles it), best and median, into preallocated outputs;
  peak RSS beyond the inputs and outputs;
- the NumPy reference engine (``expatcn.gross_to_net``, no trace) on the same inputs, best of 2, and
  the ratio — the two compared to the fen on every employee-month;
- a per-employee plain-Decimal loop on a sample, compared to the fen on the rows both compute alike.

The contribution wage is declared once a contribution year (raised from July), as payroll does;
10% of employees are foreigners (a third with a German certificate to 2025-06-30), 30% get a
December bonus. Guangzhou's and Shenzhen's tables leave some 2025 figures unconfirmed, so the run
uses ``allow_partial`` (those amounts reported unknown, never guessed); the count is printed.
Run: .venv/bin/python bench/month.py [N] [--repeat 5] [--reference-repeat 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import time
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from expatcn.gross_to_net import MonthInputs, gross_to_net
from expatcn.iit.inputs import YearInputs
from expatcn.law import load_law
from expatcn.month_kernel import MONTH_COLUMNS, month_columns
from expatcn.month_kernel.run import threads

CITIES = np.array(["beijing", "shanghai", "guangzhou", "shenzhen"])
CENT = Decimal("0.01")
U = "unconfirmed"


def make_inputs(n: int, seed: int = 4) -> MonthInputs:
    rng = np.random.default_rng(seed)
    first = rng.integers(300_000, 8_000_000, size=n, dtype=np.int64)  # 3,000 – 80,000 yuan
    second = first + first // 100 * 3  # +3% from July
    wages = np.empty((n, 12), dtype=np.int64)
    wages[:, :6] = first[:, None]
    wages[:, 6:] = second[:, None]
    bonus = np.zeros((n, 12), dtype=np.int64)
    bonus[:, 11] = np.where(rng.random(n) < 0.3, first * 2, 0)
    foreign = rng.random(n) < 0.1
    certificate = foreign & (rng.random(n) < 1 / 3)
    income = YearInputs(year=2025, wages=wages, bonus=bonus, foreigner=foreign)
    return MonthInputs(
        income, CITIES[rng.integers(0, 4, size=n)],
        nationality=np.where(certificate, "DE", np.where(foreign, "US", "CN")),
        certificate_from=np.where(certificate, np.datetime64("2023-01-01"), np.datetime64("NaT")).astype("datetime64[D]"),
        certificate_until=np.where(certificate, np.datetime64("2025-06-30"), np.datetime64("NaT")).astype("datetime64[D]"),
    )


def _d(x) -> Decimal | None:
    return None if x == U or x is None else Decimal(x)


def decimal_year(law, city: str, wages: list[int]) -> list[Decimal]:
    """The per-employee baseline for a Chinese employee: plain Decimal, month by month —
    contributions (lowest injury class, highest housing fund rate, unconfirmed figures as 0),
    the housing fund tax-free cap, the cumulative method — returning net pay per month."""
    annual = law.value("iit/annual_table", dt.date(2025, 1, 1))
    bands = [(b.up_to, b.rate, b.quick_deduction) for b in annual.brackets]
    basic = law.value("iit/basic_deduction", dt.date(2025, 1, 1)).monthly
    cap_rate = law.value("social/housing_fund_tax_cap", dt.date(2025, 1, 1)).rate_cap
    taxable = withheld = Decimal(0)
    nets = []
    for month, fen in enumerate(wages):
        wage = Decimal(fen) / 100
        v = law.value(f"social/{city}", dt.date(2025, month + 1, 1))
        ee = Decimal(0)
        for s in v.schemes.values():
            floor = _d(s.base_floor) if s.base_floor != U else _d(s.base_floor_at_most)
            base = max(wage, floor) if floor is not None else wage
            if s.base_ceiling is not None and s.base_ceiling != U:
                base = min(base, Decimal(s.base_ceiling))
            rate = _d(s.employee_rate_nonlocal if s.employee_rate_nonlocal is not None else s.employee_rate)
            if rate is not None:
                ee += (base * rate).quantize(CENT, ROUND_HALF_UP) + s.employee_fixed
        hf = v.housing_fund
        floor = _d(hf.base_floor) if hf.base_floor != U else _d(hf.base_floor_at_most)
        hf_base = min(max(wage, floor), Decimal(hf.base_ceiling))
        hf_amount = (hf_base * Decimal(hf.rate_max)).quantize(CENT, ROUND_HALF_UP)
        cap = (min(wage, Decimal(hf.base_ceiling)) * cap_rate).quantize(CENT, ROUND_HALF_UP)
        taxable += wage - ee - min(hf_amount, cap)
        base = taxable - basic * (month + 1)
        tax = Decimal(0)
        if base > 0:
            for up_to, rate, quick in bands:
                if up_to is None or base <= up_to:
                    tax = (base * rate).quantize(CENT, ROUND_HALF_UP) - quick
                    break
        this_month = max(tax - withheld, Decimal(0))
        withheld += this_month
        nets.append(wage - ee - hf_amount - this_month)
    return nets


def rss() -> int:
    """Resident memory of this process now, bytes."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("people", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reference-repeat", type=int, default=2)
    parser.add_argument("--sample", type=int, default=1_000)
    args = parser.parse_args()
    n = args.people
    load_before = os.getloadavg()

    law = load_law()
    inputs = make_inputs(n)
    gross_to_net(make_inputs(50, seed=1), law, keep_trace=False, allow_partial=True)  # warm-up: law tables
    out = {name: np.ones((n, 12), dtype=np.int64) for name in MONTH_COLUMNS}  # preallocated and touched
    baseline = rss()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        kernel = month_columns(inputs, law, allow_partial=True, engine="kernel", out=out)
        times.append(time.perf_counter() - start)
    assert kernel.engine == "kernel", kernel.reason
    beyond = peak_rss() - baseline

    reference_time = float("inf")
    for _ in range(args.reference_repeat):
        start = time.perf_counter()
        result = gross_to_net(inputs, law, keep_trace=False, allow_partial=True)
        reference_time = min(reference_time, time.perf_counter() - start)
    m = result.monthly
    differing = sum(int((kernel.values[name] != m[name]).sum()) for name in MONTH_COLUMNS)
    assert not (kernel.unknown != m["unknown"]).any()
    assert (m["gross"] == m["employee_contributions"] + m["net"] + m["iit"]).all()

    # the Decimal baseline: Chinese employees of Shanghai (every 2025 figure sourced), no bonus
    city, income = inputs.city, inputs.income
    sample = np.flatnonzero((city == "shanghai") & ~inputs.foreign & (income.bonus.sum(axis=1) == 0))[: args.sample]
    start = time.perf_counter()
    loop = [decimal_year(law, "shanghai", income.wages[i].tolist()) for i in sample]
    loop_rate = sample.size * 12 / (time.perf_counter() - start)
    engine = [[Decimal(int(x)) / 100 for x in out["net"][i]] for i in sample]
    mismatches = sum(a != b for a, b in zip(engine, loop))

    months = n * 12
    best, median = min(times), statistics.median(times)
    print(f"machine: {machine()}; kernel threads: {threads()}; load average before {load_before[0]:.2f}, "
          f"after {os.getloadavg()[0]:.2f}")
    print(f"employees: {n:,} × 12 months of 2025 = {months:,} employee-months, 4 cities, SI + HF + IIT")
    print(f"compiled kernel, {args.repeat} calls (first included, {times[0]:.2f} s): best {best:.3f} s → "
          f"{months / best / 1e6:.1f} M employee-months/s; median {median:.3f} s → {months / median / 1e6:.1f} M/s")
    print(f"peak RSS beyond inputs and outputs: {beyond / 2**30:.2f} GiB (inputs + outputs: {baseline / 2**30:.2f} GiB)")
    print(f"NumPy reference engine (best of {args.reference_repeat}): {reference_time:.2f} s → "
          f"{months / reference_time / 1e6:.1f} M/s; ratio kernel / reference: {reference_time / best:.1f}× best, "
          f"{reference_time / median:.1f}× median; employee-months differing: {differing}")
    print(f"per-employee Decimal loop ({sample.size:,} Shanghai employees): {loop_rate:,.0f} employee-months/s; "
          f"kernel / loop {months / best / loop_rate:,.0f}×; sample employee-years differing: {mismatches} of {sample.size}")
    print(f"employee-months with an unconfirmed figure (Guangzhou, Shenzhen 2025): {int(m['unknown'].sum()):,}")
    print(f"(checksum: net pay {m['net'].sum() / 100:,.2f} yuan; employer cost {m['employer_cost'].sum() / 100:,.2f} yuan)")


if __name__ == "__main__":
    main()
