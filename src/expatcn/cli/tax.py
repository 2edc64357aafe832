"""``expatcn tax``: a person-year from a scenario file; ``expatcn tax-batch``: many from CSV/Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors

MONTH_COLUMNS = (
    ("income", "income"),
    ("exempt_income", "exempt"),
    ("wage_taxable", "taxable*"),
    ("wage_rate", "rate"),
    ("wage_tax", "wage tax"),
    ("bonus_tax", "bonus tax"),
    ("labour_tax", "labour tax"),
    ("equity_tax", "equity tax"),
    ("total_tax", "withheld"),
)


@app.command("tax")
def tax(
    scenario: Annotated[Path, typer.Argument(help="scenario file (.yaml or .json)")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="show every step and the law behind it")] = False,
) -> None:
    """Withholding month by month and the annual reconciliation for one person-year."""
    from expatcn.errors import InputError
    from expatcn.io.scenario import ScenarioError, load_scenario
    from expatcn.law import LawError, load_law

    with user_errors(ScenarioError, InputError, LawError):
        loaded = load_scenario(scenario)
        law = load_law()
        prepared = loaded.prepare(law)
        result = _compute(prepared.inputs, law)
    print_prepared(prepared, result, loaded.name, as_json, explain)


def print_prepared(prepared, result, title: str, as_json: bool, explain: bool) -> None:
    """The year (table or JSON), with the residency from trips above it when trips were used."""
    if as_json:
        data = year_as_dict(result, 0, explain)
        if prepared.residency is not None:
            data["residency"] = prepared.residency.summary()
        print_json(data)
        return
    if prepared.residency is not None:
        print_residency(prepared.residency.summary())
    print_year(result, 0, title, explain)


def print_residency(summary: dict) -> None:
    """Days, status and sourcing situation from the trips, and how wages were apportioned."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if Console().is_terminal else 150)
    status = "resident" if summary["resident"] else "non-resident"
    console.print(
        f"[bold]Residency from trips[/bold] ({summary['trips']}): {summary['residence_days']} days of residence in "
        f"{summary['year']} → [bold]{status}[/bold]; situation {summary['situation']}"
        f"{' (executive)' if summary['executive'] else ''}; wages apportioned by formula {summary['formula']}",
        soft_wrap=True,
    )
    treaty = summary["treaty"]
    if treaty:
        console.print(f"treaty: {treaty['partner']} ({treaty['counting_period']}): {treaty['days_in_period']} days "
                      f"in the period, relief {'yes' if treaty['relief'] else 'no'}", soft_wrap=True)
    console.print(f"six-year clock: {summary['six_year_clock']} qualifying years before {summary['year']}; "
                  f"worldwide income taxable: {'yes' if summary['worldwide_income_taxable'] else 'no'}")
    table = Table("month", "residence days", "China work days", "wages", "paid abroad", "China-taxable", title_justify="left")
    for m in summary["months"]:
        if m["wages"] == "0.00" and not m["residence_days"]:
            continue
        table.add_row(f"{summary['year']}-{m['month']:02d}", str(m["residence_days"]), f"{m['china_work_days']:g}",
                      m["wages"], m["paid_abroad"], m["china_taxable_wages"])
    console.print(table)
    for lump in summary["lump_sums"]:
        period = lump["period"]
        over = f"{period['from']}..{period['to']}" if period else f"month {lump['month']}"
        console.print(f"{lump['kind']} of month {lump['month']}: {lump['amount']} (paid abroad {lump['paid_abroad']}), "
                      f"{lump['china_work_days']:g} China work days of {lump['calendar_days']} over {over} → "
                      f"China-taxable {lump['china_taxable']}", soft_wrap=True)


def _compute(inputs, law):
    from expatcn.iit.person_year import compute_year

    return compute_year(inputs, law)


def year_as_dict(result, person: int, explain: bool = False) -> dict:
    """One person's year as plain JSON-ready data (amounts as strings of yuan)."""
    from expatcn.iit.explain import explain_person
    from expatcn.iit.reconciliation import Filing
    from expatcn.money import ppm_to_fraction, yuan_str

    monthly, annual = result.monthly, result.annual
    months = []
    for month in range(12):
        row = {"month": month + 1, "employed": bool(result.inputs.employed[person, month])}
        for key in ("income", "exempt_income", "basic_deduction", "special_deductions",
                    "special_additional_deductions", "wage_taxable", "wage_tax", "bonus_separate", "bonus_tax",
                    "labour_tax", "equity_tax", "total_tax"):
            row[key] = yuan_str(monthly[key][person, month])
        row["wage_rate"] = ppm_to_fraction(monthly["wage_rate"][person, month])
        months.append(row)
    reconciliation = {key.removeprefix("reconciliation_"): yuan_str(value[person])
                      for key, value in annual.items() if key.startswith("reconciliation_") and key not in
                      ("reconciliation_filing", "reconciliation_rate")}
    reconciliation["rate"] = ppm_to_fraction(annual["reconciliation_rate"][person])
    reconciliation["filing"] = Filing(annual["reconciliation_filing"][person]).name.lower()
    data = {
        "id": result.inputs.ids[person] if result.inputs.ids else person,
        "year": result.inputs.year,
        "resident": bool(result.inputs.resident[person]),
        "months": months,
        "withheld": yuan_str(annual["withheld"][person]),
        "year_tax": yuan_str(annual["year_tax"][person]),
        "bonus_taxed_separately": bool(annual["bonus_taxed_separately"][person]),
        "bonus_cliff": None if not annual["bonus_cliff_cheaper_bonus"][person] else {
            "cheaper_bonus": yuan_str(annual["bonus_cliff_cheaper_bonus"][person]),
            "employee_nets_more_by": yuan_str(annual["bonus_cliff_net_loss"][person]),
        },
        "reconciliation": reconciliation,
        "alerts": result.alerts([person]),
    }
    if explain:
        data["trace"] = [step.as_dict() for step in explain_person(result, person)]
    return data


