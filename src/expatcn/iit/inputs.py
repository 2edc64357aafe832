"""What the IIT engine takes: one tax year of N people, as arrays.

Monthly amounts are ``(N, 12)`` int64 arrays of fen (January … December); per-person flags are
``(N,)`` arrays. A single person is a batch of one. Validation here is structural (shapes,
signs, exclusive choices); the edges (``expatcn.io``) turn files into these arrays and name the
row and field when something is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntEnum

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.errors import InputError

MONTHS = 12


class BonusMethod(IntEnum):
    """How a resident's annual one-off bonus is treated (Caishui [2018] No. 164 §1)."""

    SEPARATE = 0  # taxed on its own, rate from bonus ÷ 12
    COMBINED = 1  # added to that month's wages (comprehensive income)
    LOWER_TAX = 2  # whichever gives the lower tax for the year


MONTHLY_AMOUNTS = (
    "wages",
    "allowances",
    "employee_contributions",
    "special_additional_deductions",
    "other_deductions",
    "tax_reductions",
    "bonus",
    "labour",
    "equity",
    # paid by other withholding agents in the same year (IIT Law art. 11; Regulations art. 25)
    "other_wages",
    "other_labour",
    "other_contributions",
    "other_special_additional_deductions",
    "other_tax_withheld",
    # other deductions of Regulations art. 13 claimed at withholding, priced by the engine
    "individual_pension",
    "commercial_health_insurance",
    "tax_deferred_pension",
    # income of the kinds of iit/exempt_income priced by the engine
    "severance",
)
ANNUAL_AMOUNTS = (
    # claimed only (or also) at the reconciliation (Regulations arts. 13, 25, 28)
    "reconciliation_special_additional_deductions",
    "serious_illness_self_paid",
    "reconciliation_individual_pension",
    "reconciliation_commercial_health_insurance",
    "reconciliation_tax_deferred_pension",
    # the cap base of severance (Caishui [2018] No. 164 §5(1)): the local previous-year average wage
    "local_average_wage",
)
NEW_FLAGS = ("intern", "pilot_region", "not_withheld")  # default False, as known zeros


