"""A person-year scenario file (YAML or JSON) → engine inputs.

```yaml
name: Anna Schmidt, Shanghai 2026
year: 2026
person: {resident: true, foreigner: true, allowance_exemption: true, bonus_method: lower_tax}
employment: {from: 1, to: 12}          # months employed by this withholding agent
every_month:                           # repeated in every employed month
  wages: 60000
  allowances: {housing: 12000, children_education: 8000}
  employee_contributions: 3500
months:                                # per-month additions and overrides, 1–12 or "2026-03"
  12: {bonus: 120000}
```
Every amount is in yuan with at most two decimals. Errors name the file and the field.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from expatcn.iit.inputs import BonusMethod, YearInputs
from expatcn.law import Law
from expatcn.money import MoneyError, yuan_to_fen


class ScenarioError(ValueError):
    """A scenario file that cannot be read; the message names the file and the field."""


def _yuan(value: object) -> Decimal:
    try:
        fen = yuan_to_fen(value)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None
    if fen < 0:
        raise ValueError(f"expected an amount ≥ 0, got {value!r}")
    return Decimal(fen) / 100


Yuan = Annotated[Decimal, BeforeValidator(_yuan)]


class SpecialAdditionalClaims(BaseModel):
    """Declared special additional deductions; amounts come from the law table of the month."""

    model_config = ConfigDict(extra="forbid")

    children_education: int = Field(0, ge=0, description="children in education, 100% claimed")
    infant_care: int = Field(0, ge=0, description="children under three, 100% claimed")
    elderly_support: Literal["none", "only_child"] | Yuan = "none"
    housing_rent_tier: Literal[0, 1, 2, 3] = 0
    housing_loan_interest: bool = False
    continuing_education: bool = False


class MonthItems(BaseModel):
    """What one month holds; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    wages: Yuan | None = None
    allowances: dict[str, Yuan] | None = None
    employee_contributions: Yuan | None = None
    special_additional_deductions: Yuan | SpecialAdditionalClaims | None = None
    other_deductions: Yuan | None = None
    tax_reductions: Yuan | None = None
    bonus: Yuan | None = None
    labour: Yuan | None = None
    equity: Yuan | None = None
    employed: bool | None = None


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resident: bool = True
    foreigner: bool = False
    allowance_exemption: bool = False
    bonus_method: Literal["separate", "combined", "lower_tax"] = "separate"
    first_income_this_year: bool = False
    low_income_last_year: bool = False


