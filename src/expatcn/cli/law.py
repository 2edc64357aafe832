"""``expatcn law``: list the law tables, show one as of a date with its sources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import RATES_HELP, employer_rates, print_json, user_errors

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


@law_app.command("status")
def status(
    on: Annotated[str, typer.Option(help="the day, YYYY-MM-DD (default: today)")] = "",
    within: Annotated[int, typer.Option(help="what ends within this many days")] = 90,
    rates: Annotated[Path | None, typer.Option("--rates", help=RATES_HELP)] = None,
    db: Annotated[str | None, typer.Option("--db", help="a payroll store whose employer figures to show (path or URL)")] = None,
    everything: Annotated[bool, typer.Option("--all", help="every table, not only those with news")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """How fresh the law tables are: each table's last period, what ends soon, and which social
    insurance figures are carried forward, employer-supplied, of low confidence or not published."""
    from expatcn.services import law_status as service

    with user_errors(ValueError):
        day = dt.date.fromisoformat(on) if on else None
        answer = service.law_status(day, horizon_days=within, rates=employer_rates(rates),
                                    store=service.open_store(db) if db else None)
    if as_json:
        print_json(answer)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    grid = Table("table", "last period", "in force", "ends", title=f"Law tables on {answer.day}", title_justify="left")
    for t in answer.tables:
        news = t.ends_soon or t.pending or t.in_force is None
        if everything or news:
            state = "pending (carried forward)" if t.pending else (t.in_force or "not in force")
            grid.add_row(t.table, t.last_period, state, str(t.ends_soon or ""))
    console.print(grid)
    console.print(f"ends within {answer.horizon_days} days: {len(answer.ending)} tables")
    for city in answer.cities:
        if city.gap:
            console.print(f"[bold]{city.city}[/bold]: {city.gap}", soft_wrap=True)
            continue
        by_kind: dict[str, list[str]] = {}
        for f in city.figures:
            by_kind.setdefault(f.kind.replace("_", " "), []).append(f"{f.scheme.replace('_', ' ')} {f.en.split(':')[0]}")
        if by_kind:
            console.print(f"[bold]{city.city}[/bold]: " + "; ".join(f"{kind}: {', '.join(items)}"
                                                               for kind, items in by_kind.items()), soft_wrap=True)


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
