"""``expatcn parities import`` / ``parities list``: the employer's RMB central parities in the
payroll store, which runs use to convert pay items in a foreign currency (the template:
``examples/fx/central_parity_template.csv``)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json
from expatcn.cli.payroll_db import DbOption, EmployerOption, payroll_errors

parities_app = typer.Typer(help="The employer's RMB central parities (pay in a foreign currency).", no_args_is_help=True)
app.add_typer(parities_app, name="parities")


@parities_app.command("import")
def import_parities(
    file: Annotated[Path, typer.Argument(help="rates file (CSV: date, currency, rate[, unit, source])")],
    who: Annotated[str, typer.Option("--who", help="who imports them (default: the user logged in)")] = "",
    db: DbOption = None, employer: EmployerOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add the file's parities to the employer's; a bad row, or a stored day with another rate, refuses the file."""
    from expatcn.services import parities

    with payroll_errors():
        done = parities.import_parities(parities.open_store(db), file, who or getpass.getuser(), employer=employer)
    if as_json:
        print_json(done)
        return
    typer.echo(f"{done.added} parities added, {done.unchanged} already stored, for employer {done.employer} "
               f"(imported by {done.imported_by})")


@parities_app.command("list")
def list_parities(db: DbOption = None, employer: EmployerOption = None,
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The employer's parities by day and currency."""
    from expatcn.services import parities

    with payroll_errors():
        found = parities.list_parities(parities.open_store(db), employer=employer)
    if as_json:
        print_json([p.model_dump(mode="json") for p in found])
        return
    if not found:
        typer.echo("no central parities stored: pay items in a foreign currency cannot be run "
                   "(expatcn parities import FILE)")
    for p in found:
        unit = "" if p.unit == 1 else f" per {p.unit}"
        typer.echo(f"  {p.date} {p.currency} {p.rate}{unit}  {p.source}  (imported by {p.imported_by})")
