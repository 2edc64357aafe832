"""Schemas of the international social security tables: China's bilateral agreements
(``law/social/agreements.yaml``) and host countries' contributions (``law/social/host/<iso2>.yaml``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from expatcn.law.model import Confidence, Source
from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue

ChinaScheme = Literal["pension", "medical", "unemployment", "work_injury", "maternity", "housing_fund"]
CHINA_SCHEMES: tuple[str, ...] = ("pension", "medical", "unemployment", "work_injury", "maternity", "housing_fund")

# The branch of social security a host-country scheme belongs to; an agreement names the branches
# it removes in the partner country, and the double-contribution exposure pairs branches.
Branch = Literal["pension", "medical", "unemployment", "long_term_care", "work_injury", "family", "disability", "other"]


class Agreement(LawValue):
    """One bilateral social security agreement between China and a partner country."""

    country: str = Field(pattern=r"^[A-Z]{2}$", description="partner country, ISO 3166 alpha-2")
    name: str
    signed: dt.date
    in_force: dt.date | None = Field(description="entry into force; null while not (known to be) in force")
    china_exempt: list[ChinaScheme] = Field(description="China schemes a certificate of the partner country removes")
    china_exempt_detail: str
    partner_exempt_branches: list[Branch] = Field(description="partner schemes a Chinese certificate removes")
    partner_exempt_detail: str
    max_secondment_months: int | None = Field(description="maximum secondment; null where no source gives it")
    extension: str | None = None
    extension_months: int | None = Field(default=None, description="further months an extension may add, if known")
    certificate_partner: str | None = Field(default=None, description="certificate issued by the partner country")
    certificate_china: str | None = Field(default=None, description="certificate issued in China")
    confidence: Confidence
    note: str | None = None
    sources: list[Source] = Field(min_length=1)

    def in_force_on(self, day: dt.date) -> bool:
        return self.in_force is not None and self.in_force <= day


@value_schema("social_agreements")
class SocialAgreements(LawValue):
    """China's bilateral social security agreements (each with its own dates and sources)."""

    agreements: list[Agreement] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SocialAgreements:
        countries = [a.country for a in self.agreements]
        if len(set(countries)) != len(countries):
            raise ValueError(f"an agreement is listed twice: {countries}")
        return self

    def for_country(self, iso2: str) -> Agreement | None:
        for agreement in self.agreements:
            if agreement.country == iso2.upper():
                return agreement
        return None


class EmployerClass(LawValue):
    """A class of employer on which a host rate depends, e.g. Korea's employment-security levy by
    the employer's size (Employment Insurance Premium Collection Act Enforcement Decree art. 12)."""

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    name_zh: str


class HostScheme(LawValue):
    """One host-country contribution, computed on the monthly wage in this order:
    wage × ``base_share`` → raised to ``monthly_floor`` → clipped at ``monthly_ceiling`` → less
    ``monthly_exemption`` (not below 0) → where ``cumulative`` is ``year``, ``quarter`` or
    ``year_from_july`` (a July–June financial year), only the
    part of the running total for the window that falls between ``cumulative_threshold`` and
    ``cumulative_ceiling`` (annual wage bases such as US FICA's, Canada's YMPE). Amounts are in the
    table's currency. Where the employer's rate depends on its class, ``employer_rate_by_class``
    gives it for every class of the table instead of ``employer_rate``."""

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    branch: Branch
    employer_rate: Decimal | None = Field(default=None, ge=0, le=1)
    employer_rate_by_class: dict[str, Decimal] | None = Field(
        default=None, description="employer rate by the table's employer class (instead of employer_rate)"
    )
    employee_rate: Decimal = Field(ge=0, le=1)
    base_share: Decimal = Field(default=Decimal(1), gt=0, le=1)
    monthly_floor: Decimal | None = None
    monthly_ceiling: Decimal | None = None
    monthly_exemption: Decimal = Decimal(0)
    cumulative: Literal["none", "year", "quarter", "year_from_july"] = "none"
    cumulative_threshold: Decimal = Decimal(0)
    cumulative_ceiling: Decimal | None = None
    confidence: Confidence = "high"
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> HostScheme:
        if (self.employer_rate is None) == (self.employer_rate_by_class is None):
            raise ValueError(f"{self.key}: give employer_rate or employer_rate_by_class (one of them)")
        if self.employer_rate_by_class and not all(0 <= r <= 1 for r in self.employer_rate_by_class.values()):
            raise ValueError(f"{self.key}: employer rates by class must be between 0 and 1")
        if self.cumulative == "none" and (self.cumulative_threshold or self.cumulative_ceiling is not None):
            raise ValueError(f"{self.key}: a cumulative threshold or ceiling needs a cumulative window")
        if self.cumulative_ceiling is not None and self.cumulative_ceiling <= self.cumulative_threshold:
            raise ValueError(f"{self.key}: cumulative_ceiling must exceed cumulative_threshold")
        if self.monthly_floor is not None and self.monthly_ceiling is not None and self.monthly_floor > self.monthly_ceiling:
            raise ValueError(f"{self.key}: monthly_floor above monthly_ceiling")
        return self

    def employer_rate_for(self, employer_class: str | None) -> Decimal:
        """The employer rate for a class of the table (``None``: a scheme without classes)."""
        if self.employer_rate_by_class is None:
            return self.employer_rate or Decimal(0)
        return self.employer_rate_by_class[employer_class or ""]


@value_schema("host_social_security")
class HostSocialSecurity(LawValue):
    """A host country's employer and employee social security contributions in one period."""

    country: str = Field(pattern=r"^[A-Z]{2}$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    minor_per_unit: int = Field(default=100, description="minor units per currency unit (JPY, KRW: 1)")
    schemes: list[HostScheme]
    not_modelled: list[str] = Field(default_factory=list, description="contributions known to exist but not in the table")
    employer_classes: list[EmployerClass] = Field(
        default_factory=list, description="classes of employer that some employer rates depend on"
    )
    default_employer_class: str | None = Field(
        default=None, description="the class assumed where the employer's class is not given"
    )

    @model_validator(mode="after")
    def _unique(self) -> HostSocialSecurity:
        keys = [s.key for s in self.schemes]
        if len(set(keys)) != len(keys):
            raise ValueError(f"scheme keys repeat: {keys}")
        classes = [c.key for c in self.employer_classes]
        if len(set(classes)) != len(classes):
            raise ValueError(f"employer classes repeat: {classes}")
        if classes and self.default_employer_class not in classes:
            raise ValueError(f"default_employer_class must be one of {classes}")
        if not classes and self.default_employer_class is not None:
            raise ValueError("default_employer_class needs employer_classes")
        for scheme in self.schemes:
            if scheme.employer_rate_by_class is not None and set(scheme.employer_rate_by_class) != set(classes):
                raise ValueError(f"{scheme.key}: employer_rate_by_class must give a rate for each of {classes}")
        return self

    def employer_class(self, key: str | None) -> EmployerClass | None:
        """The employer class ``key`` (``None``: the default); ``None`` where the table has no classes."""
        if not self.employer_classes:
            if key is not None:
                raise ValueError(f"{self.country} rates do not depend on the employer's class; got class {key!r}")
            return None
        wanted = key or self.default_employer_class
        for cls in self.employer_classes:
            if cls.key == wanted:
                return cls
        known = ", ".join(c.key for c in self.employer_classes)
        raise ValueError(f"{self.country} employer class {key!r} is not known; expected one of {known}")


__all__ = ["Agreement", "SocialAgreements", "EmployerClass", "HostScheme", "HostSocialSecurity", "CHINA_SCHEMES"]
