"""``expatcn month``: one employee's year from gross pay to net pay and employer cost — social
insurance and housing fund on both sides, IIT, net, with the law behind every figure
(:mod:`expatcn.services.month`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors
from expatcn.money import yuan_grouped

if TYPE_CHECKING:
    from expatcn.services.month import FullMonth

TABLE = (
    ("gross", "gross"),
    ("employee_social", "employee SI"),
    ("employee_housing_fund", "employee HF"),
    ("iit", "IIT"),
    ("net", "net"),
    ("employer_social", "employer SI"),
    ("employer_housing_fund", "employer HF"),
    ("employer_cost", "employer cost"),
)


@app.command("month")
def month(
    scenario: Annotated[Path, typer.Argument(help="full-month scenario file (.yaml or .json)")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="show every step and the law behind it")] = False,
    partial: Annotated[bool, typer.Option("--partial", help="compute what the sourced figures decide, flag the rest")] = False,
) -> None:
    """Gross → social insurance and housing fund → IIT → net pay, and employer cost, month by month."""
    from expatcn.services import month as service  # start-up speed: see expatcn.cli

    with user_errors():
        answer = service.full_month(service.load_month_scenario(scenario), explain=explain, partial=partial)
    if as_json:
        print_json(answer)
    else:
        _print(answer)


def _print(a: FullMonth) -> None:
    console = Console(width=None if Console().is_terminal else 160)
    status = "resident" if a.resident else "non-resident"
    table = Table("month", *(label for _, label in TABLE),
                  title=f"{a.name} — {a.city} {a.year}, {a.nationality}, {status}", title_justify="left")
    for row in a.months:
        flag = "" if row.complete else " *"
        table.add_row(row.month + flag, *(yuan_grouped(getattr(row, k)) for k, _ in TABLE))
    table.add_row("year", *(yuan_grouped(getattr(a.year_totals, k)) for k, _ in TABLE), style="bold")
    console.print(table)
    if any(not r.complete for r in a.months):
        console.print("* some figures unconfirmed in the law tables (computed with --partial; shown as 0)")
    console.print(f"IIT for the year after reconciliation: {a.iit_year_tax} (withheld {a.iit_withheld})")
    r = a.pension_refund_estimate
    if r.eligible:
        console.print(f"pension personal account, lump sum on leaving China: {r.amount} — {r.note}", soft_wrap=True)
    for line in a.assumptions:
        console.print(f"assumption: {line}", soft_wrap=True)
    for alert in a.alerts:
        console.print(f"[yellow]Alert:[/yellow] {alert}", soft_wrap=True)
    if a.trace is not None:
        console.print("trace:")
        for step in a.trace:
            amount = "" if step.amount is None else step.amount
            when = f"{step.month:>2} " if step.month else "yr "
            console.print(f"  {when}{step.label}: {amount} {step.how}".rstrip(), soft_wrap=True)
    console.print("law:")
    for line in [*a.law, r.law]:
        console.print(f"  - {line}", soft_wrap=True)
