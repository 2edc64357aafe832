"""The choice among the structures of one assignment: the cheapest compliant one by total employer
cost in RMB and why, what the certificate of coverage saves, and each structure's risks (the
183-day crossing, the six-year clock, the 90-day rule, lost contribution months, certificate
expiry)."""

from __future__ import annotations

import datetime as dt

from expatcn.money import fen_to_str
from expatcn.planning.assignment import Assignment
from expatcn.planning.results import COMPONENT_TITLES, COMPONENTS, Plan, StructurePlan
from expatcn.planning.rows import Context, Row
from expatcn.planning.structures import BY_KEY


def choose(plans: list[StructurePlan]) -> tuple[str | None, str]:
    """The cheapest compliant structure by total employer cost in RMB, with the reason."""
    ranked, left_out = [], []
    for p in plans:
        cost = p.total("employer_cost_cny")
        if not p.applicable:
            left_out.append(f"{p.key}: not applicable ({'; '.join(p.reasons)})")
        elif not p.compliant:
            left_out.append(f"{p.key}: not compliant ({'; '.join(p.reasons)})")
        elif not p.comparable:
            left_out.append(f"{p.key}: {'; '.join(p.reasons)}"
                            + (f", employer cost {fen_to_str(cost)}" if cost is not None and p.complete else ""))
        elif not p.complete or cost is None:
            months = sorted({m for y in p.years for m in y.unknown_months})
            left_out.append(f"{p.key}: cannot be costed in full ({len(months)} unknown months"
                            f"{', from ' + months[0] if months else ''}; see notes)")
        else:
            ranked.append((cost, p))
    if not ranked:
        return None, "no structure can be costed in full: " + "; ".join(left_out)
    ranked.sort(key=lambda item: item[0])
    cost, best = ranked[0]
    span = f"{best.years[0].year}–{best.years[-1].year}" if len(best.years) > 1 else str(best.years[0].year)
    reason = f"{best.title}: employer cost {fen_to_str(cost)} RMB over {span}"
    if len(ranked) > 1:
        cost2, second = ranked[1]
        reason += f", {fen_to_str(cost2 - cost)} less than {second.title} ({fen_to_str(cost2)})"
        parts = []
        for name in COMPONENTS:
            a = sum(y.component(name) or 0 for y in best.years)
            b = sum(y.component(name) or 0 for y in second.years)
            if a != b:
                parts.append(f"{COMPONENT_TITLES[name]} {'lower' if a < b else 'higher'} by {fen_to_str(abs(b - a))}")
        if parts:
            reason += ": " + ", ".join(parts)
    lost = sum(y.lost_contribution_months for y in best.years)
    if lost:
        reason += f" — but {lost} months of China contributions are lost"
    if left_out:
        reason += ". Left out: " + "; ".join(left_out)
    return best.key, reason


def certificate_saving(plans: list[StructurePlan]) -> str | None:
    """The employer-cost and contribution difference the certificate makes: a structure with it
    against the same structure without it (the table's ``without_certificate``)."""
    by_key = {p.key: p for p in plans}
    for key, a in by_key.items():
        b = by_key.get(BY_KEY[key].without_certificate or "")
        if b is None or not a.applicable or not (a.complete and b.complete):
            continue
        cost = b.total("employer_cost_cny") - a.total("employer_cost_cny")
        china = b.total("china_employee") + b.total("china_employer") - a.total("china_employee") - a.total("china_employer")
        abroad = (b.total("abroad_employee_cny") + b.total("abroad_employer_cny")
                  - a.total("abroad_employee_cny") - a.total("abroad_employer_cny"))
        saving = (f"the certificate of coverage saves the employer {fen_to_str(cost)} RMB over the assignment "
                  f"(contributions removed: China {fen_to_str(china)}, abroad {fen_to_str(abroad)} RMB)")
        if a.total("employee_net_cny") is None or b.total("employee_net_cny") is None:
            return saving
        net = a.total("employee_net_cny") - b.total("employee_net_cny")
        return f"{saving}; employee net {'+' if net >= 0 else '−'}{fen_to_str(abs(net))}"
    return None


def structure_risks(plan: StructurePlan, row: Row, f: Assignment, ctx: Context) -> None:
    """Add each year's risks to ``plan`` (residency, clock, 90-day rule, lost months, certificate)."""
    for y in plan.years:
        res = y.residency
        if res is not None and not row.structure.business_trips:
            if res["day_183"] and res["resident"]:
                y.risks.append(f"{y.year}: {res['resident_min_days']}-day crossing on {res['day_183']} — resident for "
                               f"{y.year} ({res['residence_days']} days)")
            if res["worldwide_income_taxable"]:
                y.risks.append(f"{y.year}: six-year clock run out — worldwide income taxable in China")
            elif res["resident"] and res["first_worldwide_year_if_every_year_qualifies"] <= f.end.year + 1:
                y.risks.append(f"{y.year}: six-year clock at {res['six_year_clock']} — worldwide income taxable from "
                               f"{res['first_worldwide_year_if_every_year_qualifies']} if every year qualifies; a single "
                               f"absence of more than {res['clock_max_single_absence_days']} days resets it")
        if res is not None and row.structure.business_trips:
            ninety = res["ninety_day_rule_days"]
            left = f"day {ninety} on {res['day_90']}" if res["day_90"] else f"{ninety}-day limit not reached"
            y.risks.append(f"{y.year}: {res['residence_days']} days of residence in China ({left}); a China "
                           "permanent establishment would make the pay China-borne")
        if y.lost_contribution_months:
            y.risks.append(f"{y.year}: China contributions stop — {y.lost_contribution_months} lost contribution "
                           "months (pension record gap, medical cover ends)")
    timeline = ctx.timeline
    if not (row.china_certificate or row.host_certificate) or timeline is None or not plan.years:
        return
    if timeline.expiry is not None and timeline.expiry < f.end:
        year = next((y for y in plan.years if y.year == timeline.expiry.year), plan.years[-1])
        schemes = ", ".join(timeline.agreement.china_exempt if f.inbound else timeline.agreement.partner_exempt_branches)
        year.risks.append(f"{timeline.expiry.year}: certificate of coverage expires {timeline.expiry} before the "
                          f"assignment ends ({f.end}): {schemes} due again from "
                          f"{timeline.expiry + dt.timedelta(days=1)}; apply for renewal by {timeline.renewal_alert}")
    elif timeline.expiry is None and timeline.agreement is not None:
        plan.years[0].risks.append("certificate: " + "; ".join(timeline.alerts))
    if not f.inbound:
        for alert in timeline.alerts:
            if "expires" not in alert and "after the certificate" not in alert:
                plan.years[0].risks.append(alert)


def across(plans: list[Plan]) -> str | None:
    """The cheapest compliant structure of each alternative assignment, compared (RMB)."""
    best = [(p.structure(p.cheapest).total("employer_cost_cny"), p) for p in plans if p.cheapest]
    if len(best) < 2:
        return None
    best.sort(key=lambda x: x[0])
    (c1, p1), (c2, p2) = best[0], best[1]
    return (f"{p1.assignment.title or p1.assignment.host_country} ({p1.structure(p1.cheapest).title}) costs "
            f"{fen_to_str(c1)} RMB, {fen_to_str(c2 - c1)} less than {p2.assignment.title or p2.assignment.host_country} "
            f"({p2.structure(p2.cheapest).title}, {fen_to_str(c2)})")
