"""Schema of China's foreign tax credit table (``law/iit/foreign_tax_credit.yaml``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue


@value_schema("foreign_tax_credit")
class ForeignTaxCredit(LawValue):
    """How a resident's foreign income tax is credited (IIT Law art. 7; Regulations art. 21;
    MOF/STA Announcement 2020 No. 3 §3): per country, up to the Chinese tax on that country's
    share of the income; the excess carried forward against the same country's unused limit."""

    limit: Literal["per_country"] = Field(description="no pooling of limits across countries")
    allocation: Literal["income_amount"] = Field(
        description="comprehensive-income limit = China tax × that country's income amount ÷ all income amounts")
    carry_forward_years: int = Field(gt=0, description="later tax years in which an excess may still be credited")
    order: Literal["oldest_first"] = Field(description="which year's excess a later year's room takes first")