@dataclass
class YearInputs:
    """One tax year for N people.

    wages: taxable cash pay of the month (salary, cash allowances, non-annual bonuses), fen.
    allowances: expat allowances of an exempt kind (housing, meals, laundry, relocation, business
        travel, home leave, language training, children's education), reimbursed or in kind.
    employee_contributions: the employee's social insurance and housing fund, deductible part
        (the "special deductions" 专项扣除).
    special_additional_deductions: the month's SAD amount (residents, 2019 on).
    other_deductions: other deductions allowed by law (e.g. commercial health insurance).
    tax_reductions: tax reductions (减免税额) of the month.
    bonus: annual one-off bonus (residents) or multi-month bonus (non-residents) paid that month.
    labour: labour remuneration / director fees received that month (one payment a month).
    equity: equity incentive income of the month (listed-company options, RSUs, SARs).
    other_wages / other_labour: wages (taxable part) and labour remuneration (receipts) paid that
        month by other withholding agents — an earlier employer of the year, a second employer,
        a payer of labour remuneration; other_contributions / other_special_additional_deductions:
        the special and special additional deductions they took; other_tax_withheld: the tax they
        prepaid. They change nothing in this agent's withholding and add up at the reconciliation.
    individual_pension / commercial_health_insurance / tax_deferred_pension: contributions and
        premiums paid that month and claimed at withholding; the engine caps them by the law of
        the month (iit/individual_pension, …) and adds them to the other deductions.
    severance: one-off compensation on termination (Caishui [2018] No. 164 §5(1)), taxed apart.
    equity_months: before 2019, the months of China work the month's equity income relates to
        (Caishui [2005] No. 35 §4(1)); 0 where there is no equity.
    exempt_kinds / exempt_kind_names: (N, K, 12) income of each kind of iit/exempt_income other
        than severance (statutory allowances, welfare subsidies, insurance indemnities, …).
    reconciliation_*: (N,) yearly amounts claimed at the reconciliation: special additional
        deductions not given to this agent (priced), individual pension, commercial health
        insurance and tax-deferred pension paid; serious_illness_self_paid: medical expenses borne
        by the person within the medical-insurance catalogue (Guo Fa [2018] No. 41 art. 11).
    local_average_wage: (N,) the local average wage of the previous year (severance's cap base).
    intern: a student paid labour remuneration for an internship, withheld by the cumulative
        method (STA 2020 No. 13 art. 2).
    pilot_region: lives and works where a pilot-only deduction applied (individual pension before
        2024, tax-deferred pension, commercial health insurance before 2017-07).
    not_withheld: a withholding agent failed to withhold as the law requires: the reconciliation
        exemption does not apply (MOF/STA 2019 No. 94, 2023 No. 32).
    employed: months in which this withholding agent employs the person.
    resident: resident for the tax year (domiciled, or ≥ 183 days).
    foreigner: a foreign (non-domiciled) individual — the additional deduction before 2018-10 and
        the allowance exemption depend on it.
    allowance_election: the resident foreigner elects the allowance exemption for the year
        (instead of special additional deductions), 2019 on.
    bonus_method: a :class:`BonusMethod` per person.
    first_income_this_year: first wage income of the year (STA 2020 No. 13).
    low_income_last_year: previous year's wages ≤ 60,000 from this employer every month (STA 2020 No. 19).
    closed_months: months already closed and filed (0–12): their wage tax is what was actually
        withheld, ``wage_tax_withheld``, and later months deduct it as "tax already withheld"
        (STA 2018 No. 61 art. 6) — so a correction of a closed month carries into the next open one.
    wage_tax_withheld: (N, 12) wage tax actually withheld in the closed months, fen.
    """

    year: int
    wages: np.ndarray
    allowances: np.ndarray | None = None
    employee_contributions: np.ndarray | None = None
    special_additional_deductions: np.ndarray | None = None
    other_deductions: np.ndarray | None = None
    tax_reductions: np.ndarray | None = None
    bonus: np.ndarray | None = None
    labour: np.ndarray | None = None
    equity: np.ndarray | None = None
    other_wages: np.ndarray | None = None
    other_labour: np.ndarray | None = None
    other_contributions: np.ndarray | None = None
    other_special_additional_deductions: np.ndarray | None = None
    other_tax_withheld: np.ndarray | None = None
    individual_pension: np.ndarray | None = None
    commercial_health_insurance: np.ndarray | None = None
    tax_deferred_pension: np.ndarray | None = None
    severance: np.ndarray | None = None
    equity_months: np.ndarray | None = None
    exempt_kinds: np.ndarray | None = None
    exempt_kind_names: tuple[str, ...] | None = None
    reconciliation_special_additional_deductions: np.ndarray | None = None
    serious_illness_self_paid: np.ndarray | None = None
    reconciliation_individual_pension: np.ndarray | None = None
    reconciliation_commercial_health_insurance: np.ndarray | None = None
    reconciliation_tax_deferred_pension: np.ndarray | None = None
    local_average_wage: np.ndarray | None = None
    intern: np.ndarray | None = None
    pilot_region: np.ndarray | None = None
    not_withheld: np.ndarray | None = None
    employed: np.ndarray | None = None
    resident: np.ndarray | None = None
    foreigner: np.ndarray | None = None
    allowance_election: np.ndarray | None = None
    bonus_method: np.ndarray | None = None
    first_income_this_year: np.ndarray | None = None
    low_income_last_year: np.ndarray | None = None
    closed_months: int = 0
    wage_tax_withheld: np.ndarray | None = None
    ids: list[str] | None = field(default=None)

    def __post_init__(self) -> None:
        self.wages = np.asarray(self.wages, dtype=np.int64)
        if self.wages.ndim != 2 or self.wages.shape[1] != MONTHS:
            raise InputError(f"wages must have shape (people, 12), got {self.wages.shape}")
        people = self.wages.shape[0]
        for name in MONTHLY_AMOUNTS[1:]:
            value = getattr(self, name)
            setattr(self, name, _monthly(name, value, people))
        for name in MONTHLY_AMOUNTS:
            value = getattr(self, name)
            if is_zero(value) or value.min(initial=0) >= 0:
                continue
            negative = np.flatnonzero((value < 0).any(axis=1))
            if negative.size:
                raise InputError(f"{name} must not be negative (people {people_list(negative)})")
        self.equity_months = _monthly("equity_months", self.equity_months, people)
        if self.equity_months.min(initial=0) < 0:
            raise InputError("equity_months must not be negative")
        for name in ANNUAL_AMOUNTS:
            value = getattr(self, name)
            setattr(self, name, _annual(name, value, people))
        for name in NEW_FLAGS:
            value = getattr(self, name)
            setattr(self, name, zeros((people,), bool) if value is None else _flags(name, value, (people,), False))
        self._check_exempt_kinds(people)
        self.employed = _flags("employed", self.employed, (people, MONTHS), default=True)
        self.resident = _flags("resident", self.resident, (people,), default=True)
        self.foreigner = _flags("foreigner", self.foreigner, (people,), default=False)
        self.allowance_election = _flags("allowance_election", self.allowance_election, (people,), default=False)
        self.first_income_this_year = _flags("first_income_this_year", self.first_income_this_year, (people,), False)
        self.low_income_last_year = _flags("low_income_last_year", self.low_income_last_year, (people,), False)
        if self.bonus_method is None:
            self.bonus_method = np.full(people, BonusMethod.SEPARATE, dtype=np.int8)
        self.bonus_method = np.asarray(self.bonus_method, dtype=np.int8)
        if self.bonus_method.shape != (people,) or not np.isin(self.bonus_method, list(BonusMethod)).all():
            raise InputError("bonus_method must be one BonusMethod per person")
        if not 0 <= self.closed_months <= MONTHS:
            raise InputError(f"closed_months must be 0–12, got {self.closed_months}")
        self.wage_tax_withheld = _monthly("wage_tax_withheld", self.wage_tax_withheld, people)
        if self.ids is not None and len(self.ids) != people:
            raise InputError(f"ids has {len(self.ids)} entries for {people} people")

    def _check_exempt_kinds(self, people: int) -> None:
        if self.exempt_kinds is None and not self.exempt_kind_names:
            self.exempt_kinds, self.exempt_kind_names = None, None
            return
        names = tuple(str(n) for n in (self.exempt_kind_names if self.exempt_kind_names is not None else ()))
        array = np.asarray(self.exempt_kinds if self.exempt_kinds is not None else np.zeros((people, 0, MONTHS)),
                           dtype=np.int64)
        if array.shape != (people, len(names), MONTHS):
            raise InputError(f"exempt_kinds must have shape ({people}, {len(names)}, 12), got {array.shape}")
        if len(set(names)) != len(names):
            raise InputError(f"exempt_kind_names lists a kind twice: {', '.join(names)}")
        if array.min(initial=0) < 0:
            raise InputError("exempt_kinds must not be negative")
        self.exempt_kinds, self.exempt_kind_names = array, names

    @property
    def people(self) -> int:
        return self.wages.shape[0]

    def take(self, index: np.ndarray) -> YearInputs:
        """The same inputs for a subset of people (used by tests and batch splitting)."""
        values = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("year", "closed_months", "exempt_kind_names") or value is None:
                values[item.name] = value
            elif item.name == "ids":
                values["ids"] = None if value is None else [value[i] for i in np.asarray(index)]
            else:
                values[item.name] = value[index]
        return YearInputs(**values)


