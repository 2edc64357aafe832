"""A full-month scenario file (YAML or JSON) → :class:`expatcn.gross_to_net.MonthInputs`.

The tax scenario of :mod:`expatcn.io.scenario` (year, person, employment, every_month, months)
plus where and how the employee is insured; ``employee_contributions`` are computed, not given.

```yaml
name: Anna Schmidt, Shanghai 2025
year: 2025
city: shanghai
person: {resident: true, foreigner: true, allowance_exemption: true}
every_month: {wages: 50000, allowances: {housing: 12000}}
months: {12: {bonus: 100000}}
social:
  nationality: DE
  certificate: {from: 2023-01-01, until: 2025-06-30}   # certificate of coverage (agreement)
  housing_fund: true            # foreigners: enrolled or not (Chinese employees always are)
  housing_fund_rate: 0.07       # default: the city's highest
  work_injury_rate: 0.0016      # default: the lowest class
  contribution_wage: 45000      # default: each month's wages; or {1: 45000, 7: 48000} from that month on
  local_hukou: false
  opt_in: false                 # a foreigner joins the schemes a local rule makes optional
```
Errors name the file and the field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from expatcn.io.fields import Day
from expatcn.io.files import load_model
from expatcn.io.scenario import Scenario, ScenarioError, Yuan
from expatcn.law import Law
from expatcn.money import MoneyError, rate_to_ppm, yuan_to_fen
from expatcn.social.contributions import DEFAULT_RATE
from expatcn.gross_to_net import MonthInputs
from expatcn.social.participation import check_certificate, hk_macao_taiwan_residents


class Certificate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Day | None = Field(None, alias="from")
    until: Day


class Social(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nationality: str = Field("CN", pattern=r"^[A-Za-z]{2}$")
    certificate: Certificate | None = None
    housing_fund: bool | None = None
    housing_fund_rate: str | None = None
    work_injury_rate: str | None = None
    contribution_wage: Yuan | dict[int, Yuan] | None = None
    local_hukou: bool = False
    opt_in: bool = False
    home_coverage: bool = False  # a Hong Kong, Macao or Taiwan resident keeping their own social insurance

    @field_validator("housing_fund_rate", "work_injury_rate", mode="before")
    @classmethod
    def _rate(cls, value: object) -> object:
        if value is None:
            return None
        try:
            rate_to_ppm(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
        return str(value)

    @field_validator("contribution_wage", mode="before")
    @classmethod
    def _months(cls, value: object) -> object:
        if isinstance(value, dict):
            for key in value:
                if not str(key).isdigit() or not 1 <= int(str(key)) <= 12:
                    raise ValueError(f"month {key!r}: expected 1–12")
        return value


class MonthScenario(Scenario):
    """A tax scenario plus the city and the social insurance settings."""

    city: str
    social: Social = Social()

    @model_validator(mode="after")
    def _checks(self) -> MonthScenario:
        if self.every_month.employee_contributions is not None or any(
            m.employee_contributions is not None for m in self.months.values()
        ):
            raise ValueError("employee_contributions are computed from the city's tables; leave them out")
        foreign = self.person.foreigner
        if foreign and self.social.nationality.upper() == "CN":
            raise ValueError("social.nationality: a foreigner (person.foreigner) needs a nationality other than CN")
        if not foreign and self.social.nationality.upper() != "CN":
            raise ValueError("social.nationality: set person.foreigner: true for a foreign national")
        check_certificate(foreign, bool(self.social.certificate), "social.certificate")
        return self

    def contribution_wages(self, wages: np.ndarray) -> np.ndarray:
        """(1, 12) fen: the given contribution wage (a dict sets it from that month on), else the wages."""
        given = self.social.contribution_wage
        if given is None:
            return wages
        if not isinstance(given, dict):
            return np.full((1, 12), yuan_to_fen(given), dtype=np.int64)
        out = wages.copy()
        current = None
        for month in range(1, 13):
            if month in given:
                current = yuan_to_fen(given[month])
            if current is not None:
                out[0, month - 1] = current
        return out

    def to_month_inputs(self, law: Law) -> MonthInputs:
        income = self.to_inputs(law)
        s = self.social
        cert = s.certificate
        return MonthInputs(
            income=income,
            city=np.array([self.city.lower()]),
            contribution_wage=self.contribution_wages(income.wages),
            foreign=np.array([self.person.foreigner]),
            nationality=np.array([s.nationality.upper()]),
            hk_macao_taiwan=hk_macao_taiwan_residents(law, np.array([s.nationality])),
            home_coverage=np.array([s.home_coverage]),
            certificate_from=np.array([np.datetime64(cert.start or "NaT", "D")]) if cert else None,
            certificate_until=np.array([np.datetime64(cert.until, "D")]) if cert else None,
            opt_in=np.array([s.opt_in]),
            housing_fund=np.array([bool(s.housing_fund)]),
            local_hukou=np.array([s.local_hukou]),
            work_injury_rate=np.array([rate_to_ppm(s.work_injury_rate) if s.work_injury_rate else DEFAULT_RATE]),
            housing_fund_rate=np.array([rate_to_ppm(s.housing_fund_rate) if s.housing_fund_rate else DEFAULT_RATE]),
        )


def load_month_scenario(path: str | Path) -> MonthScenario:
    """Read and validate a full-month scenario; a :class:`ScenarioError` names the file and field."""
    return load_model(path, MonthScenario, ScenarioError)
