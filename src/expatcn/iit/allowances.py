"""Foreigners' allowance exemptions (Caishui Zi [1994] No. 20 art. 2; from 2019 either these or
the special additional deductions for the whole year — Caishui [2018] No. 164 §7, extended by
MOF/STA 2021 No. 43 and 2023 No. 29 to 2027-12-31)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.errors import InputError
from expatcn.iit.inputs import YearInputs, people_list
from expatcn.iit.year_law import YearLaw
from expatcn.law import Law
from expatcn.law.tables import EXPAT_ALLOWANCE_EXEMPTION



def exempt_kinds(law: Law) -> frozenset[str]:
    """The allowance kinds the law exempts in any of its periods (housing, meals, laundry, …:
    Caishui Zi [1994] No. 20 art. 2; Guoshuifa [1997] No. 54). Whether a month's allowances are
    exempt is decided by the period in force (:func:`exempt_allowances`)."""
    return frozenset(kind for value in law.table(EXPAT_ALLOWANCE_EXEMPTION).values for kind in value.exempt_kinds)


def check_kinds(law: Law, kinds: Iterable[str], where: str,
                error: Callable[[str], Exception] = InputError) -> None:
    """Refuse an allowance kind the law does not know: ``error("<where>.<kind>: unknown allowance
    kind; expected one of …")``, the one message for scenarios, plans, gross-ups and equalization."""
    known = exempt_kinds(law)
    for kind in kinds:
        if kind not in known:
            raise error(f"{where}.{kind}: unknown allowance kind; expected one of {', '.join(sorted(known))} "
                        "(put other cash allowances in wages)")


def exempt_allowances(inputs: YearInputs, year_law: YearLaw) -> np.ndarray:
    """The tax-exempt part of each month's allowances, (N, 12) fen.

    Exempt when the exemption is in force that month, the person is a foreigner, is a resident
    (or non-residents may claim), and — where the law makes it an either/or — has elected it.
    Claiming both the exemption and special additional deductions is an error for a resident (a
    non-resident's special additional deductions are not applied: IIT Law art. 6(1)(2)).
    """
    if is_zero(inputs.allowances) and not inputs.allowance_election.any():
        return zeros(inputs.allowances.shape)
    rules = year_law.each_month_optional(EXPAT_ALLOWANCE_EXEMPTION)
    in_force = np.array([rule is not None for rule in rules])
    either_or = np.array([rule is not None and rule.excludes_special_additional_deductions for rule in rules])
    nonresidents_ok = np.array([rule is not None and rule.nonresidents_may_claim for rule in rules])

    wrongly_elected = np.flatnonzero(inputs.allowance_election & ~inputs.foreigner)
    if wrongly_elected.size:
        raise InputError(
            f"the expat allowance exemption is for foreign individuals only (people {people_list(wrongly_elected)})"
        )
    claims = inputs.special_additional_deductions
    claims_both = (inputs.allowance_election & inputs.resident)[:, None] & either_or[None, :] & (claims > 0)
    both = np.flatnonzero(claims_both.any(axis=1)) if not is_zero(claims) else np.array([], dtype=int)
    if both.size:
        raise InputError(
            "the expat allowance exemption and special additional deductions cannot both be claimed in one "
            f"tax year (MOF/STA 2023 No. 29); people {people_list(both)} elect the exemption and declare deductions"
        )
    if is_zero(inputs.allowances):
        return zeros(inputs.allowances.shape)
    status_ok = inputs.resident[:, None] | nonresidents_ok[None, :]
    elected_or_automatic = inputs.allowance_election[:, None] | ~either_or[None, :]
    eligible = in_force[None, :] & inputs.foreigner[:, None] & status_ok & elected_or_automatic
    return np.where(eligible, inputs.allowances, 0)
