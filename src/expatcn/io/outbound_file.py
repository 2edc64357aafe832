"""An outbound scenario file (YAML or JSON) for ``expatcn outbound``: Chinese employees sent
abroad, each with the host wage, the certificate of coverage and the China side that continues.

```yaml
title: Two engineers abroad
fx_cny_per_unit: {USD: 7.10}
assignments:
  - name: Li Wei — Chicago
    host_country: US
    start: 2025-01-01
    end: 2026-12-31
    host_wage_monthly: 10000
    host_wage_by_month: {2025-12: 25000}      # a bonus month
    home_city: shanghai                      # China contributions continue here …
    china_base_monthly: 20000                # … on this RMB base
    certificate: {from: 2025-01-01}          # until = start + the agreement's maximum − 1 day
    china_worldwide_income: true             # China taxes the pay abroad (domiciled); the host tax is credited
```
Errors name the file and the field; the host country must be one the law has tables for.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.io.fields import Day
from expatcn.io.files import load_model
from expatcn.law import Law
from expatcn.money import exchange_rate, yuan_amount
from expatcn.social.host import host_countries


class OutboundFileError(InputError):
    """An outbound scenario that cannot be read; the message names the file and the field."""


# the one amount parser (expatcn.money): ≥ 0, at most two decimals, at most 100 million
Amount = Annotated[Decimal, BeforeValidator(yuan_amount), Field(description="an amount in the currency named, e.g. 12500.00")]


class CertificateInput(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Day | None = Field(default=None, alias="from", description="defaults to the assignment start")
    until: Day | None = Field(default=None, description="defaults to start + the agreement's maximum − 1 day")
    apply: bool = Field(default=True, description="false: no certificate is applied for")


class Assignment(BaseModel):
    """One outbound assignment as written in a scenario file."""

    model_config = ConfigDict(extra="forbid")

    name: str
    host_country: str = Field(description="ISO 3166 alpha-2, e.g. US, DE")
    start: Day
    end: Day
    host_wage_monthly: Amount = Field(description="monthly wage on the host payroll, host currency")
    host_wage_by_month: dict[str, Amount] = Field(
        default_factory=dict, description="overrides by month 'YYYY-MM' (bonus months, part months)"
    )
    home_city: str | None = Field(default=None, description="China city where contributions continue, e.g. shanghai")
    china_contributions_continue: bool = True
    china_base_monthly: Amount | None = Field(default=None, description="RMB contribution base in the home city")
    certificate: CertificateInput = Field(default_factory=CertificateInput)
    host_not_applicable: list[str] = Field(default_factory=list, description="host scheme keys that do not apply")
    host_employer_class: str | None = Field(
        default=None, description="the host employer's class where a rate depends on it (KR by size: under_150, "
        "priority_support_150_plus, from_150_to_999, from_1000); default: the table's default class"
    )
    china_worldwide_income: bool = Field(
        default=True, description="a China resident taxed on worldwide income: a domiciled Chinese national (the "
        "default), or a foreigner resident in China past the six-year clock; false: no China tax on the pay abroad"
    )

    @field_validator("host_country")
    @classmethod
    def _country(cls, value: str, info: ValidationInfo) -> str:
        """An ISO alpha-2 code; with a validation context ``{"host_countries": …}`` (the law's,
        :func:`expatcn.social.host.host_countries`), one of those."""
        code = value.strip().upper()
        known = (info.context or {}).get("host_countries")
        if not (len(code) == 2 and code.isalpha()) or (known is not None and code not in known):
            expected = f"one of {', '.join(known)}" if known is not None else "a country code"
            raise ValueError(f"expected {expected} (ISO alpha-2), got {value!r}")
        return code

    @field_validator("host_wage_by_month")
    @classmethod
    def _months(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        months = {}
        for key in value:
            try:
                month = str(Month.parse(key))
            except InputError:
                raise ValueError(f"month keys must be 'YYYY-MM', got {key!r}") from None
            if month in months:
                raise ValueError(f"month {month} given twice ({months[month]!r} and {key!r})")
            months[month] = key
        return {str(Month.parse(k)): v for k, v in value.items()}

    @model_validator(mode="after")
    def _dates(self) -> Assignment:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        outside = [m for m in self.host_wage_by_month if not Month.of(self.start) <= Month.parse(m) <= Month.of(self.end)]
        if outside:
            raise ValueError(f"host_wage_by_month.{outside[0]}: the month is outside the assignment "
                             f"({self.start} to {self.end})")
        return self


class OutboundScenario(BaseModel):
    """A scenario file for ``expatcn outbound``."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    assignments: list[Assignment] = Field(min_length=1)
    fx_cny_per_unit: dict[str, Annotated[Decimal, BeforeValidator(exchange_rate)]] = Field(
        default_factory=dict, description="optional RMB per host currency unit, e.g. {USD: '7.10'}"
    )


def load_outbound_scenario(path: str | Path, law: Law) -> OutboundScenario:
    """Read and validate an outbound scenario (.yaml or .json) against the host countries ``law``
    has tables for; errors name the file and the field."""
    return load_model(path, OutboundScenario, OutboundFileError, {"host_countries": host_countries(law)})
