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
)


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

    @property
    def people(self) -> int:
        return self.wages.shape[0]

    def take(self, index: np.ndarray) -> YearInputs:
        """The same inputs for a subset of people (used by tests and batch splitting)."""
        values = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("year", "closed_months"):
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
