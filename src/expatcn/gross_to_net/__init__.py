"""The full month, from gross pay to net pay and employer cost, for N employees over a tax year.

For each employee and month: gross pay → contribution wage → participation (Decree No. 16,
local rules, certificates of coverage) → employee and employer social insurance and housing fund
(:func:`expatcn.social.contributions.contributions`) → the employee's deductible amounts as the
IIT special deductions (专项扣除) and the employer's housing fund above the tax-free cap as
taxable wages → IIT (:func:`expatcn.iit.person_year.compute_year`) → net pay; employer cost =
gross + employer contributions. No rule is computed here: this module only routes columns
between the two engines and adds them up.

Speed: employees are grouped by city and the months of a tax year by law period (a city table
period and a housing fund tax-cap period); within a group, months whose contribution wages and
participation are the same for everyone are computed once.

Figures not published for a month are carried forward from the last period that published them
(``expatcn.social.figures``; ``MonthInputs.carry_forward=False`` is strict and refuses), the
employer's own figures (``MonthInputs.rates``) are used where it gives them; both are labelled in
the contribution results, and ``monthly["employee_carried"]`` / ``["employer_carried"]`` mark the
months whose totals rest on a carried-forward figure.

Identity, every employee and month: gross = employee contributions + IIT + net.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from expatcn.arrays import add_amounts, is_zero, zeros
from expatcn.gross_to_net.explain import explain_month, month_refs
from expatcn.gross_to_net.inputs import MONTHS, MonthInputs
from expatcn.iit.person_year import YearResult, compute_year
from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.law.tables import HOUSING_FUND_TAX_CAP
from expatcn.social.contributions import ALL_SCHEMES, HOUSING_FUND, Contributions, contributions
from expatcn.social.figures import EmployerRates, source_texts
from expatcn.social.participation import participation
from expatcn.social.pension_refund import PensionRefundEstimate, pension_refund_estimate

COLUMNS = (
    "gross", "contribution_wage", "employee_social", "employee_housing_fund", "employee_contributions",
    "employee_deduction", "housing_fund_employer_taxable", "iit", "net", "employer_social",
    "employer_housing_fund", "employer_contributions", "employer_cost", "employee_pension",
)


@dataclass
class ContributionPart:
    """One engine call: employees ``rows`` of ``city`` in ``months`` (1–12). ``per_month``: the
    result has one column per month; otherwise one column served every month of the part."""

    city: str
    months: list[int]
    rows: np.ndarray
    result: Contributions
    per_month: bool
    notes: list[str]
    refs: list[LawRef]


@dataclass
class MonthResult:
    """(N, 12) columns of fen (see ``COLUMNS``), the IIT result and, unless turned off, the
    contribution results each month came from (for traces)."""

    inputs: MonthInputs
    monthly: dict[str, np.ndarray]
    iit: YearResult
    parts: list[ContributionPart] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.inputs.income.year

    def figures(self, month: int) -> dict[str, np.ndarray]:
        """Every figure of ``month`` (1–12), (N,) each, in fen (rates in ppm): the one month slice
        the payroll stores, verifies and exports. The pay items as given (``wages``, ``allowances``,
        ``bonus``, ``labour``, ``equity``), the columns of ``COLUMNS`` (``gross`` … ``employer_cost``),
        the IIT's (``income`` … ``equity_tax``, ``bonus_separate`` = on its own or spread,
        ``sad_ytd`` = special additional deductions January to ``month``), and per scheme of
        ``SCHEMES`` + housing fund: ``<scheme>_base`` (0 where not insured), ``employee_<scheme>``,
        ``employer_<scheme>``; ``resident`` and ``complete`` (no unconfirmed figure) as bools.
        Which figures were carried forward or employer-supplied: :meth:`labels`."""
        if not 1 <= month <= MONTHS:
            raise ValueError(f"month must be 1–12, got {month}")
        c = month - 1
        m, im, income = self.monthly, self.iit.monthly, self.inputs.income
        n = income.people
        out = {name: np.array(getattr(income, name)[:, c], dtype=np.int64)
               for name in ("wages", "allowances", "bonus", "labour", "equity")}
        for name in ("gross", "contribution_wage", "employee_social", "employer_social", "employee_housing_fund",
                     "employer_housing_fund", "employee_deduction", "housing_fund_employer_taxable",
                     "employee_contributions", "employer_contributions", "iit", "net", "employer_cost"):
            out[name] = np.array(m[name][:, c], dtype=np.int64)
        for name in ("income", "exempt_income", "special_deductions", "special_additional_deductions",
                     "other_deductions", "basic_deduction", "wage_taxable", "wage_rate", "wage_quick_deduction",
                     "wage_tax_to_date", "wage_withheld_to_date", "wage_tax", "wage_method", "bonus_tax",
                     "labour_tax", "equity_tax"):
            out[name] = np.array(im[name][:, c], dtype=np.int64)
        out["bonus_separate"] = np.array(im["bonus_separate"][:, c] + im["bonus_spread"][:, c], dtype=np.int64)
        out["tax_reductions"] = np.array(self.iit.inputs.tax_reductions[:, c], dtype=np.int64)
        out["sad_ytd"] = np.asarray(im["special_additional_deductions"][:, :month].sum(axis=1), dtype=np.int64)
        for scheme in ALL_SCHEMES:
            for key in (f"{scheme}_base", f"employee_{scheme}", f"employer_{scheme}"):
                out[key] = np.zeros(n, dtype=np.int64)
        for part, pick in self._parts_of(month):
            for scheme, s in part.result.schemes.items():
                out[f"{scheme}_base"][part.rows] = np.where(pick(s.participates, bool), pick(s.base), 0)
                out[f"employee_{scheme}"][part.rows] = pick(s.employee)
                out[f"employer_{scheme}"][part.rows] = pick(s.employer)
        out["resident"] = np.asarray(income.resident, dtype=bool).copy()
        out["complete"] = ~np.asarray(m["unknown"])[:, c]
        return out

    def _parts_of(self, month: int):
        """(part, pick) for each contribution part covering ``month``: ``pick(values, dtype)`` is
        the month's column of a part's per-employee values."""
        for part in self.parts:
            if month not in part.months:
                continue
            shape = part.result.wage.shape
            at = part.months.index(month) if part.per_month else None

            def pick(values, dtype=np.int64, shape=shape, at=at):
                full = np.broadcast_to(np.asarray(values), shape)
                return np.asarray(full[:, at] if at is not None else full, dtype=dtype)
            yield part, pick

    def labels(self, month: int, lang: str = "en") -> dict[str, np.ndarray]:
        """The month's figure labels, (N,) each: ``employee_carried`` / ``employer_carried`` (bools:
        the totals rest on a figure carried forward, to be trued up) and per scheme of ``SCHEMES``
        + housing fund ``<scheme>_sources`` (text: "carried forward from <period>: employer rate",
        "employer-supplied (why): …", "low confidence: …"; "" where none)."""
        c = month - 1
        n = self.inputs.income.people
        out = {name: np.asarray(self.monthly[name])[:, c].copy() for name in ("employee_carried", "employer_carried")}
        for scheme in ALL_SCHEMES:
            out[f"{scheme}_sources"] = np.full(n, "", dtype=object)
        for part, pick in self._parts_of(month):
            for scheme, s in part.result.schemes.items():
                if not s.sources:
                    continue
                rests = pick(s.employer_carried, bool) | pick(s.employee_carried, bool)
                out[f"{scheme}_sources"][part.rows] = np.where(
                    pick(s.participates, bool), np.where(rests, *source_texts(s.sources, lang)), "")
        return out

    def pension_refund(self, law: Law, on: dt.date | None = None) -> PensionRefundEstimate:
        """The pension personal account built up in these months, as a lump sum on leaving China
        (:func:`expatcn.social.pension_refund.pension_refund_estimate`, the table in force on
        ``on``, default 31 December)."""
        return pension_refund_estimate(law, on or dt.date(self.year, 12, 31), self.inputs.foreign,
                                       self.monthly["employee_pension"].sum(axis=1))

    def contributions_of(self, person: int, month: int) -> tuple[ContributionPart, int, int] | None:
        """The contribution result of ``person`` in ``month`` (1–12): the part, the row inside it,
        and the column (or None if no contributions were computed — not employed)."""
        for part in self.parts:
            if month not in part.months:
                continue
            at = int(np.searchsorted(part.rows, person))
            if at < part.rows.size and part.rows[at] == person:
                return part, at, part.months.index(month) if part.per_month else 0
        return None


def gross_to_net(inputs: MonthInputs, law: Law, *, keep_trace: bool = True,
                 allow_partial: bool = False) -> MonthResult:
    """Gross → contributions → IIT → net and employer cost for every employee and month."""
    income = inputs.income
    n, year = income.people, income.year
    shape = (n, MONTHS)
    names = ("employee_social", "employee_housing_fund", "employee_deduction", "housing_fund_employer_taxable",
             "employer_social", "employer_housing_fund", "employee_pension")
    out = {name: np.zeros(shape, dtype=np.int64) for name in names}
    flags = {name: np.zeros(shape, dtype=bool) for name in ("unknown", "employee_carried", "employer_carried")}
    parts: list[ContributionPart] = []
    assumptions: list[str] = []

    # employees sorted by city, so that each city is one slice (fast reads and writes), then put
    # back in the caller's order once at the end
    cities, city_index = city_codes(inputs.city)
    order = None if cities.size == 1 or (np.diff(city_index) >= 0).all() else np.argsort(city_index, kind="stable")
    view = _sorted_view(inputs, order)
    starts = np.searchsorted(city_index if order is None else city_index[order], np.arange(cities.size + 1))
    for c, city in enumerate(cities.tolist()):
        rows = slice(int(starts[c]), int(starts[c + 1]))
        ids = np.arange(n)[rows] if order is None else order[rows]
        for months in _month_groups(law, city, year, inputs.rates):
            _contribute(law, view, city, rows, ids, months, out, flags, parts, assumptions, allow_partial, keep_trace)
    if order is not None:
        for values in (out, flags):
            for name, value in list(values.items()):
                restored = np.empty_like(value)
                restored[order] = value
                values[name] = restored

    hf_taxable = out["housing_fund_employer_taxable"]
    wages = income.wages + hf_taxable if hf_taxable.any() else income.wages
    iit_inputs = dataclasses.replace(income, wages=wages, employee_contributions=out["employee_deduction"])
    iit = compute_year(iit_inputs, law)

    monthly = dict(out)
    bonus = income.bonus if inputs.bonus_paid is None else inputs.bonus_paid
    equity = income.equity if inputs.equity_paid is None else inputs.equity_paid
    paid_kinds = zeros(income.wages.shape) if income.exempt_kinds is None else income.exempt_kinds.sum(axis=1)
    monthly["gross"] = add_amounts(inputs.pay, income.allowances, paid_kinds, income.severance, bonus, income.labour,
                                   equity)
    if monthly["gross"] is inputs.pay:
        monthly["gross"] = inputs.pay.copy()
    monthly["contribution_wage"] = inputs.contribution_wage
    monthly["employee_contributions"] = out["employee_social"] + out["employee_housing_fund"]
    monthly["employer_contributions"] = out["employer_social"] + out["employer_housing_fund"]
    monthly["iit"] = iit.total_tax
    net = monthly["gross"] - monthly["employee_contributions"]
    net -= iit.total_tax
    monthly["net"] = net
    monthly["employer_cost"] = monthly["gross"] + monthly["employer_contributions"]
    monthly.update(flags)
    return MonthResult(inputs, monthly, iit, parts if keep_trace else [], sorted(set(assumptions)))


def city_codes(city: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct cities and each row's code: one comparison pass per city (a few cities
    among many rows; sorting a million strings would cost more)."""
    codes = np.full(city.shape, -1, dtype=np.int64)
    names: list[str] = []
    left = np.flatnonzero(codes < 0)
    while left.size:
        name = city[left[0]]
        codes[city == name] = len(names)
        names.append(str(name))
        left = left[codes[left] < 0]
    rank = np.argsort(np.array(names)) if names else np.array([], dtype=np.int64)
    position = np.empty(len(names), dtype=np.int64)
    position[rank] = np.arange(len(names))
    return np.array(names)[rank] if names else np.array([], dtype=str), position[codes] if names else codes


