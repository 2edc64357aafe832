"""``expatcn grossup``: the gross that pays an agreed net, month by month, exact to the fen."""

from __future__ import annotations

from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import UserError, print_json, user_errors


def _amount(text: str, what: str) -> int:
    from expatcn.money import MoneyError, yuan_to_fen

    try:
        fen = yuan_to_fen(text)
    except MoneyError as exc:
        raise UserError(f"{what}: {exc}") from None
    if fen < 0:
        raise UserError(f"{what}: expected an amount ≥ 0, got {text}")
    return fen


def _allowances(items: list[str]) -> int:
    """``kind=amount`` pairs → the month's allowance total in fen (kinds checked by the law)."""
    from expatcn.iit.allowances import check_kinds
    from expatcn.law import load_law

    total = 0
    for item in items:
        kind, _, amount = item.partition("=")
        if not amount:
            raise UserError(f"--allowance {item!r}: expected KIND=AMOUNT, e.g. housing=8000")
        check_kinds(load_law(), [kind], "--allowance", UserError)
        total += _amount(amount, f"--allowance {kind}")
    return total


@app.command("grossup")
def grossup(
    net: Annotated[str, typer.Option(help="target net pay per month (yuan), allowances included")],
    year: Annotated[int, typer.Option(help="tax year")],
    city: Annotated[str, typer.Option(help="city whose social insurance applies (contributions follow the gross)")] = "",
    contributions: Annotated[str, typer.Option(help="fixed employee contributions per month instead of --city")] = "0",
    nonresident: Annotated[bool, typer.Option("--nonresident", help="non-resident for the year")] = False,
    foreigner: Annotated[bool, typer.Option("--foreigner", help="a foreign individual")] = False,
    allowance: Annotated[list[str], typer.Option(help="exempt allowance KIND=AMOUNT per month (elects the exemption)")] = [],  # noqa: B006
    special_additional_deductions: Annotated[str, typer.Option(help="special additional deductions per month")] = "0",
    first_month: Annotated[int, typer.Option(help="first month employed")] = 1,
    last_month: Annotated[int, typer.Option(help="last month employed")] = 12,
    bonus_net: Annotated[str, typer.Option(help="a net annual bonus to gross up (separate method)")] = "",
    bonus_month: Annotated[int, typer.Option(help="month the bonus is paid")] = 12,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Net → gross under residents' cumulative withholding (each month differs as the cumulative
    band rises), non-residents' monthly tax, a package with tax-free allowances, and a net bonus."""
    import numpy as np

    from expatcn.errors import InputError, SocialDataGap
    from expatcn.grossup import grossup_bonus, grossup_package
    from expatcn.law import LawError, load_law

    with user_errors(InputError, LawError, SocialDataGap):
        if not 1 <= first_month <= last_month <= 12:
            raise UserError("--first-month and --last-month must be months 1–12, first ≤ last")
        if city and contributions != "0":
            raise UserError("give either --city (contributions follow the gross) or --contributions, not both")
        law = load_law()
        target_fen = _amount(net, "--net")
        allowances = _allowances(allowance)
        sad = _amount(special_additional_deductions, "--special-additional-deductions")
        found = grossup_package(
            target_fen, year, city=city or None, contributions=_amount(contributions, "--contributions"),
            resident=not nonresident, foreigner=foreigner, allowances=allowances, special_additional_deductions=sad,
            first_month=first_month, last_month=last_month, law=law,
        )
        bonus = None
        if bonus_net:
            bonus = grossup_bonus(np.array([_amount(bonus_net, "--bonus-net")]), year, bonus_month,
                                  resident=np.array([not nonresident]), law=law)
    rows = [
        {"month": m + 1, "gross_wages": int(found.gross_wages[m]), "allowances": int(found.allowances[m]),
         "employee_contributions": int(found.employee_contributions[m]), "iit": int(found.iit[m]),
         "net": int(found.net[m]), "target": int(found.target[m])}
        for m in range(12) if found.employed[m]
    ]
    _print(rows, bonus, as_json, year, city, found.alerts)


def _print(rows: list[dict], bonus, as_json: bool, year: int, city: str, alerts: list[str]) -> None:
    from expatcn.money import fen_to_str, yuan_str

    bonus_data = None if bonus is None else {
        "gross_bonus": yuan_str(bonus.gross_bonus[0]),
        "net_paid": yuan_str(bonus.net_paid[0]),
        "larger_bonus_same_net": yuan_str(bonus.larger_same_net[0]) if bonus.larger_same_net[0] else None,
    }
    if as_json:
        print_json({
            "year": year,
            "months": [{k: (v if k == "month" else yuan_str(v)) for k, v in r.items()}
                       | {"exact": r["net"] == r["target"]} for r in rows],
            "bonus": bonus_data,
            "alerts": alerts,
        })
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if Console().is_terminal else 130)
    where = f", {city}" if city else ""
    table = Table("month", "gross wages", "allowances", "employee contributions", "IIT", "net paid", "target",
                  title=f"Net → gross, {year}{where}", title_justify="left")
    for r in rows:
        mark = "" if r["net"] == r["target"] else " *"
        table.add_row(f"{year}-{r['month']:02d}", fen_to_str(r["gross_wages"]), fen_to_str(r["allowances"]),
                      fen_to_str(r["employee_contributions"]), fen_to_str(r["iit"]), fen_to_str(r["net"]) + mark,
                      fen_to_str(r["target"]))
    console.print(table)
    if any(r["net"] != r["target"] for r in rows):
        console.print("* rounding to the fen makes the exact net unreachable: the smallest gross paying at least it")
    for alert in alerts:
        console.print(f"[yellow]Alert:[/yellow] {alert}", soft_wrap=True)
    if bonus_data:
        console.print(f"Bonus: gross {fen_to_str(bonus.gross_bonus[0])} pays net {fen_to_str(bonus.net_paid[0])}.")
        if bonus.larger_same_net[0]:
            console.print(f"[yellow]Cliff:[/yellow] a bonus of {fen_to_str(bonus.larger_same_net[0])} pays the "
                          "same net — the smaller gross is chosen.")
