"""One employee's year from gross pay to net pay and employer cost (``expatcn month``,
``POST /api/month``): social insurance and housing fund on both sides, IIT, net, with the law.

Figures not yet published are carried forward from the last published period, and the months
whose totals rest on one say so (``employee_carried`` / ``employer_carried`` and the figure notes);
the employer's own figures (a rates file) are used where it gives them, labelled employer-supplied;
``strict`` refuses instead of carrying forward."""

from __future__ import annotations

from pydantic import BaseModel, Field

from expatcn.gross_to_net import MonthResult, explain_month, gross_to_net, month_refs
from expatcn.io.month_scenario import MonthScenario
from expatcn.io.month_scenario import load_month_scenario as load_month_scenario  # the file the use case reads
from expatcn.law import Law, load_law
from expatcn.money import yuan_str
from expatcn.services.tax import TraceStep
from expatcn.social.cities import city_key
from expatcn.social.figures import EmployerRates

Yuan = str
TOTALS = ("gross", "employee_social", "employee_housing_fund", "employee_deduction", "housing_fund_employer_taxable",
          "iit", "net", "employer_social", "employer_housing_fund", "employer_cost")


class YearTotals(BaseModel):
    gross: Yuan
    employee_social: Yuan
    employee_housing_fund: Yuan
    employee_deduction: Yuan
    housing_fund_employer_taxable: Yuan
    iit: Yuan
    net: Yuan
    employer_social: Yuan
    employer_housing_fund: Yuan
    employer_cost: Yuan


class MonthRow(YearTotals):
    month: str
    contribution_wage: Yuan
    complete: bool
    employee_carried: bool = Field(False, description="the employee's contributions (so IIT and net) rest on a figure carried forward")
    employer_carried: bool = Field(False, description="the employer's contributions (so its cost) rest on a figure carried forward")
    figure_notes: dict[str, dict[str, str]] = Field(
        {}, description="scheme -> {en, zh}: figures carried forward, employer-supplied or of low confidence")


class PensionRefund(BaseModel):
    """The pension personal account as a lump sum on leaving China (foreigners)."""

    eligible: bool
    amount: Yuan
    interest_included: bool
    note: str
    law: str


class FullMonth(BaseModel):
    name: str
    city: str
    year: int
    nationality: str
    resident: bool
    months: list[MonthRow]
    year_totals: YearTotals
    iit_year_tax: Yuan
    iit_withheld: Yuan
    pension_refund_estimate: PensionRefund
    assumptions: list[str]
    alerts: list[str] = []
    law: list[str]
    trace: list[TraceStep] | None = None
    carried: bool = Field(False, description="the year's totals contain figures carried forward (to be trued up)")
    strict: bool = False

    @classmethod
    def of(cls, result: MonthResult, scenario: MonthScenario, law: Law, explain: bool = False) -> FullMonth:
        m = result.monthly
        employed = result.inputs.income.employed[0]
        months = [MonthRow(month=f"{result.year}-{i + 1:02d}", complete=not bool(m["unknown"][0, i]),
                           employee_carried=bool(m["employee_carried"][0, i]),
                           employer_carried=bool(m["employer_carried"][0, i]), figure_notes=_notes(result, i + 1),
                           **{k: yuan_str(m[k][0, i]) for k in (*TOTALS, "contribution_wage")})
                  for i in range(12) if employed[i] or m["gross"][0, i]]
        refund = result.pension_refund(law)
        return cls(
            name=scenario.name, city=str(result.inputs.city[0]), year=result.year,
            nationality=scenario.social.nationality.upper(), resident=bool(result.inputs.income.resident[0]),
            months=months, year_totals=YearTotals(**{k: yuan_str(m[k][0].sum()) for k in TOTALS}),
            iit_year_tax=yuan_str(result.iit.annual["year_tax"][0]),
            iit_withheld=yuan_str(result.iit.annual["withheld"][0]),
            pension_refund_estimate=PensionRefund(eligible=bool(refund.eligible[0]), amount=yuan_str(refund.amount[0]),
                                                  interest_included=refund.interest_included, note=refund.note,
                                                  law=refund.ref.describe()),
            assumptions=result.assumptions, alerts=result.iit.alerts([0]),
            law=[ref.describe() for ref in month_refs(result, 0)],
            trace=[TraceStep.of(step) for step in explain_month(result, 0)] if explain else None,
            carried=any(r.employee_carried or r.employer_carried for r in months),
            strict=not result.inputs.carry_forward,
        )


def _notes(result: MonthResult, month: int) -> dict[str, dict[str, str]]:
    """Employee 0's figure notes of ``month``, by scheme, in English and Chinese."""
    english, chinese = result.labels(month), result.labels(month, "zh")
    return {key[: -len("_sources")]: {"en": english[key][0], "zh": chinese[key][0]}
            for key in english if key.endswith("_sources") and english[key][0]}


def full_month(scenario: MonthScenario, *, explain: bool = False, partial: bool = False, strict: bool = False,
               rates: EmployerRates | None = None, law: Law | None = None) -> FullMonth:
    """The scenario's year through ``gross_to_net``; ``city`` by its key or its English or
    Chinese name; ``partial``: compute what the figures decide and flag the rest (never as 0);
    ``rates``: the employer's own figures; ``strict``: no figure carried forward."""
    law = law or load_law()
    scenario = scenario.model_copy(update={"city": city_key(law, scenario.city)})
    inputs = scenario.to_month_inputs(law)
    inputs.rates, inputs.carry_forward = rates, not strict
    result = gross_to_net(inputs, law, allow_partial=partial)
    return FullMonth.of(result, scenario, law, explain)
