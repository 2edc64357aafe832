"""The parts of a scenario that reach past this withholding agent's payroll: income paid by other
withholding agents in the same year, and the deductions claimed only at the reconciliation.

```yaml
other_payers:                          # IIT Law art. 11; Regulations art. 25
  - name: Previous employer
    kind: wages                        # or labour (labour remuneration: receipts)
    employment: {from: 1, to: 6}
    every_month: {income: 20000, employee_contributions: 2000, tax_withheld: 1080}
    withheld: true                     # false: it failed to withhold (no filing exemption)
reconciliation:                        # claimed at the reconciliation, priced by the law of the year
  special_additional_deductions: {children_education: 1}   # items not given to the employer (12 months)
  serious_illness_self_paid: 40000     # above 15,000, at most 80,000 (Guo Fa [2018] No. 41)
  individual_pension: 12000            # ≤ 12,000 (MOF/STA 2022 No. 34, 2024 No. 21)
  commercial_health_insurance: 3000    # ≤ 2,400 (Caishui [2017] No. 39)
  tax_deferred_pension: 6000           # ≤ 6 % of wages, 1,000 a month (Caishui [2018] No. 22)
```
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.iit.special_additional import Claims, price
from expatcn.io.amounts import Amount, Yuan
from expatcn.law import Law
from expatcn.money import yuan_to_fen

RECONCILIATION_ITEMS = ("individual_pension", "commercial_health_insurance", "tax_deferred_pension")


def month_key(key: object, year: object = None) -> int:
    """A month key: 1–12 or ``YYYY-MM`` (of ``year``, when it is given)."""
    text = str(key).strip()
    if "-" in text:
        try:
            month = Month.parse(text)
        except InputError:
            raise ValueError(f"month {key!r}: expected 1–12 or YYYY-MM") from None
        if isinstance(year, int) and month.year != year:
            raise ValueError(f"month {key!r}: not in the year {year} of the scenario")
        return month.month
    if not isinstance(key, bool) and text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    raise ValueError(f"month {key!r}: expected 1–12 or YYYY-MM")


def month_keys(months: object, year: object = None) -> object:
    """A ``months`` mapping keyed 1–12 (keys given as 1–12 or ``YYYY-MM`` of ``year``); one month
    given twice (``3`` and ``"2026-03"``) is an error."""
    if not isinstance(months, dict):
        return months
    out: dict[int, object] = {}
    given: dict[int, object] = {}
    for key, items in months.items():
        month = month_key(key, year)
        if month in out:
            raise ValueError(f"month {month} given twice (as {given[month]!r} and {key!r})")
        out[month], given[month] = items, key
    return out


class Employment(BaseModel):
    """The months (1–12, inclusive) a withholding agent employs or pays the person."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: int = Field(1, alias="from", ge=1, le=12)
    end: int = Field(12, alias="to", ge=1, le=12)

    @model_validator(mode="after")
    def _order(self) -> Employment:
        if self.end < self.start:
            raise ValueError(f"ends (month {self.end}) before it starts (month {self.start})")
        return self


class PayerMonth(BaseModel):
    """One month from another payer: what it paid, the deductions it took, the tax it withheld."""

    model_config = ConfigDict(extra="forbid")

    income: Amount | None = None
    employee_contributions: Amount | None = None
    special_additional_deductions: Amount | Claims | None = None
    tax_withheld: Amount | None = None


class OtherPayer(BaseModel):
    """Another withholding agent of the same tax year: an earlier employer, a second employer at the
    same time, or a payer of labour remuneration (``kind: labour``; ``income`` is the receipts)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    kind: Literal["wages", "labour"] = "wages"
    employment: Employment = Employment()
    every_month: PayerMonth = PayerMonth()
    months: dict[int, PayerMonth] = {}
    withheld: bool = Field(True, description="false: the payer failed to withhold as the law requires")

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, value: object) -> object:
        if isinstance(value, dict) and isinstance(value.get("months"), dict):
            value = {**value, "months": month_keys(value["months"])}
        return value

    @model_validator(mode="after")
    def _labour_has_no_deductions(self) -> OtherPayer:
        if self.kind == "labour":
            for where, items in [("every_month", self.every_month), *((f"months.{m}", i) for m, i in self.months.items())]:
                for name in ("employee_contributions", "special_additional_deductions"):
                    if getattr(items, name) is not None:
                        raise ValueError(f"{where}.{name}: a payer of labour remuneration takes no such deduction")
        return self

    def month_items(self) -> list[PayerMonth]:
        base = self.every_month.model_dump(exclude_none=True)
        out = []
        for month in range(1, 13):
            merged = dict(base) if self.employment.start <= month <= self.employment.end else {}
            if month in self.months:
                merged.update(self.months[month].model_dump(exclude_none=True))
            out.append(PayerMonth.model_validate(merged))
        return out


class ReconciliationClaims(BaseModel):
    """Deductions claimed at the reconciliation, in yuan for the year (the engine caps them by the
    law of the year); ``special_additional_deductions``: an amount, or items declared for the
    whole year (priced month by month)."""

    model_config = ConfigDict(extra="forbid")

    special_additional_deductions: Yuan | Claims | None = None
    serious_illness_self_paid: Yuan | None = None
    individual_pension: Yuan | None = None
    commercial_health_insurance: Yuan | None = None
    tax_deferred_pension: Yuan | None = None


def other_payer_columns(payers: list[OtherPayer], year: int, law: Law,
                        months: list[list[PayerMonth]] | None = None) -> dict[str, np.ndarray]:
    """Engine columns (1, 12) fen of all other payers together, and ``not_withheld`` (1,);
    ``months``: each payer's months already in yuan (default: as written)."""
    names = ("other_wages", "other_labour", "other_contributions", "other_special_additional_deductions",
             "other_tax_withheld")
    columns = {name: np.zeros((1, 12), dtype=np.int64) for name in names}
    for number, payer in enumerate(payers):
        income = "other_wages" if payer.kind == "wages" else "other_labour"
        for index, items in enumerate(payer.month_items() if months is None else months[number]):
            for field, column in (("income", income), ("employee_contributions", "other_contributions"),
                                  ("tax_withheld", "other_tax_withheld")):
                value = getattr(items, field)
                columns[column][0, index] += 0 if value is None else yuan_to_fen(value)
            claim = items.special_additional_deductions
            if claim is not None:
                columns["other_special_additional_deductions"][0, index] += (
                    price(claim, law, dt.date(year, index + 1, 1)) if isinstance(claim, Claims) else yuan_to_fen(claim))
    columns["not_withheld"] = np.array([any(not p.withheld for p in payers)])
    return columns


def claim_columns(claims: ReconciliationClaims | None, year: int, law: Law) -> dict[str, np.ndarray]:
    """Engine columns (1,) fen of the reconciliation claims; declared SAD items priced for each
    month of the year by the law of that month."""
    if claims is None:
        return {}
    out = {}
    sad = claims.special_additional_deductions
    if isinstance(sad, Claims):
        out["reconciliation_special_additional_deductions"] = sum(
            price(sad, law, dt.date(year, m, 1)) for m in range(1, 13))
    elif sad is not None:
        out["reconciliation_special_additional_deductions"] = yuan_to_fen(sad)
    if claims.serious_illness_self_paid is not None:
        out["serious_illness_self_paid"] = yuan_to_fen(claims.serious_illness_self_paid)
    for name in RECONCILIATION_ITEMS:
        value = getattr(claims, name)
        if value is not None:
            out[f"reconciliation_{name}"] = yuan_to_fen(value)
    return {key: np.array([value], dtype=np.int64) for key, value in out.items()}
