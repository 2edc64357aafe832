"""The compiled kernel (``expatcn.month_kernel``) against the reference engines, to the fen.

Each example is a random mixed population of 10,000 employees × 12 months (drawn from a seed, so
Hypothesis shrinks the seed and the knobs, not the arrays): residents and non-residents, Chinese
employees and foreigners (some with certificates of coverage from agreement and non-agreement
countries, opting in or not), every city with a social insurance table, every tax year the law
tables cover (the monthly regime before 2019, the cumulative method after), bonuses under each
method (a second bonus in the year too), allowances with and without the election, special
additional and other deductions, tax reductions, labour remuneration, equity, months not
employed, first-income and low-income employees, employer-chosen rates, closed months. Where the
reference refuses the batch, the kernel's path must refuse it with the same error.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from expatcn.gross_to_net import MonthInputs, gross_to_net
from expatcn.iit.inputs import YearInputs
from expatcn.law import load_law
from expatcn.month_kernel import MONTH_COLUMNS, YEAR_COLUMNS, month_columns, year_columns
from expatcn.errors import LawError
from expatcn.social.contributions import cities
from expatcn.social.figures import city_figures

LAW = load_law()
CITIES = cities(LAW)
YEARS = range(2011, 2028)
PEOPLE = 10_000
SETTINGS = settings(max_examples=24, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NATIONALITIES = np.array(["CN", "DE", "US", "KR", "JP", "FR", "GB", "IN", "CH", "NL", "ES", "BR"])
ALL_COLUMNS = MONTH_COLUMNS + YEAR_COLUMNS[:-1]


def data_months(city: str, year: int) -> np.ndarray:
    """(12,) the months of ``year`` with figures for the city (published or carried forward) and
    foreigners' participation in the law."""
    foreigners = LAW.table("social/foreigners")

    def has_figures(day):
        try:
            city_figures(LAW, city, day)
        except LawError:
            return False
        return foreigners.in_force_on(day)

    return np.array([has_figures(dt.date(year, m, 1)) for m in range(1, 13)])


def with_data(year: int) -> list[str]:
    """Cities with figures for some month of ``year``."""
    return [city for city in CITIES if data_months(city, year).any()]


YEARS_WITH_DATA = [year for year in YEARS if with_data(year)]


@st.composite
def knobs(draw):
    """The shape of a population: year, cities, and how often each feature appears."""
    year = draw(st.sampled_from(YEARS_WITH_DATA) if draw(st.integers(0, 9)) else st.sampled_from(YEARS))
    usable = with_data(year)
    in_data = bool(usable) and draw(st.integers(0, 9)) > 0  # else any city, in any month: the error path
    chosen = draw(st.lists(st.sampled_from(usable if in_data else CITIES), min_size=1, max_size=5, unique=True))
    return {
        "in_data": in_data,
        "seed": draw(st.integers(0, 2**32 - 1)),
        "year": year,
        "cities": chosen,
        "allow_partial": draw(st.integers(0, 9)) > 0,
        "carry_forward": draw(st.integers(0, 4)) > 0,
        "closed_months": draw(st.sampled_from([0, 0, 0, 1, 5, 11])),
        "rates_given": draw(st.booleans()),
        "bad_rate": draw(st.integers(0, 19)) == 0,
        "gaps": draw(st.booleans()),
        "lawless": draw(st.integers(0, 9)) == 0,  # inputs the law refuses (the reference raises)
    }


