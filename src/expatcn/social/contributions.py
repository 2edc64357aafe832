"""China social insurance and housing fund contributions by city and month
(``law/social/<city>.yaml``), for N employees at once.

For each scheme (pension, medical, maternity, unemployment, work injury) and the housing fund:
the contribution base is the employee's contribution wage clipped to the city's floor and
ceiling for the period (``contribution_base``); employer and employee amounts are base × rate,
to the fen, half up (``expatcn.money.apply_rate``), plus any fixed monthly amount (Beijing's
RMB 3); nothing is due for a scheme the employee does not take part in (``participation``).

A figure the law tables mark ``unconfirmed`` is never guessed: every amount the known figures
decide is computed (a wage at or above a known ceiling needs no floor), and the rest is an error
naming the city, month and figure (:class:`SocialDataGap`), or, with ``allow_partial=True``, an
``unknown`` mask in the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.dates import Month
from expatcn.errors import LawError, LawNotInForce, SocialDataGap
from expatcn.law import Entry, Law
from expatcn.law.model import LawRef
from expatcn.law.schemas.social import SCHEMES, UNCONFIRMED, HousingFundLaw, SchemeLaw, SocialCity
from expatcn.law.tables import HOUSING_FUND_TAX_CAP
from expatcn.money import apply_rate, rate_to_ppm, yuan_to_fen
from expatcn.social.cities import CITY_SCHEMA
from expatcn.social.cities import cities as city_tables

HOUSING_FUND = "housing_fund"
ALL_SCHEMES = (*SCHEMES, HOUSING_FUND)
DEFAULT_RATE = -1  # in a rate input: use the table's default (lowest work-injury class; highest housing fund rate)


def cities(law: Law) -> list[str]:
    """The keys of the cities the law tables have social insurance for (``law/social/<city>.yaml``;
    :func:`expatcn.social.cities.cities` gives their names too)."""
    return list(city_tables(law))


def city_entry(law: Law, city: str, month: dt.date) -> Entry:
    """The city's social insurance table entry for the month (its first day), or a clear error."""
    name = f"social/{city.lower()}"
    table = law.tables.get(name)
    if table is None or table.schema != CITY_SCHEMA:
        raise LawError(f"no social insurance table for city {city!r}; known cities: {', '.join(cities(law))}")
    try:
        entry = table.entry_on(month.replace(day=1))
    except LawNotInForce:
        first, last = table.periods[0].start, table.periods[-1].end
        raise SocialDataGap(
            f"no social insurance data for {city} in {Month.of(month)}: "
            f"the {name} table covers {Month.of(first)} to {Month.of(last) if last else 'today'}"
        ) from None
    value: SocialCity = entry.value
    if value.no_data is not None:
        raise SocialDataGap(
            f"no social insurance data for {city} in {Month.of(month)}: {value.no_data} "
            f"[{entry.ref.describe()}]"
        )
    return entry


def _fen(value) -> int | None:
    """Yuan figure -> fen; None for 'unconfirmed'."""
    return None if value == UNCONFIRMED else yuan_to_fen(value)


def _ppm(value) -> int | None:
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
    """One scheme for N employees: the base, the rates applied and the amounts (fen, ppm)."""

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


@dataclass
class Contributions:
    """Contributions of N employees in one city and month, with the law entries used."""

    city: str
    month: dt.date
    wage: np.ndarray
    schemes: dict[str, SchemeResult]
    refs: list[LawRef]
    assumptions: list[str] = field(default_factory=list)
    housing_fund_deductible: np.ndarray | None = None
    housing_fund_employer_taxable: np.ndarray | None = None

    def _sum(self, side: str, names: tuple[str, ...]) -> np.ndarray:
        total = np.zeros(self.wage.shape, dtype=np.int64)
        for n in names:
            amount = getattr(self.schemes[n], side)
            if not is_zero(amount):
                total += amount
        return total

    @property
    def employee_social(self) -> np.ndarray:
        return self._sum("employee", SCHEMES)

    @property
    def employer_social(self) -> np.ndarray:
        return self._sum("employer", SCHEMES)

    @property
    def employee_total(self) -> np.ndarray:
        return self._sum("employee", ALL_SCHEMES)

    @property
    def employer_total(self) -> np.ndarray:
        return self._sum("employer", ALL_SCHEMES)

    @property
    def employee_deduction(self) -> np.ndarray:
        """Employee social insurance plus the tax-free part of the employee's housing fund: the
        special deductions (专项扣除) for IIT."""
        return self.employee_social + self.housing_fund_deductible

    @property
    def unknown(self) -> np.ndarray:
        """Rows with any amount the law tables could not decide (only with ``allow_partial``)."""
        out = np.zeros(self.wage.shape, dtype=bool)
        for r in self.schemes.values():
            for mask in (r.employer_unknown, r.employee_unknown):
                if not is_zero(mask):
                    out |= mask
        return out


