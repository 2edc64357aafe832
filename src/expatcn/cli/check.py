"""``expatcn check``: files of cases (scenarios with expected figures) checked through the use
cases; each case pass or fail with the figures that differ; exit 1 when one fails
(:mod:`expatcn.services.check`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors

if TYPE_CHECKING:
    from expatcn.services.check import CheckReport


@app.command("check")
def check(
    paths: Annotated[list[Path], typer.Argument(help="case files (.yaml or .json) or folders of them")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Run each case (a scenario and the figures its source publishes) and say whether the
    figures match: a payroll team's golden cases, re-run after every law update."""
    from expatcn.services import check as service  # start-up speed: see expatcn.cli

    with user_errors():
        report = service.check(paths)
    if as_json:
        print_json(report)
    else:
        _print(report)
    if report.failed:
        raise typer.Exit(1)


def _print(report: CheckReport) -> None:
    console = Console(highlight=False)
    for case in report.cases:
        if case.passed:
            console.print(f"[green]pass[/green]  {case.name}", soft_wrap=True)
            continue
        console.print(f"[red]FAIL[/red]  {case.name}  ({case.file}; source: {case.source.document})", soft_wrap=True)
        if case.error:
            console.print(f"      refused: {case.error}", soft_wrap=True, markup=False)
        for d in case.differences:
            console.print(f"      {d.field}: expected {d.expected}, got {d.got if d.got is not None else 'no such figure'}",
                          soft_wrap=True, markup=False)
    console.print(f"{report.passed} passed, {report.failed} failed")
