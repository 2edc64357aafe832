"""A person-year scenario file (YAML or JSON) → engine inputs.

```yaml
name: Anna Schmidt, Shanghai 2026
year: 2026
person: {resident: true, foreigner: true, allowance_exemption: true, bonus_method: lower_tax}
employment: {from: 1, to: 12}          # months employed by this withholding agent
every_month:                           # repeated in every employed month
  wages: 60000
  allowances: {housing: 12000, children_education: 8000}
  employee_contributions: 3500
months:                                # per-month additions and overrides, 1–12 or "2026-03"
  12: {bonus: 120000}
```
Every amount is in yuan with at most two decimals. Errors name the file and the field.

A regional relief (Greater Bay Area, Hainan, Hengqin, Qianhai, Hetao, Nansha) is claimed with
``person.zone`` and computed on the year (``expatcn.iit.zone_relief``):

```yaml
person: {foreigner: true, zone: {name: gba, qualification: talent, city: shenzhen}}
# or {name: hengqin, qualification: macao_resident, other_side_tax: 20000}
```

Instead of ``person.resident``, a foreigner's year can come from travel records: ``person.trips``
(a trips file, relative to the scenario file, or a list of ``{entry, exit}``), with ``wages`` the
total wages of the month and ``paid_abroad`` the part paid or borne outside China. The residency
engine (``expatcn.residency``) then decides the status and the sourcing situation and turns total
wages into China-taxable wages month by month (MOF/STA 2019 No. 34 and No. 35):

```yaml
person: {foreigner: true, trips: trips_2026.csv, treaty: DE}
every_month: {wages: 80000, paid_abroad: 30000}
months:
  12: {bonus: 120000, bonus_paid_abroad: 120000, bonus_period: {from: 2026-01, to: 2026-12}}
```
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from expatcn.dates import Month, parse_day
from expatcn.errors import InputError
from expatcn.io.fields import Day
from expatcn.iit.allowances import check_kinds
from expatcn.iit.exempt_income import check_kinds as check_exempt_kinds
from expatcn.iit.foreign_currency import Conversion, Parities
from expatcn.iit.inputs import BonusMethod, YearInputs
from expatcn.iit.person_year import YearResult
from expatcn.iit.special_additional import Claims, price
from expatcn.iit.zone_relief import ZoneClaims, ZoneRelief, zone_relief, zones
from expatcn.io.amounts import Amount, Yuan
from expatcn.io.files import load_model
from expatcn.io.scenario_fx import months_in_yuan
from expatcn.io.scenario_reconciliation import (
    Employment,
    OtherPayer,
    ReconciliationClaims,
    claim_columns,
    month_keys,
    other_payer_columns,
)
from expatcn.io.scenario_trips import LUMP_SUMS, TripsResidency, from_trips
from expatcn.law import Law
from expatcn.money import fen_to_decimal, rate_to_ppm, yuan_to_fen


class ScenarioError(InputError):
    """A scenario file that cannot be read; the message names the file and the field."""




def _day(value: object, last: bool) -> object:
    """``YYYY-MM-DD`` as is; ``YYYY-MM``: its first (``from``) or last (``to``) day."""
    if isinstance(value, str) and len(value.strip()) == 7:
        try:
            month = Month.parse(value)
        except InputError:
            raise ValueError(f"expected a date YYYY-MM-DD or a month YYYY-MM, got {value!r}") from None
        return month.last if last else month.first
    return parse_day(value)


class Period(BaseModel):
    """The period a bonus or equity income relates to (MOF/STA 2019 No. 35 §1(2)): ``from``/``to``
    as dates ``YYYY-MM-DD`` or months ``YYYY-MM`` (inclusive)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Annotated[dt.date, BeforeValidator(lambda v: _day(v, last=False))] = Field(alias="from")
    end: Annotated[dt.date, BeforeValidator(lambda v: _day(v, last=True))] = Field(alias="to")

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self


