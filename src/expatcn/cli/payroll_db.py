"""``expatcn init``, ``template``, ``import``, ``employees``: the payroll store and its inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors
from expatcn.errors import LawError, NotFound, StateError

DbOption = Annotated[str | None, typer.Option("--db", envvar="EXPATCN_DB",
                                              help="SQLite file or database URL (default ./expatcn.sqlite)")]
EmployerOption = Annotated[str | None, typer.Option("--employer", help="the employer's tax number (if several)")]


def payroll_errors():
    """Input, law and store errors as a clean message and exit 2."""
    return user_errors(StateError, LawError, NotFound)


@app.command("init")
def init(db: DbOption = None) -> None:
    """Create the payroll database (SQLite file by default) or bring its schema up to date."""
    from expatcn.services import payroll

    with payroll_errors():
        url, revision = payroll.init(db)
    typer.echo(f"database {url}: schema at revision {revision}")


@app.command("template")
def template(
    kind: Annotated[str, typer.Argument(help="roster, pay, trips, deductions, employer or rates")],
    out: Annotated[Path | None, typer.Option("--out", help="file to write (.xlsx or .csv); default <kind>.xlsx")] = None,
) -> None:
    """Write an empty import template with bilingual headers (English / 中文)."""
    from expatcn.services import payroll

    path = out or Path(f"{kind}.xlsx")
    with payroll_errors():
        content = payroll.template(kind, path.suffix.lower().lstrip("."))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    typer.echo(f"wrote {path}")


@app.command("import")
def import_(
    files: Annotated[list[Path] | None, typer.Argument(help="roster, pay, trips or deductions files (.xlsx, .csv)")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="the kind of a CSV file whose headers do not tell")] = None,
    example: Annotated[bool, typer.Option("--example", help="import the example company shipped with expatcn")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="trips: remove the stored trips of each employee named "
                                                            "that the file does not hold (listed)")] = False,
    db: DbOption = None,
) -> None:
    """Import files in one transaction: all valid and written, or nothing written. Trips are added
    and updated by (employee, entry); --replace also removes the ones the file does not hold."""
    from expatcn.services import payroll

    with payroll_errors():
        paths = [*(files or []), *(payroll.example_files() if example else [])]
        done = payroll.import_files(payroll.open_store(db), paths, kind, replace_trips=replace)
    for table, counts in done.counts.items():
        typer.echo(f"{table}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v or k != "removed"))
    for line in done.removed:
        typer.echo(f"  removed: {line}")


@app.command("employees")
def employees(db: DbOption = None, employer: EmployerOption = None,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The employees (ID numbers masked)."""
    from rich.console import Console
    from rich.table import Table

    from expatcn.services import payroll, people

    with payroll_errors():
        rows = people.employees(payroll.open_store(db), employer)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("ID", "name", "ID type", "ID number", "nat.", "resident", "exec.", "hired", "left", "SSA cert. until")
    flag = lambda v: "" if v is None else ("yes" if v else "no")  # noqa: E731
    for r in rows:
        table.add_row(r.id, r.name, r.id_type, r.id_number, r.nationality,
                      "trips" if r.resident is None else flag(r.resident), flag(r.executive) if r.executive else "",
                      str(r.hire_date), str(r.leave_date or ""), str(r.certificate_until or ""))
    Console().print(table)
