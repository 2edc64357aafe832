"""The assignment planner: one cross-border assignment run under several structures side by side,
over every year it lasts, each year under its own law; the cheapest compliant structure and why.

The structures are a table of data (``planning.structures``). Every figure comes from the engines:
``iit.person_year.compute_year`` and ``gross_to_net.gross_to_net`` (China IIT and contributions,
``planning.china``), ``social.host.host_contributions`` (the other country, ``planning.abroad``),
``residency.china_taxable_pay`` (days, status, sourcing), ``social.outbound.certificate_timeline``
(certificate expiry). The planner only builds their input columns — all structures × years ×
assignments of one year in one call of each engine — and adds their answers up. Where an engine
cannot answer (a month without city or host data, a missing exchange rate) the months are reported
unknown for that structure and year, never guessed.

Money: China amounts int fen; the other country's amounts int minor units of its currency; RMB
totals only with a rate the user gives (``fx``), converted half up by ``expatcn.money``.
"""

from __future__ import annotations

from decimal import Decimal

from expatcn.host_tax import COUNTRIES
from expatcn.iit.allowances import check_kinds
from expatcn.law import Law
from expatcn.planning.abroad import abroad
from expatcn.planning.assignment import Assignment
from expatcn.planning.china import china_year, trips
from expatcn.planning.choice import across, certificate_saving, choose, structure_risks
from expatcn.planning.credit import credit
from expatcn.planning.equalized import equalized
from expatcn.planning.fx import Converter
from expatcn.planning.host_income_tax import check_options, host_tax
from expatcn.planning.results import (
    COMPONENT_TITLES,
    COMPONENTS,
    Difference,
    Plan,
    PlanError,
    StructurePlan,
    YearFigures,
)
from expatcn.planning.rows import context, rows
from expatcn.planning.structures import BY_KEY, STRUCTURES
from expatcn.social.contributions import cities
from expatcn.social.figures import EmployerRates
from expatcn.social.host import host_countries, host_table

__all__ = ["BY_KEY", "COMPONENTS", "COMPONENT_TITLES", "STRUCTURES", "Assignment", "Difference", "Plan", "PlanError",
           "StructurePlan", "YearFigures", "across", "check", "choose", "compare", "plan"]


def check(f: Assignment, law: Law, fx: dict[str, Decimal] | None = None) -> None:
    """What the law must know of an assignment before it is planned: a rate for the package's
    currency, the city's tables, the allowance kinds (as ``expatcn tax`` checks them) and the
    other country's employer class. A :class:`PlanError` names the field."""
    if f.package.currency != "CNY" and not Converter({**f.fx, **(fx or {})}).has(f.package.currency):
        raise PlanError(f"fx.{f.package.currency}: the package is in {f.package.currency}; give the rate "
                        f"(RMB per unit) in the file or with --fx {f.package.currency}=…")
    if f.city not in cities(law):
        raise PlanError(f"city: no social insurance table for {f.city!r}; known cities: {', '.join(cities(law))}")
    check_kinds(law, f.package.allowances, "package.allowances", PlanError)
    check_options(f)
    if f.foreign_employer_class is not None and f.other_country in host_countries(law):
        try:
            law.table(host_table(f.other_country)).values[-1].employer_class(f.foreign_employer_class)
        except ValueError as exc:
            raise PlanError(f"foreign_employer_class: {exc}") from None