class MonthItems(BaseModel):
    """What one month holds; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    wages: Amount | None = None
    allowances: dict[str, Amount] | None = None
    employee_contributions: Amount | None = None
    special_additional_deductions: Amount | Claims | None = None
    other_deductions: Amount | None = None
    tax_reductions: Amount | None = None
    bonus: Amount | None = None
    labour: Amount | None = None
    equity: Amount | None = None
    employed: bool | None = None
    # with person.trips: the parts paid or borne outside China, and the periods lump sums relate to
    paid_abroad: Amount | None = None
    bonus_paid_abroad: Amount | None = None
    bonus_period: Period | None = None
    equity_paid_abroad: Amount | None = None
    equity_period: Period | None = None
    # before 2019: the months of China work the equity income relates to (Caishui [2005] No. 35)
    equity_months: int | None = Field(None, ge=1)
    # income of the kinds of law/iit/exempt_income (insurance_indemnity, statutory_allowance, …)
    exempt: dict[str, Amount] | None = None
    severance: Amount | None = None
    # other deductions paid this month and claimed at withholding (capped by the law of the month)
    individual_pension: Amount | None = None
    commercial_health_insurance: Amount | None = None
    tax_deferred_pension: Amount | None = None


class ZoneClaim(BaseModel):
    """A regional relief the person qualifies for (``iit/zone_relief``): the zone's table name
    (gba, hainan, hengqin, qianhai, hetao, nansha), the qualification the zone's list or residence
    gives, the city that pays a GBA subsidy, the Hong Kong or Macao tax on the same income where
    the relief is measured against it, and the zone's share of the income (1 = all of it)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z]+$")
    qualification: Literal["talent", "hong_kong_resident", "macao_resident"]
    city: str | None = Field(None, pattern=r"^[a-z]+$")
    other_side_tax: Yuan | None = None
    share: Decimal = Field(Decimal(1), gt=0, le=1)


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resident: bool = True
    foreigner: bool = False
    allowance_exemption: bool = False
    bonus_method: Literal["separate", "combined", "lower_tax"] = "separate"
    first_income_this_year: bool = False
    low_income_last_year: bool = False
    intern: bool = False
    pilot_region: bool = False
    local_average_wage: Yuan | None = None
    # leaving China (``expatcn departure``): the day of departure, and whether the person returns in the year
    departure: Day | None = None
    returns: bool = False
    # residency from travel records instead of ``resident`` (expatcn.residency)
    trips: str | list | None = None
    trips_person: str | None = None
    domiciled: bool = False
    executive: bool = False
    overseas_post: bool = True
    treaty: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    treaty_claim: bool = False
    history_from: int | None = Field(None, ge=1994)
    prior_years: int = Field(0, ge=0)
    zone: ZoneClaim | None = None

    @model_validator(mode="after")
    def _trips_or_flag(self) -> Person:
        given = self.model_fields_set
        if self.trips is not None and "resident" in given:
            raise ValueError("give either person.resident or person.trips (with trips, the status comes from the days)")
        if self.trips is None:
            needs = [name for name in TRIPS_FIELDS if name in given]
            if needs:
                raise ValueError(f"person.{needs[0]} needs person.trips (travel records)")
        return self


