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

from expatcn.law import Entry, Law, LawError, LawNotInForce
from expatcn.law.model import LawRef
from expatcn.law.schemas.social import SCHEMES, UNCONFIRMED, HousingFundLaw, SchemeLaw, SocialCity
from expatcn.money import apply_rate, rate_to_ppm, yuan_to_fen

HOUSING_FUND = "housing_fund"
ALL_SCHEMES = (*SCHEMES, HOUSING_FUND)
NO_CEILING = np.iinfo(np.int64).max // 4
DEFAULT_RATE = -1  # in a rate input: use the table's default (lowest work-injury class; highest housing fund rate)


class SocialDataGap(LawError):
    """The law tables have no sourced figure for what was asked (city, month, scheme, figure)."""


def month_label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def city_entry(law: Law, city: str, month: dt.date) -> Entry:
    """The city's social insurance table entry for the month (its first day), or a clear error."""
    name = f"social/{city.lower()}"
    if name not in law.tables:
        known = sorted(n.split("/", 1)[1] for n, t in law.tables.items() if t.schema == "social_city")
        raise LawError(f"no social insurance table for city {city!r}; known cities: {', '.join(known)}")
    table = law.table(name)
    try:
        entry = table.entry_on(month.replace(day=1))
    except LawNotInForce:
        first, last = table.periods[0].start, table.periods[-1].end
        raise SocialDataGap(
            f"no social insurance data for {city} in {month_label(month)}: "
            f"the {name} table covers {month_label(first)} to {month_label(last) if last else 'today'}"
        ) from None
    value: SocialCity = entry.value
    if value.no_data is not None:
        raise SocialDataGap(
            f"no social insurance data for {city} in {month_label(month)}: {value.no_data} "
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
) -> tuple[np.ndarray, np.ndarray]:
    """The contribution base: the wage clipped to [floor, ceiling], and where it is known.

    ``floor``/``ceiling`` in fen; ``None`` floor = unconfirmed (``floor_at_most`` bounds it from
    above when known); ceiling ``"none"`` = no ceiling, ``None`` = unconfirmed. A base is known
    when the known limits decide it: at or above a known ceiling it is the ceiling whatever the
    floor, at or below a known floor it is the floor whatever the ceiling.
    """
    wage = np.asarray(wage, dtype=np.int64)
    has_ceiling = ceiling is not None
    cap = NO_CEILING if ceiling == "none" else (ceiling if has_ceiling else NO_CEILING)
    at_ceiling = wage >= cap if has_ceiling else np.zeros(wage.shape, dtype=bool)
    if floor is not None:
        at_floor = wage <= floor
        base = np.clip(wage, floor, cap)
        known = at_floor | at_ceiling | has_ceiling
        return base, known
    above_floor = wage >= floor_at_most if floor_at_most is not None else np.zeros(wage.shape, dtype=bool)
    base = np.minimum(wage, cap)
    known = at_ceiling | (above_floor & has_ceiling)
    return base, known


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
        return sum((getattr(self.schemes[n], side) for n in names), np.zeros_like(self.wage))

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
            out |= r.employer_unknown | r.employee_unknown
        return out


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

    wage: contribution wage in fen (int64), the figure the city clips to its base limits.
    participates: scheme name -> bool array (see ``participation.participation``); default: all
    five schemes and the housing fund. local_hukou: True for the city's household registration
    (Shenzhen pension rate); default False (foreigners are non-local). work_injury_rate /
    housing_fund_rate: ppm per employee, ``DEFAULT_RATE`` (-1) for the table's default — the
    lowest work-injury class and the highest housing fund rate, both recorded in ``assumptions``.
    """
    entry = city_entry(law, city, month)
    value: SocialCity = entry.value
    wage = np.asarray(wage, dtype=np.int64)
    n = wage.shape[0]
    ones = np.ones(n, dtype=bool)
    participates = participates or {}
    local = np.zeros(n, dtype=bool) if local_hukou is None else np.asarray(local_hukou, dtype=bool)
    results: dict[str, SchemeResult] = {}
    assumptions: list[str] = []
    label = f"{city} {month_label(month)}"

    for scheme in SCHEMES:
        part = np.asarray(participates.get(scheme, ones), dtype=bool)
        if scheme == "maternity" and value.maternity_in_medical:
            zero = np.zeros(n, dtype=np.int64)
            no = np.zeros(n, dtype=bool)
            results[scheme] = SchemeResult(scheme, part & np.asarray(participates.get("medical", ones), dtype=bool), zero, zero, zero, 0,
                                           zero, zero, no, no, None, "merged into medical")
            continue
        results[scheme] = _scheme(value.schemes[scheme], scheme, wage, part, local, work_injury_rate, assumptions, label)

    part_hf = np.asarray(participates.get(HOUSING_FUND, ones), dtype=bool)
    hf, deductible, employer_taxable = _housing_fund(law, value.housing_fund, wage, part_hf, housing_fund_rate,
                                                     assumptions, label, month)
    results[HOUSING_FUND] = hf

    refs = [entry.ref]
    if part_hf.any():
        refs.append(law.on("social/housing_fund_tax_cap", month.replace(day=1)).ref)
    result = Contributions(city, month, wage, results, refs, assumptions, deductible, employer_taxable)
    if not allow_partial:
        _raise_unknown(result, label, entry.ref)
    return result


def _rates(law_rate, law_rate_nonlocal, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rate (ppm) per employee and where it is unknown, with the non-local rate where one is set."""
    rate = _ppm(law_rate)
    n = local.shape[0]
    out = np.full(n, 0 if rate is None else rate, dtype=np.int64)
    unknown = np.full(n, rate is None, dtype=bool)
    if law_rate_nonlocal is not None:
        other = _ppm(law_rate_nonlocal)
        out = np.where(local, out, 0 if other is None else other)
        unknown = np.where(local, unknown, other is None)
    return out, unknown


