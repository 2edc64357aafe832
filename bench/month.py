"""Benchmark: a tax year of gross-to-net — social insurance + housing fund + IIT → net pay and
employer cost — for 1,000,000 employees × 12 months of 2025 across Beijing, Shanghai, Guangzhou
and Shenzhen, through ``expatcn.gross_to_net``; against a per-employee plain-Decimal loop
on a sample in the same process, compared to the fen on the rows both compute the same way.

The contribution wage is declared once a contribution year (raised from July), as payroll does;
10% of employees are foreigners (a third with a German certificate to 2025-06-30), 30% get a
December bonus. Guangzhou's and Shenzhen's tables leave some 2025 figures unconfirmed, so the run
uses ``allow_partial`` (those amounts reported unknown, never guessed); the count is printed.
Run: .venv/bin/python bench/month.py [N] [--profile]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from expatcn.iit.inputs import YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import load_law
from expatcn.gross_to_net import MonthInputs, gross_to_net

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


def main(n: int = 1_000_000, profile: bool = False, repeat: int = 3) -> None:
    law = load_law()
    inputs = make_inputs(n)
    gross_to_net(make_inputs(50, seed=1), law, keep_trace=False, allow_partial=True)  # warm-up

    if profile:
        import cProfile
        import pstats

        cProfile.runctx("gross_to_net(inputs, law, keep_trace=False, allow_partial=True)", globals(), locals(), "/tmp/month.prof")
        pstats.Stats("/tmp/month.prof").sort_stats("tottime").print_stats(15)
    elapsed = iit_only = float("inf")
    for _ in range(repeat):  # best of: the machine may be shared
        start = time.perf_counter()
        result = gross_to_net(inputs, law, keep_trace=False, allow_partial=True)
        elapsed = min(elapsed, time.perf_counter() - start)
        start = time.perf_counter()
        compute_year(result.iit.inputs, law)
        iit_only = min(iit_only, time.perf_counter() - start)
    employee_months = n * 12
    rate = employee_months / elapsed

    # the baseline: Chinese employees of Shanghai (every 2025 figure sourced), no bonus
    city, income = inputs.city, inputs.income
    sample = np.flatnonzero((city == "shanghai") & ~inputs.foreign & (income.bonus.sum(axis=1) == 0))[:1_000]
    start = time.perf_counter()
    baseline = [decimal_year(law, "shanghai", income.wages[i].tolist()) for i in sample]
    loop_rate = sample.size * 12 / (time.perf_counter() - start)
    engine = [[Decimal(int(x)) / 100 for x in result.monthly["net"][i]] for i in sample]
    mismatches = sum(a != b for a, b in zip(engine, baseline))
    unknown = int(result.monthly["unknown"].sum())
    m = result.monthly
    assert (m["gross"] == m["employee_contributions"] + m["net"] + m["iit"]).all()

    print(f"employees: {n:,} × 12 months of 2025 = {employee_months:,} employee-months, 4 cities, SI + HF + IIT "
          f"(best of {repeat})")
    print(f"gross-to-net engine: {elapsed:.2f} s → {rate / 1e6:.1f} M employee-months/s "
          f"(IIT engine alone on the same inputs: {iit_only:.2f} s; contributions and routing ≈ {elapsed - iit_only:.2f} s)")
    print(f"per-employee Decimal loop ({sample.size:,} Shanghai employees): {loop_rate:,.0f} employee-months/s")
    print(f"ratio: {rate / loop_rate:,.0f}× ; sample employee-years differing from the Decimal loop: {mismatches} of {sample.size}")
    print(f"employee-months with an unconfirmed figure (Guangzhou, Shenzhen 2025): {unknown:,}")
    print(f"(checksum: net pay {m['net'].sum() / 100:,.2f} yuan; employer cost {m['employer_cost'].sum() / 100:,.2f} yuan)")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 1_000_000, profile="--profile" in sys.argv)
