"""Schemas shared by several domains: amounts, windows and progressive schedules."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from expatcn.law.schemas import value_schema
from expatcn.money import rate_to_ppm, yuan_to_fen


class LawValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def listed_once(names: list[str], what: str) -> None:
    """A load error if an entry's key appears more than once in a table's list."""
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{what} listed twice: {', '.join(twice)}")


@value_schema("amount")
class Amount(LawValue):
    """A single amount in yuan."""

    amount: Decimal

    @property
    def fen(self) -> int:
        return yuan_to_fen(self.amount)


@value_schema("window")
class Window(LawValue):
    """Whether a preferential rule is in force (a window that opens and closes by date)."""

    in_force: bool


class Bracket(LawValue):
    up_to: Decimal | None = Field(description="upper bound of the band, inclusive; null for the top band")
    rate: Decimal
    quick_deduction: Decimal


@value_schema("tax_schedule")
class TaxSchedule(LawValue):
    """A progressive table: bands by inclusive upper bound, each with a rate and quick deduction.

    The loader checks that the quick deductions agree with the bands (tax is continuous at every
    bound), so a mistyped figure is a load error, not a wrong payslip.
    """

    brackets: list[Bracket] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> TaxSchedule:
        bounds = [b.up_to for b in self.brackets[:-1]]
        if any(b is None for b in bounds) or self.brackets[-1].up_to is not None:
            raise ValueError("only the last band may (and must) have up_to: null")
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError("band bounds must rise strictly")
        for lower, upper in zip(self.brackets, self.brackets[1:]):
            at_bound_lower = lower.up_to * lower.rate - lower.quick_deduction
            at_bound_upper = lower.up_to * upper.rate - upper.quick_deduction
            if at_bound_lower != at_bound_upper:
                raise ValueError(
                    f"quick deduction {upper.quick_deduction} does not fit the band above {lower.up_to}: "
                    f"tax at the bound would be {at_bound_lower} below and {at_bound_upper} above"
                )
        return self

    @cached_property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(upper bounds in fen, rates in ppm, quick deductions in fen) for the engine."""
        bounds = np.array([yuan_to_fen(b.up_to) for b in self.brackets[:-1]], dtype=np.int64)
        rates = np.array([rate_to_ppm(b.rate) for b in self.brackets], dtype=np.int64)
        quick = np.array([yuan_to_fen(b.quick_deduction) for b in self.brackets], dtype=np.int64)
        return bounds, rates, quick