def _month_groups(law: Law, city: str, year: int, rates: EmployerRates | None = None) -> list[list[int]]:
    """Consecutive months of ``year`` under the same law: city table period, housing fund tax-cap
    period and the employer's rates rows in force. A month outside every period is a group of its
    own (the engine reports it)."""
    tables = [law.table(f"social/{city}")] if f"social/{city}" in law.tables else []
    tables.append(law.table(HOUSING_FUND_TAX_CAP))
    groups: list[list[int]] = []
    last = None
    for month in range(1, MONTHS + 1):
        day = dt.date(year, month, 1)
        key = tuple(next((i for i, p in enumerate(t.periods) if p.covers(day)), None) for t in tables)
        if rates:
            key += (rates.key(city, day),)
        if key == last and None not in key:
            groups[-1].append(month)
        else:
            groups.append([month])
        last = key
    return groups


def _sorted_view(inputs: MonthInputs, order: np.ndarray | None):
    """The per-employee inputs the contributions need, in city order (``order``: None = as is)."""
    names = ("contribution_wage", "foreign", "hk_macao_taiwan", "home_coverage", "nationality", "certificate_from",
             "certificate_until", "opt_in",
             "housing_fund", "local_hukou", "work_injury_rate", "housing_fund_rate")
    arrays = {name: getattr(inputs, name) for name in names}
    arrays["employed"] = inputs.income.employed if inputs.paid_here is None else inputs.income.employed & inputs.paid_here
    if order is not None:
        arrays = {name: None if a is None else np.asarray(a)[order] for name, a in arrays.items()}
    return SimpleNamespace(year=inputs.income.year, rates=inputs.rates, carry_forward=inputs.carry_forward, **arrays)


