"""Schema of the pension personal-account refund rule for foreigners who leave China
(``law/social/pension_refund.yaml``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue


@value_schema("social_pension_refund")
class PensionRefund(LawValue):
    """Whether a foreigner leaving China before pension age may take the personal pension account
    as a lump sum, what the account is made of, and the interest credited (when sourced)."""

    lump_sum_on_departure: bool
    requires_written_application: bool
    ends_pension_relationship: bool
    account_credit: Literal["employee_pension_contribution"] = Field(
        description="what is credited to the personal account each month"
    )
    account_rate: Decimal = Field(description="the personal account's share of the contribution base (for the trace)")
    interest_rates: dict[int, Decimal] = Field(
        default_factory=dict, description="published annual crediting rate (记账利率) by year; empty: not sourced"
    )