def _per_employee(values, wage: np.ndarray) -> np.ndarray:
    """A per-employee (N,) array lined up with ``wage``: (N, 1) when wage is (N, K) months."""
    values = np.asarray(values)
    return values[:, None] if wage.ndim == 2 and values.ndim == 1 else values


def _uniform(values: np.ndarray):
    """A per-employee array whose values are all the same as that one scalar (else the array)."""
    if values.size and values.min() == values.max():
        return int(values.flat[0])
    return values


def _mask(values, shape) -> np.ndarray | None:
    """A participation mask: None where everyone takes part (nothing to mask)."""
    if values is None:
        return None
    values = np.asarray(values, dtype=bool)
    if values.ndim == 1 and len(shape) == 2:
        values = values[:, None]
    return None if values.all() else np.broadcast_to(values, shape)


def contributions(
    law: Law,
    city: str,
    month: dt.date,
    wage: np.ndarray,
    *,
    participates: dict[str, np.ndarray] | None = None,
    local_hukou: np.ndarray | None = None,
    work_injury_rate: np.ndarray | None = None,
    housing_fund_rate: np.ndarray | None = None,
    allow_partial: bool = False,
) -> Contributions:
    """Employer and employee contributions of N employees in ``city`` for ``month``.

    wage: contribution wage in fen (int64), the figure the city clips to its base limits; (N,)
    or (N, K) for K months of the same law period (the month named is the one whose law is
    used). participates: scheme name -> bool array (see ``participation.participation``), shaped
    like ``wage`` or (N,); default: all five schemes and the housing fund. local_hukou: True for
    the city's household registration (Shenzhen pension rate); default False (foreigners are
    non-local). work_injury_rate / housing_fund_rate: ppm per employee, ``DEFAULT_RATE`` (-1) for
    the table's default — the lowest work-injury class and the highest housing fund rate, both
    recorded in ``assumptions``.

    Speed: rates the law gives as one figure stay scalars, schemes sharing a base range clip the
    wage once, known-zero amounts (a rate of 0, nobody taking part) cost nothing, and rounding
    takes the non-negative path of :func:`expatcn.money.apply_rate` (the same rule).
    """
    entry = city_entry(law, city, month)
    value: SocialCity = entry.value
    wage = np.asarray(wage, dtype=np.int64)
    shape = wage.shape
    participates = participates or {}
    if local_hukou is None:
        local = None
    else:
        local_flags = np.asarray(local_hukou, dtype=bool)
        local = True if local_flags.all() else (None if not local_flags.any() else _per_employee(local_flags, wage))
    ctx = _Context(wage, shape, bool(wage.size == 0 or wage.min() >= 0), local, {}, [], f"{city} {Month.of(month)}")
    results: dict[str, SchemeResult] = {}

    for scheme in SCHEMES:
        part = _mask(participates.get(scheme), shape)
        if scheme == "maternity" and value.maternity_in_medical:
            medical = _mask(participates.get("medical"), shape)
            both = part if medical is None else (medical if part is None else part & medical)
            zero, no = zeros(shape), zeros(shape, bool)
            results[scheme] = SchemeResult(scheme, _full_mask(both, shape), zero, zero, zero, 0, zero, zero, no, no,
                                           None, "merged into medical")
            continue
        results[scheme] = _scheme(value.schemes[scheme], scheme, part, work_injury_rate, ctx)

    part_hf = _mask(participates.get(HOUSING_FUND), shape)
    hf, deductible, employer_taxable = _housing_fund(law, value.housing_fund, part_hf, housing_fund_rate, ctx, month)
    results[HOUSING_FUND] = hf

    refs = [entry.ref]
    if part_hf is None or part_hf.any():
        refs.append(law.on(HOUSING_FUND_TAX_CAP, month.replace(day=1)).ref)
    result = Contributions(city, month, wage, results, refs, ctx.assumptions, deductible, employer_taxable)
    if not allow_partial:
        _raise_unknown(result, ctx.label, entry.ref)
    return result


