"""``expatcn rates import`` / ``rates list``: the employer's own social insurance figures in the
payroll store (who imported them and when), and ``expatcn template rates`` gives the file's form."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json
from expatcn.cli.payroll_db import DbOption, EmployerOption, payroll_errors

rates_app = typer.Typer(help="The employer's own social insurance figures (where the law tables have none, or differ).",
                        no_args_is_help=True)
app.add_typer(rates_app, name="rates")


@rates_app.command("import")
def import_rates(
    file: Annotated[Path, typer.Argument(help="rates file: YAML, Excel or CSV (columns of `expatcn template rates`)")],
    who: Annotated[str, typer.Option("--who", help="who imports them (default: the user logged in)")] = "",
    db: DbOption = None, employer: EmployerOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Replace the employer's figures with the file's; a bad file is refused whole (row and column named)."""
    from expatcn.services import rates

    with payroll_errors():
        done = rates.import_rates(rates.open_store(db), file, who or getpass.getuser(), employer=employer)
    if as_json:
        print_json(done)
        return
    typer.echo(f"{done.rows} rows imported by {done.imported_by}; they replace the employer's earlier figures")
    _print(done.rates)


@rates_app.command("list")
def list_rates(db: DbOption = None, employer: EmployerOption = None,
               as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The employer's figures in the store, with who imported them and when."""
    from expatcn.services import rates

    with payroll_errors():
        found = rates.list_rates(rates.open_store(db), employer=employer)
    if as_json:
        print_json([r.model_dump(mode="json", by_alias=True) for r in found])
        return
    if not found:
        typer.echo("no employer figures: the law tables' figures are used (carried forward where not yet published)")
    _print(found)


def _print(rows) -> None:
    for r in rows:
        figures = [f"{label} {value}" for label, value in (
            ("base floor", r.base_floor), ("base ceiling", r.base_ceiling), ("employer rate", r.employer_rate),
            ("employee rate", r.employee_rate)) if value is not None]
        when = f" — imported by {r.imported_by} at {r.imported_at:%Y-%m-%d %H:%M}" if r.imported_at else ""
        typer.echo(f"  {r.city} {r.scheme} {r.start}..{r.end or ''}: {', '.join(figures)} ({r.why}){when}")
