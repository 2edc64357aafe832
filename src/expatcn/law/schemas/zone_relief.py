"""Schema of the regional IIT reliefs of southern China and Hainan (``law/iit/zones/<zone>.yaml``):
the Greater Bay Area subsidy, Hainan, Hengqin, Qianhai, Hetao and Nansha."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from expatcn.law.model import Source
from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue, listed_once
from expatcn.money import rate_to_ppm, yuan_to_fen

Qualification = Literal["talent", "hong_kong_resident", "macao_resident"]


class Relief(LawValue):
    """Who qualifies and what their China tax is measured against: a rate of taxable income
    (``burden: rate``, the 15 % of the talent policies) or the tax the same income would bear on
    the other side (``burden: hong_kong_tax`` / ``macao_tax``)."""

    qualification: Qualification
    burden: Literal["rate", "hong_kong_tax", "macao_tax"]
    rate: Decimal | None = Field(default=None, ge=0, le=1, description="with burden: rate")
    en: str = Field(description="who qualifies, as the document says")
    zh: str

    @model_validator(mode="after")
    def _rate_given(self) -> Relief:
        if (self.burden == "rate") != (self.rate is not None):
            raise ValueError("a rate is given exactly when burden is 'rate'")
        return self

    @property
    def rate_ppm(self) -> int:
        return rate_to_ppm(self.rate)


class Application(LawValue):
    """When a city accepted applications for a subsidy of one tax year (as published)."""

    city: str = Field(pattern=r"^[a-z]+$")
    tax_year: int
    opens: dt.date
    closes: dt.date
    source: Source


@value_schema("zone_relief")
class ZoneRelief(LawValue):
    """A regional relief of IIT on the income earned in the zone, tax year by tax year.

    ``form: exemption``: the part of the tax above the burden is exempt when the taxpayer files the
    annual reconciliation in the zone (withholding during the year is unchanged; the exemption is
    refunded or reduces the balance). ``form: subsidy``: the city government pays the part above
    the burden as a subsidy, itself exempt from IIT, on an application after the reconciliation.
    ``apportion``: how the relief is shared when part of the income comes from outside the zone.
    ``cap``: the most relief a taxpayer gets for a tax year (yuan), where the measures set one.
    """

    form: Literal["exemption", "subsidy"]
    reliefs: list[Relief] = Field(min_length=1)
    income: list[Literal["wages", "labour", "author", "royalties", "business", "talent_subsidy"]] = Field(min_length=1)
    apportion: Literal["income_amount", "tax_paid"]
    cities: list[str] = Field(default_factory=list, description="where a subsidy is paid (city tables' names)")
    cap: Decimal | None = Field(default=None, gt=0)
    exclusive_with: list[str] = Field(default_factory=list, description="reliefs a taxpayer must choose between")
    applications: list[Application] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> ZoneRelief:
        listed_once([r.qualification for r in self.reliefs], "qualification")
        for a in self.applications:
            if a.closes < a.opens:
                raise ValueError(f"application window of {a.city} {a.tax_year} closes before it opens")
            if self.cities and a.city not in self.cities:
                raise ValueError(f"application window for {a.city}, which is not one of the cities")
        return self

    def relief_for(self, qualification: str) -> Relief | None:
        return next((r for r in self.reliefs if r.qualification == qualification), None)

    @property
    def cap_fen(self) -> int | None:
        return None if self.cap is None else yuan_to_fen(self.cap)

    def application(self, city: str, tax_year: int) -> Application | None:
        return next((a for a in self.applications if a.city == city and a.tax_year == tax_year), None)