def _scheme(sl: SchemeLaw, scheme, wage, part, local, work_injury_rate, assumptions, label) -> SchemeResult:
    n = wage.shape[0]
    ceiling = "none" if sl.base_ceiling is None else _fen(sl.base_ceiling)
    floor_at_most = yuan_to_fen(sl.base_floor_at_most) if sl.base_floor_at_most is not None else None
    base, base_known = contribution_base(wage, _fen(sl.base_floor), ceiling, floor_at_most)
    if sl.employer_rate_range is not None:
        employer_rate, employer_rate_unknown = _ranged_rate(
            sl.employer_rate_range, work_injury_rate, n, f"{label} {scheme}", assumptions, lowest=True
        )
    else:
        employer_rate, employer_rate_unknown = _rates(sl.employer_rate, sl.employer_rate_nonlocal, local)
    employee_rate, employee_rate_unknown = _rates(sl.employee_rate, sl.employee_rate_nonlocal, local)
    fixed = yuan_to_fen(sl.employee_fixed)
    employer = np.where(part, apply_rate(base, employer_rate), 0)
    employee = np.where(part, apply_rate(base, employee_rate) + fixed, 0)
    employer_unknown = part & (~base_known | employer_rate_unknown)
    employee_unknown = part & ((~base_known & (employee_rate != 0)) | employee_rate_unknown)
    employer = np.where(employer_unknown, 0, employer)
    employee = np.where(employee_unknown, 0, employee)
    base = np.where(part & base_known, base, 0)
    return SchemeResult(scheme, part, base, employer_rate, employee_rate, fixed, employer, employee,
                        employer_unknown, employee_unknown, sl, sl.note or "")


def _ranged_rate(rng, given, n, what, assumptions, lowest: bool) -> tuple[np.ndarray, np.ndarray]:
    """A rate the employer chooses within a range: given per employee (checked against the range
    when the range is known) or the range's default (lowest or highest end)."""
    given = np.full(n, DEFAULT_RATE, dtype=np.int64) if given is None else np.asarray(given, dtype=np.int64)
    default_rows = given == DEFAULT_RATE
    if rng == UNCONFIRMED:
        return np.where(default_rows, 0, given), default_rows
    low, high = rate_to_ppm(rng[0]), rate_to_ppm(rng[1])
    chosen = given[~default_rows]
    if chosen.size and ((chosen < low) | (chosen > high)).any():
        bad = chosen[(chosen < low) | (chosen > high)][0]
        raise LawError(f"{what}: rate {bad / 10_000:g}% is outside the legal range {rng[0]}–{rng[1]}")
    default = low if lowest else high
    if default_rows.any() and low != high:
        end = "lowest" if lowest else "highest"
        assumptions.append(f"{what}: no rate given; the {end} rate of the range {rng[0]}–{rng[1]} is used")
    return np.where(default_rows, default, given), np.zeros(n, dtype=bool)


