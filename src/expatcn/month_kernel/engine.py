"""Which engine computes a batch, and the compiled one's plumbing: inputs to arrays, the law's
arrays, the kernel call, and the hand-over to the reference when the kernel cannot decide.

:func:`month_columns` (the full month) and :func:`year_columns` (IIT only, ``expatcn tax-batch``)
run the compiled kernel when the batch is large enough for it to pay (``KERNEL_MIN_PEOPLE``) or when
asked (``engine="kernel"``), and the reference engines otherwise. The kernel's answer is used only
when it decided every row; otherwise (a figure the tables do not give, inputs the law refuses, an
input the kernel does not know) the same batch goes to the reference, which computes it or raises
its error — so both paths give the same figures and the same errors.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from expatcn.arrays import is_zero
from expatcn.gross_to_net import MonthInputs, city_codes, gross_to_net
from expatcn.iit.inputs import YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import Law
from expatcn.month_kernel.law_arrays import CM_FOREIGNERS, year_arrays
from expatcn.social.contributions import cities

MONTH_COLUMNS = (
    "gross", "employee_social", "employee_housing_fund", "employee_contributions", "employee_deduction",
    "housing_fund_employer_taxable", "iit", "net", "employer_social", "employer_housing_fund",
    "employer_contributions", "employer_cost", "employee_pension",
)
YEAR_COLUMNS = ("income", "exempt_income", "wage_taxable", "wage_tax", "bonus_tax", "labour_tax", "equity_tax",
                "severance_tax", "total_tax")
KERNEL_MIN_PEOPLE = 20_000  # below this the reference is as fast as loading the compiled kernel
ENGINES = ("auto", "kernel", "reference")

# the inputs the kernel computes; any other set field sends the batch to the reference
_YEAR_FIELDS = {"year", "wages", "allowances", "employee_contributions", "special_additional_deductions",
                "other_deductions", "tax_reductions", "bonus", "labour", "equity", "employed", "resident",
                "foreigner", "allowance_election", "bonus_method", "first_income_this_year", "low_income_last_year",
                "closed_months", "wage_tax_withheld", "ids"}
_MONTH_FIELDS = {"income", "city", "contribution_wage", "foreign", "nationality", "certificate_from",
                 "certificate_until", "opt_in", "housing_fund", "local_hukou", "work_injury_rate", "housing_fund_rate",
                 "pay", "bonus_paid", "equity_paid", "carry_forward"}  # not "rates": the employer's figures


@dataclass
class Columns:
    """(N, 12) columns of fen by name, ``unknown`` (N, 12) where a figure the tables leave
    unconfirmed was not computed (``allow_partial``), ``employee_carried`` / ``employer_carried``
    (N, 12) where the month's contributions rest on a figure carried forward (the full month only),
    and which engine computed them and why."""

    values: dict[str, np.ndarray]
    unknown: np.ndarray | None
    engine: str
    reason: str = ""
    employee_carried: np.ndarray | None = None
    employer_carried: np.ndarray | None = None


def month_columns(inputs: MonthInputs, law: Law, *, allow_partial: bool = False,
                  columns: tuple[str, ...] = MONTH_COLUMNS, engine: str = "auto",
                  out: dict[str, np.ndarray] | None = None) -> Columns:
    """The full month's ``columns`` (of ``MONTH_COLUMNS`` + ``YEAR_COLUMNS``) for every employee:
    :func:`expatcn.gross_to_net.gross_to_net`'s figures, by the kernel or the reference. ``out``:
    preallocated (N, 12) int64 arrays by column name, written in place by the kernel (a batch
    computed again, or in chunks, then touches no fresh memory)."""
    reason = _kernel_declines(inputs.income, engine) or _unknown_inputs(inputs)
    if not reason:
        found = _kernel_month(inputs, law, allow_partial, columns, out)
        if isinstance(found, Columns):
            return found
        reason = found
    result = gross_to_net(inputs, law, keep_trace=False, allow_partial=allow_partial)
    values = {name: result.monthly[name] if name in result.monthly else result.iit.monthly[_iit_name(name)]
              for name in columns}
    return Columns(values, result.monthly["unknown"] if allow_partial else None, "reference", reason,
                   result.monthly["employee_carried"], result.monthly["employer_carried"])


def year_columns(inputs: YearInputs, law: Law, *, columns: tuple[str, ...] = YEAR_COLUMNS,
                 engine: str = "auto") -> Columns:
    """The IIT's ``columns`` (of ``YEAR_COLUMNS``) for every person:
    :func:`expatcn.iit.person_year.compute_year`'s figures, by the kernel or the reference."""
    reason = _kernel_declines(inputs, engine) or _unknown_inputs(inputs)
    if not reason:
        found = _kernel_year(inputs, law, columns)
        if isinstance(found, Columns):
            return found
        reason = found
    result = compute_year(inputs, law)
    return Columns({name: result.monthly[_iit_name(name)] for name in columns}, None, "reference", reason)


