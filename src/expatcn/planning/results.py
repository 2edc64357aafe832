"""What the planner answers: each structure of an assignment, year by year, and the plan around
them. China amounts int fen; the other country's amounts int minor units of its currency; ``*_cny``
RMB fen, None where a needed exchange rate is missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from expatcn.errors import InputError
from expatcn.planning.assignment import Assignment

# the employer-cost components the chart stacks (all RMB)
COMPONENTS = ("gross", "china_employer", "abroad_employer", "equalization")
COMPONENT_TITLES = {"gross": "pay (gross)", "china_employer": "China employer contributions",
                    "abroad_employer": "home/host-country employer contributions",
                    "equalization": "tax equalization cost"}


class PlanError(InputError):
    """An assignment the planner cannot run at all (names the field)."""


@dataclass
class YearFigures:
    """One structure in one calendar year."""

    year: int
    months: int
    china_iit: int = 0
    china_employee: int = 0
    china_employer: int = 0
    abroad_country: str | None = None
    abroad_currency: str | None = None
    abroad_minor: int = 100
    abroad_employee: int = 0
    abroad_employer: int = 0
    gross_cny: int | None = 0
    abroad_employee_cny: int | None = 0
    abroad_employer_cny: int | None = 0
    employee_net_cny: int | None = None
    employer_cost_cny: int | None = None
    unknown_months: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    residency: dict | None = None
    lost_contribution_months: int = 0
    china_monthly: dict[str, list[int]] = field(default_factory=dict)  # month by month (fen), from the engines
    # the other country's wage and the relief its income tax gives for contributions (minor units)
    abroad_wage: int | None = 0  # None: a rate is missing
    abroad_deductible: int = 0
    abroad_credited: int = 0
    # host income tax (outbound): minor units of the host currency and RMB fen (None: no rate or no table)
    host_tax: int | None = None
    host_tax_cny: int | None = None
    host_resident: bool | None = None
    host_tax_gap: bool = False  # a modelled host country without a table for the year: no net
    # China tax on worldwide income (a resident taxed on it) and the foreign tax credit (fen)
    china_tax: int | None = None  # before credit, the year's tax at the reconciliation
    china_income: int = 0  # the comprehensive income amount it is on
    credit_limit: int = 0
    credit: int = 0  # this year's foreign tax + earlier excess credited
    carry_forward_used: int = 0
    excess: int = 0  # foreign tax above the limit this year (carried forward)
    carried_forward: int = 0  # excess still available at the year end
    lapsed: int = 0
    china_tax_after_credit: int | None = None
    # tax equalization (fen; None: no equalization policy)
    package_monthly: list[int] = field(default_factory=list)  # salary and bonus month by month: the home gross
    hypothetical_tax: int | None = None
    hypothetical_true_up: int | None = None
    hypothetical_contributions: int | None = None
    equalization_cost: int | None = None

    @property
    def complete(self) -> bool:
        return not self.unknown_months and self.employer_cost_cny is not None

    @property
    def china_tax_before_credit(self) -> int:
        """China tax on worldwide income (outbound), else the IIT withheld."""
        return self.china_iit if self.china_tax is None else self.china_tax

    def component(self, name: str) -> int | None:
        return {"gross": self.gross_cny, "china_employer": self.china_employer,
                "abroad_employer": self.abroad_employer_cny, "equalization": self.equalization_cost}[name]


@dataclass
class StructurePlan:
    key: str
    title: str
    applicable: bool = True
    compliant: bool = True
    comparable: bool = True  # delivers the assignment's planned presence in China (else an alternative pattern)
    reasons: list[str] = field(default_factory=list)  # why not applicable / compliant / comparable
    years: list[YearFigures] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(y.complete for y in self.years)

    def total(self, name: str) -> int | None:
        """Σ over the years of a YearFigures attribute; None if any year lacks it."""
        values = [getattr(y, name) for y in self.years]
        return None if any(v is None for v in values) else sum(values)

    @property
    def risks(self) -> list[str]:
        return [r for y in self.years for r in y.risks]

    @property
    def status(self) -> str:
        """One word for the structure's standing in the comparison."""
        if not self.applicable:
            return "not applicable"
        if not self.compliant:
            return "not compliant"
        if not self.comparable:
            return "alternative"
        return "ok" if self.complete else "incomplete"


@dataclass
class Plan:
    assignment: Assignment
    structures: list[StructurePlan]
    cheapest: str | None
    reason: str
    law_digest: str
    assumptions: list[str] = field(default_factory=list)
    certificate_saving: str | None = None  # what the certificate of coverage saves, where both sides are costed

    def structure(self, key: str) -> StructurePlan:
        return next(s for s in self.structures if s.key == key)


@dataclass
class Difference:
    """A structure-year under the modified law minus under current law (RMB fen; None where
    either side is incomplete)."""

    structure: str
    year: int
    china_iit: int
    employee_net_cny: int | None
    employer_cost_cny: int | None
