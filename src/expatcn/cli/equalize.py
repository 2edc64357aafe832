"""``expatcn equalize``: a tax-equalized assignment — the China gross that keeps the assignee's
home net, and what it costs the employer, month by month and at year end
(:mod:`expatcn.services.equalize`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors
from expatcn.money import yuan_grouped

COLUMNS = (("home_gross", "home gross"), ("hypothetical_tax", "hypo tax"),
           ("hypothetical_contributions", "hypo contrib."), ("guaranteed_net", "home net"),
           ("china_gross", "China wages"), ("china_iit", "China IIT"),
           ("china_employee_contributions", "China contrib."), ("china_net", "China net"), ("cost", "TEQ cost"))


@app.command("equalize")
def equalize_command(
    plan_file: Annotated[Path, typer.Argument(help="tax-equalization file (.yaml or .json)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Stay-at-home net, equalized China gross, actual IIT and contributions, employer cost, true-up."""
    from expatcn.services import equalize as service  # start-up speed: see expatcn.cli

    with user_errors():
        a = service.equalize(service.load_equalization(plan_file))
    if as_json:
        print_json(a)
        return
    console = Console(width=None if Console().is_terminal else 160)
    table = Table("month", *(label for _, label in COLUMNS), title=f"{a.name} — {a.year}", title_justify="left")
    for m in a.months:
        table.add_row(f"{a.year}-{m.month:02d}", *(yuan_grouped(getattr(m, k)) for k, _ in COLUMNS))
    console.print(table)
    y = a.year_end
    console.print(
        f"Year end: equalization cost of the months {yuan_grouped(y.equalization_cost_months)}; China "
        f"reconciliation balance borne by the employer {yuan_grouped(y.china_reconciliation_balance)}; "
        f"hypothetical-tax true-up owed by the employee {yuan_grouped(y.hypothetical_true_up)} → "
        f"employer's equalization cost for the year {yuan_grouped(y.equalization_cost_year)}."
    )