def _housing_fund(law, hl: HousingFundLaw | None, wage, part, rate_input, assumptions, label, month):
    n = wage.shape[0]
    zero = np.zeros(n, dtype=np.int64)
    if hl is None:
        unknown = part.copy()
        result = SchemeResult(HOUSING_FUND, part, zero, zero, zero, 0, zero, zero, unknown, unknown, None,
                              "no sourced housing fund figures for this period")
        return result, zero, zero
    floor_at_most = yuan_to_fen(hl.base_floor_at_most) if hl.base_floor_at_most is not None else None
    base, base_known = contribution_base(wage, _fen(hl.base_floor), _fen(hl.base_ceiling), floor_at_most)
    if hl.rate_min == UNCONFIRMED or hl.rate_max == UNCONFIRMED:
        # only the known end can serve as a default; a given rate cannot be checked against the range
        given = np.full(n, DEFAULT_RATE, dtype=np.int64) if rate_input is None else np.asarray(rate_input, np.int64)
        known_end = hl.rate_max if hl.rate_max != UNCONFIRMED else None
        default_rows = given == DEFAULT_RATE
        if known_end is not None and (default_rows & part).any():
            assumptions.append(f"{label} housing fund: no rate given; the highest rate {known_end} is used")
        rate = np.where(default_rows, rate_to_ppm(known_end) if known_end else 0, given)
        rate_unknown = default_rows & (known_end is None)
    else:
        rate, rate_unknown = _ranged_rate((hl.rate_min, hl.rate_max), rate_input, n, f"{label} housing fund",
                                          assumptions if part.any() else [], lowest=False)
    amount = np.where(part, apply_rate(base, rate), 0)
    unknown = part & (~base_known | rate_unknown)
    amount = np.where(unknown, 0, amount)
    base = np.where(part & base_known, base, 0)
    result = SchemeResult(HOUSING_FUND, part, base, rate, rate, 0, amount, amount.copy(), unknown, unknown.copy(),
                          hl, hl.note or "")
    # Caishui [2006] No. 10: each side tax-free up to cap_rate × wage, the wage counted up to the
    # city's housing fund ceiling (3 × the average wage).
    cap_law = law.value("social/housing_fund_tax_cap", month.replace(day=1))
    ceiling = _fen(hl.base_ceiling)
    counted = np.minimum(wage, ceiling) if ceiling is not None else wage
    cap = apply_rate(counted, rate_to_ppm(cap_law.rate_cap))
    deductible = np.minimum(result.employee, cap)
    employer_taxable = np.maximum(result.employer - cap, 0)
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


def contributions_batch(
    law: Law,
    city: np.ndarray,
    month: np.ndarray,
    wage: np.ndarray,
    **kwargs,
) -> dict[str, np.ndarray]:
    """Contributions for employee-months across cities and months (one row each): groups rows by
    (city, month), computes each group with :func:`contributions`, and returns the columns
    ``employee_<scheme>``, ``employer_<scheme>``, ``employee_total``, ``employer_total``,
    ``employee_deduction`` in row order. ``month``: ``datetime64[M]`` array. Extra per-row arrays
    (``participates`` dict, ``local_hukou``, ``work_injury_rate``, ``housing_fund_rate``) are
    split along."""
    city = np.asarray(city)
    month = np.asarray(month, dtype="datetime64[M]")
    wage = np.asarray(wage, dtype=np.int64)
    n = wage.shape[0]
    columns = {f"{side}_{s}": np.zeros(n, dtype=np.int64) for s in ALL_SCHEMES for side in ("employee", "employer")}
    for extra in ("employee_total", "employer_total", "employee_deduction"):
        columns[extra] = np.zeros(n, dtype=np.int64)
    city_codes, city_index = np.unique(city, return_inverse=True)
    month_codes, month_index = np.unique(month, return_inverse=True)
    key = city_index.astype(np.int64) * len(month_codes) + month_index
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    for rows in np.split(order, bounds):
        if rows.size == 0:
            continue
        k = key[rows[0]]
        c = str(city_codes[k // len(month_codes)])
        m = month_codes[k % len(month_codes)].astype(dt.date)
        sub = {}
        for name, arr in kwargs.items():
            if name == "participates" and arr is not None:
                sub[name] = {s: np.asarray(v)[rows] for s, v in arr.items()}
            elif isinstance(arr, np.ndarray):
                sub[name] = arr[rows]
            else:
                sub[name] = arr
        r = contributions(law, c, m, wage[rows], **sub)
        for s in ALL_SCHEMES:
            columns[f"employee_{s}"][rows] = r.schemes[s].employee
            columns[f"employer_{s}"][rows] = r.schemes[s].employer
        columns["employee_total"][rows] = r.employee_total
        columns["employer_total"][rows] = r.employer_total
        columns["employee_deduction"][rows] = r.employee_deduction
    return columns
