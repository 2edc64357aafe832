"""Schemas of the individual income tax tables (``law/iit/``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue
from expatcn.money import rate_to_ppm, yuan_to_fen


@value_schema("wage_withholding_method")
class WageWithholdingMethod(LawValue):
    """How residents' wages are withheld: each month final on the monthly table (before 2019),
    or cumulatively over the tax year on the annual table (STA Announcement 2018 No. 61)."""

    resident_method: Literal["monthly_final", "cumulative"]
    resident_table: str = Field(description="law table of the rates applied to residents' wages")
    nonresident_table: str = Field(description="law table of the rates applied to non-residents' wages")


@value_schema("basic_deduction")
class BasicDeduction(LawValue):
    """The monthly deduction for expenses (费用减除标准) and the foreigners' additional deduction."""

    monthly: Decimal
    foreigner_additional: Decimal = Decimal(0)
    annual: Decimal | None = Field(default=None, description="residents' annual deduction (2019 on)")

    @property
    def monthly_fen(self) -> int:
        return yuan_to_fen(self.monthly)

    @property
    def foreigner_additional_fen(self) -> int:
        return yuan_to_fen(self.foreigner_additional)

    @property
    def annual_fen(self) -> int:
        if self.annual is None:
            raise ValueError("no annual basic deduction before 2019")
        return yuan_to_fen(self.annual)


@value_schema("low_income_simplification")
class LowIncomeSimplification(LawValue):
    """STA Announcement 2020 No. 19: the full year's deduction from January for low earners."""

    previous_year_income_limit: Decimal
    deduction_from_january: Decimal


@value_schema("annual_bonus")
class AnnualBonus(LawValue):
    """The annual one-off bonus method: the rate is found from bonus ÷ divisor on ``table``."""

    method: Literal["guoshuifa_2005_9", "separate_or_combined"]
    divisor: int
    table: str
    once_per_year: bool
    residents_only: bool
    shortfall_adjustment: bool = Field(
        description="Guoshuifa 2005 No. 9 art. 2(1): a salary below the deduction lowers the bonus first"
    )


@value_schema("nonresident_spread")
class NonresidentSpread(LawValue):
    """MOF/STA 2019 No. 35 §2(2): a non-resident's multi-month bonus or equity income is
    spread over ``divisor`` months on ``table``, with no deduction."""

    divisor: int
    table: str
    once_per_year: bool


@value_schema("equity_incentive_separate")
class EquityIncentiveSeparate(LawValue):
    """Residents' equity incentive income taxed separately on ``table``, grants in a year combined."""

    table: str


@value_schema("labour_remuneration")
class LabourRemuneration(LawValue):
    """Expense deduction for labour remuneration (劳务报酬) per payment."""

    fixed_deduction: Decimal
    fixed_deduction_up_to: Decimal = Field(description="receipts up to this amount deduct the fixed amount")
    deduction_rate: Decimal = Field(description="share deducted from larger receipts")
    income_rate: Decimal = Field(description="income amount as a share of receipts (non-residents, annual income)")
    resident_prepayment_table: str

    @property
    def arrays(self) -> tuple[int, int, int, int]:
        return (
            yuan_to_fen(self.fixed_deduction),
            yuan_to_fen(self.fixed_deduction_up_to),
            rate_to_ppm(self.deduction_rate),
            rate_to_ppm(self.income_rate),
        )


@value_schema("expat_allowance_exemption")
class ExpatAllowanceExemption(LawValue):
    """Caishui [1994] No. 20 art. 2: which allowances of foreigners are exempt when reimbursed,
    and whether the exemption excludes special additional deductions (2019 on)."""

    exempt_kinds: list[str]
    excludes_special_additional_deductions: bool
    nonresidents_may_claim: bool


@value_schema("special_additional_deductions")
class SpecialAdditionalDeductions(LawValue):
    """Monthly standard amounts of the special additional deductions (专项附加扣除)."""

    children_education_per_child: Decimal
    infant_care_per_child: Decimal
    elderly_support_only_child: Decimal
    elderly_support_sibling_cap: Decimal
    housing_rent_tier_1: Decimal
    housing_rent_tier_2: Decimal
    housing_rent_tier_3: Decimal
    housing_loan_interest: Decimal
    continuing_education_academic: Decimal
    continuing_education_certificate_yearly: Decimal
    serious_illness_threshold_yearly: Decimal
    serious_illness_cap_yearly: Decimal


@value_schema("reconciliation_exemption")
class ReconciliationExemption(LawValue):
    """Who need not file the annual reconciliation though tax is payable."""

    income_up_to: Decimal = Field(description="annual comprehensive income not exceeding this")
    payable_up_to: Decimal = Field(description="tax payable at reconciliation not exceeding this")
    income_basis: Literal["gross_income", "income_amount"] = Field(
        description="what income_up_to is compared with: the four items' receipts (年度综合所得收入, "
        "gross_income) or the income amount after the 20% expense deduction (收入额, income_amount)"
    )


@value_schema("foreign_currency_conversion")
class ForeignCurrencyConversion(LawValue):
    """How income in a foreign currency becomes RMB (IIT Law art. 16; Regulations art. 32): the
    central parity of the last day of the month before the return's month (a withholding return
    is filed ``withholding_filed_months_after_payment`` after the payment); at the reconciliation,
    further tax payable converts at the tax year's last day, prepaid income is not converted again."""

    rate: Literal["central_parity"]
    withholding_day: Literal["last_day_of_month_before_filing"]
    withholding_filed_months_after_payment: int = Field(ge=0)
    reconciliation_day: Literal["last_day_of_tax_year"]
    prepaid_converted_again: bool
