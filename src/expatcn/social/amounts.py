"""The arithmetic every contribution shares, for N employees at once: the contribution base (the
wage clipped to the floor and ceiling), base × rate to the fen, a rate the employer chooses
within a legal range, and where an amount is not decided by the figures given.

The scheme rules (``contributions``) and the housing fund (``housing_fund``) are built from these.
Amounts are int64 fen, rates int64 ppm; rounding is :func:`expatcn.money.apply_rate` (half up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.errors import LawError
from expatcn.law.schemas.social import UNCONFIRMED, HousingFundLaw, SchemeLaw
from expatcn.money import apply_rate, rate_to_ppm, yuan_to_fen
from expatcn.social.figures import FigureSource

DEFAULT_RATE = -1  # in a rate input: use the default (the employer's own rate, else the table's end of the range)


def fen(value) -> int | None:
    """Yuan figure -> fen; None for 'unconfirmed'."""
    return None if value == UNCONFIRMED else yuan_to_fen(value)


def ppm(value) -> int | None:
    """Rate -> ppm; None for 'unconfirmed'."""
    return None if value == UNCONFIRMED else rate_to_ppm(value)


def contribution_base(
    wage: np.ndarray, floor: int | None, ceiling: int | None | str, floor_at_most: int | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The contribution base: the wage clipped to [floor, ceiling], and where it is known.

    ``floor``/``ceiling`` in fen; ``None`` floor = unconfirmed (``floor_at_most`` bounds it from
    above when known); ceiling ``"none"`` = no ceiling, ``None`` = unconfirmed. A base is known
    when the known limits decide it: at or above a known ceiling it is the ceiling whatever the
    floor, at or below a known floor it is the floor whatever the ceiling. ``known`` is ``None``
    where every base is known.
    """
    wage = np.asarray(wage, dtype=np.int64)
    has_ceiling = ceiling is not None
    cap = None if ceiling == "none" or not has_ceiling else ceiling
    if floor is not None:
        base = np.maximum(wage, floor)
        if cap is not None:
            np.minimum(base, cap, out=base)
        return base, None if has_ceiling else wage <= floor
    base = wage if cap is None else np.minimum(wage, cap)
    if not has_ceiling:
        return base, zeros(wage.shape, bool)
    known = wage >= cap if cap is not None else None
    if floor_at_most is not None:
        above = wage >= floor_at_most
        known = above if known is None else known | above
    return base, zeros(wage.shape, bool) if known is None else known


@dataclass
class SchemeResult:
    """One scheme for N employees: the base, the rates applied and the amounts (fen, ppm).

    ``sources``: figures not simply published for the month (field -> carried forward /
    employer-supplied / low confidence); ``employer_carried`` / ``employee_carried``: the
    employees whose amount rests on a carried-forward figure (to be trued up)."""

    scheme: str
    participates: np.ndarray
    base: np.ndarray
    employer_rate: np.ndarray
    employee_rate: np.ndarray
    employee_fixed: int
    employer: np.ndarray
    employee: np.ndarray
    employer_unknown: np.ndarray
    employee_unknown: np.ndarray
    law: SchemeLaw | HousingFundLaw | None
    note: str = ""
    sources: dict[str, FigureSource] = field(default_factory=dict)
    employer_carried: np.ndarray | None = None
    employee_carried: np.ndarray | None = None

    def __post_init__(self) -> None:
        shape = np.shape(self.employer)
        if self.employer_carried is None:
            self.employer_carried = zeros(shape, bool)
        if self.employee_carried is None:
            self.employee_carried = zeros(shape, bool)


@dataclass
class Context:
    """One engine call's batch: the wages, their shape, local registration and the bases computed."""

    wage: np.ndarray
    shape: tuple[int, ...]
    non_negative: bool
    local: np.ndarray | bool | None  # True: everyone local; None: nobody; else a mask
    bases: dict
    assumptions: list[str]
    label: str

    def base(self, floor: int | None, ceiling: int | None | str, floor_at_most: int | None):
        """:func:`contribution_base` of the batch's wage, computed once per base range."""
        key = (floor, ceiling, floor_at_most)
        if key not in self.bases:
            self.bases[key] = contribution_base(self.wage, floor, ceiling, floor_at_most)
        return self.bases[key]

    def per_employee(self, values) -> np.ndarray:
        """A per-employee (N,) array lined up with the wage: (N, 1) when the wage is (N, K) months."""
        values = np.asarray(values)
        return values[:, None] if self.wage.ndim == 2 and values.ndim == 1 else values

    def rate_array(self, rate) -> np.ndarray:
        return np.broadcast_to(np.asarray(rate, dtype=np.int64), self.shape)


