"""The housing provident fund (住房公积金) of N employees in one city and month, and its IIT-free
part (Caishui [2006] No. 10, ``law/social/housing_fund_tax_cap.yaml``).

The base is the wage clipped to the city's floor and ceiling; employer and employee pay the same
rate, chosen by the employer within the city's range (given per employee, else the employer's own
rate from its rates file, else the highest rate of the range — recorded as an assumption). Each
side's contribution is free of IIT up to the cap rate × the wage counted up to the city's housing
fund ceiling; the employer's part above it is taxable wages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.law import Law
from expatcn.law.schemas.social import UNCONFIRMED, HousingFundLaw
from expatcn.law.tables import HOUSING_FUND_TAX_CAP
from expatcn.money import apply_rate, rate_to_ppm, yuan_to_fen
from expatcn.social.amounts import (
    DEFAULT_RATE, Context, SchemeResult, amount, carried, fen, full_mask, ranged_rate, shown_base, uniform, undecided,
    zero_where,
)
from expatcn.social.figures import HOUSING_FUND, FigureSource


def _rate(hl: HousingFundLaw, given, part, ctx: Context, own: Decimal | None, assumptions: list[str]):
    """The rate of each employee and whether it is unknown (see the module docstring)."""
    if hl.rate_min != UNCONFIRMED and hl.rate_max != UNCONFIRMED:
        return ranged_rate((hl.rate_min, hl.rate_max), given, ctx, f"{ctx.label} housing fund", assumptions,
                           lowest=False, own=own)
    # only a known end (or the employer's own rate) can serve as a default; a given rate cannot be checked
    given = np.full(ctx.shape[0], DEFAULT_RATE, dtype=np.int64) if given is None else np.asarray(given, np.int64)
    default = own if own is not None else (hl.rate_max if hl.rate_max != UNCONFIRMED else None)
    default_rows = given == DEFAULT_RATE
    if own is None and default is not None and (ctx.per_employee(default_rows) & full_mask(part, ctx.shape)).any():
        assumptions.append(f"{ctx.label} housing fund: no rate given; the highest rate {default} is used")
    rate = uniform(np.where(default_rows, rate_to_ppm(default) if default is not None else 0, given))
    rate = rate if isinstance(rate, int) else ctx.per_employee(rate)
    unknown = default_rows & (default is None)
    unknown = bool(unknown.flat[0]) if unknown.size and unknown.min() == unknown.max() else ctx.per_employee(unknown)
    return rate, unknown


def _limits(ctx: Context, hl: HousingFundLaw):
    floor_at_most = yuan_to_fen(hl.base_floor_at_most) if hl.base_floor_at_most is not None else None
    return ctx.base(fen(hl.base_floor), fen(hl.base_ceiling), floor_at_most)


def housing_fund(law: Law, hl: HousingFundLaw | None, published: HousingFundLaw | None, part, given, ctx: Context,
                 month: dt.date, own: Decimal | None, sources: dict[str, FigureSource]):
    """(result, IIT-free part of the employee's contribution, employer's part above the cap) for
    the batch. ``hl``: the figures computed with; ``published``: without carried-forward ones."""
    shape = ctx.shape
    zero = zeros(shape)
    if hl is None:
        unknown = full_mask(part, shape).copy()
        result = SchemeResult(HOUSING_FUND, full_mask(part, shape), zero, zero, zero, 0, zero, zero, unknown, unknown,
                              None, "no sourced housing fund figures for this period")
        return result, zero, zero
    if part is not None and not part.any():  # nobody enrolled: nothing is due, nothing to look up
        no = zeros(shape, bool)
        result = SchemeResult(HOUSING_FUND, part, zero, zero, zero, 0, zero, zero, no, no, hl, hl.note or "", sources)
        return result, zero, zero
    base, base_known = _limits(ctx, hl)
    rate, rate_unknown = _rate(hl, given, part, ctx, own, ctx.assumptions)
    paid = amount(ctx, base, rate, part)
    unknown = undecided(part, base_known, rate_unknown, shape)
    rests_on_carried = None
    if published is not hl:
        if published is None:
            published_unknown = full_mask(part, shape).copy()
        else:
            _, published_known = _limits(ctx, published)
            _, published_rate_unknown = _rate(published, given, part, ctx, own, [])
            published_unknown = undecided(part, published_known, published_rate_unknown, shape)
        rests_on_carried = carried(published_unknown, unknown)
    paid = zero_where(paid, unknown)
    rates = ctx.rate_array(rate)
    # employer and employee pay the same amount: one array serves both sides
    result = SchemeResult(HOUSING_FUND, full_mask(part, shape), shown_base(base, base_known, part, shape), rates,
                          rates, 0, paid, paid, unknown, unknown, hl, hl.note or "", sources, rests_on_carried,
                          rests_on_carried)
    if is_zero(paid):
        return result, zero, zero
    # Caishui [2006] No. 10: each side tax-free up to cap_rate × wage, the wage counted up to the
    # city's housing fund ceiling (3 × the average wage).
    cap_law = law.value(HOUSING_FUND_TAX_CAP, month.replace(day=1))
    ceiling = fen(hl.base_ceiling)
    counted = np.minimum(ctx.wage, ceiling) if ceiling is not None else ctx.wage
    cap = apply_rate(counted, rate_to_ppm(cap_law.rate_cap), non_negative=ctx.non_negative)
    deductible = np.minimum(paid, cap)
    employer_taxable = paid - cap
    np.maximum(employer_taxable, 0, out=employer_taxable)
    return result, deductible, employer_taxable
