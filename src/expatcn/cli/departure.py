"""``expatcn departure``: what an employee leaving China and the employer must file or settle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors


@app.command("departure")
def departure(
    scenario: Annotated[Path, typer.Argument(help="scenario file (YAML or JSON) with person.departure")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """The departure checklist: last withholding return, reconciliation, reports and settlements, with dates and amounts."""
    from expatcn.law import LawError
    from expatcn.services.departure import departure as checklist

    with user_errors(LawError):
        answer = checklist(scenario)
    if as_json:
        print_json(answer)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if Console().is_terminal else 160)
    console.print(f"[bold]{answer.name}[/bold] — leaves China on {answer.departure} / 离境日期 {answer.departure}"
                  f"{'' if not answer.returns else ' (returns in the year / 年内再入境)'}")
    console.print(f"withheld to the month of departure / 已预扣预缴: {answer.withheld}; reconciliation / 汇算: tax due "
                  f"{answer.reconciliation_tax_due}, balance {answer.reconciliation_balance} "
                  f"({answer.reconciliation_filing.replace('_', ' ')})")
    table = Table("due / 期限", "who / 义务人", "what / 事项", "amount / 金额", "law / 依据")
    for item in answer.checklist:
        when = f"{item.opens} – {item.due}" if item.opens else f"by {item.due}"
        who = {"taxpayer": "employee / 纳税人", "withholding_agent": "employer / 扣缴义务人"}[item.party]
        what = f"{item.en}\n{item.zh}" + (" (optional / 可选)" if item.optional else "") + (f"\n{item.note}" if item.note else "")
        table.add_row(when, who, what, item.amount or "", item.law)
    console.print(table)
    for alert in answer.alerts:
        console.print(f"[yellow]Alert:[/yellow] {alert}")
