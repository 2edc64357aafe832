"""``expatcn example``: a realistic expatriate's year on the embedded example data."""

from __future__ import annotations

from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.tax import render
from expatcn.examples import EXAMPLES, command_for, example_path


@app.command("example")
def example(
    name: Annotated[str, typer.Argument(help="which shipped scenario (see --list)")] = "resident_expat_2026",
    list_all: Annotated[bool, typer.Option("--list", help="list the shipped scenarios")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    explain: Annotated[bool, typer.Option("--explain")] = False,
) -> None:
    """Run a shipped example scenario (default: a German engineer resident in Shanghai, 2026)."""
    if list_all:
        for path in sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".csv")):
            command = command_for(path)
            how = {"tax": f"expatcn example {path.stem}", "serve": "the web calculators' opening figures"}.get(
                command, f"expatcn {command} {path}")
            typer.echo(f"{path.stem:40s} {how}")
        return
    path = example_path(name)
    if path is None:
        typer.echo(f"error: no example named {name!r}; try --list", err=True)
        raise typer.Exit(2)
    if command_for(path) != "tax":
        typer.echo(f"error: {path.name} is read by `expatcn {command_for(path)} {path}`", err=True)
        raise typer.Exit(2)
    from expatcn.services import tax as service  # start-up speed: see expatcn.cli

    scenario = service.load_scenario(path)
    answer = service.tax_year(scenario, explain=explain)
    if not as_json:
        typer.echo(f"Example scenario: {path}")
    render(answer, scenario.name, as_json)
