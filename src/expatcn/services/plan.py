"""Plan assignments (``expatcn plan``, ``POST /api/plan``, the web planner): every structure of
each assignment over every year of it, the cheapest compliant one and why, alternatives compared,
and with what-if law overlays the difference against current law.

Projections (labelled assumptions for months the tables lack) and overlays are resolved once here:
from an assignment file, names are shipped overlays or paths beside the file; from data sent to a
server, only shipped names (and overlays given as data or uploaded text) — no path is read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from expatcn.io.assignment_file import load_assignments, parse_assignments
from expatcn.io.plan_outputs import render_chart, write_workbook
from expatcn.law import Law, Overlay, load_law
from expatcn.law_overlays import overlay_path, shipped_overlays
from expatcn.money import minor_to_str, yuan_str
from expatcn.planning import (
    Assignment,
    Difference,
    Plan,
    PlanError,
    StructurePlan,
    YearFigures,
    across,
    check,
    compare,
)
from expatcn.planning import plan as plan_assignments
from expatcn.social.figures import EmployerRates

# an overlay: a shipped name (or, from a file, a path), an overlay table as data, or its text
OverlayRef = str | Mapping[str, Any] | Overlay


# ----------------------------------------------------------------------------- the answer


class AbroadFigures(BaseModel):
    """The other country's contributions, in its currency and (with a rate) in RMB."""

    country: str | None
    currency: str
    employee_contributions: str
    employer_contributions: str
    employee_contributions_cny: str | None = None
    employer_contributions_cny: str | None = None


class HostTaxYear(BaseModel):
    """The host country's income tax of the year (outbound), in its currency and in RMB."""

    country: str
    currency: str
    tax: str
    tax_cny: str | None
    resident: bool


class ChinaTaxYear(BaseModel):
    """China tax on worldwide income and the foreign tax credit (RMB; outbound). Inbound: the
    IIT withheld, no credit."""

    before_credit: str | None
    income: str
    credit_limit: str
    credit: str
    carry_forward_used: str
    excess: str
    carried_forward: str
    lapsed: str
    after_credit: str | None


class EqualizationYear(BaseModel):
    """Tax equalization of the year (RMB): what the assignee bears and the employer's cost."""

    hypothetical_tax: str
    hypothetical_true_up: str
    hypothetical_contributions: str
    cost: str


class ResidencyYear(BaseModel):
    """The residency engine's answer for the assignment's stays in the year (inbound)."""

    residence_days: int
    resident: bool
    situation: str
    treaty_relief: bool
    six_year_clock: int
    worldwide_income_taxable: bool
    first_worldwide_year_if_every_year_qualifies: int
    day_90: str | None
    day_183: str | None
    ninety_day_rule_days: int
    resident_min_days: int
    clock_max_single_absence_days: int | None


class PlanYear(BaseModel):
    """One structure in one calendar year (RMB amounts as "12345.60")."""

    year: int
    months: int
    china_iit: str
    china_employee_contributions: str
    china_employer_contributions: str
    abroad: AbroadFigures | None
    host_tax: HostTaxYear | None
    china_tax: ChinaTaxYear
    equalization: EqualizationYear | None
    gross_cny: str | None
    employee_net_cny: str | None
    employer_cost_cny: str | None
    complete: bool
    unknown_months: list[str]
    lost_contribution_months: int
    residency: ResidencyYear | None
    risks: list[str]
    notes: list[str]


class PlanTotals(BaseModel):
    """Over the assignment (None where a year lacks the figure)."""

    china_iit: str | None
    china_employee: str | None
    china_employer: str | None
    gross_cny: str | None
    employee_net_cny: str | None
    employer_cost_cny: str | None
    host_tax_cny: str | None = None
    china_tax_before_credit: str | None = None
    credit: str | None = None
    china_tax_after_credit: str | None = None
    carried_forward: str | None = None  # unused foreign tax at the end of the plan, still creditable
    equalization_cost: str | None = None
    abroad: AbroadFigures | None = None