TRIPS_FIELDS = ("trips_person", "domiciled", "executive", "overseas_post", "treaty", "treaty_claim",
                "history_from", "prior_years")


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "scenario"
    year: int = Field(ge=2011, le=2030)
    person: Person = Person()
    employment: Employment = Employment()
    every_month: MonthItems = MonthItems()
    months: dict[int, MonthItems] = {}
    other_payers: list[OtherPayer] = []
    reconciliation: ReconciliationClaims | None = None
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")  # of the months' bare amounts (IIT Regulations art. 32)
    _source: Path | None = PrivateAttr(None)  # the file read, for paths relative to it
    _fx: Parities | None = PrivateAttr(None)  # central parity rates (--fx)

    @model_validator(mode="after")
    def _history(self) -> Scenario:
        if self.person.history_from is not None and self.person.history_from > self.year:
            raise ValueError(f"person.history_from {self.person.history_from} is after the tax year {self.year}")
        departure = self.person.departure
        if departure is not None:
            if departure.year != self.year:
                raise ValueError(f"person.departure {departure} is not in the tax year {self.year}")
            late = [m for m, items in self.months.items() if m > departure.month and items.model_dump(exclude_none=True)]
            if late:
                raise ValueError(f"months.{late[0]}: pay after person.departure {departure} (the month of departure "
                                 "is the last one employed here)")
        return self

    @field_validator("months", mode="before")
    @classmethod
    def _month_keys(cls, value: object, info) -> object:
        return month_keys(value, info.data.get("year"))

    @field_validator("other_payers", mode="before")
    @classmethod
    def _payer_month_keys(cls, value: object, info) -> object:
        if not isinstance(value, list):
            return value
        return [{**payer, "months": month_keys(payer["months"], info.data.get("year"))}
                if isinstance(payer, dict) and "months" in payer else payer for payer in value]

    def month_items(self) -> list[MonthItems]:
        """The 12 months after applying ``every_month`` to employed months and the overrides."""
        base = self.every_month.model_dump(exclude_none=True)
        result = []
        for month in range(1, 13):
            employed = self.employment.start <= month <= self.employment.end
            merged = dict(base) if employed else {}
            merged["employed"] = employed
            if month in self.months:
                merged.update(self.months[month].model_dump(exclude_none=True))
            result.append(MonthItems.model_validate(merged))
        return result

    def to_inputs(self, law: Law) -> YearInputs:
        """Engine inputs for this person (a batch of one)."""
        return self.prepare(law).inputs

    def prepare(self, law: Law) -> Prepared:
        """Engine inputs, and, where the year comes from travel records, the residency assessment
        and how total wages became China-taxable wages. Errors name the file (if read from one)."""
        try:
            return self._prepare(law)
        except ScenarioError as exc:
            if self._source is None or str(exc).startswith(str(self._source)):
                raise
            raise ScenarioError(f"{self._source}: {exc}") from None

    def with_rates(self, parities: Parities | None) -> Scenario:
        """This scenario with the central parity rates its foreign-currency amounts convert at."""
        self._fx = parities
        return self

    def _prepare(self, law: Law) -> Prepared:
        conversions: list[Conversion] = []
        months = months_in_yuan(self.month_items(), self.currency, self.year, law, self._fx, "months", "withholding",
                                conversions)
        payer_months = [  # a payer that did not withhold: the tax is payable at the reconciliation
            months_in_yuan(p.month_items(), self.currency, self.year, law, self._fx, f"other_payers.{i}.months",
                           "withholding" if p.withheld else "reconciliation", conversions)
            for i, p in enumerate(self.other_payers)]
        columns, employed, abroad = self._columns(months, law)
        person = self.person
        residency = None
        if person.trips is None:
            for index, items in enumerate(months):
                for name in SOURCING_FIELDS:
                    if getattr(items, name) is not None:
                        raise ScenarioError(f"months.{index + 1}.{name}: needs person.trips (wages are apportioned by days in China)")
            resident = np.array([person.resident])
        else:
            residency = from_trips(self, months, columns, abroad, law, ScenarioError)
            resident = residency.assessment.status.resident.copy()
        inputs = YearInputs(
            year=self.year,
            employed=employed,
            resident=resident,
            foreigner=np.array([person.foreigner]),
            allowance_election=np.array([person.allowance_exemption]),
            bonus_method=np.array([BonusMethod[person.bonus_method.upper()]]),
            first_income_this_year=np.array([person.first_income_this_year]),
            low_income_last_year=np.array([person.low_income_last_year]),
            intern=np.array([person.intern]),
            pilot_region=np.array([person.pilot_region]),
            local_average_wage=np.array([0 if person.local_average_wage is None else yuan_to_fen(person.local_average_wage)]),
            ids=[self.name],
            **columns,
            **other_payer_columns(self.other_payers, self.year, law, payer_months),
            **claim_columns(self.reconciliation, self.year, law),
        )
        return Prepared(inputs, residency, self._zone_claims(law), conversions)

    def _zone_claims(self, law: Law) -> ZoneClaims | None:
        zone = self.person.zone
        if zone is None:
            return None
        known = zones(law)
        if zone.name not in known:
            raise ScenarioError(f"person.zone.name: {zone.name!r} is not a zone with a relief table (known: {', '.join(known)})")
        other = -1 if zone.other_side_tax is None else yuan_to_fen(zone.other_side_tax)
        return ZoneClaims(np.array([zone.name]), np.array([zone.qualification]), np.array([zone.city or ""]),
                          np.array([other]), np.array([rate_to_ppm(zone.share)]))

    def _columns(self, months: list[MonthItems], law: Law) -> tuple[dict, np.ndarray, dict]:
        """The monthly amounts in fen (1, 12), the employed months, and the parts paid abroad."""
        columns = {name: np.zeros((1, 12), dtype=np.int64) for name in (*OWN_AMOUNTS, "allowances",
                                                                        "special_additional_deductions", "equity_months")}
        kinds = sorted({kind for items in months for kind in (items.exempt or {})})
        columns["exempt_kinds"] = np.zeros((1, len(kinds), 12), dtype=np.int64)
        abroad = {name: np.zeros((1, 12), dtype=np.int64) for name in ("wages", *LUMP_SUMS)}
        employed = np.zeros((1, 12), dtype=bool)
        for index, items in enumerate(months):
            day = dt.date(self.year, index + 1, 1)
            employed[0, index] = bool(items.employed)
            for name in OWN_AMOUNTS:
                value = getattr(items, name)
                columns[name][0, index] = 0 if value is None else yuan_to_fen(value)
            columns["equity_months"][0, index] = items.equity_months or 0
            check_exempt_kinds(law, items.exempt or {}, f"months.{index + 1}.exempt", ScenarioError)
            for kind, amount in (items.exempt or {}).items():
                columns["exempt_kinds"][0, kinds.index(kind), index] = yuan_to_fen(amount)
            for name, field in (("wages", "paid_abroad"), ("bonus", "bonus_paid_abroad"), ("equity", "equity_paid_abroad")):
                value = getattr(items, field)
                abroad[name][0, index] = 0 if value is None else yuan_to_fen(value)
                if abroad[name][0, index] > columns[name][0, index]:
                    raise ScenarioError(
                        f"months.{index + 1}.{field}: {value} is more than the month's {name} "
                        f"({fen_to_decimal(columns[name][0, index])}); it is the part of them paid abroad"
                    )
            check_kinds(law, items.allowances or {}, f"months.{index + 1}.allowances", ScenarioError)
            for amount in (items.allowances or {}).values():
                columns["allowances"][0, index] += yuan_to_fen(amount)
            columns["special_additional_deductions"][0, index] = special_additional_amount(
                items.special_additional_deductions, law, day
            )
        if not kinds:
            del columns["exempt_kinds"]
        else:
            columns["exempt_kind_names"] = tuple(kinds)
        return columns, employed, abroad


