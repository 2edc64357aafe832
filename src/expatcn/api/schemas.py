"""Request models of the HTTP API (pydantic v2) for the planner, the store and keys, and the
error shapes. The calculations' requests are :mod:`expatcn.io.requests` (a case file or a web
form gives the same fields) and they answer with the models of :mod:`expatcn.services`. Amounts
are yuan, as strings in answers (exact decimals) and as numbers or strings in requests (at most
two decimals)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from expatcn.io.assignment_file import AssignmentFile
from expatcn.io.fields import Day
from expatcn.io.requests import Amount, Strict, amount


class Health(BaseModel):
    status: Literal["ok"]
    version: str


# --- assignment planner -----------------------------------------------------------------------


def _optional_fields(model: type[BaseModel]) -> dict[str, Any]:
    return {name: (f.annotation | None, Field(None, description=f.description))
            for name, f in model.model_fields.items()}


PlanRequest = create_model(
    "PlanRequest",
    __base__=Strict,
    __doc__="An assignment as in an assignment file for ``expatcn plan`` (trips inline, projections by "
            "shipped name); with ``alternatives`` the fields around them are shared and each alternative "
            "overrides some (so none is required here: each alternative must end up complete).",
    **_optional_fields(AssignmentFile),
    alternatives=(list[dict[str, Any]] | None, Field(
        None, min_length=1, max_length=20, description="alternative destinations or terms: each a mapping of the "
        "fields it changes (mappings one level deep)")),
    law_overlays=(list[str | dict[str, Any]], Field(
        [], max_length=10, description="what-if law overlays: shipped names, or an overlay table as data "
        "(table, title, schema, periods); the answer shows each structure-year's difference against current law")),
)


# --- company ----------------------------------------------------------------------------------


class EmployeeIn(Strict):
    id: str = Field(..., min_length=1, max_length=40, alias="id")
    name: str = Field(..., min_length=1, max_length=200)
    id_type: str = Field(..., max_length=40)
    id_number: str = Field(..., min_length=1, max_length=40)
    nationality: str = Field(..., pattern=r"^[A-Za-z]{2}$")
    hire_date: Day
    leave_date: Day | None = None
    domiciled: bool | None = None
    resident: bool | None = None
    treaty_country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    executive: bool | None = None
    allowance_election: bool | None = None
    bonus_method: Literal["separate", "combined", "lower_tax"] | None = None
    certificate_from: Day | None = None
    certificate_until: Day | None = None
    local_hukou: bool | None = None
    housing_fund: bool | None = None
    opt_in: bool | None = None


class TripRowIn(Strict):
    employee: str = Field(..., min_length=1, max_length=40)
    entry: str = Field(..., max_length=20, examples=["2025-03-01"])
    exit: str | None = Field(None, max_length=20)
    note: str | None = Field(None, max_length=500)


class PayItemIn(Strict):
    employee: str = Field(..., min_length=1, max_length=40)
    month: str = Field(..., pattern=r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")
    kind: str = Field(..., max_length=40, examples=["salary"])
    amount: Amount = amount()


class Me(BaseModel):
    key_id: int
    name: str
    role: str