def plan(files: list[Assignment], law: Law, fx: dict[str, Decimal] | None = None,
         rates: EmployerRates | None = None) -> list[Plan]:
    """Every structure of every assignment over every year of it (see the module docstring);
    ``fx`` (RMB per unit) overrides the assignments' own rates; ``rates``: the employer's own
    social insurance figures (where the China side has a payroll)."""
    for f in files:
        check(f, law, fx)
    converters = [Converter({**f.fx, **(fx or {})}) for f in files]
    contexts = [context(law, f) for f in files]
    table, plans = rows(files, contexts)
    years = sorted({y for f in files for y in f.years})
    figures: dict[tuple[int, int], YearFigures] = {}
    book = trips(files)
    for year in years:
        china_year(files, table, plans, contexts, converters, law, book, year, figures, rates)
    abroad(files, table, contexts, converters, law, years, figures)
    for r, row in enumerate(table):
        for year in files[row.a].years:
            _abroad_cny(figures[r, year], converters[row.a])
    host_tax(files, table, converters, law, figures)
    credit(files, table, law, figures)
    equalized(files, table, figures)
    for r, row in enumerate(table):
        f = files[row.a]
        for year in f.years:
            y = figures[r, year]
            _totals(y)
            plans[r].years.append(y)
        structure_risks(plans[r], row, f, contexts[row.a])
    out = []
    for a, f in enumerate(files):
        mine = [p for p, row in zip(plans, table) if row.a == a]
        cheapest, reason = choose(mine)
        assumptions = [f"projection (assumption, not law): {p}" for p in f.projections] + _tax_assumptions(f)
        out.append(Plan(f, mine, cheapest, reason, law.digest, assumptions, certificate_saving(mine)))
    return out


def _abroad_cny(y: YearFigures, conv: Converter) -> None:
    """The other country's contributions in RMB (None without a rate)."""
    if y.abroad_currency is not None and (y.abroad_employee or y.abroad_employer):
        if conv.has(y.abroad_currency):
            y.abroad_employee_cny = int(conv.to_fen(y.abroad_employee, y.abroad_currency, y.abroad_minor))
            y.abroad_employer_cny = int(conv.to_fen(y.abroad_employer, y.abroad_currency, y.abroad_minor))
        else:
            y.abroad_employee_cny = y.abroad_employer_cny = None
            y.notes.append(f"fx.{y.abroad_currency}: give the rate (RMB per unit) to add {y.abroad_country} "
                           "contributions to RMB totals")


def _totals(y: YearFigures) -> None:
    """Employee net (after host tax and the credit, or the equalized net) and employer cost."""
    if y.gross_cny is None or y.abroad_employee_cny is None:
        return
    y.employer_cost_cny = y.gross_cny + y.china_employer + y.abroad_employer_cny
    if y.hypothetical_tax is not None and y.equalization_cost is not None:
        # equalized: the assignee keeps the stay-at-home net; the employer bears the taxes actually due
        y.employee_net_cny = y.gross_cny - y.hypothetical_tax - y.hypothetical_contributions
        y.employer_cost_cny += y.equalization_cost
        return
    if y.host_tax_gap or y.host_tax is not None and y.host_tax_cny is None or y.china_tax_after_credit is None:
        return
    y.employee_net_cny = (y.gross_cny - (y.host_tax_cny or 0) - y.abroad_employee_cny - y.china_tax_after_credit
                          - y.china_employee)


def _tax_assumptions(f: Assignment) -> list[str]:
    """What the plan takes as given about income tax outside China and about equalization."""
    out = []
    if not f.inbound and f.host_country not in COUNTRIES:
        out.append(f"host income tax for {f.host_country} is not modelled (modelled: {', '.join(COUNTRIES)}): "
                   "employee net is before it and before China's foreign tax credit")
    if not f.inbound and f.host_country == "US":
        out.append("US: federal income tax only; state and local income tax not modelled (the documented choice "
                   "is none)")
    if f.inbound:
        out.append(f"income tax of {f.home_country} on the assignee is not modelled (China IIT only)")
    if f.equalization is not None:
        out.append("tax equalization: the employer pays the taxes and employee contributions actually due and "
                   "recovers the hypothetical tax and contributions; tax on the taxes it pays (gross-up) is not "
                   "modelled in the plan")
    return out


def compare(base: Plan, modified: Plan) -> list[Difference]:
    """Each structure-year of ``modified`` (another law, e.g. a what-if overlay) minus ``base``."""
    out = []
    for s in base.structures:
        other = modified.structure(s.key)
        for a, b in zip(s.years, other.years):
            def diff(name: str):
                x, y = getattr(a, name), getattr(b, name)
                return None if x is None or y is None else y - x
            out.append(Difference(s.key, a.year, b.china_iit - a.china_iit, diff("employee_net_cny"),
                                  diff("employer_cost_cny")))
    return out
