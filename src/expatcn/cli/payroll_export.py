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
    from expatcn.payroll.db import PayrollError, get_engine
    from expatcn.payroll.exports import export_month

    with payroll_errors():
        if fmt not in ("xlsx", "csv"):
            raise PayrollError(f"--format {fmt!r}: expected xlsx or csv")
        year, m = Month.parse(month)
        try:
            from expatcn.io.exports import ExportError
        except ImportError:
            ExportError = PayrollError  # noqa: N806
        try:
            written, notes = export_month(get_engine(db), year, m, kind or ["withholding", "social", "cost", "payslips"],
                                          out, fmt=fmt, traces=trace, employer_tax_number=employer)
        except ExportError as exc:
            raise PayrollError(str(exc)) from None
    for path in written:
        typer.echo(f"wrote {path}")
    for note in notes:
        typer.echo(f"note: {note}")
