"""Request and response models of the HTTP API (pydantic v2). Amounts are yuan, as strings in
answers (exact decimals) and as numbers or strings in requests (at most two decimals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from expatcn.io.assignment_file import AssignmentFile

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


# --- tax --------------------------------------------------------------------------------------


class TaxMonth(BaseModel):
    month: int
    employed: bool
    income: str
    exempt_income: str
    basic_deduction: str
    special_deductions: str
    special_additional_deductions: str
    wage_taxable: str
    wage_rate: str
    wage_tax: str
    bonus_separate: str
    bonus_tax: str
    labour_tax: str
    equity_tax: str
    total_tax: str


class TraceStep(BaseModel):
    month: int | None
    label: str
    amount: str | None
    how: str
    law: list[str]


class BonusCliff(BaseModel):
    cheaper_bonus: str
    employee_nets_more_by: str


class TaxResult(BaseModel):
    id: str
    year: int
    resident: bool
    months: list[TaxMonth]
    withheld: str
    year_tax: str
    bonus_taxed_separately: bool
    bonus_cliff: BonusCliff | None
    reconciliation: dict[str, str]
    alerts: list[str] = Field([], description="what the law did not let the result apply (e.g. a non-resident's "
                                              "special additional deductions, IIT Law art. 6(1)(2))")
    trace: list[TraceStep] | None = None
    residency: dict[str, Any] | None = Field(None, description="with person.trips: days, status and apportionment")


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


class ResidencyMonth(BaseModel):
    month: int
    residence_days: int
    cumulative_residence_days: int
    presence_days: int
    china_work_days: float
    overseas_work_days: float
    calendar_days: int


class ResidencyPerson(BaseModel):
    person: str
    year: int
    months: list[ResidencyMonth]
    residence_days: int
    ninety_day_rule_days: int
    resident: bool
    situation: str
    treaty: dict[str, Any] | None
    six_year_clock: int
    year_qualifies_for_clock: bool
    worldwide_income_taxable: bool
    first_worldwide_year: int
    longest_absence_days: int
    reaches_ninety_days_on: dt.date | None
    becomes_resident_on: dt.date | None
    alerts: list[str]


class Lines(BaseModel):
    ninety_days: int
    resident_days: int
    clock_years: int


class ResidencyResult(BaseModel):
    year: int
    persons: list[ResidencyPerson]
    law: list[str]
    lines: Lines


class EmployeeResidency(BaseModel):
    year: int
    person: ResidencyPerson | None
    lines: Lines | None
    law: list[str]
    trips: int
    note: str | None


# --- social insurance -------------------------------------------------------------------------


class SocialRequest(Strict):
    city: str = Field(..., pattern=r"^[A-Za-z_]{2,40}$", examples=["shanghai"])
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


class SchemeRow(BaseModel):
    scheme: str
    participates: bool
    exempt_by_agreement: bool
    note: str | None
    base: str | None
    employer_rate: str
    employee_rate: str
    employer: str | None
    employee: str | None


class SocialTotals(BaseModel):
    complete: bool
    employee_social_insurance: str | None
    employer_social_insurance: str | None
    employee_total: str | None
    employer_total: str | None
    employee_deduction_for_iit: str | None
    housing_fund_employer_taxable: str | None


class SocialResult(BaseModel):
    city: str
    month: str
    wage: str
    nationality: str
    schemes: list[SchemeRow]
    totals: SocialTotals
    assumptions: list[str]
    notes: list[str]
    law: list[str]


# --- full month -------------------------------------------------------------------------------


class MonthRow(BaseModel):
    month: str
    gross: str
    contribution_wage: str
    employee_social: str
    employee_housing_fund: str
    employee_deduction: str
    housing_fund_employer_taxable: str
    iit: str
    net: str
    employer_social: str
    employer_housing_fund: str
    employer_cost: str
    complete: bool


class MonthResultOut(BaseModel):
    name: str
    city: str
    year: int
    nationality: str
    resident: bool
    months: list[MonthRow]
    year_totals: dict[str, str]
    iit_year_tax: str
    iit_withheld: str
    pension_refund_estimate: dict[str, Any]
    assumptions: list[str]
    alerts: list[str] = []
    law: list[str]
    trace: list[TraceStep] | None = None


# --- gross-up ---------------------------------------------------------------------------------


class GrossUpRequest(Strict):
    net: Amount = amount(description="target net pay per month, allowances included", examples=["30000"])
    year: int = YearField
    city: str | None = Field(None, pattern=r"^[A-Za-z_]{2,40}$", description="contributions follow the gross in this city")
    contributions: Amount = amount(0, description="fixed employee contributions per month (instead of city)")
    nonresident: bool = False
    foreigner: bool = False
    allowances: dict[str, Amount] = Field({}, description="exempt allowances per month by kind (elects the exemption)")
    special_additional_deductions: Amount = amount(0)
    first_month: int = Field(1, ge=1, le=12)
    last_month: int = Field(12, ge=1, le=12)
    bonus_net: Amount | None = amount(None, description="a net annual bonus to gross up")
    bonus_month: int = Field(12, ge=1, le=12)


class GrossUpMonth(BaseModel):
    month: int
    gross_wages: str
    allowances: str
    employee_contributions: str
    iit: str
    net: str
    target: str
    exact: bool


class BonusGrossUp(BaseModel):
    gross_bonus: str
    net_paid: str
    larger_bonus_same_net: str | None


class GrossUpResult(BaseModel):
    year: int
    city: str | None
    months: list[GrossUpMonth]
    totals: dict[str, str]
    bonus: BonusGrossUp | None
    alerts: list[str] = []


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