def _participation(law, inputs, city: str, day: dt.date, rows: slice):
    """Participation of ``rows`` in the month: everyone, then the certificate holders again with
    their certificates (so that only they pay for the agreement lookup)."""
    take = (lambda a: None if a is None else np.asarray(a)[rows])
    foreign = take(inputs.foreign)
    p = participation(law, city, day, foreign, opt_in=take(inputs.opt_in), housing_fund=take(inputs.housing_fund),
                      hk_macao_taiwan=take(inputs.hk_macao_taiwan), home_coverage=take(inputs.home_coverage))
    if inputs.certificate_until is not None and foreign.any():
        holders = np.flatnonzero(foreign & ~np.isnat(inputs.certificate_until[rows]))
        if holders.size:
            sub_rows = holders + rows.start
            sub = participation(
                law, city, day, foreign[holders], opt_in=take(inputs.opt_in)[holders] if inputs.opt_in is not None else None,
                housing_fund=take(inputs.housing_fund)[holders] if inputs.housing_fund is not None else None,
                nationality=inputs.nationality[sub_rows], certificate_from=inputs.certificate_from[sub_rows],
                certificate_until=inputs.certificate_until[sub_rows],
            )
            for scheme, mask in sub.schemes.items():
                p.schemes[scheme][holders] = mask
                p.exempt[scheme][holders] = sub.exempt[scheme]
            p.refs.extend(r for r in sub.refs if r not in p.refs)
    return p


