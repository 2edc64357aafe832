"""``expatcn equalize``: a tax-equalized assignment — the China gross that keeps the assignee's
home net, and what it costs the employer, month by month and at year end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors


@app.command("equalize")
def equalize_command(
    plan_file: Annotated[Path, typer.Argument(help="tax-equalization file (.yaml or .json)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Stay-at-home net, equalized China gross, actual IIT and contributions, employer cost, true-up."""
    from expatcn.equalization import equalize
    from expatcn.errors import InputError
    from expatcn.io.equalization_file import load_equalization, to_arrays
    from expatcn.io.scenario import ScenarioError
    from expatcn.law import LawError, load_law
    from expatcn.money import fen_to_str, yuan_str

    with user_errors(ScenarioError, InputError, LawError):
        plan = load_equalization(plan_file)
        law = load_law()
        home, hypothetical, contributions, china, city = to_arrays(plan, law)
        result = equalize(home, hypothetical, contributions, china, city, law=law)
    columns = (("home_gross", "home gross"), ("hypothetical_tax", "hypo tax"),
               ("hypothetical_contributions", "hypo contrib."), ("guaranteed_net", "home net"),
               ("china_gross", "China wages"), ("china_iit", "China IIT"),
               ("china_employee_contributions", "China contrib."), ("china_net", "China net"), ("cost", "TEQ cost"))
    months = [m for m in range(12) if china.employed[0, m]]
    year = {
        "equalization_cost_months": result.cost[0].sum(),
        "china_reconciliation_balance": result.china_reconciliation_balance[0],
        "hypothetical_true_up": result.hypothetical_true_up[0],
        "equalization_cost_year": result.cost_for_year[0],
    }
    if as_json:
        print_json({
            "name": plan.name, "year": plan.year,
            "months": [{"month": m + 1} | {k: yuan_str(getattr(result, k)[0, m]) for k, _ in columns}
                       for m in months],
            "year_end": {k: yuan_str(v) for k, v in year.items()},
        })
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if Console().is_terminal else 160)
    table = Table("month", *(label for _, label in columns), title=f"{plan.name} — {plan.year}", title_justify="left")
    for m in months:
        table.add_row(f"{plan.year}-{m + 1:02d}", *(fen_to_str(getattr(result, k)[0, m]) for k, _ in columns))
    console.print(table)
    console.print(
        f"Year end: equalization cost of the months {fen_to_str(year['equalization_cost_months'])}; China "
        f"reconciliation balance borne by the employer {fen_to_str(year['china_reconciliation_balance'])}; "
        f"hypothetical-tax true-up owed by the employee {fen_to_str(year['hypothetical_true_up'])} → "
        f"employer's equalization cost for the year {fen_to_str(year['equalization_cost_year'])}."
    )