OWN_AMOUNTS = ("wages", "employee_contributions", "other_deductions", "tax_reductions", "bonus", "labour", "equity",
               "severance", "individual_pension", "commercial_health_insurance", "tax_deferred_pension")
SOURCING_FIELDS = ("paid_abroad", "bonus_paid_abroad", "bonus_period", "equity_paid_abroad", "equity_period")


@dataclass
class Prepared:
    """What ``expatcn tax`` computes from: the engine inputs and, for a year from travel
    records, the residency behind them."""

    inputs: YearInputs
    residency: TripsResidency | None = None
    zone_claims: ZoneClaims | None = None
    conversions: list[Conversion] = field(default_factory=list)  # foreign-currency amounts, with the rate used

    def zone_relief(self, result: YearResult, law: Law) -> ZoneRelief | None:
        """The regional relief of the computed year, where the person claims one."""
        if self.zone_claims is None:
            return None
        try:
            return zone_relief(result, law, self.zone_claims)
        except InputError as exc:
            raise ScenarioError(f"person.zone: {exc}") from None


def special_additional_amount(claim: Decimal | Claims | None, law: Law, day: dt.date) -> int:
    """The month's special additional deductions in fen: an amount as given, or the declared
    items priced by :func:`expatcn.iit.special_additional.price`."""
    if claim is None or isinstance(claim, Claims):
        return price(claim, law, day)
    return yuan_to_fen(claim)


def load_scenario(path: str | Path, parities: Parities | None = None) -> Scenario:
    """Read and validate a scenario file (with the central parity rates its foreign-currency pay
    converts at); a :class:`ScenarioError` names the file and field."""
    scenario = load_model(path, Scenario, ScenarioError)
    scenario._source = Path(path)
    return scenario.with_rates(parities)