def _iit_name(name: str) -> str:
    return "total_tax" if name == "iit" else name  # the full month's "iit" is the IIT engine's total


def _kernel_declines(income: YearInputs, engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "reference":
        return "asked for the reference"
    if engine == "auto" and income.people < KERNEL_MIN_PEOPLE:
        return f"fewer than {KERNEL_MIN_PEOPLE:,} people"
    return ""


def _unknown_inputs(inputs: MonthInputs | YearInputs) -> str:
    """An input set that the kernel does not compute (a field added to the engines after it)."""
    items = [(inputs, _MONTH_FIELDS), (inputs.income, _YEAR_FIELDS)] if isinstance(inputs, MonthInputs) \
        else [(inputs, _YEAR_FIELDS)]
    for item, known in items:
        for f in dataclasses.fields(item):
            if f.name in known:
                continue
            current = getattr(item, f.name)
            if isinstance(current, np.ndarray):
                if is_zero(current) or not current.any():
                    continue
            elif current is None or (f.default is not dataclasses.MISSING and current == f.default) or (
                    not isinstance(current, (bool, int)) and not current):  # an empty EmployerRates, say
                continue
            return f"input {f.name!r} is not in the kernel"
    return ""


def _kernel_month(inputs: MonthInputs, law: Law, allow_partial: bool, columns, out) -> Columns | str:
    income = inputs.income
    names, codes = city_codes(inputs.city)
    known = set(cities(law))
    if any(name not in known for name in names.tolist()):
        return "a city without a social insurance table"
    arrays = year_arrays(law, income.year, tuple(names.tolist()), inputs.carry_forward)
    if arrays is None:
        return "the year's law is read batch-wide by the reference"
    from expatcn.month_kernel import run

    employed = None if income.employed.all() else income.employed
    active = run.active_months(codes, run.EMPTY_FLAGS if employed is None else employed, len(names))
    foreign = inputs.foreign
    if foreign.any():
        with_foreigners = np.bincount(codes[foreign], minlength=len(names)) > 0
        if (active & with_foreigners[:, None] & (arrays.city_month[:, :, CM_FOREIGNERS] == 0)).any():
            return "foreigners' participation is not in the tables for an active month"
    certificate, start, until = _certificates(inputs, arrays.countries)
    person = run.person_array(
        codes, inputs.foreign, inputs.local_hukou, inputs.opt_in, inputs.housing_fund, income, certificate, start, until,
        inputs.work_injury_rate, inputs.housing_fund_rate)
    extra = {"pay": _or_none(inputs.pay, income.wages), "bonus_paid": inputs.bonus_paid,
             "equity_paid": inputs.equity_paid, "contribution_wage": _or_none(inputs.contribution_wage, income.wages)}
    return run.compute(arrays, person, employed, active, income, extra, columns, allow_partial, out)


def _kernel_year(inputs: YearInputs, law: Law, columns) -> Columns | str:
    arrays = year_arrays(law, inputs.year, ())
    if arrays is None:
        return "the year's law is read batch-wide by the reference"
    from expatcn.month_kernel import run

    n = inputs.people
    employed = None if inputs.employed.all() else inputs.employed
    none = np.full(n, -1, dtype=np.int64)
    person = run.person_array(none, None, None, None, None, inputs, none, none, none, None, None)
    return run.compute(arrays, person, employed, np.zeros((0, 12), dtype=bool), inputs,
                       {"contributions": inputs.employee_contributions}, columns, False)


def _or_none(value, default):
    return None if value is None or value is default else value


def _certificates(inputs: MonthInputs, countries: dict[str, int]):
    """Each employee's agreement partner (column of the agreements array, -1: none) and the
    certificate's first and last day as day numbers."""
    n = inputs.income.people
    none = np.full(n, -1, dtype=np.int64)
    if inputs.certificate_until is None:
        return none, none, none
    start = inputs.certificate_from.astype(np.int64)
    until = inputs.certificate_until.astype(np.int64)
    holders = np.flatnonzero(inputs.foreign & ~np.isnat(inputs.certificate_until) & ~np.isnat(inputs.certificate_from))
    partner = none.copy()
    if holders.size:
        nationality = np.char.upper(inputs.nationality[holders].astype(str))
        lookup = np.array([countries.get(code, -1) for code in np.unique(nationality).tolist()], dtype=np.int64)
        partner[holders] = lookup[np.searchsorted(np.unique(nationality), nationality)]
    return partner, start, until


__all__ = ["Columns", "ENGINES", "KERNEL_MIN_PEOPLE", "MONTH_COLUMNS", "YEAR_COLUMNS", "month_columns", "year_columns"]
