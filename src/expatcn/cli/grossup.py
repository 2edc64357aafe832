"""``expatcn grossup``: the gross that pays an agreed net, month by month, exact to the fen
(:mod:`expatcn.services.grossup`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from expatcn.cli import app
from expatcn.cli.common import CARRIED_NOTE, RATES_HELP, STRICT_HELP, UserError, employer_rates, print_json, user_errors
from expatcn.cli.tax import print_trace
from expatcn.money import MoneyError, yuan_grouped, yuan_to_fen

if TYPE_CHECKING:
    from expatcn.services.grossup import GrossUp


def _amount(text: str, what: str) -> int:
    try:
        fen = yuan_to_fen(text)
    except MoneyError as exc:
        raise UserError(f"{what}: {exc}") from None
    if fen < 0:
        raise UserError(f"{what}: expected an amount ≥ 0, got {text}")
    return fen


def _allowances(items: list[str]) -> dict[str, int]:
    """``kind=amount`` pairs → fen a month by kind (the service checks the kinds against the law)."""
    found: dict[str, int] = {}
    for item in items:
        kind, _, amount = item.partition("=")
        if not amount:
            raise UserError(f"--allowance {item!r}: expected KIND=AMOUNT, e.g. housing=8000")
        found[kind] = found.get(kind, 0) + _amount(amount, f"--allowance {kind}")
    return found


@app.command("grossup")
def grossup(
    net: Annotated[str, typer.Option(help="target net pay per month (yuan), allowances included")],
    year: Annotated[int, typer.Option(help="tax year")],
    city: Annotated[str, typer.Option(help="city whose social insurance applies (contributions follow the gross), by key or name")] = "",
    contributions: Annotated[str, typer.Option(help="fixed employee contributions per month instead of --city")] = "0",
    nonresident: Annotated[bool, typer.Option("--nonresident", help="non-resident for the year")] = False,
    foreigner: Annotated[bool, typer.Option("--foreigner", help="a foreign individual")] = False,
    allowance: Annotated[list[str], typer.Option(help="exempt allowance KIND=AMOUNT per month (elects the exemption)")] = [],  # noqa: B006
    special_additional_deductions: Annotated[str, typer.Option(help="special additional deductions per month")] = "0",
    first_month: Annotated[int, typer.Option(help="first month employed")] = 1,
    last_month: Annotated[int, typer.Option(help="last month employed")] = 12,
    bonus_net: Annotated[str, typer.Option(help="a net annual bonus to gross up (separate method)")] = "",
    bonus_month: Annotated[int, typer.Option(help="month the bonus is paid")] = 12,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="show every step of the gross found and the law behind it")] = False,
    rates: Annotated[Path | None, typer.Option("--rates", help=RATES_HELP)] = None,
    strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP)] = False,
) -> None:
    """Net → gross under residents' cumulative withholding (each month differs as the cumulative
    band rises), non-residents' monthly tax, a package with tax-free allowances, and a net bonus."""
    from expatcn.services import grossup as service  # start-up speed: see expatcn.cli

    with user_errors():
        if not 1 <= first_month <= last_month <= 12:
            raise UserError("--first-month and --last-month must be months 1–12, first ≤ last")
        answer = service.gross_up(
            _amount(net, "--net"), year, city=city or None, contributions=_amount(contributions, "--contributions"),
            nonresident=nonresident, foreigner=foreigner, allowances=_allowances(allowance),
            special_additional_deductions=_amount(special_additional_deductions, "--special-additional-deductions"),
            first_month=first_month, last_month=last_month,
            bonus_net=_amount(bonus_net, "--bonus-net") if bonus_net else None, bonus_month=bonus_month, explain=explain,
            rates=employer_rates(rates), strict=strict)
    if as_json:
        print_json(answer)
    else:
        _print(answer)


def _print(a: GrossUp) -> None:
    console = Console(width=None if Console().is_terminal else 130)
    where = f", {a.city}" if a.city else ""
    table = Table("month", "gross wages", "allowances", "employee contributions", "IIT", "net paid", "target",
                  title=f"Net → gross, {a.year}{where}", title_justify="left")
    for r in a.months:
        table.add_row(f"{a.year}-{r.month:02d}" + (" †" if r.carried else ""), yuan_grouped(r.gross_wages),
                      yuan_grouped(r.allowances),
                      yuan_grouped(r.employee_contributions), yuan_grouped(r.iit),
                      yuan_grouped(r.net) + ("" if r.exact else " *"), yuan_grouped(r.target))
    console.print(table)
    if not all(r.exact for r in a.months):
        console.print("* rounding to the fen makes the exact net unreachable: the smallest gross paying at least it")
    if any(r.carried for r in a.months):
        console.print(CARRIED_NOTE, soft_wrap=True)
    for note in a.figure_notes:
        console.print(f"{note['scheme']}: {note['en']}", soft_wrap=True)
    for alert in a.alerts:
        console.print(f"[yellow]Alert:[/yellow] {alert}", soft_wrap=True)
    if a.bonus:
        console.print(f"Bonus: gross {yuan_grouped(a.bonus.gross_bonus)} pays net {yuan_grouped(a.bonus.net_paid)}.")
        if a.bonus.larger_bonus_same_net:
            console.print(f"[yellow]Cliff:[/yellow] a bonus of {yuan_grouped(a.bonus.larger_bonus_same_net)} pays the "
                          "same net — the smaller gross is chosen.")
    if a.trace is not None:
        console.print("\n[bold]How each figure was reached[/bold] (each law entry is cited where first used)")
        print_trace(console, a.trace, a.year)
