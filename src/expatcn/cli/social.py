"""``expatcn social``: one employee's China social insurance and housing fund for a city and
month — bases, rates, amounts, who is exempt, and the law entries behind them."""

from __future__ import annotations

from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import UserError, print_json, user_errors
from expatcn.dates import Month


@app.command("social")
def social(
    city: Annotated[str, typer.Option(help="city, e.g. shanghai, beijing, guangzhou, shenzhen")],
    month: Annotated[str, typer.Option(help="the month, YYYY-MM")],
    wage: Annotated[str, typer.Option(help="monthly contribution wage in yuan")],
    nationality: Annotated[str, typer.Option(help="ISO alpha-2 nationality; CN (default) for a Chinese employee")] = "CN",
    certificate_from: Annotated[str, typer.Option(help="certificate of coverage valid from, YYYY-MM-DD")] = "",
    certificate_until: Annotated[str, typer.Option(help="certificate of coverage valid until, YYYY-MM-DD")] = "",
    housing_fund: Annotated[
        bool | None, typer.Option("--housing-fund/--no-housing-fund", help="enrolled in the housing fund (default: Chinese yes, foreigners no)")
    ] = None,
    housing_fund_rate: Annotated[str, typer.Option(help="housing fund rate, e.g. 0.07 (default: the city's highest)")] = "",
    work_injury_rate: Annotated[str, typer.Option(help="work-injury rate of the employer's class (default: the lowest)")] = "",
    local_hukou: Annotated[bool, typer.Option("--local-hukou", help="the employee has the city's household registration")] = False,
    opt_in: Annotated[bool, typer.Option("--opt-in", help="a foreigner joins the schemes a local rule makes optional")] = False,
    partial: Annotated[bool, typer.Option("--partial", help="show what the sourced figures decide even if some are unconfirmed")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """China social insurance and housing fund for one employee: bases, rates, amounts, sources."""

    from expatcn.law import LawError, load_law
    from expatcn.money import MoneyError, rate_to_ppm, yuan_to_fen
    from expatcn.social.contributions import DEFAULT_RATE
    from expatcn.social.participation import one_employee

    with user_errors(LawError, MoneyError, ValueError):
        day = Month.parse(month).first
        wage_fen = yuan_to_fen(wage)
        if wage_fen < 0:
            raise UserError("--wage: must not be negative")
        nat = nationality.strip().upper()
        law = load_law()
        r, p = one_employee(
            law, city, day, wage_fen, nat, opt_in=opt_in, housing_fund=housing_fund,
            certificate_from=certificate_from, certificate_until=certificate_until, local_hukou=local_hukou,
            work_injury_rate=rate_to_ppm(work_injury_rate) if work_injury_rate else DEFAULT_RATE,
            housing_fund_rate=rate_to_ppm(housing_fund_rate) if housing_fund_rate else DEFAULT_RATE, partial=partial,
        )
    data = as_dict(r, p, nat)
    if as_json:
        print_json(data)
    else:
        _print(data)


def as_dict(r, p, nationality: str) -> dict:
    """One employee's contributions as JSON-ready data (amounts as strings of yuan)."""
    from expatcn.money import ppm_to_percent, yuan_str

    rows = []
    for name, s in r.schemes.items():
        unknown = bool(s.employer_unknown[0] or s.employee_unknown[0])
        exempt = bool(p.exempt.get(name, [False])[0])
        rows.append({
            "scheme": name,
            "participates": bool(s.participates[0]),
            "exempt_by_agreement": exempt,
            "note": s.note,
            "base": None if unknown else yuan_str(s.base[0]),
            "employer_rate": ppm_to_percent(s.employer_rate[0]),
            "employee_rate": ppm_to_percent(s.employee_rate[0]) + (f" + {yuan_str(s.employee_fixed)}" if s.employee_fixed else ""),
            "employer": None if s.employer_unknown[0] else yuan_str(s.employer[0]),
            "employee": None if s.employee_unknown[0] else yuan_str(s.employee[0]),
        })
    complete = not bool(r.unknown[0])
    return {
        "city": r.city,
        "month": f"{r.month:%Y-%m}",
        "wage": yuan_str(r.wage[0]),
        "nationality": nationality,
        "schemes": rows,
        "totals": {
            "complete": complete,
            "employee_social_insurance": yuan_str(r.employee_social[0]) if complete else None,
            "employer_social_insurance": yuan_str(r.employer_social[0]) if complete else None,
            "employee_total": yuan_str(r.employee_total[0]) if complete else None,
            "employer_total": yuan_str(r.employer_total[0]) if complete else None,
            "employee_deduction_for_iit": yuan_str(r.employee_deduction[0]) if complete else None,
            "housing_fund_employer_taxable": yuan_str(r.housing_fund_employer_taxable[0]) if complete else None,
        },
        "assumptions": r.assumptions,
        "notes": p.notes,
        "law": [ref.describe() for ref in (*r.refs, *p.refs)],
    }


def _print(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{data['city']} {data['month']}[/bold] — wage {data['wage']}, nationality {data['nationality']}")
    grid = Table("scheme", "base", "employer rate", "employer", "employee rate", "employee", "")
    for row in data["schemes"]:
        if not row["participates"]:
            why = "exempt (agreement)" if row["exempt_by_agreement"] else "not enrolled"
            grid.add_row(row["scheme"], "—", "—", "—", "—", "—", why)
            continue
        unc = "unconfirmed"
        grid.add_row(row["scheme"], row["base"] or unc, row["employer_rate"], row["employer"] or unc,
                     row["employee_rate"], row["employee"] or unc, row["note"] or "")
    console.print(grid)
    t = data["totals"]
    if t["complete"]:
        console.print(f"employee: {t['employee_total']} (of which deductible for IIT {t['employee_deduction_for_iit']})")
        console.print(f"employer: {t['employer_total']}; housing fund above the tax-free cap: {t['housing_fund_employer_taxable']}")
    else:
        console.print("[bold red]totals not available: some figures are unconfirmed in the law tables[/bold red]")
    for line in data["assumptions"] + data["notes"]:
        console.print(f"assumption: {line}" if line in data["assumptions"] else f"note: {line}", soft_wrap=True)
    console.print("law:")
    for line in data["law"]:
        console.print(f"  - {line}", soft_wrap=True)
