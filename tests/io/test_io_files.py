"""The one formatter of validation errors: field path and message, pydantic's machinery left out."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ValidationError, field_validator, model_validator

from expatcn.io.files import describe, problems


class Item(BaseModel):
    kind: Literal["salary", "bonus"]
    amount: int

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"expected an amount ≥ 0, got {value}")
        return value


class Sheet(BaseModel):
    items: list[Item]

    @model_validator(mode="after")
    def _some(self) -> "Sheet":
        if not self.items:
            raise ValueError("no items")
        return self


def test_problems_name_the_field_and_drop_the_machinery():
    with pytest.raises(ValidationError) as caught:
        Sheet.model_validate({"items": [{"kind": "car", "amount": 1}, {"kind": "bonus", "amount": -5}]})
    assert problems(caught.value) == [
        "items.0.kind: Input should be 'salary' or 'bonus'",
        "items.1.amount: expected an amount ≥ 0, got -5",
    ]
    with pytest.raises(ValidationError) as caught:
        Sheet.model_validate({"items": []})
    assert describe(caught.value) == "no items"
