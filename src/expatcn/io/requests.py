"""Inputs given as data rather than a file: the bodies of ``POST /api/residency``, ``/api/social``,
``/api/grossup``, a web calculator's form, a case of ``expatcn check`` — each with the fields of the
command's options, giving the use case its arguments (``arguments()``: amounts in fen, the month
parsed, trips as checked records) — and a correction or a new API key, from the API or a web form.
Amounts are yuan, as numbers or strings, at most two decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from expatcn.dates import Month
from expatcn.io.fields import Day
from expatcn.io.trips import trip_records
from expatcn.money import FEN_PER_YUAN, MAX_ABS_FEN, yuan_to_fen

MAX_YUAN = Decimal(MAX_ABS_FEN) / FEN_PER_YUAN  # the one amount parser's limit (expatcn.money)
Amount = Decimal
YearField = Field(ge=2011, le=2030, description="tax year")


def amount(default: Any = ..., **kw) -> Any:
    """An amount of yuan ≥ 0, at most two decimals."""
    return Field(default, ge=0, le=MAX_YUAN, decimal_places=2, **kw)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


RateRows = list[dict[str, Any]] | None
RATES_FIELD = Field(None, max_length=1000, description=(
    "the employer's own social insurance figures, as the rows of a rates file keyed by field (city, scheme, from, "
    "to, base_floor, base_ceiling, employer_rate, employee_rate, why); used where given, labelled employer-supplied"))


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

    def arguments(self) -> dict[str, Any]:
        """The arguments of :func:`expatcn.services.residency.residency_year` (the trips as records;
        errors name ``trips`` or ``planned``, the row and the field)."""
        return {"trips": trip_records([t.model_dump(exclude_none=True) for t in self.trips], "trips"), "year": self.year,
                "planned": trip_records([t.model_dump(exclude_none=True) for t in self.planned], "planned")
                if self.planned else None,
                "history_from": self.history_from, "prior_years": self.prior_years, "treaty": self.treaty}


class SocialRequest(Strict):
    city: str = Field(..., min_length=1, max_length=40, description="by key or name in English or Chinese",
                      examples=["shanghai", "上海"])
    month: str = Field(..., pattern=r"^(20[0-9]{2})-(0[1-9]|1[0-2])$", examples=["2026-03"])
    wage: Amount = amount(description="monthly contribution wage", examples=["50000"])
    nationality: str = Field("CN", pattern=r"^[A-Za-z]{2}$")
    certificate_from: Day | None = None
    certificate_until: Day | None = None
    housing_fund: bool | None = None
    housing_fund_rate: Decimal | None = Field(None, ge=0, le=1, decimal_places=6)
    work_injury_rate: Decimal | None = Field(None, ge=0, le=1, decimal_places=6)
    local_hukou: bool = False
    opt_in: bool = False
    partial: bool = Field(True, description="figures never published are shown as such, with no total")
    strict: bool = Field(False, description="refuse figures carried forward or not published")
    rates: RateRows = RATES_FIELD

    def arguments(self) -> dict[str, Any]:
        """The arguments of :func:`expatcn.services.social.social_month` (the wage in fen; the
        ``rates`` rows are read by :func:`expatcn.services.rates.read`)."""
        fields = self.model_dump(exclude={"city", "month", "wage", "rates"})
        return {"city": self.city, "month": Month.parse(self.month), "wage": yuan_to_fen(self.wage), **fields}


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
    strict: bool = Field(False, description="refuse a social insurance figure carried forward")
    rates: RateRows = RATES_FIELD

    def arguments(self) -> dict[str, Any]:
        """The arguments of :func:`expatcn.services.grossup.gross_up` (amounts in fen)."""
        return {"net": yuan_to_fen(self.net), "year": self.year, "city": self.city,
                "contributions": yuan_to_fen(self.contributions), "nonresident": self.nonresident,
                "foreigner": self.foreigner, "allowances": {k: yuan_to_fen(v) for k, v in self.allowances.items()},
                "special_additional_deductions": yuan_to_fen(self.special_additional_deductions),
                "first_month": self.first_month, "last_month": self.last_month,
                "bonus_net": None if self.bonus_net is None else yuan_to_fen(self.bonus_net),
                "bonus_month": self.bonus_month, "strict": self.strict}


class CorrectionItem(Strict):
    employee: str = Field(..., min_length=1, max_length=40)
    kind: str = Field(..., max_length=40, examples=["salary"])
    amount: Amount = amount()


class CorrectionRequest(Strict):
    items: list[CorrectionItem] = Field(..., min_length=1, max_length=10000)


class KeyRequest(Strict):
    role: Literal["viewer", "payroll", "admin"]
    name: str = Field("", max_length=100)
