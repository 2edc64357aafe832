"""Schemas of the host-country income tax tables (``law/host_tax/<iso2>.yaml``): the building
blocks (marginal bands, piecewise-linear amounts, rounding, the residence day rule) and one value
schema per country, named as that country's law names its parts.

Amounts are in the table's currency (``currency``, ``minor_per_unit`` minor units per unit).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue


class Band(LawValue):
    """One band of a cumulative-marginal schedule: ``rate`` on the slice up to ``up_to``."""

    up_to: Decimal | None = Field(description="inclusive upper bound of taxable income; null for the top band")
    rate: Decimal = Field(ge=0, le=1)


def _bands(bands: list[Band]) -> list[Band]:
    bounds = [b.up_to for b in bands[:-1]]
    if any(b is None for b in bounds) or bands[-1].up_to is not None:
        raise ValueError("only the last band may (and must) have up_to: null")
    if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
        raise ValueError("band bounds must rise strictly")
    return bands


Bands = Annotated[list[Band], AfterValidator(_bands)]


class Segment(LawValue):
    """One piece of a piecewise-linear amount of income ``x`` (a deduction, a credit, a levy):
    on ``start`` ≤ x < the next segment's start, ``base + rate × (x − start)``, then not above
    ``cap`` and not below ``floor``."""

    start: Decimal = Field(alias="from", ge=0)
    base: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)
    cap: Decimal | None = None
    floor: Decimal | None = None


def _segments(segments: list[Segment]) -> list[Segment]:
    starts = [s.start for s in segments]
    if not segments or starts[0] != 0:
        raise ValueError("the first segment must start at 0")
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        raise ValueError("segment starts must rise strictly")
    return segments


Piecewise = Annotated[list[Segment], AfterValidator(_segments)]


class Rounding(LawValue):
    """An amount the law rounds: to a multiple of ``step`` currency units, down or half up."""

    step: Decimal = Field(gt=0)
    mode: Literal["floor", "half_up"]
    rule: str = Field(description="the provision that rounds")


class Residence(LawValue):
    """What the host's own day count says about tax residence. ``weighted days`` = days this
    year + Σ weight × days in each earlier year; resident from ``resident_from_days`` (with at
    least ``minimum_current_days`` this year); non-resident below ``non_resident_below_days``;
    between the two, or where the law has no number, the day count alone does not decide."""

    rule: str
    resident_from_days: int | None = Field(default=None, gt=0)
    prior_year_weights: list[str] = Field(default_factory=list, description="fractions such as 1/3")
    minimum_current_days: int = Field(default=0, ge=0)
    non_resident_below_days: int | None = Field(default=None, gt=0)
    day_count_decides: bool = Field(description="false where days alone never decide (facts and circumstances)")

    @field_validator("prior_year_weights")
    @classmethod
    def _fractions(cls, weights: list[str]) -> list[str]:
        for weight in weights:
            Fraction(weight)
        return weights


class HostTaxTable(LawValue):
    """What every country's table carries besides its own rules."""

    country: str = Field(pattern=r"^[A-Z]{2}$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    minor_per_unit: int = Field(default=100, description="minor units per currency unit (JPY, KRW: 1)")
    tax_year_starts: str = Field(default="01-01", pattern=r"^\d\d-\d\d$", description="MM-DD")
    residence: Residence
    not_modelled: list[str] = Field(default_factory=list)

    def tax_year_start(self, day: dt.date) -> dt.date:
        """The first day of the host tax year that contains ``day``."""
        month, dom = (int(p) for p in self.tax_year_starts.split("-"))
        start = dt.date(day.year, month, dom)
        return start if start <= day else dt.date(day.year - 1, month, dom)


class USSchedule(LawValue):
    standard_deduction: Decimal = Field(ge=0)
    bands: Bands



class TaxTableRows(LawValue):
    """Form 1040 Tax Table rows: from ``start`` on, rows ``width`` dollars wide."""

    start: Decimal = Field(alias="from", ge=0)
    width: Decimal = Field(gt=0)


class USTaxTable(LawValue):
    below: Decimal = Field(gt=0, description="taxable income below which the Tax Table, not the formula, applies")
    rows: list[TaxTableRows] = Field(min_length=1)
    rounding: Rounding


@value_schema("host_tax_us")
class USIncomeTax(HostTaxTable):
    """US federal income tax (IRC §1): taxable income = wages − standard deduction (§63)."""

    filing_status: dict[Literal["single", "married_joint"], USSchedule]
    tax_table: USTaxTable
    non_resident_standard_deduction: bool
    state: Literal["none"] = Field(description="the one state modelled (none: no state income tax)")


class GermanZone(LawValue):
    """A zone of the §32a(1) EStG tariff from ``start`` euros: ``(a·y + b)·y + c`` with
    y = (x − ``origin``)/10,000 (quadratic), or ``rate·x − minus`` (linear), or 0."""

    start: Decimal = Field(alias="from", ge=0)
    kind: Literal["exempt", "quadratic", "linear"]
    origin: Decimal = Decimal(0)
    a: Decimal = Decimal(0)
    b: Decimal = Decimal(0)
    c: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)
    minus: Decimal = Decimal(0)


