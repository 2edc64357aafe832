"""An assignment file (YAML or JSON) for ``expatcn plan``: one person's cross-border assignment,
to be run under several structures side by side over every year it lasts.

```yaml
title: Anna Schmidt — Munich to Shanghai, 2026–2028
person: {name: Anna Schmidt, nationality: DE}
home_country: DE                # where the person comes from (CN for a Chinese employee sent abroad)
host_country: CN                # where the person works (CN for an inbound assignment)
city: shanghai                  # the China city: where the person works (inbound) or is insured (outbound)
start: 2026-01-01
end: 2028-12-31
package:                        # every amount in package.currency, per month unless said otherwise
  currency: CNY
  salary_monthly: 60000
  salary_by_year: {2027: 62000, 2028: 64000}     # from that year on
  allowances: {housing: 15000, children_education: 8000}   # expat allowances by kind (exempt kinds)
  bonus: {amount: 120000, month: 12}             # paid every year of the assignment in that month
travel:
  trips: trips.csv              # stays in China (inbound); default: in China from start to end
  business_days_per_month: 6    # the short-term business traveller structure's days in China
certificate: {from: 2026-01-01}                   # certificate of coverage; until = the agreement's maximum
foreign_employer_class: under_150                 # where the other country's rates depend on the employer (KR)
split_payroll: {paid_abroad_share: 0.4}           # part of salary and bonus paid by the home entity
fx: {EUR: 7.80}                 # RMB per unit, given by the user (no rate is ever looked up)
projections: [projections/shanghai_held_to_2028]  # labelled assumptions for months the law tables lack
structures: [local_hire, secondment_certificate]  # default: every structure of the direction
host_tax: {options: {church: BY}}                 # outbound: the host income tax's own choices
equalization:                                     # tax equalization (the employer pays the actual taxes)
  hypothetical_tax: {rate: "0.25"}                # or {monthly: …} or {table: [{up_to, rate, quick_deduction}, …]}
  hypothetical_contributions: {rate: "0.105", base_cap: 37302}   # or {monthly: …}
```
Errors name the file and the field. Amounts are exact decimals (two places at most).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from expatcn.errors import InputError
from expatcn.io.equalization_file import Hypothetical, hypothetical_contributions, hypothetical_tax
from expatcn.io.fields import Day
from expatcn.io.files import describe, read_mapping
from expatcn.io.trips import TripFileError, read_trip_records
from expatcn.money import MoneyError, exchange_rate, yuan_amount
from expatcn.planning import assignment as domain
from expatcn.planning.structures import of_direction


class AssignmentFileError(InputError):
    """An assignment file that cannot be read; the message names the file and the field."""


Amount = Annotated[Decimal, BeforeValidator(yuan_amount)]  # the one amount parser (expatcn.money)


def _country(value: object) -> str:
    text = str(value).strip().upper()
    if len(text) != 2 or not text.isalpha():
        raise ValueError(f"expected an ISO 3166 alpha-2 code such as DE, US, CN, got {value!r}")
    return text


Country = Annotated[str, BeforeValidator(_country)]


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "assignee"
    nationality: Country = "CN"
    allowance_exemption: bool = Field(True, description="a foreigner elects the allowance exemption each year")
    special_additional_deductions: Amount = Field(Decimal(0), description="RMB per month (residents, when not electing the exemption)")
    housing_fund: bool | None = Field(None, description="foreigners: enrolled in the housing fund (Chinese: always)")
    prior_years: int = Field(0, ge=0, description="qualifying years for the six-year clock before the trips start")


class Bonus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    month: int = Field(12, ge=1, le=12)


class Package(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    salary_monthly: Amount
    salary_by_year: dict[int, Amount] = Field(default_factory=dict, description="monthly salary from that year on")
    allowances: dict[str, Amount] = Field(default_factory=dict, description="monthly expat allowances by kind")
    bonus: Bonus | None = None
    china_contribution_wage: Amount | None = Field(None, description="RMB monthly contribution wage (default: the salary)")
    host_wage_monthly: Amount | None = Field(None, description="outbound: the host-payroll wage in the host currency "
                                                               "(default: the salary at the fx rates)")

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value


class Trip(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry: Day
    exit: Day | None = None


class Travel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trips: str | list[Trip] | None = Field(None, description="stays in China: a trips file or a list of {entry, exit}")
    business_days_per_month: int = Field(6, ge=1, le=28, description="short-term business traveller: days in China a month")


class Certificate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Day | None = Field(None, alias="from", description="default: the assignment start")
    until: Day | None = Field(None, description="default: start + the agreement's maximum − 1 day")


class SplitPayroll(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paid_abroad_share: Decimal = Field(ge=0, le=1, description="share of salary and bonus paid by the home entity")


class HostTax(BaseModel):
    model_config = ConfigDict(extra="forbid")

    options: dict[str, object] = Field(default_factory=dict, description="the host income tax's own choices, e.g. "
                                       "{church: BY} (DE), {filing_status: married_joint} (US)")


class EqualizationPolicy(BaseModel):
    """The employer's tax-equalization policy (the forms of ``expatcn equalize``)."""

    model_config = ConfigDict(extra="forbid")

    hypothetical_tax: Hypothetical
    hypothetical_contributions: Hypothetical

    @model_validator(mode="after")
    def _contributions(self) -> EqualizationPolicy:
        if self.hypothetical_contributions.table is not None:
            raise ValueError("hypothetical_contributions: give monthly or rate (with base_cap), not a table")
        return self


