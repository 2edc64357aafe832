"""Amounts in input files: yuan (``Yuan``), or, where pay may be in another currency, an amount in
a currency (``Amount``: ``8000``, ``"8000 EUR"`` or ``{amount: 8000, currency: EUR}``), converted
to RMB by the rule of ``expatcn.iit.foreign_currency`` once the month is known."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from expatcn.money import yuan_amount

Yuan = Annotated[Decimal, BeforeValidator(yuan_amount)]


class ForeignAmount(BaseModel):
    """An amount (≥ 0, at most two decimals) of a currency other than the file's default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Yuan
    currency: str = Field(pattern=r"^[A-Z]{3}$")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def _amount(value: object) -> object:
    if isinstance(value, str):
        match = re.fullmatch(r"\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s+([A-Za-z]{3})\s*", value)
        if match:
            return ForeignAmount(amount=match.group(1).replace(",", "").replace("_", ""), currency=match.group(2).upper())
    if isinstance(value, (dict, ForeignAmount)):
        return value
    return yuan_amount(value)


Amount = Annotated[Decimal | ForeignAmount, BeforeValidator(_amount)]