def _monthly(name: str, value: np.ndarray | None, people: int) -> np.ndarray:
    if value is None:
        return zeros((people, MONTHS))
    array = np.asarray(value, dtype=np.int64)
    if array.shape != (people, MONTHS):
        raise InputError(f"{name} must have shape ({people}, 12), got {array.shape}")
    return array


def _annual(name: str, value: np.ndarray | None, people: int) -> np.ndarray:
    if value is None:
        return zeros((people,))
    array = np.asarray(value, dtype=np.int64)
    if array.shape != (people,):
        raise InputError(f"{name} must have shape ({people},), got {array.shape}")
    if array.min(initial=0) < 0:
        raise InputError(f"{name} must not be negative (people {people_list(np.flatnonzero(array < 0))})")
    return array


def _flags(name: str, value: np.ndarray | None, shape: tuple[int, ...], default: bool) -> np.ndarray:
    if value is None:
        return np.full(shape, default, dtype=bool)
    array = np.asarray(value, dtype=bool)
    if array.shape != shape:
        raise InputError(f"{name} must have shape {shape}, got {array.shape}")
    return array


def people_list(index: np.ndarray, most: int = 10) -> str:
    shown = ", ".join(str(i) for i in index[:most])
    return shown + (f" … ({index.size} in all)" if index.size > most else "")