def print_year(result, person: int, title: str, explain: bool = False) -> None:
    """The month-by-month table, the reconciliation, alerts, and (optionally) the trace."""
    from rich.console import Console
    from rich.table import Table

    from expatcn.iit.explain import explain_person
    from expatcn.iit.person_year import CUMULATIVE
    from expatcn.iit.reconciliation import Filing
    from expatcn.money import fen_to_str, ppm_to_percent

    console = Console(width=None if Console().is_terminal else 150)
    monthly, annual = result.monthly, result.annual
    status = "resident" if result.inputs.resident[person] else "non-resident"
    table = Table(*(["month"] + [label for _, label in MONTH_COLUMNS]),
                  title=f"{title} — {result.inputs.year}, {status}", title_justify="left")
    for month in range(12):
        if not result.inputs.employed[person, month] and not monthly["total_tax"][person, month]:
            continue
        cells = [f"{result.inputs.year}-{month + 1:02d}"]
        for key, _ in MONTH_COLUMNS:
            value = monthly[key][person, month]
            cells.append(ppm_to_percent(value) if key == "wage_rate" else fen_to_str(max(value, 0)))
        table.add_row(*cells)
    table.add_row("year", *[
        "" if key in ("wage_taxable", "wage_rate") else fen_to_str(monthly[key][person].sum()) for key, _ in MONTH_COLUMNS
    ], style="bold")
    console.print(table)
    cumulative = (monthly["wage_method"][person] == CUMULATIVE).any()
    console.print("* taxable: cumulative to date (residents' cumulative method)" if cumulative
                  else "* taxable: the month's own (monthly tax)")
    filing = Filing(annual["reconciliation_filing"][person])
    if filing != Filing.NOT_APPLICABLE:
        balance = annual["reconciliation_balance"][person]
        what = "payable" if balance > 0 else "refund" if balance < 0 else "settled"
        console.print(
            f"Annual reconciliation: income {fen_to_str(annual['reconciliation_income'][person])}, "
            f"taxable {fen_to_str(max(annual['reconciliation_taxable'][person], 0))}, tax due "
            f"{fen_to_str(annual['reconciliation_tax_due'][person])}, prepaid "
            f"{fen_to_str(annual['reconciliation_prepaid'][person])} → {what} {fen_to_str(abs(balance))} "
            f"({filing.name.lower().replace('_', ' ')})"
        )
    for alert in result.alerts([person]):
        console.print(f"[yellow]Alert:[/yellow] {alert}", soft_wrap=True)
    if annual["bonus_cliff_cheaper_bonus"][person]:
        console.print(
            f"[yellow]Bonus cliff:[/yellow] a bonus of {fen_to_str(annual['bonus_cliff_cheaper_bonus'][person])} "
            f"would cost less and net the employee {fen_to_str(annual['bonus_cliff_net_loss'][person])} more."
        )
    if explain:
        console.print("\n[bold]How each figure was reached[/bold] (each law entry is cited where first used)")
        cited = set()
        for step in explain_person(result, person):
            where = f"{result.inputs.year}-{step.month:02d}" if step.month else "year"
            amount = "" if step.amount is None else fen_to_str(step.amount)
            console.print(f"{where}  {step.label}: {amount}" + (f"  ({step.how})" if step.how else ""), soft_wrap=True)
            for ref in step.law:
                if ref not in cited:
                    cited.add(ref)
                    console.print(f"           law: {ref.describe()}", soft_wrap=True, style="dim")


@app.command("tax-batch")
def tax_batch(
    source: Annotated[Path, typer.Argument(help="CSV or Parquet of person-months")],
    out: Annotated[Path, typer.Option("--out", help="where to write results (.csv or .parquet)")],
) -> None:
    """Compute many person-years from one file of person-months and write one row per month."""
    import polars as pl

    from expatcn.errors import InputError
    from expatcn.iit.person_year import compute_year
    from expatcn.io.batch import BatchError, read_batch, result_frame, to_year_inputs, write_frame
    from expatcn.law import LawError, load_law

    with user_errors(BatchError, InputError, LawError):
        law = load_law()
        frames = [result_frame(compute_year(batch, law)) for batch in to_year_inputs(read_batch(source, law), source)]
        write_frame(pl.concat(frames), out)
    typer.echo(f"wrote {sum(f.height for f in frames)} rows to {out}")
