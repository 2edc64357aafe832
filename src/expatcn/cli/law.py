"""``expatcn law``: list the law tables, show one as of a date with its sources."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors

law_app = typer.Typer(help="Inspect the dated, cited law tables.", no_args_is_help=True)
app.add_typer(law_app, name="law")


@law_app.command("list")
def list_tables() -> None:
    """Every law table with the dates it covers."""
    from rich.console import Console
    from rich.table import Table

    from expatcn.law import load_law

    law = load_law()
    table = Table("table", "covers", "title")
    for name in sorted(law.tables):
        periods = law.tables[name].periods
        table.add_row(name, f"{periods[0].start}..{periods[-1].end or ''}", law.tables[name].title)
    Console().print(table)


@law_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="table name, e.g. iit/annual_table")],
    on: Annotated[str, typer.Option(help="the date, YYYY-MM-DD (default: today)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """A law table's value on a date, with the sources that set it."""
    from expatcn.law import LawError, load_law

    with user_errors(LawError, ValueError):
        day = dt.date.fromisoformat(on) if on else dt.date.today()
        entry = load_law().on(name, day)
    value = entry.value.model_dump(mode="json")
    if as_json:
        print_json({"table": name, "on": day, "value": value, "law": entry.ref.model_dump(mode="json")})
        return
    _print_entry(name, day, value, entry.ref)


def _print_entry(name: str, day: dt.date, value: dict, ref) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{ref.title}[/bold]")
    console.print(f"{name} on {day}: period {ref.start}..{ref.end or ''}, confidence {ref.confidence}")
    if "brackets" in value:
        grid = Table("band", "up to (inclusive)", "rate", "quick deduction")
        for number, band in enumerate(value["brackets"], 1):
            grid.add_row(str(number), band["up_to"] or "—", band["rate"], band["quick_deduction"])
    else:
        grid = Table("field", "value")
        for key, item in value.items():
            if isinstance(item, list) and any(isinstance(part, dict) for part in item):
                for number, part in enumerate(item, 1):  # a list of entries: one row each
                    grid.add_row(f"{key} {number}", "; ".join(f"{k}: {v}" for k, v in part.items() if v not in (None, [], {})))
            else:
                grid.add_row(key, ", ".join(map(str, item)) if isinstance(item, list) else str(item))
    console.print(grid)
    if ref.note:
        console.print(f"note: {ref.note}")
    console.print("sources:")
    for source in ref.sources:
        console.print(f"  - {source.cite()}", soft_wrap=True)
