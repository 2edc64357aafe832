"""``expatcn export``: a run's filing sheets, reports and payslips."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.payroll_db import DbOption, EmployerOption, payroll_errors
from expatcn.dates import Month


@app.command("export")
def export(
    month: Annotated[str, typer.Argument(help="the month, YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", help="folder to write into")] = Path("."),
    kind: Annotated[list[str] | None, typer.Option("--kind", help="withholding, social, cost, payslips, reconciliation (default: the first four)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
    trace: Annotated[bool, typer.Option("--trace", help="payslips end with the month's calculation trace")] = False,
    db: DbOption = None, employer: EmployerOption = None,
) -> None:
    """Write the month's STA withholding sheet, social insurance and employer cost reports, payslips (zip)."""
    from expatcn.services import exports, payroll

    with payroll_errors():
        done = exports.export_month(payroll.open_store(db), *Month.parse(month), kind or exports.DEFAULT_KINDS, fmt=fmt,
                                    traces=trace, employer=employer)
    out.mkdir(parents=True, exist_ok=True)
    for file in done.files:
        (out / file.name).write_bytes(file.content)
        typer.echo(f"wrote {out / file.name}")
    for note in done.notes:
        typer.echo(f"note: {note}")