class AssignmentFile(BaseModel):
    """One assignment; see the module docstring for an example."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    person: Person = Person()
    home_country: Country
    host_country: Country
    city: str = Field(description="China city of the social insurance tables, e.g. shanghai")
    start: Day
    end: Day
    package: Package
    travel: Travel = Travel()
    certificate: Certificate | None = None
    foreign_employer_class: str | None = Field(
        None, description="the employer's class in the other country where its rates depend on it "
        "(KR by size: under_150, priority_support_150_plus, from_150_to_999, from_1000); default: the table's default"
    )
    split_payroll: SplitPayroll = SplitPayroll(paid_abroad_share=Decimal("0.5"))
    fx: dict[str, Decimal] = Field(default_factory=dict, description="RMB per unit of each currency, given by the user")
    projections: list[str] = Field(default_factory=list, description="projection overlays (assumptions), by name or path")
    structures: list[str] | None = None
    host_tax: HostTax = HostTax()
    equalization: EqualizationPolicy | None = Field(
        None, description="tax equalization: the hypothetical home tax and contributions the assignee bears (RMB)")

    @field_validator("city")
    @classmethod
    def _city(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("fx", mode="before")
    @classmethod
    def _fx(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        rates = {}
        for code, rate in value.items():
            code = str(code).strip().upper()
            if len(code) != 3 or not code.isalpha():
                raise ValueError(f"{code!r}: expected a currency code such as USD")
            try:
                rates[code] = exchange_rate(rate)
            except MoneyError as exc:
                raise ValueError(f"{code}: {exc}") from None
        return rates

    @model_validator(mode="after")
    def _checks(self) -> AssignmentFile:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.end.year - self.start.year > 9:
            raise ValueError(f"end: an assignment of at most ten calendar years, got {self.start.year}–{self.end.year}")
        if (self.home_country == "CN") == (self.host_country == "CN"):
            raise ValueError("home_country / host_country: exactly one of them must be CN "
                             f"(inbound: host CN; outbound: home CN), got {self.home_country} → {self.host_country}")
        if self.inbound and self.person.nationality == "CN":
            raise ValueError("person.nationality: an inbound assignee is a foreign national (give e.g. DE)")
        if not self.inbound and self.person.nationality != "CN":
            raise ValueError("person.nationality: an outbound assignee is a Chinese national (CN)")
        if self.inbound and self.person.allowance_exemption and self.person.special_additional_deductions:
            raise ValueError("person.special_additional_deductions: a foreigner who elects the allowance exemption "
                             "cannot also claim them (MOF/STA Announcement 2023 No. 29); set allowance_exemption: false")
        allowed = of_direction(self.direction)
        for name in self.structures or ():
            if name not in allowed:
                raise ValueError(f"structures: {name!r} is not a structure of an {self.direction} assignment; "
                                 f"expected some of {', '.join(allowed)}")
        for year in self.package.salary_by_year:
            if not self.start.year <= year <= self.end.year:
                raise ValueError(f"package.salary_by_year: {year} is outside the assignment ({self.start.year}–{self.end.year})")
        return self

    @property
    def inbound(self) -> bool:
        return self.host_country == "CN"

    @property
    def direction(self) -> str:
        return "inbound" if self.inbound else "outbound"

    _trips: list | None = PrivateAttr(None)

    def to_assignment(self) -> domain.Assignment:
        """The planner's assignment (trips read from a file when this was loaded by
        :func:`parse_assignment`)."""
        p, pkg = self.person, self.package
        return domain.Assignment(
            home_country=self.home_country, host_country=self.host_country, city=self.city, start=self.start,
            end=self.end, title=self.title,
            person=domain.Person(p.name, p.nationality, p.allowance_exemption, p.special_additional_deductions,
                                 p.housing_fund, p.prior_years),
            package=domain.Package(
                pkg.salary_monthly, pkg.currency, dict(pkg.salary_by_year), dict(pkg.allowances),
                None if pkg.bonus is None else domain.Bonus(pkg.bonus.amount, pkg.bonus.month),
                pkg.china_contribution_wage, pkg.host_wage_monthly),
            stays=tuple(self._trips or ()), business_days_per_month=self.travel.business_days_per_month,
            certificate=None if self.certificate is None else domain.Certificate(
                self.certificate.start, self.certificate.until),
            foreign_employer_class=self.foreign_employer_class, paid_abroad_share=self.split_payroll.paid_abroad_share,
            fx=dict(self.fx), projections=tuple(self.projections), structures=tuple(self.structures or ()),
            host_tax_options=dict(self.host_tax.options),
            equalization=None if self.equalization is None else domain.Equalization(
                hypothetical_tax(self.equalization.hypothetical_tax),
                hypothetical_contributions(self.equalization.hypothetical_contributions)),
        )


def _at(source: str | None, message: str) -> str:
    return f"{source}: {message}" if source else message


def parse_assignment(raw: object, source: str | None = "assignment", base: Path | None = None) -> AssignmentFile:
    """Validate a parsed assignment (dict); errors start with ``source`` (None: with the field).
    A trips file is read relative to ``base``, the folder of the assignment file; without one
    (data sent over HTTP) only inline trips are taken."""
    try:
        model = AssignmentFile.model_validate(raw)
    except ValidationError as exc:
        raise AssignmentFileError(_at(source, describe(exc))) from None
    trips = model.travel.trips
    if isinstance(trips, str):
        if base is None:
            raise AssignmentFileError(_at(source, "travel.trips: give the trips inline as a list of {entry, exit}; "
                                                  "a trips file is read only beside an assignment file"))
        path = Path(trips)
        if not path.is_absolute():
            path = base / path
        try:
            records = read_trip_records(path)
        except (OSError, TripFileError) as exc:
            raise AssignmentFileError(_at(source, f"travel.trips: {exc}")) from None
        model._trips = [(r.entry.date(), None if r.exit is None else r.exit.date()) for r in records]
    elif isinstance(trips, list):
        for i, trip in enumerate(trips):
            if trip.exit is not None and trip.exit < trip.entry:
                raise AssignmentFileError(_at(source, f"travel.trips.{i}: exit {trip.exit} is before entry {trip.entry}"))
        model._trips = [(t.entry, t.exit) for t in trips]
    return model


def _merge(defaults: dict, item: dict) -> dict:
    """``item`` over ``defaults``, one level deep for mappings (``package``, ``person``, ``fx``, …)."""
    merged = dict(defaults)
    for key, value in item.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def parse_assignments(raw: object, source: str | None = "assignment", base: Path | None = None) -> list[AssignmentFile]:
    """An assignment, or one with ``alternatives:`` — the same person and package with
    alternative destinations or terms; each alternative overrides the fields around it (mappings
    one level deep). Errors name the source, the alternative and the field."""
    if not isinstance(raw, dict):
        raise AssignmentFileError(_at(source, "expected a mapping of fields (title, person, home_country, …)"))
    raw = dict(raw)
    alternatives = raw.pop("alternatives", None)
    if alternatives is None:
        return [parse_assignment(raw, source, base)]
    if not isinstance(alternatives, list) or not alternatives:
        raise AssignmentFileError(_at(source, "alternatives: expected a list of assignments (host_country, …)"))
    out = []
    for i, item in enumerate(alternatives):
        where = _at(source, f"alternatives.{i}")
        if not isinstance(item, dict):
            raise AssignmentFileError(f"{where}: expected a mapping of fields")
        try:
            out.append(parse_assignment(_merge(raw, item), where, base))
        except AssignmentFileError as exc:
            raise AssignmentFileError(str(exc).replace(f"{where}: ", f"{where}.", 1)) from None
    return out


def load_assignments(path: str | Path) -> list[AssignmentFile]:
    """An assignment file, with or without ``alternatives:`` (see :func:`parse_assignments`)."""
    path = Path(path)
    return parse_assignments(read_mapping(path, AssignmentFileError), str(path), path.parent)


def load_assignment(path: str | Path) -> AssignmentFile:
    """Read and validate an assignment file (one assignment); an :class:`AssignmentFileError`
    names the file and field."""
    path = Path(path)
    return parse_assignment(read_mapping(path, AssignmentFileError), str(path), path.parent)