class Employment(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: int = Field(1, alias="from", ge=1, le=12)
    end: int = Field(12, alias="to", ge=1, le=12)

    @model_validator(mode="after")
    def _order(self) -> Employment:
        if self.end < self.start:
            raise ValueError(f"employment ends (month {self.end}) before it starts (month {self.start})")
        return self


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "scenario"
    year: int = Field(ge=2011, le=2030)
    person: Person = Person()
    employment: Employment = Employment()
    every_month: MonthItems = MonthItems()
    months: dict[int, MonthItems] = {}

    @field_validator("months", mode="before")
    @classmethod
    def _month_keys(cls, value: object, info) -> object:
        if not isinstance(value, dict):
            return value
        keyed: dict[int, object] = {}
        for key, items in value.items():
            text = str(key)
            if "-" in text:
                try:
                    month = dt.date.fromisoformat(f"{text}-01").month
                except ValueError:
                    raise ValueError(f"month {key!r}: expected 1–12 or YYYY-MM") from None
            elif text.isdigit() and 1 <= int(text) <= 12:
                month = int(text)
            else:
                raise ValueError(f"month {key!r}: expected 1–12 or YYYY-MM")
            keyed[month] = items
        return keyed

    def month_items(self) -> list[MonthItems]:
        """The 12 months after applying ``every_month`` to employed months and the overrides."""
        base = self.every_month.model_dump(exclude_none=True)
        result = []
        for month in range(1, 13):
            employed = self.employment.start <= month <= self.employment.end
            merged = dict(base) if employed else {}
            merged["employed"] = employed
            if month in self.months:
                merged.update(self.months[month].model_dump(exclude_none=True))
            result.append(MonthItems.model_validate(merged))
        return result

    def to_inputs(self, law: Law) -> YearInputs:
        """Engine inputs for this person (a batch of one)."""
        months = self.month_items()
        exempt_kinds = _allowance_kinds(law)
        columns = {name: np.zeros((1, 12), dtype=np.int64) for name in (
            "wages", "allowances", "employee_contributions", "special_additional_deductions",
            "other_deductions", "tax_reductions", "bonus", "labour", "equity")}
        employed = np.zeros((1, 12), dtype=bool)
        for index, items in enumerate(months):
            day = dt.date(self.year, index + 1, 1)
            employed[0, index] = bool(items.employed)
            for name in ("wages", "employee_contributions", "other_deductions", "tax_reductions", "bonus", "labour", "equity"):
                value = getattr(items, name)
                columns[name][0, index] = 0 if value is None else yuan_to_fen(value)
            for kind, amount in (items.allowances or {}).items():
                if kind not in exempt_kinds:
                    raise ScenarioError(
                        f"months.{index + 1}.allowances.{kind}: unknown allowance kind; expected one of "
                        f"{', '.join(sorted(exempt_kinds))} (put other cash allowances in wages)"
                    )
                columns["allowances"][0, index] += yuan_to_fen(amount)
            columns["special_additional_deductions"][0, index] = _special_additional(
                items.special_additional_deductions, law, day
            )
        person = self.person
        return YearInputs(
            year=self.year,
            employed=employed,
            resident=np.array([person.resident]),
            foreigner=np.array([person.foreigner]),
            allowance_election=np.array([person.allowance_exemption]),
            bonus_method=np.array([BonusMethod[person.bonus_method.upper()]]),
            first_income_this_year=np.array([person.first_income_this_year]),
            low_income_last_year=np.array([person.low_income_last_year]),
            ids=[self.name],
            **columns,
        )


def _allowance_kinds(law: Law) -> set[str]:
    table = law.table("iit/expat_allowance_exemption")
    return {kind for value in table.values for kind in value.exempt_kinds}


def _special_additional(claim: Decimal | SpecialAdditionalClaims | None, law: Law, day: dt.date) -> int:
    """The month's special additional deductions in fen: an amount as given, or declared items
    priced with the standard amounts of the law table in force that month."""
    if claim is None:
        return 0
    if not isinstance(claim, SpecialAdditionalClaims):
        return yuan_to_fen(claim)
    if claim == SpecialAdditionalClaims():
        return 0
    amounts = law.value("iit/special_additional_deductions", day)
    total = claim.children_education * amounts.children_education_per_child
    total += claim.infant_care * amounts.infant_care_per_child
    if claim.elderly_support == "only_child":
        total += amounts.elderly_support_only_child
    elif isinstance(claim.elderly_support, Decimal):
        if claim.elderly_support > amounts.elderly_support_sibling_cap:
            raise ScenarioError(
                f"elderly_support share {claim.elderly_support} exceeds the sibling cap "
                f"{amounts.elderly_support_sibling_cap} in force on {day}"
            )
        total += claim.elderly_support
    if claim.housing_rent_tier:
        if claim.housing_loan_interest:
            raise ScenarioError("housing rent and housing loan interest cannot both be claimed")
        total += getattr(amounts, f"housing_rent_tier_{claim.housing_rent_tier}")
    total += amounts.housing_loan_interest if claim.housing_loan_interest else 0
    total += amounts.continuing_education_academic if claim.continuing_education else 0
    return yuan_to_fen(total)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; a :class:`ScenarioError` names the file and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}") from None
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'] if not str(p).startswith(('function-', 'literal', 'decimal', 'lax', 'json')))}"
            f": {err['msg']}"
            for err in exc.errors()
        )
        raise ScenarioError(f"{path}: {problems}") from None
