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

from expatcn.iit.allowances import check_kinds
from expatcn.law import Law
from expatcn.planning.abroad import abroad
from expatcn.planning.assignment import Assignment
from expatcn.planning.china import china_year, trips
from expatcn.planning.choice import across, certificate_saving, choose, structure_risks
from expatcn.planning.fx import Converter
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
        f = files[row.a]
        for year in f.years:
            y = figures[r, year]
            _totals(y, converters[row.a])
            plans[r].years.append(y)
        structure_risks(plans[r], row, f, contexts[row.a])
    out = []
    for a, f in enumerate(files):
        mine = [p for p, row in zip(plans, table) if row.a == a]
        cheapest, reason = choose(mine)
        assumptions = [f"projection (assumption, not law): {p}" for p in f.projections]
        out.append(Plan(f, mine, cheapest, reason, law.digest, assumptions, certificate_saving(mine)))
    return out


def _totals(y: YearFigures, conv: Converter) -> None:
    """The other country's contributions in RMB, employee net and employer cost."""
    if y.abroad_currency is not None and (y.abroad_employee or y.abroad_employer):
        if conv.has(y.abroad_currency):
            y.abroad_employee_cny = int(conv.to_fen(y.abroad_employee, y.abroad_currency, y.abroad_minor))
            y.abroad_employer_cny = int(conv.to_fen(y.abroad_employer, y.abroad_currency, y.abroad_minor))
        else:
            y.abroad_employee_cny = y.abroad_employer_cny = None
            y.notes.append(f"fx.{y.abroad_currency}: give the rate (RMB per unit) to add {y.abroad_country} "
                           "contributions to RMB totals")
    if y.gross_cny is None or y.abroad_employee_cny is None:
        return
    y.employee_net_cny = y.gross_cny - y.china_iit - y.china_employee - y.abroad_employee_cny
    y.employer_cost_cny = y.gross_cny + y.china_employer + y.abroad_employer_cny


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
