"""China social insurance and housing fund contributions by city and month
(``law/social/<city>.yaml``), for N employees at once.

For each scheme (pension, medical, maternity, unemployment, work injury) and the housing fund:
the contribution base is the employee's contribution wage clipped to the city's floor and
ceiling for the period (``contribution_base``); employer and employee amounts are base × rate,
to the fen, half up (``expatcn.money.apply_rate``), plus any fixed monthly amount (Beijing's
RMB 3); nothing is due for a scheme the employee does not take part in (``participation``).

Which figures are used (``expatcn.social.figures``): the table's; the employer's where it supplies
its own (``rates``); and for a figure the table marks ``unconfirmed`` (not published yet), the last
published one, carried forward — each flagged in ``SchemeResult.sources`` and, per employee, in
``employer_carried`` / ``employee_carried`` (the amounts that rest on a carried figure: a wage at or
above a published ceiling does not rest on a carried floor). ``carry_forward=False`` (strict) never
carries: every amount the published figures decide is computed and the rest is an error naming the
city, month and figure (:class:`SocialDataGap`). A figure never published at all is that error too,
or, with ``allow_partial=True``, an ``unknown`` mask in the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.dates import Month
from expatcn.errors import SocialDataGap
from expatcn.law import Entry, Law
from expatcn.law.model import LawRef
from expatcn.law.schemas.social import SCHEMES, SchemeLaw, SocialCity
from expatcn.law.tables import HOUSING_FUND_TAX_CAP
from expatcn.money import rate_to_ppm, yuan_to_fen
from expatcn.social.amounts import (
    DEFAULT_RATE, Context, SchemeResult, amount, carried, contribution_base, fen, full_mask, ppm, ranged_rate,
    shown_base, undecided, zero_where,
)
from expatcn.social.cities import cities as city_tables
from expatcn.social.figures import ALL_SCHEMES, HOUSING_FUND, EmployerRates, FigureSource, city_figures
from expatcn.social.housing_fund import housing_fund


def cities(law: Law) -> list[str]:
    """The keys of the cities the law tables have social insurance for (``law/social/<city>.yaml``;
    :func:`expatcn.social.cities.cities` gives their names too)."""
    return list(city_tables(law))


def city_entry(law: Law, city: str, month: dt.date) -> Entry:
    """The city's social insurance table entry for the month (its first day), or a clear error
    (no table, no period, no data; strict: a period whose figures are pending)."""
    return city_figures(law, city, month, carry_forward=False).entry


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
    sources: dict[str, dict[str, FigureSource]] = field(default_factory=dict)

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

    def _any(self, names: tuple[str, ...]) -> np.ndarray:
        out = np.zeros(self.wage.shape, dtype=bool)
        for r in self.schemes.values():
            for name in names:
                mask = getattr(r, name)
                if not is_zero(mask):
                    out |= mask
        return out

    @property
    def employee_carried(self) -> np.ndarray:
        """Rows whose employee contributions rest on a carried-forward figure."""
        return self._any(("employee_carried",))

    @property
    def employer_carried(self) -> np.ndarray:
        """Rows whose employer contributions rest on a carried-forward figure."""
        return self._any(("employer_carried",))

    @property
    def unknown(self) -> np.ndarray:
        """Rows with any amount the law tables could not decide (only with ``allow_partial``)."""
        return self._any(("employer_unknown", "employee_unknown"))


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
    rates: EmployerRates | None = None,
    carry_forward: bool = True,
) -> Contributions:
    """Employer and employee contributions of N employees in ``city`` for ``month``.

    wage: contribution wage in fen (int64), the figure the city clips to its base limits; (N,)
    or (N, K) for K months of the same law period (the month named is the one whose law is
    used). participates: scheme name -> bool array (see ``participation.participation``), shaped
    like ``wage`` or (N,); default: all five schemes and the housing fund. local_hukou: True for
    the city's household registration (Shenzhen pension rate); default False (foreigners are
    non-local). work_injury_rate / housing_fund_rate: ppm per employee, ``DEFAULT_RATE`` (-1) for
    the default — the employer's own rate (``rates``), else the lowest work-injury class and the
    highest housing fund rate, both recorded in ``assumptions``. rates: the employer's figures
    (:class:`expatcn.social.figures.EmployerRates`). carry_forward: False = strict (no carried figure).

    Speed: rates the law gives as one figure stay scalars, schemes sharing a base range clip the
    wage once, known-zero amounts (a rate of 0, nobody taking part) cost nothing, and rounding
    takes the non-negative path of :func:`expatcn.money.apply_rate` (the same rule).
    """
    figures = city_figures(law, city, month, rates=rates, carry_forward=carry_forward)
    value: SocialCity = figures.value
    wage = np.asarray(wage, dtype=np.int64)
    shape = wage.shape
    participates = participates or {}
    ctx = Context(wage, shape, bool(wage.size == 0 or wage.min() >= 0), None, {}, [], f"{city} {Month.of(month)}")
    if local_hukou is not None:
        local_flags = np.asarray(local_hukou, dtype=bool)
        ctx.local = True if local_flags.all() else (None if not local_flags.any() else ctx.per_employee(local_flags))
    results: dict[str, SchemeResult] = {}

    for scheme in SCHEMES:
        part = _mask(participates.get(scheme), shape)
        if scheme == "maternity" and value.maternity_in_medical:
            medical = _mask(participates.get("medical"), shape)
            both = part if medical is None else (medical if part is None else part & medical)
            zero, no = zeros(shape), zeros(shape, bool)
            results[scheme] = SchemeResult(scheme, full_mask(both, shape), zero, zero, zero, 0, zero, zero, no, no,
                                           None, "merged into medical")
            continue
        results[scheme] = _scheme(value.schemes[scheme], figures.published.schemes[scheme], scheme, part,
                                  work_injury_rate, ctx, figures.employer_defaults.get(scheme),
                                  figures.sources.get(scheme, {}))

    part_hf = _mask(participates.get(HOUSING_FUND), shape)
    hf, deductible, employer_taxable = housing_fund(
        law, value.housing_fund, figures.published.housing_fund, part_hf, housing_fund_rate, ctx, month,
        figures.employer_defaults.get(HOUSING_FUND), figures.sources.get(HOUSING_FUND, {}))
    results[HOUSING_FUND] = hf

    refs = [figures.entry.ref, *figures.refs]
    if part_hf is None or part_hf.any():
        refs.append(law.on(HOUSING_FUND_TAX_CAP, month.replace(day=1)).ref)
    result = Contributions(city, month, wage, results, refs, ctx.assumptions, deductible, employer_taxable,
                           figures.sources)
    if not allow_partial:
        _raise_unknown(result, ctx.label, figures.entry.ref, carry_forward)
    return result


def _rates(law_rate, law_rate_nonlocal, local):
    """Rate (ppm) — a scalar where everyone has the same — and whether it is unknown (bool or
    mask), with the non-local rate where one is set."""
    rate = ppm(law_rate)
    if law_rate_nonlocal is None or local is True:
        return (0 if rate is None else rate), rate is None
    other = ppm(law_rate_nonlocal)
    if local is None:
        return (0 if other is None else other), other is None
    out = np.where(local, 0 if rate is None else rate, 0 if other is None else other)
    unknown = np.where(local, rate is None, other is None) if (rate is None) != (other is None) else rate is None
    return out, unknown


def _decide(sl: SchemeLaw, scheme: str, part, given_rate, ctx: Context, own, assumptions: list[str]):
    """Base, employer and employee rates of a scheme, and where each is undecided by the figures
    ``sl`` gives: (base, base_known, employer_rate, employee_rate, employer_unknown, employee_unknown)."""
    ceiling = "none" if sl.base_ceiling is None else fen(sl.base_ceiling)
    floor_at_most = yuan_to_fen(sl.base_floor_at_most) if sl.base_floor_at_most is not None else None
    base, base_known = ctx.base(fen(sl.base_floor), ceiling, floor_at_most)
    if sl.employer_rate_range is not None:
        employer_rate, employer_rate_unknown = ranged_rate(
            sl.employer_rate_range, given_rate, ctx, f"{ctx.label} {scheme}", assumptions, lowest=True, own=own)
    else:
        employer_rate, employer_rate_unknown = _rates(sl.employer_rate, sl.employer_rate_nonlocal, ctx.local)
    employee_rate, employee_rate_unknown = _rates(sl.employee_rate, sl.employee_rate_nonlocal, ctx.local)
    employee_matters = employee_rate != 0
    return (base, base_known, employer_rate, employee_rate,
            undecided(part, base_known, employer_rate_unknown, ctx.shape),
            undecided(part, base_known, employee_rate_unknown, ctx.shape, employee_matters))


def _scheme(sl: SchemeLaw, published: SchemeLaw, scheme, part, given_rate, ctx: Context, own,
            sources: dict[str, FigureSource]) -> SchemeResult:
    shape = ctx.shape
    base, base_known, employer_rate, employee_rate, employer_unknown, employee_unknown = _decide(
        sl, scheme, part, given_rate, ctx, own, ctx.assumptions)
    employer_carried = employee_carried = None
    if published is not sl:
        *_, published_employer, published_employee = _decide(published, scheme, part, given_rate, ctx, own, [])
        employer_carried = carried(published_employer, employer_unknown)
        employee_carried = carried(published_employee, employee_unknown)
    fixed = yuan_to_fen(sl.employee_fixed)
    employer = amount(ctx, base, employer_rate, part) if not sl.employer_rate_parts else \
        sum(amount(ctx, base, rate_to_ppm(rate), part) for rate in sl.employer_rate_parts)  # each part to the fen
    employee = amount(ctx, base, employee_rate, part, fixed)
    return SchemeResult(scheme, full_mask(part, shape), shown_base(base, base_known, part, shape),
                        ctx.rate_array(employer_rate), ctx.rate_array(employee_rate), fixed,
                        zero_where(employer, employer_unknown), zero_where(employee, employee_unknown),
                        employer_unknown, employee_unknown, sl, sl.note or "", sources, employer_carried,
                        employee_carried)


def _raise_unknown(result: Contributions, label: str, ref: LawRef, carry_forward: bool) -> None:
    missing = []
    for name, r in result.schemes.items():
        for side, mask in (("employer", r.employer_unknown), ("employee", r.employee_unknown)):
            if mask.any():
                missing.append(f"{name} ({side}, {int(mask.sum())} of {mask.size} employees)")
    if missing:
        raise SocialDataGap(
            f"{label}: the law tables do not give every figure needed — unconfirmed for: {'; '.join(missing)}. "
            f"A base needs a sourced floor unless the wage is at or above the ceiling; a rate must be sourced"
            f"{' (strict: nothing carried forward)' if not carry_forward else ', and none was ever published to carry forward'}"
            f"; the employer can supply its own figures in a rates file. [{ref.describe()}]"
        )


__all__ = [
    "ALL_SCHEMES", "DEFAULT_RATE", "HOUSING_FUND", "Contributions", "SchemeResult", "SocialDataGap", "cities",
    "city_entry", "contribution_base", "contributions",
]
