"""A person-year of IIT (``expatcn tax``, ``expatcn example``, ``POST /api/tax``, the web tax
calculator): withholding month by month and the annual reconciliation, with the residency from
travel records where the scenario has them; and a batch file of person-months (``expatcn tax-batch``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from expatcn.iit.explain import Step, explain_person
from expatcn.iit.person_year import CUMULATIVE, YearResult, compute_year
from expatcn.iit.reconciliation import Filing
from expatcn.io.fx_rates import read_parities
from expatcn.io.scenario import Scenario
from expatcn.io.scenario import load_scenario as read_scenario
from expatcn.io.scenario_trips import TripsResidency
from expatcn.law import Law, load_law
from expatcn.money import ppm_to_fraction, yuan_str
from expatcn.residency import SITUATION_NAMES

Yuan = str  # an amount of yuan as an exact decimal string, "12345.60"

MONTH_AMOUNTS = ("income", "exempt_income", "basic_deduction", "special_deductions", "special_additional_deductions",
                 "wage_taxable", "wage_tax", "bonus_separate", "bonus_tax", "labour_tax", "equity_tax", "total_tax")


class TraceStep(BaseModel):
    """One line of a calculation: the amount, how it was reached, and the law entries used."""

    month: int | None = Field(description="1–12, or none for the year")
    label: str
    amount: Yuan | None
    how: str
    law: list[str]

    @classmethod
    def of(cls, step: Step) -> TraceStep:
        return cls.model_validate(step.as_dict())


class TaxMonth(BaseModel):
    month: int
    employed: bool
    income: Yuan
    exempt_income: Yuan
    basic_deduction: Yuan
    special_deductions: Yuan
    special_additional_deductions: Yuan
    wage_taxable: Yuan = Field(description="cumulative to date under the residents' cumulative method")
    wage_rate: str = Field(description="the rate of the band, as a fraction (\"0.1\")")
    wage_tax: Yuan
    bonus_separate: Yuan
    bonus_tax: Yuan
    labour_tax: Yuan
    equity_tax: Yuan
    total_tax: Yuan


class BonusCliff(BaseModel):
    cheaper_bonus: Yuan
    employee_nets_more_by: Yuan


class Reconciliation(BaseModel):
    """The annual reconciliation of comprehensive income (residents, from 2019): every
    ``reconciliation_*`` figure of the engine (a new one must be added here: extra keys are refused)."""

    model_config = ConfigDict(extra="forbid")

    income: Yuan
    gross_income: Yuan = Field(description="receipts before exempt income, for the filing exemption")
    basic_deduction: Yuan
    taxable: Yuan
    quick_deduction: Yuan
    tax_due: Yuan
    prepaid: Yuan
    balance: Yuan = Field(description="+ payable, − refund")
    prepaid_this_agent: Yuan
    prepaid_others: Yuan
    other_payers_income: Yuan
    other_payers_deductions: Yuan
    special_additional_claimed: Yuan = Field(description="special additional deductions claimed at the reconciliation")
    serious_illness: Yuan
    individual_pension: Yuan
    commercial_health_insurance: Yuan
    tax_deferred_pension: Yuan
    rate: str
    filing: Literal["not_applicable", "settled", "refund_optional", "payable_exempt", "payable_must_file"]


class ResidencyMonth(BaseModel):
    month: int
    residence_days: int
    china_work_days: float
    calendar_days: int
    wages: Yuan
    paid_abroad: Yuan
    china_taxable_wages: Yuan


class LumpSum(BaseModel):
    month: int
    kind: str
    amount: Yuan
    paid_abroad: Yuan
    period: dict[str, str] | None = Field(description="{from, to}: the period the lump sum rewards")
    china_work_days: float
    calendar_days: int
    china_taxable: Yuan


class ScenarioTreaty(BaseModel):
    partner: str
    counting_period: str
    days_in_period: int
    relief: bool
    claim: bool


class ScenarioResidency(BaseModel):
    """How the year came from travel records: days, status, situation, treaty, clock, and how total
    wages and lump sums became China-taxable (MOF/STA 2019 No. 34 and No. 35)."""

    trips: str = Field(description="where the trips came from")
    year: int
    residence_days: int
    ninety_day_rule_days: int
    resident: bool
    situation: str
    executive: bool
    executive_article: Literal["", "directors_fee", "employment", "unverified"] = Field(
        "", description="an executive within a treaty's 183 days: taxed under the director's-fee article (MOF/STA "
        "2019 No. 35 §2(3)), apportioned as an employee (§4(4)), or not known for the treaty (§2(3) kept)")
    formula: str
    treaty: ScenarioTreaty | None
    six_year_clock: int
    worldwide_income_taxable: bool
    months: list[ResidencyMonth]
    lump_sums: list[LumpSum]
    law: list[str]

    @classmethod
    def of(cls, r: TripsResidency) -> ScenarioResidency:
        a = r.assessment
        partner = a.treaty_partners[0]
        return cls(
            trips=r.source, year=a.year, residence_days=int(a.status.days[0]),
            ninety_day_rule_days=int(a.status.ninety_day_days[0]), resident=bool(a.status.resident[0]),
            situation=SITUATION_NAMES[a.status.situation[0]], executive=r.executive,
            executive_article=r.executive_article, formula=r.formula,
            treaty=None if partner is None else ScenarioTreaty(
                partner=partner.name, counting_period=partner.counting_period, days_in_period=int(a.treaty_days[0]),
                relief=bool(a.status.treaty_relief[0]), claim=r.treaty_claim),
            six_year_clock=int(a.status.clock[0]), worldwide_income_taxable=bool(a.status.worldwide[0]),
            months=[ResidencyMonth(month=m + 1, residence_days=int(a.residence_days[0, m]),
                                   china_work_days=float(a.work_halves[0, m]) / 2,
                                   calendar_days=int(a.days.calendar_days[m]), wages=yuan_str(r.wages[m]),
                                   paid_abroad=yuan_str(r.paid_abroad[m]),
                                   china_taxable_wages=yuan_str(r.china_wages[m]))
                    for m in range(12)],
            lump_sums=[LumpSum.model_validate(lump) for lump in r.lump_sums],
            law=[ref.describe() for ref in a.rules.refs],
        )


class FxConversion(BaseModel):
    """An amount paid in a foreign currency, in RMB at the central parity the law names
    (IIT Regulations art. 32)."""

    where: str = Field(description="the scenario field, e.g. months.3.wages")
    amount: str
    currency: str
    rate: str = Field(description="RMB for `unit` units")
    unit: int
    rate_date: str = Field(description="the day whose central parity was used")
    basis: Literal["withholding", "reconciliation"]
    rmb: Yuan
    source: str
    law: str


class ZoneReliefAnswer(BaseModel):
    """A regional relief (Greater Bay Area, Hainan, Hengqin, Qianhai, Hetao, Nansha): the tax on the
    eligible income, the burden it is brought down to, the relief, and when it reaches the person."""

    zone: str
    qualification: str
    form: Literal["exemption", "subsidy"] | None = Field(description="none: the zone has no relief that year")
    tax: Yuan
    taxable: Yuan
    burden: Yuan
    withheld: Yuan
    relief: Yuan
    tax_after: Yuan
    when_en: str | None
    when_zh: str | None
    window_from: str | None
    window_to: str | None
    alerts: list[str]
    law: str | None
    trace: list[TraceStep] | None = None


class TaxYear(BaseModel):
    """One person's year: withholding month by month, the year's tax and the reconciliation."""

    id: str
    year: int
    resident: bool
    cumulative_method: bool = Field(description="residents' cumulative withholding applied in some month")
    months: list[TaxMonth]
    withheld: Yuan
    year_tax: Yuan
    bonus_taxed_separately: bool
    bonus_cliff: BonusCliff | None
    reconciliation: Reconciliation
    alerts: list[str] = Field([], description="what the law did not let the result apply (e.g. a non-resident's "
                                              "special additional deductions, IIT Law art. 6(1)(2))")
    trace: list[TraceStep] | None = None
    residency: ScenarioResidency | None = Field(None, description="with person.trips: days, status and apportionment")
    fx: list[FxConversion] = Field([], description="amounts paid in a foreign currency and the parity used")
    zone_relief: ZoneReliefAnswer | None = Field(None, description="with person.zone: the regional relief")

    @classmethod
    def of(cls, result: YearResult, person: int = 0, explain: bool = False,
           residency: TripsResidency | None = None) -> TaxYear:
        monthly, annual = result.monthly, result.annual
        months = [TaxMonth(month=m + 1, employed=bool(result.inputs.employed[person, m]),
                           wage_rate=ppm_to_fraction(monthly["wage_rate"][person, m]),
                           **{key: yuan_str(monthly[key][person, m]) for key in MONTH_AMOUNTS})
                  for m in range(12)]
        cliff = annual["bonus_cliff_cheaper_bonus"][person]
        return cls(
            id=str(result.inputs.ids[person] if result.inputs.ids else person),
            year=result.inputs.year,
            resident=bool(result.inputs.resident[person]),
            cumulative_method=bool((monthly["wage_method"][person] == CUMULATIVE).any()),
            months=months,
            withheld=yuan_str(annual["withheld"][person]),
            year_tax=yuan_str(annual["year_tax"][person]),
            bonus_taxed_separately=bool(annual["bonus_taxed_separately"][person]),
            bonus_cliff=None if not cliff else BonusCliff(
                cheaper_bonus=yuan_str(cliff), employee_nets_more_by=yuan_str(annual["bonus_cliff_net_loss"][person])),
            reconciliation=Reconciliation(
                **{key.removeprefix("reconciliation_"): yuan_str(value[person]) for key, value in annual.items()
                   if key.startswith("reconciliation_") and key not in ("reconciliation_rate", "reconciliation_filing")},
                rate=ppm_to_fraction(annual["reconciliation_rate"][person]),
                filing=Filing(annual["reconciliation_filing"][person]).name.lower()),
            alerts=result.alerts([person]),
            trace=[TraceStep.of(step) for step in explain_person(result, person)] if explain else None,
            residency=None if residency is None else ScenarioResidency.of(residency),
        )


def load_scenario(path: Path, fx: Path | None = None) -> Scenario:
    """The scenario file, with the central parity rates file its foreign-currency pay converts at."""
    return read_scenario(path, read_parities(fx) if fx else None)


def tax_year(scenario: Scenario, *, explain: bool = False, law: Law | None = None) -> TaxYear:
    """The scenario's year: its inputs (and residency from trips) through the IIT engine, the
    foreign-currency conversions and the regional relief where the scenario has them."""
    law = law or load_law()
    prepared = scenario.prepare(law)
    result = compute_year(prepared.inputs, law)
    answer = TaxYear.of(result, 0, explain, prepared.residency)
    answer.fx = [FxConversion.model_validate(c.as_dict()) for c in prepared.conversions]
    relief = prepared.zone_relief(result, law)
    zone = None if relief is None else relief.as_dict(0)
    if zone is not None:
        trace = [TraceStep.of(step) for step in relief.explain(0)] if explain else None
        answer.zone_relief = ZoneReliefAnswer(**zone, trace=trace)
    return answer


def tax_batch(source: Path, out: Path, *, law: Law | None = None, chunk_rows: int | None = None,
              dask: str | None = None):
    """Every person-year of a CSV/Parquet file of person-months, one row per month to ``out``
    (:mod:`expatcn.services.batch`: in chunks on this machine, or on Dask at ``dask``)."""
    from expatcn.services import batch

    if dask:
        return batch.dask_batch("tax", source, out, dask, law=law)
    return batch.run_batch("tax", source, out, law=law, **({"chunk_rows": chunk_rows} if chunk_rows else {}))
