"""Schemas of the city social insurance and housing fund tables (``law/social/<city>.yaml``),
foreigners' participation (``law/social/foreigners.yaml``) and the tax-free cap on housing
fund contributions (``law/social/housing_fund_tax_cap.yaml``).

A figure not published is written ``unconfirmed``: the engine uses the last published figure of
the same city, scheme and field, marked "carried forward from <period>" (payroll practice: declare
on the old figures, make up the difference once the new ones are out), or, in strict mode, refuses
with an error naming the city, month and figure. A period whose figures are not published yet at
all (a new contribution year) has ``pending`` (what is awaited): every figure is carried forward.
A period whose figures are not in the sources at all has ``no_data`` (the reason) instead of
schemes; nothing is carried across it.
A figure kept at lower confidence than its neighbours (a rate last set by an instrument that ran
out) is listed in ``low_confidence`` of its scheme, so that results can say so.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue

UNCONFIRMED = "unconfirmed"
Unconfirmed = Literal["unconfirmed"]

SCHEMES = ("pension", "medical", "maternity", "unemployment", "work_injury")
"""The five social insurance schemes, in the order payroll lists them."""

SchemeName = Literal["pension", "medical", "maternity", "unemployment", "work_injury"]


def _known(value: object) -> bool:
    return value is not None and value != UNCONFIRMED


def _fields_exist(model: type, names: tuple[str, ...]) -> tuple[str, ...]:
    unknown = sorted(set(names) - set(model.model_fields) - {"low_confidence", "note"})
    if unknown:
        raise ValueError(f"low_confidence names no field of the scheme: {', '.join(unknown)}")
    return names


class SchemeLaw(LawValue):
    """One scheme in one city and period: its contribution base limits and rates.

    ``base_ceiling: null`` means the base has no ceiling (work injury in Guangdong cities).
    ``*_rate_nonlocal`` are the rates for employees without the city's household registration
    (hukou), foreigners included, where the city sets different ones (Shenzhen pension).
    ``employer_rate_range`` is the range the employer's rate is chosen from by its industry
    class (work injury); ``employer_rate`` is then left out.
    ``base_floor_at_most`` bounds an unconfirmed floor from above, so that wages at or above it
    can still be computed (the floor cannot bind them).
    ``employee_fixed`` is a fixed monthly amount on top of the rate (Beijing's RMB 3
    serious-illness mutual aid, 大额医疗互助).
    ``employer_rate_parts`` splits ``employer_rate`` into the parts collected apart, each rounded
    to the fen on its own (Shanghai medical: 8.5% basic including maternity + 0.5% local
    supplementary, as Link Compliance's employer caps show: 36,549 × 9% = 3,289.41, collected
    3,106.67 + 182.75 = 3,289.42).
    """

    base_floor: Decimal | Unconfirmed
    base_floor_at_most: Decimal | None = Field(
        default=None, description="where the floor is unconfirmed but known not to exceed this (e.g. one of two minimum wages)"
    )
    base_ceiling: Decimal | Unconfirmed | None
    employer_rate: Decimal | Unconfirmed | None = None
    employee_rate: Decimal | Unconfirmed
    employer_rate_nonlocal: Decimal | Unconfirmed | None = None
    employee_rate_nonlocal: Decimal | Unconfirmed | None = None
    employer_rate_range: tuple[Decimal, Decimal] | Unconfirmed | None = None
    employee_fixed: Decimal = Decimal(0)
    employer_rate_parts: tuple[Decimal, ...] | None = None
    low_confidence: tuple[str, ...] = Field(default=(), description="fields whose figure is of low confidence")
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SchemeLaw:
        _fields_exist(SchemeLaw, self.low_confidence)
        if (self.employer_rate is None) == (self.employer_rate_range is None):
            raise ValueError("give exactly one of employer_rate and employer_rate_range")
        if self.employer_rate_parts is not None and (
            not _known(self.employer_rate) or self.employer_rate_nonlocal is not None
            or sum(self.employer_rate_parts) != self.employer_rate
        ):
            raise ValueError("employer_rate_parts must add up to a known employer_rate (and no non-local rate)")
        if isinstance(self.employer_rate_range, tuple) and self.employer_rate_range[0] > self.employer_rate_range[1]:
            raise ValueError("employer_rate_range must be (lowest, highest)")
        if _known(self.base_floor) and _known(self.base_ceiling) and self.base_floor > self.base_ceiling:
            raise ValueError(f"base floor {self.base_floor} is above the ceiling {self.base_ceiling}")
        for name in ("employer_rate", "employee_rate", "employer_rate_nonlocal", "employee_rate_nonlocal"):
            rate = getattr(self, name)
            if _known(rate) and not Decimal(0) <= rate < Decimal(1):
                raise ValueError(f"{name} {rate} is not a share between 0 and 1")
        return self


class HousingFundLaw(LawValue):
    """The housing provident fund (住房公积金): base limits and the rate range the employer
    chooses from (the same rate for employer and employee unless the city allows otherwise)."""

    base_floor: Decimal | Unconfirmed
    base_floor_at_most: Decimal | None = None
    base_ceiling: Decimal | Unconfirmed
    rate_min: Decimal | Unconfirmed
    rate_max: Decimal | Unconfirmed
    employee_not_below_employer: bool = Field(
        default=False, description="the employee's rate may not be lower than the employer's (Guangzhou)"
    )
    low_confidence: tuple[str, ...] = Field(default=(), description="fields whose figure is of low confidence")
    note: str | None = None

    @model_validator(mode="after")
    def _fields(self) -> HousingFundLaw:
        _fields_exist(HousingFundLaw, self.low_confidence)
        return self


@value_schema("social_city")
class SocialCity(LawValue):
    """A city's social insurance schemes and housing fund for one period.

    ``maternity_in_medical``: maternity insurance has been merged into basic medical insurance
    and its rate is inside the medical rate (no ``maternity`` entry).
    ``pending``: the period has begun but none of its figures is published yet (what is awaited);
    the engine carries the last published figures forward, flagged.
    """

    no_data: str | None = Field(default=None, description="why the sources give no figures for this period")
    pending: str | None = Field(default=None, description="the period's figures are not published yet: what is awaited")
    maternity_in_medical: bool = False
    schemes: dict[SchemeName, SchemeLaw] | None = None
    housing_fund: HousingFundLaw | None = Field(default=None, description="null: no sourced housing fund figures")

    @model_validator(mode="after")
    def _complete(self) -> SocialCity:
        if self.no_data is not None or self.pending is not None:
            if self.schemes is not None or self.housing_fund is not None or (
                    self.no_data is not None and self.pending is not None):
                raise ValueError("a no_data or pending period has no schemes or housing_fund (and not both)")
            return self
        if self.schemes is None:
            raise ValueError("give schemes, or no_data with the reason there are none")
        expected = set(SCHEMES) - ({"maternity"} if self.maternity_in_medical else set())
        if set(self.schemes) != expected:
            raise ValueError(
                f"schemes must be exactly {sorted(expected)} (maternity_in_medical={self.maternity_in_medical}), "
                f"got {sorted(self.schemes)}"
            )
        return self


class LocalParticipation(LawValue):
    """A city's own rule for foreigners, overriding the national one for the period."""

    mandatory_schemes: list[SchemeName]
    optional_schemes: list[SchemeName] = []
    note: str | None = None