class Solidarity(LawValue):
    """SolZG 1995 §§3–4: rate × income tax, nothing up to the exemption limit, and not more than
    ``phase_in_rate`` × (income tax − limit) above it."""

    rate: Decimal
    exemption_limit: Decimal
    phase_in_rate: Decimal


@value_schema("host_tax_de")
class GermanIncomeTax(HostTaxTable):
    """German income tax for a single person (Grundtabelle, tax class I at assessment)."""

    tariff: list[GermanZone] = Field(min_length=2)
    employee_allowance: Decimal = Field(description="Arbeitnehmer-Pauschbetrag, §9a sentence 1 no. 1a EStG")
    special_expenses_allowance: Decimal = Field(description="Sonderausgaben-Pauschbetrag, §10c EStG")
    solidarity: Solidarity
    church_tax_rates: dict[str, Decimal] = Field(description="by Land code; 'other' for the rest")
    taxable_income_rounding: Rounding
    tax_rounding: Rounding
    surcharge_rounding: Rounding

    @field_validator("tariff")
    @classmethod
    def _zones(cls, zones: list[GermanZone]) -> list[GermanZone]:
        starts = [z.start for z in zones]
        if starts[0] != 0 or starts != sorted(starts):
            raise ValueError("tariff zones must start at 0 and rise")
        return zones

    @field_validator("church_tax_rates")
    @classmethod
    def _other(cls, rates: dict[str, Decimal]) -> dict[str, Decimal]:
        if "other" not in rates:
            raise ValueError("church_tax_rates needs an 'other' rate")
        return rates


class StepAmount(LawValue):
    """An amount that depends on total income: ``amount`` for income up to ``up_to``."""

    up_to: Decimal | None
    amount: Decimal


class JapanTableRounding(LawValue):
    """Annex Table 5 (別表第五) of the Income Tax Act: salary from ``start`` and below ``below``
    is first rounded down to a multiple of ``step`` yen."""

    start: Decimal = Field(alias="from")
    below: Decimal
    step: Decimal


class JapanResidentTax(LawValue):
    """Inhabitant tax (住民税) on the year's income, levied the next year (Local Tax Act)."""

    basic_deduction: list[StepAmount]
    prefectural_rate: Decimal
    municipal_rate: Decimal
    adjustment_difference: Decimal = Field(description="人的控除額の差: basic deduction, single person")
    adjustment_rate_prefectural: Decimal
    adjustment_rate_municipal: Decimal
    adjustment_threshold: Decimal
    adjustment_income_limit: Decimal
    adjustment_minimum_prefectural: Decimal
    adjustment_minimum_municipal: Decimal
    per_capita: Decimal = Field(description="均等割 (prefectural + municipal) + forest environment tax, standard amounts")
    taxable_income_rounding: Rounding
    tax_rounding: Rounding


@value_schema("host_tax_jp")
class JapanIncomeTax(HostTaxTable):
    """Japan national income tax (所得税, Income Tax Act art. 89) with the special income tax
    for reconstruction (復興特別所得税), and the inhabitant tax."""

    employment_income_deduction: Piecewise
    annex_table_rounding: JapanTableRounding
    basic_deduction: list[StepAmount]
    bands: Bands
    reconstruction_surtax_rate: Decimal
    fixed_cut: Decimal = Field(default=Decimal(0), description="2024 定額減税 per person, national")
    fixed_cut_income_limit: Decimal | None = None
    non_resident_rate: Decimal
    non_resident_rounding: Rounding
    taxable_income_rounding: Rounding
    tax_rounding: Rounding
    resident_tax: JapanResidentTax



@value_schema("host_tax_kr")
class KoreaIncomeTax(HostTaxTable):
    """Korea income tax on earned income (Income Tax Act arts. 47, 50, 55, 59, 59-2, 59-4) and
    the local income tax (Local Tax Act art. 103-3)."""

    earned_income_deduction: Piecewise
    personal_deduction: Decimal = Field(description="basic deduction per person, art. 50")
    bands: Bands
    earned_income_credit: Piecewise = Field(description="of computed tax, art. 59(1)")
    earned_income_credit_limit: Piecewise = Field(description="by total salary, art. 59(2)")
    standard_credit: Decimal = Field(description="art. 59-4(9)")
    child_credit: list[Decimal] = Field(description="for 1, 2 children; each further child adds the last step")
    child_credit_further: Decimal
    local_income_tax_rate: Decimal
    flat_rate: Decimal = Field(description="foreign workers' election, Restriction of Special Taxation Act art. 18-2")
    flat_rate_start_by: dt.date
    non_resident_standard_credit: bool



