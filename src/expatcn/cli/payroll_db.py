"""``expatcn init``, ``template``, ``import``, ``employees``: the payroll database and its inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors

DbOption = Annotated[str | None, typer.Option("--db", envvar="EXPATCN_DB",
                                              help="SQLite file or database URL (default ./expatcn.sqlite)")]
EmployerOption = Annotated[str | None, typer.Option("--employer", help="the employer's tax number (if several)")]
EXAMPLE_COMPANY = ("employer.csv", "roster.csv", "deductions.csv", "trips.csv", "pay.csv")


def payroll_errors():
    from expatcn.payroll.db import PayrollError

    return user_errors(PayrollError)


@app.command("init")
def init(db: DbOption = None) -> None:
    """Create the payroll database (SQLite file by default) or bring its schema up to date."""
    from expatcn.payroll.db import database_url, get_engine, upgrade

    with payroll_errors():
        revision = upgrade(get_engine(db))
    typer.echo(f"database {database_url(db)}: schema at revision {revision}")


@app.command("template")
def template(
    kind: Annotated[str, typer.Argument(help="roster, pay, trips, deductions or employer")],
    out: Annotated[Path | None, typer.Option("--out", help="file to write (.xlsx or .csv); default <kind>.xlsx")] = None,
) -> None:
    """Write an empty import template with bilingual headers (English / 中文)."""
    from expatcn.payroll.importer import write_template

    with payroll_errors():
        path = write_template(kind, out or Path(f"{kind}.xlsx"))
    typer.echo(f"wrote {path}")


@app.command("import")
def import_(
    files: Annotated[list[Path] | None, typer.Argument(help="roster, pay, trips or deductions files (.xlsx, .csv)")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="the kind of a CSV file whose headers do not tell")] = None,
    example: Annotated[bool, typer.Option("--example", help="import the example company shipped with expatcn")] = False,
    db: DbOption = None,
) -> None:
    """Import files in one transaction: all valid and written, or nothing written."""
    from expatcn.payroll.db import get_engine
    from expatcn.payroll.importer import import_files

    paths = list(files or [])
    if example:
        from importlib.resources import files as resources

        folder = resources("expatcn.examples.company")
        paths += [Path(str(folder / name)) for name in EXAMPLE_COMPANY]
    with payroll_errors():
        if not paths:
            from expatcn.payroll.db import PayrollError

            raise PayrollError("nothing to import: name the files, or --example")
        summary = import_files(get_engine(db), paths, kind)
    for table, counts in summary.counts.items():
        typer.echo(f"{table}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v or k != "removed"))


@app.command("employees")
def employees(db: DbOption = None, employer: EmployerOption = None,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The employees (ID numbers masked)."""
    from rich.console import Console
    from rich.table import Table

    from expatcn.io.exports.common import mask_id
    from expatcn.payroll.db import get_engine
    from expatcn.payroll.runs import list_employees

    with payroll_errors():
        rows = [{**row, "id_number": mask_id(row["id_number"])} for row in list_employees(get_engine(db), employer)]
    if as_json:
        print_json(rows)
        return
    table = Table("ID", "name", "ID type", "ID number", "nat.", "resident", "exec.", "hired", "left", "SSA cert. until")
    flag = lambda v: "" if v is None else ("yes" if v else "no")  # noqa: E731
    for r in rows:
        table.add_row(r["id"], r["name"], r["id_type"], r["id_number"], r["nationality"],
                      "trips" if r["resident"] is None else flag(r["resident"]), flag(r["executive"]) if r["executive"] else "",
                      str(r["hire_date"]), str(r["leave_date"] or ""), str(r["certificate_until"] or ""))
    Console().print(table)