class PlanStructure(BaseModel):
    structure: str
    title: str
    status: str  # ok, incomplete, alternative, not compliant, not applicable
    applicable: bool
    compliant: bool
    comparable: bool
    complete: bool
    reasons: list[str]
    assumptions: list[str]
    years: list[PlanYear]
    totals: PlanTotals
    lost_contribution_months: int


class PlanDifference(BaseModel):
    """A structure-year under the overlays minus under current law (RMB)."""

    structure: str
    year: int
    china_iit: str
    employee_net_cny: str | None
    employer_cost_cny: str | None


class WhatIf(BaseModel):
    overlays: list[str]
    differences: list[PlanDifference]


class AssignmentPlan(BaseModel):
    """One assignment: each structure year by year, the cheapest compliant one and why."""

    title: str | None
    person: str
    direction: str
    home_country: str
    host_country: str
    city: str
    start: str
    end: str
    package_currency: str
    fx_cny_per_unit: dict[str, str]
    assumptions: list[str]
    law_digest: str
    structures: list[PlanStructure]
    cheapest_compliant: str | None  # the structure the chart and tables mark
    reason: str
    certificate_saving: str | None
    what_if: WhatIf | None = None


class PlanAnswer(BaseModel):
    """Every assignment planned (alternatives one after another), the projections assumed, the
    comparison across alternatives, and the files written (CLI)."""

    plans: list[AssignmentPlan]
    projections: list[str]
    across_alternatives: str | None = None
    written: list[str] = []


# ----------------------------------------------------------------------------- the use case


def plan_files(paths: Sequence[str | Path], *, projections: Sequence[str] = (), law_overlays: Sequence[str] = (),
               fx: Mapping[str, Decimal] | None = None, xlsx: Path | None = None,
               chart: Path | None = None, rates: EmployerRates | None = None) -> PlanAnswer:
    """Assignment files (each may hold ``alternatives:``); names of projections and overlays are
    shipped overlays or paths (an assignment's own relative to its file); the workbook and the
    chart are written where asked; ``rates``: the employer's own social insurance figures."""
    assignments, refs, where = [], [], []
    for path in paths:
        files = load_assignments(path)
        assignments += [f.to_assignment() for f in files]
        where += _where(len(files), str(path))
        refs += [_resolve(name, "projections", Path(path).parent) for f in files for name in f.projections]
    refs += [_resolve(name, "--projection", Path.cwd()) for name in projections]
    overlays = [_resolve(name, "--law-overlay", Path.cwd()) for name in law_overlays]
    answer, plans, differences, labels = _plan(assignments, refs, overlays, fx, where, rates)
    if xlsx is not None:
        write_workbook(xlsx, plans, differences, labels)
        answer.written.append(str(xlsx))
    if chart is not None:
        render_chart(chart, plans)
        answer.written.append(str(chart))
    return answer


def plan_data(raw: Mapping[str, Any], *, law_overlays: Sequence[OverlayRef] = (),
              fx: Mapping[str, Decimal] | None = None, rates: EmployerRates | None = None) -> PlanAnswer:
    """An assignment given as data (the API body, a web form or upload; it may hold
    ``alternatives:``): trips inline, projections and named overlays shipped ones only; overlays
    may also be given as data or text. Errors start with the field (``alternatives.1.city: …``)."""
    files = parse_assignments(dict(raw), None)
    return plan([f.to_assignment() for f in files], law_overlays=law_overlays, fx=fx, where=_where(len(files)),
                rates=rates)


def plan(assignments: Sequence[Assignment], *, projections: Sequence[OverlayRef] = (),
         law_overlays: Sequence[OverlayRef] = (), fx: Mapping[str, Decimal] | None = None,
         where: Sequence[str] | None = None, rates: EmployerRates | None = None) -> PlanAnswer:
    """Assignments already built (a batch, no file): the assignments' own projections and the
    ones given, then the overlays; names are shipped overlays only. ``where`` prefixes the
    message of an assignment the law cannot plan (e.g. ``alternatives.1.``)."""
    names = [name for f in assignments for name in f.projections] + list(projections)
    refs = [_resolve(ref, "projections") for ref in names]
    overlays = [_resolve(ref, f"law_overlays.{i}") for i, ref in enumerate(law_overlays)]
    return _plan(list(assignments), refs, overlays, fx, where, rates)[0]


