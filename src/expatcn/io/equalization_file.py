"""A tax-equalization file (YAML/JSON) → the arrays :func:`expatcn.equalization.equalize` takes.

```yaml
name: Anna Schmidt — Shanghai 2026, tax-equalized
year: 2026
home: {gross: 50000, months: {12: 80000}}          # the home salary the policy is based on (yuan)
hypothetical_tax: {rate: "0.25"}                    # or {monthly: 9000} or {table: [{up_to: …, rate: …, quick_deduction: …}, …]}
hypothetical_contributions: {monthly: 2000}         # or {rate: "0.093", base_cap: 7300}
china: {city: shanghai, resident: true, foreigner: true, allowances: {housing: 15000}, from: 1, to: 12}
```
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from expatcn.equalization import HypotheticalContributions, HypotheticalTax
from expatcn.iit.allowances import check_kinds
from expatcn.iit.inputs import YearInputs
from expatcn.io.files import load_model
from expatcn.io.scenario import ScenarioError, Yuan
from expatcn.io.scenario_reconciliation import month_keys
from expatcn.law.schemas.common import TaxSchedule
from expatcn.money import rate_to_ppm, yuan_to_fen


class Home(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gross: Yuan
    months: dict[Annotated[int, Field(ge=1, le=12)], Yuan] = {}

    @field_validator("months", mode="before")
    @classmethod
    def _month_keys(cls, value: object) -> object:
        return month_keys(value)


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid")

    up_to: Decimal | None
    rate: Decimal
    quick_deduction: Decimal = Decimal(0)


class Hypothetical(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monthly: Yuan | None = None
    rate: Decimal | None = Field(default=None, ge=0, lt=1)
    table: list[Band] | None = None
    base_cap: Yuan | None = None

    @model_validator(mode="after")
    def _one(self) -> Hypothetical:
        given = [x is not None for x in (self.monthly, self.rate, self.table)]
        if sum(given) != 1:
            raise ValueError("give exactly one of monthly, rate or table")
        return self


class China(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    city: str | None = None
    contributions: Yuan | None = None
    resident: bool = True
    foreigner: bool = True
    allowances: dict[str, Yuan] = {}
    start: int = Field(1, alias="from", ge=1, le=12)
    end: int = Field(12, alias="to", ge=1, le=12)

    @model_validator(mode="after")
    def _contributions(self) -> China:
        if (self.city is None) == (self.contributions is None):
            raise ValueError("give either city (contributions follow the gross) or contributions (fixed)")
        return self


class EqualizationFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "assignee"
    year: int = Field(ge=2011, le=2030)
    home: Home
    hypothetical_tax: Hypothetical
    hypothetical_contributions: Hypothetical
    china: China


def hypothetical_tax(hypo: Hypothetical) -> HypotheticalTax:
    """The policy's hypothetical tax as the composite takes it (fen, ppm or a schedule)."""
    return HypotheticalTax(
        monthly=None if hypo.monthly is None else yuan_to_fen(hypo.monthly),
        rate=None if hypo.rate is None else rate_to_ppm(hypo.rate),
        table=None if hypo.table is None else TaxSchedule.model_validate({"brackets": [b.model_dump() for b in hypo.table]}),
    )


def hypothetical_contributions(hypo: Hypothetical) -> HypotheticalContributions:
    """The policy's hypothetical contributions: a monthly amount or a rate up to a base cap."""
    if hypo.table is not None:
        raise ScenarioError("hypothetical_contributions: give monthly or rate")
    return HypotheticalContributions(
        monthly=None if hypo.monthly is None else yuan_to_fen(hypo.monthly),
        rate=None if hypo.rate is None else rate_to_ppm(hypo.rate),
        base_cap=None if hypo.base_cap is None else yuan_to_fen(hypo.base_cap),
    )


def load_equalization(path: str | Path) -> EqualizationFile:
    return load_model(path, EqualizationFile, ScenarioError)


def to_arrays(plan: EqualizationFile, law):
    """(home_gross, HypotheticalTax, hypothetical contributions, China YearInputs, city or None)."""
    employed = np.zeros((1, 12), dtype=bool)
    employed[0, plan.china.start - 1 : plan.china.end] = True
    home = np.full((1, 12), yuan_to_fen(plan.home.gross), dtype=np.int64)
    for month, amount in plan.home.months.items():
        home[0, month - 1] = yuan_to_fen(amount)
    home = np.where(employed, home, 0)
    tax = hypothetical_tax(plan.hypothetical_tax)
    contributions = np.where(employed, hypothetical_contributions(plan.hypothetical_contributions).of(home), 0)
    check_kinds(law, plan.china.allowances, "china.allowances", ScenarioError)
    allowance = sum((yuan_to_fen(a) for a in plan.china.allowances.values()), 0)
    china = YearInputs(
        year=plan.year, wages=np.zeros((1, 12)), employed=employed,
        allowances=np.where(employed, allowance, 0).astype(np.int64),
        employee_contributions=None if plan.china.city else np.where(employed, yuan_to_fen(plan.china.contributions), 0),
        resident=np.array([plan.china.resident]), foreigner=np.array([plan.china.foreigner]),
        allowance_election=np.array([bool(plan.china.allowances) and plan.china.foreigner]),
        ids=[plan.name],
    )
    return home, tax, contributions, china, (np.array([plan.china.city]) if plan.china.city else None)