@dataclass
class _Context:
    wage: np.ndarray
    shape: tuple[int, ...]
    non_negative: bool
    local: np.ndarray | bool | None  # True: everyone local; None: nobody; else a mask
    bases: dict
    assumptions: list[str]
    label: str


def _full_mask(mask: np.ndarray | None, shape) -> np.ndarray:
    return np.broadcast_to(np.ones((), dtype=bool), shape) if mask is None else mask


def _base(ctx: _Context, floor: int | None, ceiling: int | None | str, floor_at_most: int | None):
    """:func:`contribution_base` of the batch's wage, computed once per base range."""
    key = (floor, ceiling, floor_at_most)
    if key not in ctx.bases:
        ctx.bases[key] = contribution_base(ctx.wage, floor, ceiling, floor_at_most)
    return ctx.bases[key]


def _rates(law_rate, law_rate_nonlocal, local):
    """Rate (ppm) — a scalar where everyone has the same — and whether it is unknown (bool or
    mask), with the non-local rate where one is set."""
    rate = _ppm(law_rate)
    if law_rate_nonlocal is None or local is True:
        return (0 if rate is None else rate), rate is None
    other = _ppm(law_rate_nonlocal)
    if local is None:
        return (0 if other is None else other), other is None
    out = np.where(local, 0 if rate is None else rate, 0 if other is None else other)
    unknown = np.where(local, rate is None, other is None) if (rate is None) != (other is None) else rate is None
    return out, unknown


def _amount(ctx: _Context, base: np.ndarray, rate, part, fixed: int = 0) -> np.ndarray:
    """base × rate to the fen (+ a fixed amount), zero where the employee does not take part."""
    if isinstance(rate, int) and rate == 0 and not fixed:
        return zeros(ctx.shape)
    amount = apply_rate(base, rate, non_negative=ctx.non_negative)
    if amount.shape != ctx.shape:
        amount = np.broadcast_to(amount, ctx.shape).copy()
    if fixed:
        amount += fixed
    if part is not None:
        amount *= part
    return amount


def _unknown(part, base_known, rate_unknown, shape, rate_matters=True) -> np.ndarray:
    """Where an amount is undecided: taking part, and the base (if the rate is not zero) or the
    rate not known. A read-only known-false array where nothing is."""
    undecided = None
    if base_known is not None and rate_matters is not False:
        undecided = ~base_known
        if rate_matters is not True:
            undecided &= rate_matters
    if rate_unknown is not False:
        undecided = rate_unknown if undecided is None else undecided | rate_unknown
    if undecided is None or undecided is True:
        if undecided is None:
            return zeros(shape, bool)
        return _full_mask(part, shape).copy() if part is not None else np.ones(shape, dtype=bool)
    undecided = np.broadcast_to(undecided, shape)
    if not undecided.any():
        return zeros(shape, bool)
    return undecided & part if part is not None else undecided.copy()