def population(k: dict) -> MonthInputs:
    rng = np.random.default_rng(k["seed"])
    n, year = PEOPLE, k["year"]
    cumulative = year >= 2019

    def some(share: float) -> np.ndarray:
        return rng.random(n) < share

    def amounts(low: int, high: int, share: float) -> np.ndarray:
        values = rng.integers(low, high, size=(n, 12), dtype=np.int64)
        return np.where(rng.random((n, 12)) < share, values, 0)

    level = rng.integers(100_000, 12_000_000, size=n, dtype=np.int64)
    wages = np.repeat(level[:, None], 12, axis=1)
    wages[:, 6:] += np.where(some(0.5), level // 20, 0)[:, None]  # raised from July
    wages = np.where(rng.random((n, 12)) < 0.05, rng.integers(0, 30_000_000, size=(n, 12)), wages)
    foreigner = some(0.3)
    resident = ~foreigner | some(0.6)
    election = foreigner & some(0.4)
    bonus = np.zeros((n, 12), dtype=np.int64)
    paid = some(0.4)
    bonus[paid, rng.integers(0, 12, size=paid.sum())] = rng.integers(1, 100_000_000, size=paid.sum())
    second = some(0.05)
    bonus[second, rng.integers(0, 12, size=second.sum())] += rng.integers(1, 5_000_000, size=second.sum())
    sad = amounts(0, 600_000, 0.6) if cumulative else np.zeros((n, 12), dtype=np.int64)
    sad[election & resident] = 0
    equity = amounts(1, 50_000_000, 0.01) if cumulative else np.zeros((n, 12), dtype=np.int64)
    if k["lawless"]:  # a resident both elects the allowance exemption and declares deductions, or equity before 2019
        rows = np.flatnonzero(foreigner)[:3]
        election[rows], resident[rows] = True, True
        sad[rows, 3] = 100_000
        equity[0, 4] = 1_000_000
    employed = np.ones((n, 12), dtype=bool)
    if k["gaps"]:
        start = rng.integers(0, 12, size=n)
        end = rng.integers(0, 13, size=n)
        gap = some(0.3)
        months = np.arange(12)
        employed[gap] = (months[None, :] >= start[gap, None]) & (months[None, :] < np.maximum(end, start + 1)[gap, None])
    city = np.array(k["cities"])[rng.integers(0, len(k["cities"]), size=n)]
    if k.get("in_data", True):  # employed only in the months the city's table gives figures for
        for name in k["cities"]:
            employed[city == name] &= data_months(name, year)
    closed = k["closed_months"]
    income = YearInputs(
        year=year, wages=wages, allowances=amounts(0, 2_000_000, 0.3) * foreigner[:, None],
        special_additional_deductions=sad, other_deductions=amounts(0, 100_000, 0.05),
        tax_reductions=amounts(0, 50_000, 0.02), bonus=bonus, labour=amounts(1, 10_000_000, 0.02), equity=equity,
        employed=employed, resident=resident, foreigner=foreigner, allowance_election=election,
        bonus_method=rng.integers(0, 3, size=n).astype(np.int8), first_income_this_year=some(0.05),
        low_income_last_year=some(0.05), closed_months=closed,
        wage_tax_withheld=amounts(0, 500_000, 0.9) if closed else None,
    )
    nationality = np.where(foreigner, NATIONALITIES[rng.integers(1, NATIONALITIES.size, size=n)], "CN")
    nationality = np.where(some(0.1), np.char.lower(nationality), nationality)
    holder = foreigner & some(0.5)
    day = lambda offsets: np.datetime64(f"{year}-01-01") + offsets  # noqa: E731
    cert_from = np.where(holder, day(rng.integers(-800, 200, size=n)), np.datetime64("NaT")).astype("datetime64[D]")
    cert_until = np.where(holder, day(rng.integers(0, 500, size=n)), np.datetime64("NaT")).astype("datetime64[D]")
    # rates inside every city's legal range (0.5% work injury; a 5–7% housing fund), or the table's default (-1)
    injury = np.where(some(0.5), 5_000, -1) if k["rates_given"] else None
    fund = np.where(some(0.5), rng.choice([50_000, 60_000, 70_000], size=n), -1) if k["rates_given"] else None
    if k["bad_rate"] and injury is not None:
        injury[0] = 900_000
    pay = np.where(some(0.1)[:, None], wages + 1_000_00, wages)
    return MonthInputs(
        income, city,
        contribution_wage=np.where(some(0.7)[:, None], np.repeat(level[:, None], 12, axis=1), wages),
        nationality=nationality, certificate_from=cert_from, certificate_until=cert_until,
        opt_in=some(0.5), housing_fund=some(0.5), local_hukou=some(0.3), work_injury_rate=injury,
        housing_fund_rate=fund, pay=pay, bonus_paid=np.where(some(0.1)[:, None], bonus // 2, bonus),
        equity_paid=None if not equity.any() else equity + 100, carry_forward=k.get("carry_forward", True),
    )


def outcome(compute):
    try:
        return compute(), None
    except Exception as exc:  # noqa: BLE001 — the two paths must fail alike
        return None, (type(exc), str(exc))


@SETTINGS
@given(knobs())
def test_kernel_equals_reference_to_the_fen(k):
    inputs = population(k)
    partial = k["allow_partial"]
    reference, refused = outcome(lambda: gross_to_net(inputs, LAW, keep_trace=False, allow_partial=partial))
    kernel, kernel_refused = outcome(lambda: month_columns(inputs, LAW, allow_partial=partial, columns=ALL_COLUMNS,
                                                           engine="kernel"))
    assert kernel_refused == refused
    event(f"refused: {refused[0].__name__}" if refused else f"computed by the {kernel.engine}")
    if refused:
        return
    if not (k["lawless"] or k["bad_rate"]):
        assert kernel.engine == "kernel", kernel.reason
    for name in ALL_COLUMNS:
        expected = reference.monthly[name] if name in reference.monthly else reference.iit.monthly[name]
        np.testing.assert_array_equal(kernel.values[name], expected, err_msg=name)
    if partial:
        np.testing.assert_array_equal(kernel.unknown, reference.monthly["unknown"])
    for name in ("employee_carried", "employer_carried"):
        np.testing.assert_array_equal(getattr(kernel, name), reference.monthly[name], err_msg=name)


@SETTINGS
@given(knobs())
def test_iit_kernel_equals_compute_year(k):
    income = population(k).income
    income.employee_contributions = np.random.default_rng(k["seed"]).integers(0, 300_000, size=(PEOPLE, 12))
    from expatcn.iit.person_year import compute_year

    reference, refused = outcome(lambda: compute_year(income, LAW))
    kernel, kernel_refused = outcome(lambda: year_columns(income, LAW, engine="kernel"))
    assert kernel_refused == refused
    if refused:
        return
    if not k["lawless"]:
        assert kernel.engine == "kernel", kernel.reason
    for name in YEAR_COLUMNS:
        np.testing.assert_array_equal(kernel.values[name], reference.monthly["total_tax" if name == "iit" else name],
                                      err_msg=name)


def test_the_bench_population_runs_in_the_kernel_in_slices():
    """Threads take slices of one batch; the answer is the reference's."""
    import os

    k = {"seed": 7, "year": 2026, "cities": ["beijing", "shanghai", "guangzhou", "shenzhen"], "allow_partial": True,
         "closed_months": 0, "rates_given": False, "bad_rate": False, "gaps": True, "lawless": False}
    inputs = population(k)
    os.environ["EXPATCN_THREADS"] = "3"
    try:
        kernel = month_columns(inputs, LAW, allow_partial=True, engine="kernel")
    finally:
        del os.environ["EXPATCN_THREADS"]
    reference = month_columns(inputs, LAW, allow_partial=True, engine="reference")
    assert (kernel.engine, reference.engine) == ("kernel", "reference")
    for name in MONTH_COLUMNS:
        np.testing.assert_array_equal(kernel.values[name], reference.values[name], err_msg=name)


def test_an_input_the_kernel_does_not_know_goes_to_the_reference(monkeypatch):
    from expatcn.month_kernel import engine

    inputs = population({"seed": 1, "year": 2024, "cities": ["shanghai"], "allow_partial": True, "closed_months": 0,
                         "rates_given": False, "bad_rate": False, "gaps": False, "lawless": False})
    monkeypatch.setattr(engine, "_MONTH_FIELDS", engine._MONTH_FIELDS - {"pay"})
    result = month_columns(inputs, LAW, allow_partial=True, engine="kernel")
    assert result.engine == "reference" and "pay" in result.reason


@pytest.mark.parametrize("engine_name, people, expected", [("auto", 10, "reference"), ("reference", 30_000, "reference")])
def test_small_batches_and_explicit_choices_take_the_reference(engine_name, people, expected):
    income = YearInputs(year=2025, wages=np.full((people, 12), 2_000_000, dtype=np.int64))
    assert year_columns(income, LAW, engine=engine_name).engine == expected