def _where(n: int, source: str | None = None) -> list[str]:
    """How messages name each of ``n`` assignments from one source (alternatives by number)."""
    prefix = f"{source}: " if source else ""
    return [f"{prefix}alternatives.{i}." if n > 1 else prefix for i in range(n)]


def _resolve(ref: OverlayRef, field: str, base: Path | None = None) -> str | Overlay:
    """An overlay to load: text as given, data as its YAML; a name is a shipped overlay, or with
    ``base`` (a user's own files) also a path, relative to ``base``."""
    if isinstance(ref, Overlay):
        return ref
    if isinstance(ref, Mapping):
        return Overlay(field, yaml.safe_dump(dict(ref), allow_unicode=True))
    if base is not None:
        try:
            return str(overlay_path(ref, base))
        except FileNotFoundError as exc:
            raise PlanError(str(exc)) from None
    name = str(ref).removesuffix(".yaml")
    known = shipped_overlays()
    if name not in known:
        raise PlanError(f"{field}: no shipped overlay {ref!r} (known: {', '.join(known)})")
    return str(overlay_path(name))


def _label(ref: str | Overlay) -> str:
    return ref.label if isinstance(ref, Overlay) else Path(ref).stem


def _plan(assignments: list[Assignment], projections: list, overlays: list, fx: Mapping[str, Decimal] | None,
          where: Sequence[str] | None = None, rates: EmployerRates | None = None):
    """Plan under current law (with the projections) and, with overlays, under them too."""
    projections = list(dict.fromkeys(projections))
    base_law: Law = load_law(tuple(projections))
    for f, prefix in zip(assignments, where or [""] * len(assignments)):
        try:
            check(f, base_law, dict(fx or {}))
        except PlanError as exc:
            raise PlanError(f"{prefix}{exc}") from None
    plans = plan_assignments(assignments, base_law, dict(fx or {}), rates)
    differences = None
    labels = [_label(o) for o in overlays]
    if overlays:
        modified = plan_assignments(assignments, load_law(tuple(projections + list(overlays))), dict(fx or {}), rates)
        differences = [compare(b, m) for b, m in zip(plans, modified)]
    shipped = {str(overlay_path(n)): n for n in shipped_overlays()}
    answer = PlanAnswer(
        plans=[_assignment_plan(p, None if differences is None else differences[i], labels)
               for i, p in enumerate(plans)],
        projections=[shipped.get(p, p) if isinstance(p, str) else p.label for p in projections],
        across_alternatives=across(plans),
    )
    return answer, plans, differences, labels


# ----------------------------------------------------------------------------- plan → answer


def _minor_str(amount: int, minor: int) -> str:
    """An amount in the other country's currency, as an exact decimal string."""
    return minor_to_str(amount, minor).replace(",", "")


def _abroad(country: str | None, currency: str | None, minor: int, employee: int, employer: int,
            employee_cny: int | None, employer_cny: int | None) -> AbroadFigures | None:
    if currency is None:
        return None
    return AbroadFigures(country=country, currency=currency, employee_contributions=_minor_str(employee, minor),
                         employer_contributions=_minor_str(employer, minor), employee_contributions_cny=yuan_str(employee_cny),
                         employer_contributions_cny=yuan_str(employer_cny))


