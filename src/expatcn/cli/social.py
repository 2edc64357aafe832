"""``expatcn social``: one employee's China social insurance and housing fund for a city and
month — bases, rates, amounts, who is exempt, and the law entries behind them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from expatcn.cli import app
from expatcn.cli.common import CARRIED_NOTE, RATES_HELP, STRICT_HELP, UserError, employer_rates, print_json, user_errors
from expatcn.dates import Month
from expatcn.money import yuan_to_fen

if TYPE_CHECKING:
    from expatcn.services.social import SocialMonth


@app.command("social")
def social(
    city: Annotated[str, typer.Option(help="city by key or name, e.g. shanghai, Xi'an, 上海")],
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
    rates: Annotated[Path | None, typer.Option("--rates", help=RATES_HELP)] = None,
    strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP + "; and one never published")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """China social insurance and housing fund for one employee: bases, rates, amounts, sources.
    A figure not yet published is the last published one carried forward, and said so; one never
    published is shown as such, with no total (give it with --rates)."""
    from expatcn.services import social as service  # start-up speed: see expatcn.cli

    with user_errors():
        answer = service.social_month(
            city, Month.parse(month), _wage(wage), nationality=nationality,
            certificate_from=_day(certificate_from, "--certificate-from"),
            certificate_until=_day(certificate_until, "--certificate-until"), housing_fund=housing_fund,
            housing_fund_rate=housing_fund_rate or None, work_injury_rate=work_injury_rate or None,
            local_hukou=local_hukou, opt_in=opt_in, strict=strict, rates=employer_rates(rates))
    if as_json:
        print_json(answer)
    else:
        _print(answer)


def _wage(text: str) -> int:
    fen = yuan_to_fen(text)
    if fen < 0:
        raise UserError("--wage: must not be negative")
    return fen


def _day(text: str, option: str) -> dt.date | None:
    """A date option, ``YYYY-MM-DD`` or blank."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option}: expected a date YYYY-MM-DD, got {text!r}") from None


def _print(a: SocialMonth) -> None:
    console = Console()
    console.print(f"[bold]{a.city} {a.month}[/bold] — wage {a.wage}, nationality {a.nationality}")
    grid = Table("scheme", "base", "employer rate", "employer", "employee rate", "employee", "")
    missing = NOT_PUBLISHED
    for row in a.schemes:
        if not row.participates:
            why = "exempt (agreement)" if row.exempt_by_agreement else "not enrolled"
            grid.add_row(row.scheme.replace("_", " "), "—", "—", "—", "—", "—", why)
            continue
        mark = " †" if row.carried else ""
        grid.add_row(row.scheme.replace("_", " ") + mark, row.base or missing, row.employer_rate or missing,
                     row.employer or missing, row.employee_rate or missing, row.employee or missing, row.note or "")
    console.print(grid)
    for row in a.schemes:
        if row.label:
            console.print(f"{row.scheme.replace('_', ' ')}: {row.label['en']}", soft_wrap=True)
    t = a.totals
    carried = " †" if t.carried else ""
    if t.complete:
        console.print(f"employee: {t.employee_total}{carried} (of which deductible for IIT {t.employee_deduction_for_iit})")
        console.print(f"employer: {t.employer_total}{carried}; housing fund above the tax-free cap: "
                      f"{t.housing_fund_employer_taxable}")
    else:
        console.print("[bold red]totals not available: a figure above was never published and there is none to "
                      "carry forward — give the employer's own figures with --rates FILE[/bold red]", soft_wrap=True)
    if any(row.carried for row in a.schemes):
        console.print(CARRIED_NOTE, soft_wrap=True)
    for line in a.assumptions:
        console.print(f"assumption: {line}", soft_wrap=True)
    for line in a.notes:
        console.print(f"note: {line}", soft_wrap=True)
    console.print("law:")
    for line in a.law:
        console.print(f"  - {line}", soft_wrap=True)


NOT_PUBLISHED = "not published"