@value_schema("host_tax_gb")
class UKIncomeTax(HostTaxTable):
    """UK income tax on non-savings income (ITA 2007 ss. 6–10, 35), rest of UK bands."""

    personal_allowance: Decimal
    taper_threshold: Decimal
    taper_rate: Decimal
    allowance_rounding: Rounding
    bands: Bands = Field(description="rUK bands on taxable income (after the allowance)")



class Decote(LawValue):
    single: Decimal
    couple: Decimal
    rate: Decimal


@value_schema("host_tax_fr")
class FranceIncomeTax(HostTaxTable):
    """French income tax (CGI art. 197): 10% deduction for expenses (art. 83 3°), the barème by
    part (quotient familial, art. 194), its cap (plafonnement), the décote."""

    expense_deduction_rate: Decimal
    expense_deduction_min: Decimal
    expense_deduction_max: Decimal
    bands: Bands
    half_part_cap: Decimal
    decote: Decote
    non_resident_minimum: Bands = Field(description="art. 197 A: minimum rates on French-source income")
    taxable_income_rounding: Rounding
    tax_rounding: Rounding



class Surtax(LawValue):
    above: Decimal
    rate: Decimal


class Province(LawValue):
    bands: Bands
    basic_personal_amount: Decimal
    credit_rate: Decimal
    surtax: list[Surtax] = Field(default_factory=list)
    health_premium: Piecewise = Field(default_factory=list)



@value_schema("host_tax_ca")
class CanadaIncomeTax(HostTaxTable):
    """Canada federal income tax (ITA ss. 117, 118) and one province's tax."""

    bands: Bands
    basic_personal_amount: Decimal
    basic_personal_amount_min: Decimal
    credit_rate: Decimal
    employment_amount: Decimal
    province_name: str
    province: Province



class ExpatRuling(LawValue):
    """The 30% ruling: a tax-free allowance of ``rate`` × wage, on at most ``salary_cap``,
    leaving at least ``minimum_taxable`` (``minimum_taxable_young`` for under-30 masters)."""

    rate: Decimal
    salary_cap: Decimal | None
    minimum_taxable: Decimal
    minimum_taxable_young: Decimal


class GeneralCredit(LawValue):
    maximum: Decimal
    phase_out_from: Decimal
    phase_out_rate: Decimal


@value_schema("host_tax_nl")
class NetherlandsIncomeTax(HostTaxTable):
    """Dutch box 1 income tax and national insurance premiums (Wet IB 2001 art. 2.10), the
    general tax credit (art. 8.10) and labour credit (art. 8.11), the 30% ruling (LB art. 31a)."""

    bands: Bands
    general_credit: GeneralCredit
    labour_credit: Piecewise
    ruling: ExpatRuling



class Medicare(LawValue):
    rate: Decimal
    low_income_threshold: Decimal
    phase_in_rate: Decimal


@value_schema("host_tax_au")
class AustraliaIncomeTax(HostTaxTable):
    """Australian income tax (Income Tax Rates Act 1986 sch. 7 and 8), the low income tax
    offset and the Medicare levy (Medicare Levy Act 1986)."""

    resident_bands: Bands
    foreign_resident_bands: Bands
    low_income_offset: Piecewise
    medicare: Medicare


    @model_validator(mode="after")
    def _year(self) -> AustraliaIncomeTax:
        if self.tax_year_starts != "07-01":
            raise ValueError("the Australian income year starts on 1 July")
        return self


class ContributionRelief(LawValue):
    """What one country's income tax allows for the employee's own social contributions: the
    share of each scheme's employee contribution (``law/social/host/<iso2>.yaml`` keys) that is
    deducted from income, and the share that enters a non-refundable credit (Canada)."""

    deductible: dict[str, str] = Field(default_factory=dict, description="scheme key → share deducted (e.g. 1, 0.96, 20/119)")
    credited: dict[str, str] = Field(default_factory=dict, description="scheme key → share in the credit base")
    rule: str = Field(description="the provision, in a sentence")
    confidence: Literal["high", "medium", "low"]

    @field_validator("deductible", "credited")
    @classmethod
    def _shares(cls, shares: dict[str, str]) -> dict[str, str]:
        for key, share in shares.items():
            if not 0 <= Fraction(share) <= 1:
                raise ValueError(f"{key}: a share between 0 and 1, got {share}")
        return shares


@value_schema("host_contribution_relief")
class ContributionReliefs(LawValue):
    """Per host country (ISO alpha-2): :class:`ContributionRelief`."""

    countries: dict[str, ContributionRelief]