def _year(y: YearFigures) -> PlanYear:
    host = None if y.host_tax is None else HostTaxYear(
        country=y.abroad_country, currency=y.abroad_currency, tax=_minor_str(y.host_tax, y.abroad_minor),
        tax_cny=yuan_str(y.host_tax_cny), resident=bool(y.host_resident))
    china = ChinaTaxYear(
        before_credit=yuan_str(y.china_tax if y.china_tax is not None else y.china_iit), income=yuan_str(y.china_income),
        credit_limit=yuan_str(y.credit_limit), credit=yuan_str(y.credit),
        carry_forward_used=yuan_str(y.carry_forward_used), excess=yuan_str(y.excess),
        carried_forward=yuan_str(y.carried_forward), lapsed=yuan_str(y.lapsed),
        after_credit=yuan_str(y.china_tax_after_credit))
    equalization = None if y.equalization_cost is None else EqualizationYear(
        hypothetical_tax=yuan_str(y.hypothetical_tax), hypothetical_true_up=yuan_str(y.hypothetical_true_up),
        hypothetical_contributions=yuan_str(y.hypothetical_contributions), cost=yuan_str(y.equalization_cost))
    return PlanYear(
        year=y.year, months=y.months, china_iit=yuan_str(y.china_iit),
        china_employee_contributions=yuan_str(y.china_employee),
        china_employer_contributions=yuan_str(y.china_employer),
        abroad=_abroad(y.abroad_country, y.abroad_currency, y.abroad_minor, y.abroad_employee, y.abroad_employer,
                       y.abroad_employee_cny, y.abroad_employer_cny),
        host_tax=host, china_tax=china, equalization=equalization,
        gross_cny=yuan_str(y.gross_cny), employee_net_cny=yuan_str(y.employee_net_cny),
        employer_cost_cny=yuan_str(y.employer_cost_cny), complete=y.complete, unknown_months=y.unknown_months,
        lost_contribution_months=y.lost_contribution_months,
        residency=None if y.residency is None else ResidencyYear(**y.residency), risks=y.risks, notes=y.notes,
    )


def _structure(st: StructurePlan) -> PlanStructure:
    first = st.years[0] if st.years else None
    totals = {name: yuan_str(st.total(name)) for name in (
        "china_iit", "china_employee", "china_employer", "gross_cny", "employee_net_cny", "employer_cost_cny",
        "china_tax_after_credit", "credit")}
    totals["china_tax_before_credit"] = yuan_str(st.total("china_tax") if all(
        y.china_tax is not None for y in st.years) else st.total("china_iit"))
    if any(y.host_tax is not None for y in st.years):
        totals["host_tax_cny"] = yuan_str(None if any(y.host_tax is not None and y.host_tax_cny is None
                                                      for y in st.years)
                                          else sum(y.host_tax_cny or 0 for y in st.years))
    if first is not None:
        totals["carried_forward"] = yuan_str(st.years[-1].carried_forward)
    if any(y.equalization_cost is not None for y in st.years):
        totals["equalization_cost"] = yuan_str(st.total("equalization_cost"))
    abroad = None if first is None else _abroad(
        first.abroad_country, first.abroad_currency, first.abroad_minor, st.total("abroad_employee"),
        st.total("abroad_employer"), st.total("abroad_employee_cny"), st.total("abroad_employer_cny"))
    return PlanStructure(
        structure=st.key, title=st.title, status=st.status, applicable=st.applicable, compliant=st.compliant,
        comparable=st.comparable, complete=st.complete, reasons=st.reasons, assumptions=st.assumptions,
        years=[_year(y) for y in st.years], totals=PlanTotals(**totals, abroad=abroad),
        lost_contribution_months=sum(y.lost_contribution_months for y in st.years),
    )


def _difference(d: Difference) -> PlanDifference:
    return PlanDifference(structure=d.structure, year=d.year, china_iit=yuan_str(d.china_iit),
                          employee_net_cny=yuan_str(d.employee_net_cny), employer_cost_cny=yuan_str(d.employer_cost_cny))


def _assignment_plan(p: Plan, differences: list[Difference] | None, overlays: list[str]) -> AssignmentPlan:
    f = p.assignment
    return AssignmentPlan(
        title=f.title, person=f.person.name, direction=f.direction, home_country=f.home_country,
        host_country=f.host_country, city=f.city, start=f.start.isoformat(), end=f.end.isoformat(),
        package_currency=f.package.currency, fx_cny_per_unit={k: str(v) for k, v in f.fx.items()},
        assumptions=p.assumptions, law_digest=p.law_digest, structures=[_structure(st) for st in p.structures],
        cheapest_compliant=p.cheapest, reason=p.reason, certificate_saving=p.certificate_saving,
        what_if=None if differences is None else WhatIf(overlays=overlays,
                                                        differences=[_difference(d) for d in differences]),
    )
