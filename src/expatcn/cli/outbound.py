"""``expatcn outbound``: a Chinese employee sent abroad — host contributions, what the agreement
removes, the double-contribution exposure, and the certificate-of-coverage alerts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import UserError, print_json, user_errors


@app.command("outbound")
def outbound(
    scenario: Annotated[Path, typer.Argument(help="outbound scenario file (.yaml or .json)")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    fx: Annotated[str, typer.Option("--fx", help="RMB per unit of the host currency, e.g. 7.10")] = "",
) -> None:
    """The two-country picture of outbound assignments, month by month, with certificate alerts."""
    from decimal import Decimal, InvalidOperation

    from expatcn.io.outbound_file import load_outbound_scenario
    from expatcn.law import LawError, load_law
    from expatcn.social.outbound import outbound as compute

    with user_errors(LawError, ValueError):
        try:
            rate = Decimal(fx) if fx else None
        except InvalidOperation:
            raise UserError(f"--fx expects RMB per host currency unit such as 7.10, got {fx!r}") from None
        if rate is not None and rate <= 0:
            raise UserError("--fx must be positive")
        law = load_law()
        loaded = load_outbound_scenario(scenario, law)
        results = compute(law, loaded, rate)
    data = [result_as_dict(r) for r in results]
    if as_json:

        print_json({"title": loaded.title, "assignments": data})
        return
    _print(loaded.title, results, data)


def result_as_dict(r) -> dict:
    """One assignment as JSON-ready data: amounts as strings in the host currency."""
    from expatcn.money import minor_to_str

    mpu = r.host.minor_per_unit
    fmt = lambda v: minor_to_str(int(v), mpu).replace(",", "")  # noqa: E731
    host = r.host
    months = []
    for i, month in enumerate(r.months):
        schemes = {
            key: {"base": fmt(host.base[key][0, i]), "employer": fmt(host.employer[key][0, i]),
                  "employee": fmt(host.employee[key][0, i]), "exempt": bool(host.exempt[key][0, i])}
            for key in host.schemes
        }
        months.append({
            "month": f"{month:%Y-%m}",
            "host_wage": fmt(r.host_wage[i]),
            "certificate_covers": bool(r.certificate_month[i]),
            "host_employer": fmt(r.host_employer()[i]),
            "host_employee": fmt(r.host_employee()[i]),
            "removed_by_agreement": fmt(r.removed_by_agreement[i]),
            "double_exposure": fmt(r.double_exposure[i]),
            "schemes": schemes,
        })
    totals = {
        "host_employer": fmt(r.host_employer().sum()),
        "host_employee": fmt(r.host_employee().sum()),
        "removed_by_agreement": fmt(r.removed_by_agreement.sum()),
        "double_exposure": fmt(r.double_exposure.sum()),
    }
    if r.fx_cny_per_unit is not None:
        from decimal import ROUND_HALF_UP, Decimal

        totals["fx_cny_per_unit"] = str(r.fx_cny_per_unit)
        for key in ("host_employer", "host_employee", "removed_by_agreement", "double_exposure"):
            totals[f"{key}_cny"] = str((Decimal(totals[key]) * r.fx_cny_per_unit).quantize(Decimal("0.01"), ROUND_HALF_UP))
    t = r.timeline
    refs = {ref.table + "@" + str(ref.start): ref for ref in (m.ref for m in host.law)}
    cls = host.employer_class[0]
    return {
        "name": r.assignment.name,
        "host_country": r.assignment.host_country,
        "currency": r.currency,
        "start": r.assignment.start, "end": r.assignment.end,
        "certificate": {
            "agreement": t.agreement.name if t.agreement else None,
            "applied": t.applied, "from": t.start, "expiry": t.expiry, "renewal_alert": t.renewal_alert,
            "china_exempt_abroad": list(t.agreement.partner_exempt_branches) if t.agreement else [],
            "max_secondment_months": t.agreement.max_secondment_months if t.agreement else None,
            "extension": t.agreement.extension if t.agreement else None,
            "confidence": t.agreement.confidence if t.agreement else None,
        },
        "alerts": list(t.alerts),
        "employer_class": None if cls is None else {
            "key": cls.key, "name": cls.name, "name_zh": cls.name_zh,
            "assumed": r.assignment.host_employer_class is None,
        },
        "double_exposure_branches": list(r.double_exposure_branches),
        "china_side": _china_dict(r),
        "months": months,
        "totals": totals,
        "law": [ref.model_dump(mode="json") for ref in refs.values()],
        "schemes_not_modelled": sorted({x for m in host.law for x in m.value.not_modelled}),
    }


def _china_dict(r) -> dict:
    """The home-city contributions that continue, in RMB."""
    from expatcn.money import yuan_str

    if r.china is None:
        return {"computed": False, "note": r.china_note}
    c = r.china
    return {
        "computed": True,
        "city": c.city,
        "currency": "CNY",
        "months": [
            {"month": f"{m:%Y-%m}", "employer": yuan_str(c.employer[i]),
             "employee": yuan_str(c.employee[i])}
            for i, m in enumerate(r.months)
        ],
        "employer_total": yuan_str(c.employer.sum()),
        "employee_total": yuan_str(c.employee.sum()),
        "assumptions": c.assumptions,
        "law": [ref.model_dump(mode="json") for ref in c.refs],
    }


def _print(title, results, data) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if title:
        console.print(f"[bold]{title}[/bold]")
    for r, d in zip(results, data):
        console.print(f"\n[bold]{d['name']}[/bold] — {d['host_country']} {d['start']}..{d['end']} (amounts in {d['currency']})")
        c = d["certificate"]
        if c["agreement"]:
            console.print(f"agreement: {c['agreement']} — removes abroad: {', '.join(c['china_exempt_abroad'])}; "
                          f"max {c['max_secondment_months']} months; certificate {c['from']}..{c['expiry']}, "
                          f"renewal alert {c['renewal_alert']} (confidence {c['confidence']})")
        if d["employer_class"]:
            e = d["employer_class"]
            how = " (assumed: give host_employer_class)" if e["assumed"] else ""
            console.print(f"employer class: {e['name']}{how}", markup=False)
        grid = Table("month", "wage", "cert", "employer", "employee", "removed", "double exposure")
        for m in d["months"]:
            grid.add_row(m["month"], m["host_wage"], "yes" if m["certificate_covers"] else "—", m["host_employer"],
                         m["host_employee"], m["removed_by_agreement"], m["double_exposure"])
        tot = d["totals"]
        grid.add_row("total", "", "", tot["host_employer"], tot["host_employee"], tot["removed_by_agreement"],
                     tot["double_exposure"])
        console.print(grid)
        if "fx_cny_per_unit" in tot:
            console.print(f"in RMB at {tot['fx_cny_per_unit']}: employer {tot['host_employer_cny']}, employee "
                          f"{tot['host_employee_cny']}, removed {tot['removed_by_agreement_cny']}, "
                          f"double exposure {tot['double_exposure_cny']}")
        for alert in d["alerts"]:
            console.print("alert: " + alert, soft_wrap=True, markup=False, style="yellow")
        china = d["china_side"]
        if china["computed"]:
            console.print(f"China side ({china['city']}, RMB, continuing): employer {china['employer_total']}, "
                          f"employee {china['employee_total']} over the assignment", markup=False)
            for item in china["assumptions"]:
                console.print(f"  assumption: {item}", soft_wrap=True, markup=False)
        else:
            console.print(f"China side: {china['note']}", markup=False)
        if d["schemes_not_modelled"]:
            console.print(f"not modelled: {', '.join(d['schemes_not_modelled'])}", soft_wrap=True)
        console.print("law:")
        seen = []
        for month_law in r.host.law:
            if month_law.ref not in seen:
                seen.append(month_law.ref)
        if r.timeline.agreement is not None:
            console.print(f"  - {r.timeline.agreement.name} [{r.timeline.agreement.confidence}]: "
                          + "; ".join(s.cite() for s in r.timeline.agreement.sources), soft_wrap=True, markup=False)
        for ref in seen:
            console.print(f"  - {ref.describe()}", soft_wrap=True, markup=False)
