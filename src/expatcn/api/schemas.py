"""Request models of the HTTP API (pydantic v2), and the response models of the store and keys.
The calculations answer with the models of :mod:`expatcn.services`. Amounts are yuan, as strings
in answers (exact decimals) and as numbers or strings in requests (at most two decimals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from expatcn.io.assignment_file import AssignmentFile

from expatcn.money import yuan_to_fen

MAX_YUAN = Decimal("100000000000")  # 100 billion yuan, the engines' limit
Amount = Decimal
YearField = Field(ge=2011, le=2030, description="tax year")


def amount(default: Any = ..., **kw) -> Any:
    return Field(default, ge=0, le=MAX_YUAN, decimal_places=2, **kw)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(BaseModel):
    detail: str


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InputErrors(BaseModel):
    """422: each problem with the path of the field (``loc``), what is wrong (``msg``)."""

    detail: list[ErrorItem]


class Health(BaseModel):
    status: Literal["ok"]
    version: str


# --- residency --------------------------------------------------------------------------------


class TripIn(Strict):
    person: str | None = Field(None, max_length=40, description="several persons at once: who travelled")
    entry: str | None = Field(..., max_length=20, description="YYYY-MM-DD or YYYY-MM-DD HH:MM", examples=["2026-03-01"])
    exit: str | None = Field(None, max_length=20, description="blank: still in China", examples=["2026-06-30"])
    note: str | None = Field(None, max_length=500)


class ResidencyRequest(Strict):
    year: int = YearField
    trips: list[TripIn] = Field(..., min_length=1, max_length=5000)
    planned: list[TripIn] = Field([], max_length=5000, description="planned trips for the rest of the year")
    history_from: int | None = Field(None, ge=2000, le=2030, description="first year of the trips, for the six-year clock")
    prior_years: int = Field(0, ge=0, le=30)
    treaty: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="treaty partner code, e.g. DE")


class SocialRequest(Strict):
    city: str = Field(..., min_length=1, max_length=40, description="by key or name in English or Chinese",
                      examples=["shanghai", "上海"])
    month: str = Field(..., pattern=r"^(20[0-9]{2})-(0[1-9]|1[0-2])$", examples=["2026-03"])
    wage: Amount = amount(description="monthly contribution wage", examples=["50000"])
    nationality: str = Field("CN", pattern=r"^[A-Za-z]{2}$")
    certificate_from: dt.date | None = None
    certificate_until: dt.date | None = None
    housing_fund: bool | None = None
    housing_fund_rate: Decimal | None = Field(None, ge=0, le=1, decimal_places=6)
    work_injury_rate: Decimal | None = Field(None, ge=0, le=1, decimal_places=6)
    local_hukou: bool = False
    opt_in: bool = False
    partial: bool = False


# --- gross-up ---------------------------------------------------------------------------------


class GrossUpRequest(Strict):
    net: Amount = amount(description="target net pay per month, allowances included", examples=["30000"])
    year: int = YearField
    city: str | None = Field(None, min_length=1, max_length=40,
                             description="contributions follow the gross in this city (key or name, e.g. 上海)")
    contributions: Amount = amount(0, description="fixed employee contributions per month (instead of city)")
    nonresident: bool = False
    foreigner: bool = False
    allowances: dict[str, Amount] = Field({}, description="exempt allowances per month by kind (elects the exemption)")
    special_additional_deductions: Amount = amount(0)
    first_month: int = Field(1, ge=1, le=12)
    last_month: int = Field(12, ge=1, le=12)
    bonus_net: Amount | None = amount(None, description="a net annual bonus to gross up")
    bonus_month: int = Field(12, ge=1, le=12)

    def fen(self) -> dict[str, Any]:
        """The arguments of :func:`expatcn.services.grossup.gross_up` (amounts in fen)."""
        return {"net": yuan_to_fen(self.net), "year": self.year, "city": self.city,
                "contributions": yuan_to_fen(self.contributions), "nonresident": self.nonresident,
                "foreigner": self.foreigner, "allowances": {k: yuan_to_fen(v) for k, v in self.allowances.items()},
                "special_additional_deductions": yuan_to_fen(self.special_additional_deductions),
                "first_month": self.first_month, "last_month": self.last_month,
                "bonus_net": None if self.bonus_net is None else yuan_to_fen(self.bonus_net),
                "bonus_month": self.bonus_month}


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
    hire_date: dt.date
    leave_date: dt.date | None = None
    domiciled: bool | None = None
    resident: bool | None = None
    treaty_country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    executive: bool | None = None
    allowance_election: bool | None = None
    bonus_method: Literal["separate", "combined", "lower_tax"] | None = None
    certificate_from: dt.date | None = None
    certificate_until: dt.date | None = None
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


class CorrectionItem(Strict):
    employee: str = Field(..., min_length=1, max_length=40)
    kind: str = Field(..., max_length=40, examples=["salary"])
    amount: Amount = amount()


class CorrectionRequest(Strict):
    items: list[CorrectionItem] = Field(..., min_length=1, max_length=10000)


# --- keys -------------------------------------------------------------------------------------


class KeyRequest(Strict):
    role: Literal["viewer", "payroll", "admin"]
    name: str = Field("", max_length=100)


class Me(BaseModel):
    key_id: int
    name: str
    role: str
