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
from expatcn.cli.common import CARRIED_NOTE, RATES_HELP, STRICT_HELP, employer_rates, print_json, user_errors
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
    partial: Annotated[bool, typer.Option("--partial", help="compute what the published figures decide, flag the rest")] = False,
    rates: Annotated[Path | None, typer.Option("--rates", help=RATES_HELP)] = None,
    strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP)] = False,
) -> None:
    """Gross → social insurance and housing fund → IIT → net pay, and employer cost, month by month.
    A social insurance figure not yet published is the last published one carried forward, and the
    months resting on one are marked †."""
    from expatcn.services import month as service  # start-up speed: see expatcn.cli

    with user_errors():
        answer = service.full_month(service.load_month_scenario(scenario), explain=explain, partial=partial,
                                    strict=strict, rates=employer_rates(rates))
    if as_json:
        print_json(answer)
    else:
        _print(answer)


def _cells(row) -> list[str]:
    """A row's amounts; those resting on a figure carried forward marked † (employee side: its
    contributions, IIT and net; employer side: its contributions and cost)."""
    employee, employer = getattr(row, "employee_carried", False), getattr(row, "employer_carried", False)
    marked = {"employee_social", "employee_housing_fund", "iit", "net"} if employee else set()
    marked |= {"employer_social", "employer_housing_fund", "employer_cost"} if employer else set()
    return [yuan_grouped(getattr(row, k)) + (" †" if k in marked else "") for k, _ in TABLE]


def _print(a: FullMonth) -> None:
    console = Console(width=None if Console().is_terminal else 160)
    status = "resident" if a.resident else "non-resident"
    table = Table("month", *(label for _, label in TABLE),
                  title=f"{a.name} — {a.city} {a.year}, {a.nationality}, {status}", title_justify="left")
    for row in a.months:
        flag = ("" if row.complete else " *") + (" †" if row.employee_carried or row.employer_carried else "")
        table.add_row(row.month + flag, *_cells(row))
    table.add_row("year" + (" †" if a.carried else ""), *_cells(a.year_totals), style="bold")
    console.print(table)
    if any(not r.complete for r in a.months):
        console.print("* a social insurance figure never published (nothing to carry forward): left out of the "
                      "month's figures (--partial); give it with --rates FILE", soft_wrap=True)
    if a.carried:
        console.print(CARRIED_NOTE, soft_wrap=True)
    notes: dict[str, list[str]] = {}
    for row in a.months:
        for scheme, text in row.figure_notes.items():
            notes.setdefault(f"{scheme}: {text['en']}", []).append(row.month[5:])
    for text, months in notes.items():
        console.print(f"{text} (months {', '.join(months)})", soft_wrap=True)
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


@app.command("month-batch")
def month_batch(
    source: Annotated[Path, typer.Argument(help="CSV or Parquet of person-months with city (a Parquet folder with --dask)")],
    out: Annotated[Path, typer.Option("--out", help="where to write results (.csv or .parquet; a folder with --dask)")],
    partial: Annotated[bool, typer.Option("--partial", help="compute what the law tables source, flag the rest")] = False,
    chunk_rows: Annotated[int | None, typer.Option("--chunk-rows", help="rows read at a time (default 1,000,000)")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="a Dask scheduler address, or local[:N]")] = None,
) -> None:
    """The full month (contributions, IIT, net, employer cost) for every person-month of a file, one row per month."""
    from expatcn.services import batch  # start-up speed: see expatcn.cli

    with user_errors():
        if dask:
            done = batch.dask_batch("month", source, out, dask, partial=partial)
        else:
            done = batch.run_batch("month", source, out, partial=partial,
                                   **({"chunk_rows": chunk_rows} if chunk_rows else {}))
    typer.echo(f"wrote {done.rows} rows to {done.out}")