def _zero_where(amount: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    if is_zero(unknown) or is_zero(amount):
        return amount
    return np.where(unknown, 0, amount)


def _scheme(sl: SchemeLaw, scheme, part, work_injury_rate, ctx: _Context) -> SchemeResult:
    shape = ctx.shape
    ceiling = "none" if sl.base_ceiling is None else _fen(sl.base_ceiling)
    floor_at_most = yuan_to_fen(sl.base_floor_at_most) if sl.base_floor_at_most is not None else None
    base, base_known = _base(ctx, _fen(sl.base_floor), ceiling, floor_at_most)
    if sl.employer_rate_range is not None:
        employer_rate, employer_rate_unknown = _ranged_rate(
            sl.employer_rate_range, work_injury_rate, ctx, f"{ctx.label} {scheme}", ctx.assumptions, lowest=True
        )
    else:
        employer_rate, employer_rate_unknown = _rates(sl.employer_rate, sl.employer_rate_nonlocal, ctx.local)
    employee_rate, employee_rate_unknown = _rates(sl.employee_rate, sl.employee_rate_nonlocal, ctx.local)
    fixed = yuan_to_fen(sl.employee_fixed)
    employer = _amount(ctx, base, employer_rate, part) if not sl.employer_rate_parts else \
        sum(_amount(ctx, base, rate_to_ppm(rate), part) for rate in sl.employer_rate_parts)  # each part to the fen
    employee = _amount(ctx, base, employee_rate, part, fixed)
    employer_unknown = _unknown(part, base_known, employer_rate_unknown, shape)
    employee_matters = (employee_rate != 0) if not isinstance(employee_rate, int) else employee_rate != 0
    employee_unknown = _unknown(part, base_known, employee_rate_unknown, shape, employee_matters)
    employer = _zero_where(employer, employer_unknown)
    employee = _zero_where(employee, employee_unknown)
    if base_known is None and part is None:
        shown = base
    else:
        keep = _full_mask(part, shape) if base_known is None else (base_known if part is None else part & base_known)
        shown = np.where(keep, base, 0)
    return SchemeResult(scheme, _full_mask(part, shape), shown, _rate_array(employer_rate, ctx),
                        _rate_array(employee_rate, ctx), fixed, employer, employee, employer_unknown,
                        employee_unknown, sl, sl.note or "")


def _rate_array(rate, ctx: _Context) -> np.ndarray:
    return np.broadcast_to(np.asarray(rate, dtype=np.int64), ctx.shape)


def _ranged_rate(rng, given, ctx: _Context, what, assumptions, lowest: bool):
    """A rate the employer chooses within a range: given per employee (checked against the range
    when the range is known) or the range's default (lowest or highest end). Returns the rate
    (a scalar where all are the same) and whether it is unknown (bool or mask)."""
    if given is None:
        default_rows, all_default, any_default = None, True, True
    else:
        given = np.asarray(given, dtype=np.int64)
        default_rows = given == DEFAULT_RATE
        any_default = bool(default_rows.any())
        all_default = any_default and bool(default_rows.all())
    if rng == UNCONFIRMED:
        if all_default:
            return 0, True
        if not any_default:
            rate = _uniform(given)
            return (rate if isinstance(rate, int) else _per_employee(rate, ctx.wage)), False
        return (_per_employee(np.where(default_rows, 0, given), ctx.wage), _per_employee(default_rows, ctx.wage))
    low, high = rate_to_ppm(rng[0]), rate_to_ppm(rng[1])
    if not all_default:
        chosen = given if not any_default else given[~default_rows]
        outside = (chosen < low) | (chosen > high)
        if outside.any():
            bad = chosen[outside][0]
            raise LawError(f"{what}: rate {bad / 10_000:g}% is outside the legal range {rng[0]}–{rng[1]}")
    default = low if lowest else high
    if any_default and low != high:
        end = "lowest" if lowest else "highest"
        assumptions.append(f"{what}: no rate given; the {end} rate of the range {rng[0]}–{rng[1]} is used")
    if all_default:
        return default, False
    rate = given if not any_default else np.where(default_rows, default, given)
    rate = _uniform(rate)
    return (rate if isinstance(rate, int) else _per_employee(rate, ctx.wage)), False


def _housing_fund(law, hl: HousingFundLaw | None, part, rate_input, ctx: _Context, month):
    shape = ctx.shape
    zero = zeros(shape)
    if hl is None:
        unknown = _full_mask(part, shape).copy()
        result = SchemeResult(HOUSING_FUND, _full_mask(part, shape), zero, zero, zero, 0, zero, zero, unknown, unknown,
                              None, "no sourced housing fund figures for this period")
        return result, zero, zero
    if part is not None and not part.any():  # nobody enrolled: nothing is due, nothing to look up
        no = zeros(shape, bool)
        result = SchemeResult(HOUSING_FUND, part, zero, zero, zero, 0, zero, zero, no, no, hl, hl.note or "")
        return result, zero, zero
    floor_at_most = yuan_to_fen(hl.base_floor_at_most) if hl.base_floor_at_most is not None else None
    base, base_known = _base(ctx, _fen(hl.base_floor), _fen(hl.base_ceiling), floor_at_most)
    if hl.rate_min == UNCONFIRMED or hl.rate_max == UNCONFIRMED:
        # only the known end can serve as a default; a given rate cannot be checked against the range
        given = np.full(shape[0], DEFAULT_RATE, dtype=np.int64) if rate_input is None else np.asarray(rate_input, np.int64)
        known_end = hl.rate_max if hl.rate_max != UNCONFIRMED else None
        default_rows = given == DEFAULT_RATE
        if known_end is not None and (_per_employee(default_rows, ctx.wage) & _full_mask(part, shape)).any():
            ctx.assumptions.append(f"{ctx.label} housing fund: no rate given; the highest rate {known_end} is used")
        rate = _uniform(np.where(default_rows, rate_to_ppm(known_end) if known_end else 0, given))
        rate = rate if isinstance(rate, int) else _per_employee(rate, ctx.wage)
        rate_unknown = (default_rows & (known_end is None))
        rate_unknown = bool(rate_unknown.flat[0]) if rate_unknown.size and rate_unknown.min() == rate_unknown.max() \
            else _per_employee(rate_unknown, ctx.wage)
    else:
        rate, rate_unknown = _ranged_rate((hl.rate_min, hl.rate_max), rate_input, ctx, f"{ctx.label} housing fund",
                                          ctx.assumptions, lowest=False)
    amount = _amount(ctx, base, rate, part)
    unknown = _unknown(part, base_known, rate_unknown, shape)
    amount = _zero_where(amount, unknown)
    if base_known is None and part is None:
        shown = base
    else:
        keep = _full_mask(part, shape) if base_known is None else (base_known if part is None else part & base_known)
        shown = np.where(keep, base, 0)
    rates = _rate_array(rate, ctx)
    # employer and employee pay the same amount: one array serves both sides
    result = SchemeResult(HOUSING_FUND, _full_mask(part, shape), shown, rates, rates, 0, amount, amount, unknown,
                          unknown, hl, hl.note or "")
    # Caishui [2006] No. 10: each side tax-free up to cap_rate × wage, the wage counted up to the
    # city's housing fund ceiling (3 × the average wage).
    cap_law = law.value(HOUSING_FUND_TAX_CAP, month.replace(day=1))
    ceiling = _fen(hl.base_ceiling)
    cap_rate = rate_to_ppm(cap_law.rate_cap)
    if is_zero(amount):
        return result, zero, zero
    counted = np.minimum(ctx.wage, ceiling) if ceiling is not None else ctx.wage
    cap = apply_rate(counted, cap_rate, non_negative=ctx.non_negative)
    deductible = np.minimum(amount, cap)
    employer_taxable = amount - cap
    np.maximum(employer_taxable, 0, out=employer_taxable)
    return result, deductible, employer_taxable


def _raise_unknown(result: Contributions, label: str, ref: LawRef) -> None:
    missing = []
    for name, r in result.schemes.items():
        for side, mask in (("employer", r.employer_unknown), ("employee", r.employee_unknown)):
            if mask.any():
                missing.append(f"{name} ({side}, {int(mask.sum())} of {mask.size} employees)")
    if missing:
        raise SocialDataGap(
            f"{label}: the law tables do not give every figure needed — unconfirmed for: {'; '.join(missing)}. "
            f"A base needs a sourced floor unless the wage is at or above the ceiling; a rate must be sourced. "
            f"[{ref.describe()}]"
        )
