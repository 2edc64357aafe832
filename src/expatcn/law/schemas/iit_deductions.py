"""Schemas of the IIT tables for items an adviser prices beyond the wage: the "other deductions"
with their caps (Implementation Regulations art. 13), the kinds of exempt and non-taxable income
an employer pays (IIT Law art. 4 and the rules under it), and instalments for equity income."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue, listed_once

Claimed = Literal["withholding", "reconciliation"]


@value_schema("other_deduction_cap")
class OtherDeductionCap(LawValue):
    """One of the other deductions of Implementation Regulations art. 13 (依法确定的其他扣除) and
    its caps. ``wage_rate_cap``: the cap as a share of the month's wages (tax-deferred pension:
    6 %) or of the contribution base (annuity: 4 %); ``base_cap_multiple``: that base counted up
    to this multiple of the city's average wage of the previous year. ``scope``: where it applies
    (``scope_note`` names the pilot regions); ``claimed``: at withholding, at reconciliation, or
    both; ``withdrawal_rate``: the separate rate on payments out, where the law taxes them so."""

    yearly_cap: Decimal | None = None
    monthly_cap: Decimal | None = None
    wage_rate_cap: Decimal | None = None
    base_cap_multiple: Decimal | None = None
    scope: Literal["nationwide", "pilot_regions"]
    scope_note: str | None = None
    claimed: list[Claimed] = Field(min_length=1)
    withdrawal_rate: Decimal | None = None

    @model_validator(mode="after")
    def _capped(self) -> OtherDeductionCap:
        if self.yearly_cap is None and self.monthly_cap is None and self.wage_rate_cap is None:
            raise ValueError("a deduction needs at least one cap (yearly_cap, monthly_cap or wage_rate_cap)")
        if (self.scope == "pilot_regions") != (self.scope_note is not None):
            raise ValueError("scope_note names the pilot regions, and only for scope: pilot_regions")
        return self


class ExemptKind(LawValue):
    """A kind of income an employer may pay that is exempt (免征) or not taxable at all (不征税),
    with the law entry that makes it so. ``cap_multiple`` of ``cap_base``: the exempt part (the
    rest is taxed as ``excess`` says); ``cap_table``: a law table that holds the cap instead."""

    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    law: str = Field(min_length=1, description="the article or document that exempts it")
    treatment: Literal["exempt", "not_taxable"]
    cap_base: Literal["local_average_wage_previous_year"] | None = None
    cap_multiple: Decimal | None = None
    cap_table: str | None = None
    excess: Literal["separate_annual_table", "wages"] | None = None

    @model_validator(mode="after")
    def _cap(self) -> ExemptKind:
        if (self.cap_base is None) != (self.cap_multiple is None):
            raise ValueError(f"{self.kind}: cap_base and cap_multiple go together")
        if (self.cap_base is not None or self.cap_table is not None) != (self.excess is not None):
            raise ValueError(f"{self.kind}: a capped kind says how its excess is taxed (excess), and only a capped one")
        return self


@value_schema("exempt_income")
class ExemptIncome(LawValue):
    """The kinds of exempt and non-taxable income, each with its law entry and cap."""

    kinds: list[ExemptKind] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ExemptIncome:
        listed_once([k.kind for k in self.kinds], "kind")
        return self


@value_schema("equity_instalments")
class EquityInstalments(LawValue):
    """Listed companies' stock options, restricted shares and share awards: after record-filing
    the tax may be paid within ``months`` of exercise (vesting, award); ``settle_on_leaving``:
    what is unpaid falls due before the person leaves the employer."""

    months: int = Field(ge=1)
    settle_on_leaving: bool
    exchanges: list[str] | None = Field(default=None, description="where the shares must be listed; none: any listed company")


@value_schema("equity_months_divisor")
class EquityMonthsDivisor(LawValue):
    """Equity income before 2019 (Caishui [2005] No. 35 §4(1)): taxed apart from the month's
    wages as (income ÷ months × rate − quick deduction) × months on ``table``, the months being
    those of the China work period the income relates to, at most ``max_months``; with
    ``combine_within_year`` each later exercise in the year is taxed on the year's total less the
    tax already paid on it (Guoshuihan [2006] No. 902 art. 7)."""

    table: str
    max_months: int = Field(ge=1)
    combine_within_year: bool
