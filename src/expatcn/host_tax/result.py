"""A host-country tax result: named int64 columns (minor units, one row per person), the steps
that produced them in order, and the law entry they came from. Each person's trace is read from
these columns (no second computation), in English and Chinese."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from expatcn.law.model import LawRef
from expatcn.money import minor_to_str


@dataclass(frozen=True)
class Line:
    """One step of the computation: the column it fills and how a person reads it."""

    key: str
    en: str
    zh: str
    how: str = ""


@dataclass
class Step:
    """One line of a person's trace."""

    label: str
    label_zh: str
    amount: str
    how: str
    law: list[LawRef] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"label": self.label, "label_zh": self.label_zh, "amount": self.amount, "how": self.how,
                "law": [ref.describe() for ref in self.law]}


@dataclass
class HostTax:
    """Income tax of N people in one host country and tax year; ``columns['total_tax']`` is
    the tax on employment income (national + local where modelled), in minor units."""

    country: str
    currency: str
    minor_per_unit: int
    tax_year_start: dt.date
    ref: LawRef
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    def add(self, key: str, values: np.ndarray, en: str, zh: str, how: str = "") -> np.ndarray:
        """Record a column and the step that computed it; returns the column."""
        values = np.asarray(values, dtype=np.int64)
        self.columns[key] = values
        self.lines.append(Line(key, en, zh, how))
        return values

    @property
    def total(self) -> np.ndarray:
        return self.columns["total_tax"]

    def explain(self, person: int) -> list[Step]:
        """The steps of one person's tax, each amount in the host currency."""
        steps = [Step(line.en, line.zh, minor_to_str(self.columns[line.key][person], self.minor_per_unit),
                      line.how) for line in self.lines]
        if steps:
            steps[0].law = [self.ref]
        return steps


@dataclass
class Inputs:
    """One host tax year's inputs for N people, amounts in the host currency's minor unit.

    ``income``: gross employment income taxable in the host country for the year.
    ``deductible_contributions``: the employee's social contributions the host law lets the
    person deduct (Germany's Vorsorgeaufwendungen, Japan's 社会保険料控除, Korea's pension
    deduction, France's deductible contributions); ignored where the country allows none.
    ``resident``: host-country tax resident (by its own rules; see :func:`host_residence`).
    ``options``: the country's own choices (``OPTIONS`` of its module)."""

    income: np.ndarray
    deductible_contributions: np.ndarray
    resident: np.ndarray
    options: dict[str, Any] = field(default_factory=dict)
