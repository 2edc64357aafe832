"""``expatcn example``: a realistic expatriate's year on the embedded example data."""

from __future__ import annotations

from typing import Annotated

import typer

from expatcn.cli import app


@app.command("example")
def example(
    name: Annotated[str, typer.Argument(help="which shipped scenario (see --list)")] = "resident_expat_2026",
    list_all: Annotated[bool, typer.Option("--list", help="list the shipped scenarios")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    explain: Annotated[bool, typer.Option("--explain")] = False,
) -> None:
    """Run a shipped example scenario (default: a German engineer resident in Shanghai, 2026)."""
    from expatcn.cli.tax import print_prepared
    from expatcn.iit.person_year import compute_year
    from expatcn.io.scenario import load_scenario
    from expatcn.law import load_law
    from expatcn.examples import EXAMPLES, command_for, example_path

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
    scenario = load_scenario(path)
    law = load_law()
    prepared = scenario.prepare(law)
    result = compute_year(prepared.inputs, law)
    if not as_json:
        typer.echo(f"Example scenario: {path}")
    print_prepared(prepared, result, scenario.name, as_json, explain)