def _contribute(law, inputs, city, rows: slice, ids, months, out, flags, parts, assumptions, allow_partial,
                keep_trace) -> None:
    pick = rows
    all_employed = inputs.employed.all()
    employed = None if all_employed else inputs.employed[pick][:, [m - 1 for m in months]]
    active = months if employed is None else [m for m, col in zip(months, employed.T) if col.any()]
    if not active:
        return
    columns = [m - 1 for m in active]
    cols = slice(columns[0], columns[-1] + 1) if columns == list(range(columns[0], columns[-1] + 1)) else columns
    if employed is not None:
        employed = employed[:, [months.index(m) for m in active]]
    wage = inputs.contribution_wage[pick, cols] if isinstance(cols, slice) else inputs.contribution_wage[pick][:, cols]
    masks: list[dict[str, np.ndarray]] = []
    notes: list[str] = []
    refs: list[LawRef] = []
    for k, month in enumerate(active):
        p = _participation(law, inputs, city, dt.date(inputs.year, month, 1), rows)
        schemes = p.schemes if employed is None or employed[:, k].all() else {
            scheme: mask & employed[:, k] for scheme, mask in p.schemes.items()}
        masks.append(schemes)
        notes.extend(x for x in p.notes if x not in notes)
        refs.extend(r for r in p.refs if r not in refs)
    same_parts = all(np.array_equal(m[s], masks[0][s]) for m in masks[1:] for s in masks[0])
    same = same_parts and (len(active) == 1 or bool((wage[:, 1:] == wage[:, :1]).all()))
    if same:
        wage, part = wage[:, 0], masks[0]
    else:
        part = {s: np.stack([m[s] for m in masks], axis=1) for s in masks[0]}
    take = (lambda a: None if a is None else np.asarray(a)[pick])
    result = contributions(
        law, city, dt.date(inputs.year, active[0], 1), wage, participates=part,
        local_hukou=take(inputs.local_hukou), work_injury_rate=take(inputs.work_injury_rate),
        housing_fund_rate=take(inputs.housing_fund_rate), allow_partial=allow_partial, rates=inputs.rates,
        carry_forward=inputs.carry_forward,
    )
    assumptions.extend(result.assumptions)
    hf = result.schemes[HOUSING_FUND]
    values = {
        "employee_social": result.employee_social,
        "employer_social": result.employer_social,
        "employee_housing_fund": hf.employee,
        "employer_housing_fund": hf.employer,
        "housing_fund_employer_taxable": result.housing_fund_employer_taxable,
        "employee_pension": result.schemes["pension"].employee,
    }
    values["employee_deduction"] = values["employee_social"] + result.housing_fund_deductible
    for name, value in values.items():
        if is_zero(value):
            continue
        _put(out[name], pick, cols, value[:, None] if same else value)
    for name, mask in (("unknown", result.unknown if allow_partial else None),
                       ("employee_carried", result.employee_carried), ("employer_carried", result.employer_carried)):
        if mask is not None and mask.any():
            _put(flags[name], pick, cols, mask[:, None] if same else mask)
    if keep_trace:
        parts.append(ContributionPart(city, active, ids, result, not same, notes, refs))


def _put(target: np.ndarray, rows, cols, value: np.ndarray) -> None:
    """target[rows, cols] = value, with a row index array or slice and a column slice or list."""
    if isinstance(cols, slice):
        target[rows, cols] = value
    else:
        target[np.asarray(rows)[:, None] if not isinstance(rows, slice) else rows, cols] = value


__all__ = ["COLUMNS", "ContributionPart", "MonthInputs", "MonthResult", "explain_month", "gross_to_net", "month_refs"]
