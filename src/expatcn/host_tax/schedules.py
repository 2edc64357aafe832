"""The arithmetic every host country shares, on int64 arrays of the currency's minor unit:
cumulative-marginal bands, piecewise-linear amounts, the law's own rounding to whole units.

Rates apply with the project's one rule (``expatcn.money``: half up, once per product); where a
country's law rounds differently (down to the euro, to 1,000 yen…), its table says so in a
``Rounding`` entry and :func:`round_to` applies it.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from expatcn.errors import InputError
from expatcn.law.schemas.host_tax import Band, Rounding, Segment, StepAmount
from expatcn.money import RATE_SCALE, apply_rate, div_half_up, rate_to_ppm

NO_LIMIT = np.iinfo(np.int64).max // 4


class HostTaxError(InputError):
    """Host-tax input the engine cannot use (unknown country or option, a negative amount)."""


def units(amount: Decimal | int, minor_per_unit: int) -> int:
    """A law amount in the currency's minor unit; exact or an error."""
    value = Decimal(str(amount)) * minor_per_unit
    if value != value.to_integral_value():
        raise HostTaxError(f"amount {amount} is finer than the currency's minor unit (1/{minor_per_unit})")
    return int(value)


def band_tax(income: np.ndarray, bands: list[Band], minor_per_unit: int) -> np.ndarray:
    """Σ rate × (the slice of income in each band), one half-up rounding of the exact sum."""
    income = np.maximum(np.asarray(income, dtype=np.int64), 0)
    total = np.zeros_like(income)
    lower = 0
    for band in bands:
        upper = NO_LIMIT if band.up_to is None else units(band.up_to, minor_per_unit)
        total += np.clip(income - lower, 0, upper - lower) * rate_to_ppm(band.rate)
        lower = upper
    return div_half_up(total, RATE_SCALE, non_negative=True)


def marginal_rate(income: np.ndarray, bands: list[Band], minor_per_unit: int) -> np.ndarray:
    """The rate (ppm) of the band the last unit of income falls in."""
    bounds = np.array([units(b.up_to, minor_per_unit) for b in bands[:-1]], dtype=np.int64)
    rates = np.array([rate_to_ppm(b.rate) for b in bands], dtype=np.int64)
    return rates[np.searchsorted(bounds, np.asarray(income, dtype=np.int64), side="left")]


def piecewise(x: np.ndarray, segments: list[Segment], minor_per_unit: int) -> np.ndarray:
    """The piecewise-linear amount of ``x``: base + rate × (x − start) on x's segment, then the
    segment's cap and floor."""
    x = np.asarray(x, dtype=np.int64)
    starts = np.array([units(s.start, minor_per_unit) for s in segments], dtype=np.int64)
    index = np.searchsorted(starts, x, side="right") - 1
    index = np.maximum(index, 0)
    base = np.array([units(s.base, minor_per_unit) for s in segments], dtype=np.int64)[index]
    rate = np.array([rate_to_ppm(s.rate) for s in segments], dtype=np.int64)[index]
    cap = np.array([NO_LIMIT if s.cap is None else units(s.cap, minor_per_unit) for s in segments])[index]
    floor = np.array([-NO_LIMIT if s.floor is None else units(s.floor, minor_per_unit) for s in segments])[index]
    value = base + apply_rate(x - starts[index], rate)
    return np.clip(value, floor, cap)


def step_amount(x: np.ndarray, steps: list[StepAmount], minor_per_unit: int) -> np.ndarray:
    """The amount of the first step whose ``up_to`` is at or above ``x``."""
    bounds = np.array([units(s.up_to, minor_per_unit) for s in steps[:-1]], dtype=np.int64)
    amounts = np.array([units(s.amount, minor_per_unit) for s in steps], dtype=np.int64)
    return amounts[np.searchsorted(bounds, np.asarray(x, dtype=np.int64), side="left")]


def round_to(x: np.ndarray, rounding: Rounding, minor_per_unit: int) -> np.ndarray:
    """``x`` rounded as the law says: down, or half up, to a multiple of ``rounding.step``."""
    step = units(rounding.step, minor_per_unit)
    x = np.asarray(x, dtype=np.int64)
    if rounding.mode == "floor":
        return np.floor_divide(x, step) * step
    return div_half_up(x, step) * step


def rate_of(amount: np.ndarray, rate: Decimal) -> np.ndarray:
    """amount × rate, half up to the minor unit."""
    return apply_rate(np.asarray(amount, dtype=np.int64), rate_to_ppm(rate))


def round_exact(numerator: np.ndarray, scale: int, rounding: Rounding, minor_per_unit: int) -> np.ndarray:
    """The exact amount ``numerator / scale`` (in minor units) rounded as the law says, with no
    rounding before it (so a product is rounded once)."""
    step = units(rounding.step, minor_per_unit) * scale
    numerator = np.asarray(numerator, dtype=np.int64)
    whole = np.floor_divide(numerator, step) if rounding.mode == "floor" else div_half_up(numerator, step)
    return whole * (step // scale)