@value_schema("social_foreigners")
class SocialForeigners(LawValue):
    """Which schemes foreigners working in China must join (MOHRSS Decree No. 16) and which
    they may join; local exceptions by city for the period."""

    mandatory_schemes: list[SchemeName]
    optional_schemes: list[SchemeName] = []
    housing_fund: Literal["mandatory", "optional", "excluded"]
    local: dict[str, LocalParticipation] = {}


@value_schema("social_hk_macao_taiwan")
class SocialHongKongMacaoTaiwan(LawValue):
    """Which schemes Hong Kong and Macao residents who are Chinese citizens and Taiwan residents
    employed by a mainland employer join (HRSS/NHSA Decree No. 41): ``regions`` are the codes a
    nationality field gives them (ISO 3166: HK, MO, TW); ``home_coverage_exempt`` the schemes a
    person who keeps the social insurance of their own region (with a certificate of the
    authorised body) need not join in the mainland."""

    regions: list[str] = Field(min_length=1)
    mandatory_schemes: list[SchemeName]
    housing_fund: Literal["mandatory", "optional", "excluded"]
    home_coverage_exempt: list[SchemeName] = []


@value_schema("housing_fund_tax_cap")
class HousingFundTaxCap(LawValue):
    """The part of housing fund contributions free of IIT: each side's contribution up to
    ``rate_cap`` of the employee's wage, the wage counted up to ``wage_cap_multiple`` times the
    city's average wage (in practice the city's housing fund base ceiling)."""

    rate_cap: Decimal
    wage_cap_multiple: Decimal
