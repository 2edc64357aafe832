"""Exempt and non-taxable income an employer pays beyond the expat allowances (IIT Law art. 4;
Regulations arts. 10–11; Guoshuifa [1994] No. 89 §2(2)) and severance (Caishui [2018] No. 164
§5(1)), each kind from ``law/iit/exempt_income``.

- An ``exempt`` kind is income, and exempt income (免税收入): it counts in the receipts and is
  taken off again before tax.
- A ``not_taxable`` kind is not income at all (business travel allowance, …): shown only.
- Severance is exempt up to ``cap_multiple`` × the local average wage of the previous year (an
  input); the excess is taxed on its own on the comprehensive-income annual table, outside the
  year's comprehensive income and the reconciliation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.errors import InputError
from expatcn.iit.inputs import MONTHS, YearInputs, people_list
from expatcn.iit.schedule import progressive_tax
from expatcn.iit.year_law import YearLaw
from expatcn.law import Law
from expatcn.law.schemas.iit_deductions import ExemptKind
from expatcn.law.tables import EXEMPT_INCOME, WAGE_WITHHOLDING_METHOD
from expatcn.money import apply_rate, rate_to_ppm

SEVERANCE = "severance"


def kinds(law: Law) -> dict[str, ExemptKind]:
    """Every kind of any period of ``iit/exempt_income``, by name (the latest entry of each)."""
    return {kind.kind: kind for value in law.table(EXEMPT_INCOME).values for kind in value.kinds}


def payable_kinds(law: Law) -> list[str]:
    """The kinds an input may name as a monthly amount: all but the capped ones, whose cap is an
    input of its own (severance: ``severance`` with ``local_average_wage``) or comes from another
    engine (the employer housing fund: ``social/housing_fund_tax_cap``)."""
    return sorted(name for name, kind in kinds(law).items() if kind.cap_base is None and kind.cap_table is None)


def check_kinds(law: Law, names: Iterable[str], where: str, error: Callable[[str], Exception] = InputError) -> None:
    """Refuse a kind the law table does not list: ``error("<where>.<kind>: …expected one of …")``."""
    allowed = payable_kinds(law)
    for name in names:
        if name == SEVERANCE:
            raise error(f"{where}.{name}: severance has its own field (severance, with local_average_wage: "
                        "its exempt part is 3 × that wage, Caishui [2018] No. 164 §5(1))")
        if name not in allowed:
            raise error(f"{where}.{name}: unknown exempt income kind; expected one of {', '.join(allowed)}")


def exempt_kind_income(inputs: YearInputs, year_law: YearLaw) -> dict[str, np.ndarray]:
    """(N, 12) fen: ``exempt`` (income of exempt kinds) and ``not_taxable`` (paid, not income);
    a kind paid in a month whose table does not list it is an error naming the kind."""
    shape = inputs.wages.shape
    if inputs.exempt_kinds is None or not inputs.exempt_kinds.any():
        return {"exempt": zeros(shape), "not_taxable": zeros(shape)}
    exempt, not_taxable = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    for k, name in enumerate(inputs.exempt_kind_names):
        amounts = inputs.exempt_kinds[:, k, :]
        for month in np.flatnonzero(amounts.any(axis=0)):
            table = year_law.optional(EXEMPT_INCOME, month)
            listed = None if table is None else next((x for x in table.kinds if x.kind == name), None)
            if listed is None or listed.cap_base is not None or listed.cap_table is not None:
                raise InputError(f"exempt income kind {name!r} in {year_law.months[month]:%Y-%m}: not an uncapped kind "
                                 f"of iit/exempt_income in force then (people {people_list(np.flatnonzero(amounts[:, month]))})")
            target = exempt if listed.treatment == "exempt" else not_taxable
            target[:, month] += amounts[:, month]
    return {"exempt": exempt, "not_taxable": not_taxable}


def severance_tax(inputs: YearInputs, year_law: YearLaw) -> dict[str, np.ndarray]:
    """Severance of each month (N, 12): ``exempt`` part (up to cap_multiple × the local average
    wage, for the year's severance together), ``taxable`` excess, ``rate``, ``quick_deduction`` and
    ``tax`` (the excess to date on the annual table, less the severance tax of earlier months)."""
    severance = inputs.severance
    keys = ("exempt", "taxable", "rate", "quick_deduction", "tax")
    if is_zero(severance) or not severance.any():
        return {key: zeros(severance.shape) for key in keys}
    paid = severance.any(axis=1)
    missing = np.flatnonzero(paid & (inputs.local_average_wage <= 0))
    if missing.size:
        raise InputError("severance needs local_average_wage, the local average wage of the previous year "
                         f"(Caishui [2018] No. 164 §5(1)) (people {people_list(missing)})")
    out = {key: np.zeros_like(severance) for key in keys}
    to_date = np.cumsum(severance, axis=1)
    tax_before = np.zeros(inputs.people, dtype=np.int64)
    for month in range(MONTHS):
        column = severance[:, month]
        if not column.any():
            continue
        rule = _severance_rule(year_law, month, np.flatnonzero(column))
        cap = apply_rate(inputs.local_average_wage, rate_to_ppm(rule.cap_multiple), non_negative=True)
        exempt_to_date = np.minimum(to_date[:, month], cap)
        taxable_to_date = to_date[:, month] - exempt_to_date
        schedule = year_law.value(year_law.value(WAGE_WITHHOLDING_METHOD, month).resident_table, month)
        tax_to_date, rate, quick = progressive_tax(taxable_to_date, schedule)
        out["exempt"][:, month] = np.minimum(column, np.maximum(cap - (to_date[:, month] - column), 0))
        out["taxable"][:, month] = column - out["exempt"][:, month]
        out["rate"][:, month] = np.where(column > 0, rate, 0)
        out["quick_deduction"][:, month] = np.where(column > 0, quick, 0)
        out["tax"][:, month] = np.maximum(tax_to_date - tax_before, 0) * (column > 0)
        tax_before = np.where(column > 0, np.maximum(tax_to_date, tax_before), tax_before)
    return out


def _severance_rule(year_law: YearLaw, month: int, people: np.ndarray) -> ExemptKind:
    table = year_law.optional(EXEMPT_INCOME, month)
    rule = None if table is None else next((k for k in table.kinds if k.kind == SEVERANCE), None)
    if rule is None or rule.excess != "separate_annual_table":
        raise InputError(f"severance in {year_law.months[month]:%Y-%m}: only the rule of 2019 on is modelled "
                         f"(Caishui [2018] No. 164 §5(1)); before 2019 Guoshuifa [1999] No. 178 applied "
                         f"(people {people_list(people)})")
    return rule