def uniform(values: np.ndarray):
    """A per-employee array whose values are all the same as that one scalar (else the array)."""
    if values.size and values.min() == values.max():
        return int(values.flat[0])
    return values


def full_mask(mask: np.ndarray | None, shape) -> np.ndarray:
    return np.broadcast_to(np.ones((), dtype=bool), shape) if mask is None else mask


def amount(ctx: Context, base: np.ndarray, rate, part, fixed: int = 0) -> np.ndarray:
    """base × rate to the fen (+ a fixed amount), zero where the employee does not take part."""
    if isinstance(rate, int) and rate == 0 and not fixed:
        return zeros(ctx.shape)
    out = apply_rate(base, rate, non_negative=ctx.non_negative)
    if out.shape != ctx.shape:
        out = np.broadcast_to(out, ctx.shape).copy()
    if fixed:
        out += fixed
    if part is not None:
        out *= part
    return out


def undecided(part, base_known, rate_unknown, shape, rate_matters=True) -> np.ndarray:
    """Where an amount is undecided: taking part, and the base (if the rate is not zero) or the
    rate not known. A read-only known-false array where nothing is."""
    out = None
    if base_known is not None and rate_matters is not False:
        out = ~base_known
        if rate_matters is not True:
            out &= rate_matters
    if rate_unknown is not False:
        out = rate_unknown if out is None else out | rate_unknown
    if out is None or out is True:
        if out is None:
            return zeros(shape, bool)
        return full_mask(part, shape).copy() if part is not None else np.ones(shape, dtype=bool)
    out = np.broadcast_to(out, shape)
    if not out.any():
        return zeros(shape, bool)
    return out & part if part is not None else out.copy()


def carried(published_unknown: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Decided only by a carried-forward figure: undecided on the published figures, decided now."""
    if not published_unknown.any():
        return published_unknown
    return published_unknown & ~unknown


def zero_where(values: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    if is_zero(unknown) or is_zero(values):
        return values
    return np.where(unknown, 0, values)


def shown_base(base: np.ndarray, base_known, part, shape) -> np.ndarray:
    """The base as shown: 0 where the employee does not take part or the base is undecided."""
    if base_known is None and part is None:
        return base
    keep = full_mask(part, shape) if base_known is None else (base_known if part is None else part & base_known)
    return np.where(keep, base, 0)


def _check_range(chosen: np.ndarray, low: int, high: int, rng, what: str) -> None:
    outside = (chosen < low) | (chosen > high)
    if outside.any():
        bad = chosen[outside][0]
        raise LawError(f"{what}: rate {bad / 10_000:g}% is outside the legal range {rng[0]}–{rng[1]}")


def ranged_rate(rng, given, ctx: Context, what: str, assumptions: list[str], lowest: bool,
                own: Decimal | None = None):
    """A rate the employer chooses within a range: given per employee (checked against the range
    when the range is known), else the employer's ``own`` rate (its class, from its rates file),
    else the range's default end (lowest or highest; recorded in ``assumptions``). Returns the
    rate (a scalar where all are the same) and whether it is unknown (bool or mask)."""
    if given is None:
        default_rows, all_default, any_default = None, True, True
    else:
        given = np.asarray(given, dtype=np.int64)
        default_rows = given == DEFAULT_RATE
        any_default = bool(default_rows.any())
        all_default = any_default and bool(default_rows.all())
    known_range = rng != UNCONFIRMED
    low, high = (rate_to_ppm(rng[0]), rate_to_ppm(rng[1])) if known_range else (None, None)
    if not all_default and known_range:
        _check_range(given if not any_default else given[~default_rows], low, high, rng, what)
    if own is not None or known_range:
        if own is not None:
            default = rate_to_ppm(own)
        else:
            default = low if lowest else high
            if any_default and low != high:
                end = "lowest" if lowest else "highest"
                assumptions.append(f"{what}: no rate given; the {end} rate of the range {rng[0]}–{rng[1]} is used")
        if all_default:
            return default, False
        rate = uniform(given if not any_default else np.where(default_rows, default, given))
        return (rate if isinstance(rate, int) else ctx.per_employee(rate)), False
    if all_default:
        return 0, True
    if not any_default:
        rate = uniform(given)
        return (rate if isinstance(rate, int) else ctx.per_employee(rate)), False
    return ctx.per_employee(np.where(default_rows, 0, given)), ctx.per_employee(default_rows)
