"""``expatcn month``: one employee's year from gross pay to net pay and employer cost — social
insurance and housing fund on both sides, IIT, net, with the law behind every figure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors

TABLE = (
    ("gross", "gross"),
    ("employee_social", "employee SI"),
    ("employee_housing_fund", "employee HF"),
    ("iit", "IIT"),
    ("net", "net"),
    ("employer_social", "employer SI"),
    ("employer_housing_fund", "employer HF"),
    ("employer_cost", "employer cost"),
)


@app.command("month")
def month(
    scenario: Annotated[Path, typer.Argument(help="full-month scenario file (.yaml or .json)")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="show every step and the law behind it")] = False,
    partial: Annotated[bool, typer.Option("--partial", help="compute what the sourced figures decide, flag the rest")] = False,
) -> None:
    """Gross → social insurance and housing fund → IIT → net pay, and employer cost, month by month."""
    from expatcn.errors import InputError
    from expatcn.io.month_scenario import load_month_scenario
    from expatcn.io.scenario import ScenarioError
    from expatcn.law import LawError, load_law
    from expatcn.gross_to_net import gross_to_net

    with user_errors(ScenarioError, InputError, LawError):
        loaded = load_month_scenario(scenario)
        law = load_law()
        result = gross_to_net(loaded.to_month_inputs(law), law, allow_partial=partial)
    data = month_as_dict(result, loaded, law, explain)
    if as_json:
        print_json(data)
    else:
        _print(data)


def month_as_dict(result, loaded, law, explain: bool = False) -> dict:
    """The year of one employee as JSON-ready data (amounts as strings of yuan)."""
    from expatcn.money import yuan_str
    from expatcn.gross_to_net import explain_month, month_refs

    m = result.monthly
    employed = result.inputs.income.employed[0]

    keys = ("gross", "contribution_wage", "employee_social", "employee_housing_fund", "employee_deduction",
            "housing_fund_employer_taxable", "iit", "net", "employer_social", "employer_housing_fund", "employer_cost")
    months = []
    for i in range(12):
        if not employed[i] and not m["gross"][0, i]:
            continue
        row = {"month": f"{result.year}-{i + 1:02d}"}
        row.update({k: yuan_str(m[k][0, i]) for k in keys})
        row["complete"] = not bool(m["unknown"][0, i])
        months.append(row)
    totals = {k: yuan_str(m[k][0].sum()) for k in keys if k != "contribution_wage"}
    refund = result.pension_refund(law)
    data = {
        "name": loaded.name,
        "city": loaded.city.lower(),
        "year": result.year,
        "nationality": loaded.social.nationality.upper(),
        "resident": bool(result.inputs.income.resident[0]),
        "months": months,
        "year_totals": totals,
        "iit_year_tax": yuan_str(result.iit.annual["year_tax"][0]),
        "iit_withheld": yuan_str(result.iit.annual["withheld"][0]),
        "pension_refund_estimate": {
            "eligible": bool(refund.eligible[0]),
            "amount": yuan_str(refund.amount[0]),
            "interest_included": refund.interest_included,
            "note": refund.note,
            "law": refund.ref.describe(),
        },
        "assumptions": result.assumptions,
        "alerts": result.iit.alerts([0]),
        "law": [ref.describe() for ref in month_refs(result, 0)],
    }
    if explain:
        data["trace"] = [step.as_dict() for step in explain_month(result, 0)]
    return data


def _print(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from expatcn.money import fen_to_str, yuan_to_fen

    console = Console(width=None if Console().is_terminal else 160)
    status = "resident" if data["resident"] else "non-resident"
    table = Table("month", *(label for _, label in TABLE),
                  title=f"{data['name']} — {data['city']} {data['year']}, {data['nationality']}, {status}",
                  title_justify="left")
    for row in data["months"]:
        flag = "" if row["complete"] else " *"
        table.add_row(row["month"] + flag, *(fen_to_str(yuan_to_fen(row[k])) for k, _ in TABLE))
    table.add_row("year", *(fen_to_str(yuan_to_fen(data['year_totals'][k])) for k, _ in TABLE), style="bold")
    console.print(table)
    if any(not r["complete"] for r in data["months"]):
        console.print("* some figures unconfirmed in the law tables (computed with --partial; shown as 0)")
    console.print(f"IIT for the year after reconciliation: {data['iit_year_tax']} (withheld {data['iit_withheld']})")
    r = data["pension_refund_estimate"]
    if r["eligible"]:
        console.print(f"pension personal account, lump sum on leaving China: {r['amount']} — {r['note']}", soft_wrap=True)
    for line in data["assumptions"]:
        console.print(f"assumption: {line}", soft_wrap=True)
    for alert in data["alerts"]:
        console.print(f"[yellow]Alert:[/yellow] {alert}", soft_wrap=True)
    if "trace" in data:
        console.print("trace:")
        for step in data["trace"]:
            amount = "" if step["amount"] is None else step["amount"]
            when = f"{step['month']:>2} " if step["month"] else "yr "
            console.print(f"  {when}{step['label']}: {amount} {step['how']}".rstrip(), soft_wrap=True)
    console.print("law:")
    for line in [*data["law"], r["law"]]:
        console.print(f"  - {line}", soft_wrap=True)
