"""Special additional deductions (专项附加扣除) priced from what a resident declares, with the
standard amounts in force that month (Guo Fa [2018] No. 41; infant care from 2022, Guo Fa
[2022] No. 8; raised from 2023 by Guo Fa [2023] No. 13 — ``law/iit/special_additional_deductions``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from expatcn.errors import InputError
from expatcn.law import Law
from expatcn.law.tables import SPECIAL_ADDITIONAL_DEDUCTIONS
from expatcn.money import yuan_amount, yuan_to_fen



class Claims(BaseModel):
    """What a resident declares for the special additional deductions (Guo Fa [2018] No. 41): how
    many children, which housing cost, …; the amounts come from the law table of each month
    (:func:`price`). ``elderly_support``: ``"only_child"`` or the sibling's agreed monthly share."""

    model_config = ConfigDict(extra="forbid")

    children_education: int = Field(0, ge=0, description="children in education, 100% claimed")
    infant_care: int = Field(0, ge=0, description="children under three, 100% claimed")
    elderly_support: Literal["none", "only_child"] | Annotated[Decimal, BeforeValidator(yuan_amount)] = "none"
    housing_rent_tier: Literal[0, 1, 2, 3] = 0
    housing_loan_interest: bool = False
    continuing_education: bool = False


def price(claims: Claims | None, law: Law, day: dt.date) -> int:
    """The month's deduction in fen for what was declared (0 for nothing declared)."""
    if claims is None or claims == Claims():
        return 0
    return special_additional_deduction(law, day, **claims.model_dump())


def special_additional_deduction(
    law: Law,
    day: dt.date,
    *,
    children_education: int = 0,
    infant_care: int = 0,
    elderly_support: str | Decimal | None = None,
    housing_rent_tier: int = 0,
    housing_loan_interest: bool = False,
    continuing_education: bool = False,
) -> int:
    """The month's deduction in fen. ``elderly_support``: ``"only_child"`` (the full amount) or
    the sibling's agreed share (at most the sibling cap). Housing rent (tier 1–3) and housing
    loan interest exclude each other (Guo Fa [2018] No. 41 art. 17)."""
    amounts = law.value(SPECIAL_ADDITIONAL_DEDUCTIONS, day)
    total = children_education * amounts.children_education_per_child + infant_care * amounts.infant_care_per_child
    if elderly_support == "only_child":
        total += amounts.elderly_support_only_child
    elif elderly_support not in (None, "none"):
        share = Decimal(elderly_support)
        if share > amounts.elderly_support_sibling_cap:
            raise InputError(
                f"elderly_support share {share} exceeds the sibling cap {amounts.elderly_support_sibling_cap} "
                f"in force on {day}"
            )
        total += share
    if housing_rent_tier:
        if housing_loan_interest:
            raise InputError("housing rent and housing loan interest cannot both be claimed")
        total += getattr(amounts, f"housing_rent_tier_{housing_rent_tier}")
    if housing_loan_interest:
        total += amounts.housing_loan_interest
    if continuing_education:
        total += amounts.continuing_education_academic
    return yuan_to_fen(total)
