"""``expatcn tax``: a person-year from a scenario file; ``expatcn tax-batch``: many from CSV/Parquet.
Both call :mod:`expatcn.services.tax`; this module only reads the arguments and renders the answer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors
from expatcn.money import fen_to_str, ppm_to_percent, rate_to_ppm, yuan_grouped, yuan_to_fen

if TYPE_CHECKING:
    from expatcn.services.tax import FxConversion, ScenarioResidency, TaxYear, TraceStep, ZoneReliefAnswer

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


EXECUTIVE_ARTICLES = {
    "directors_fee": "treaty director's-fee article, No. 35 §2(3)",
    "employment": "treaty without director's-fee cover: as an employee, No. 35 §4(4)",
    "unverified": "treaty director's-fee cover not verified: No. 35 §2(3) kept",
}


@app.command("tax")
def tax(
    scenario: Annotated[Path, typer.Argument(help="scenario file (.yaml or .json)")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="show every step and the law behind it")] = False,
    fx: Annotated[Path | None, typer.Option("--fx", help="RMB central parity rates (CSV: date, currency, rate[, unit, "
                                                       "source]) for pay in a foreign currency")] = None,
) -> None:
    """Withholding month by month and the annual reconciliation for one person-year."""
    from expatcn.services import tax as service  # start-up speed: see expatcn.cli

    with user_errors():
        loaded = service.load_scenario(scenario, fx)
        answer = service.tax_year(loaded, explain=explain)
    render(answer, loaded.name, as_json)


def render(answer: TaxYear, title: str, as_json: bool) -> None:
    """The year (table or JSON), with the residency from trips above it when trips were used."""
    if as_json:
        print_json(answer)
        return
    console = Console(width=None if Console().is_terminal else 150)
    if answer.residency is not None:
        print_residency(console, answer.residency)
    if answer.fx:
        print_fx(console, answer.fx)
    print_year(console, answer, title)
    if answer.zone_relief is not None:
        print_zone_relief(console, answer.zone_relief, answer.year)


def print_fx(console: Console, conversions: list[FxConversion]) -> None:
    """Pay in a foreign currency: each amount, the central parity used (and its date), the RMB."""
    console.print("[bold]Foreign-currency pay in RMB / 外币所得折合人民币[/bold] (IIT Regulations art. 32)")
    for c in conversions:
        when = ("withholding: the last day of the month before the return's month / 扣缴申报的上一月最后一日"
                if c.basis == "withholding" else "reconciliation: the last day of the tax year / 上一纳税年度最后一日")
        unit = "" if c.unit == 1 else f" per {c.unit}"
        console.print(f"  {c.where}: {c.amount} {c.currency} × {c.rate}{unit} (central parity of {c.rate_date}, "
                      f"{when}) = {fen_to_str(yuan_to_fen(c.rmb))}", soft_wrap=True)


def print_zone_relief(console: Console, z: ZoneReliefAnswer, year: int) -> None:
    """The regional relief: tax, the burden it is brought down to, the relief and when it comes."""
    for alert in z.alerts:
        console.print(f"[yellow]Zone relief:[/yellow] {alert}", soft_wrap=True)
    if z.form is None:
        return
    money = {k: fen_to_str(yuan_to_fen(getattr(z, k))) for k in ("tax", "withheld", "burden", "relief", "tax_after")}
    console.print(f"[bold]Zone relief / 区域优惠[/bold] ({z.zone}, {z.qualification}, {year}): tax on the eligible income "
                  f"{money['tax']}, withheld {money['withheld']}, burden {money['burden']} → "
                  f"{'subsidy / 补贴' if z.form == 'subsidy' else 'exempt / 免征'} {money['relief']}; tax borne "
                  f"{money['tax_after']}", soft_wrap=True)
    console.print(f"  when: {z.when_en} / {z.when_zh}", soft_wrap=True)
    console.print(f"  law: {z.law}", soft_wrap=True, style="dim")
    if z.trace:
        print_trace(console, z.trace, year)


def print_residency(console: Console, r: ScenarioResidency) -> None:
    """Days, status and sourcing situation from the trips, and how wages were apportioned."""
    status = "resident" if r.resident else "non-resident"
    console.print(
        f"[bold]Residency from trips[/bold] ({r.trips}): {r.residence_days} days of residence in "
        f"{r.year} → [bold]{status}[/bold]; situation {r.situation}"
        f"{' (executive' + (', ' + EXECUTIVE_ARTICLES[r.executive_article] if r.executive_article else '') + ')' if r.executive else ''}"
        f"; wages apportioned by formula {r.formula}",
        soft_wrap=True,
    )
    if r.treaty:
        console.print(f"treaty: {r.treaty.partner} ({r.treaty.counting_period}): {r.treaty.days_in_period} days "
                      f"in the period, relief {'yes' if r.treaty.relief else 'no'}", soft_wrap=True)
    console.print(f"six-year clock: {r.six_year_clock} qualifying years before {r.year}; "
                  f"worldwide income taxable: {'yes' if r.worldwide_income_taxable else 'no'}")
    table = Table("month", "residence days", "China work days", "wages", "paid abroad", "China-taxable", title_justify="left")
    for m in r.months:
        if m.wages == "0.00" and not m.residence_days:
            continue
        table.add_row(f"{r.year}-{m.month:02d}", str(m.residence_days), f"{m.china_work_days:g}",
                      m.wages, m.paid_abroad, m.china_taxable_wages)
    console.print(table)
    for lump in r.lump_sums:
        over = f"{lump.period['from']}..{lump.period['to']}" if lump.period else f"month {lump.month}"
        console.print(f"{lump.kind} of month {lump.month}: {lump.amount} (paid abroad {lump.paid_abroad}), "
                      f"{lump.china_work_days:g} China work days of {lump.calendar_days} over {over} → "
                      f"China-taxable {lump.china_taxable}", soft_wrap=True)


def print_year(console: Console, a: TaxYear, title: str) -> None:
    """The month-by-month table, the reconciliation, alerts, and (with a trace) every step."""
    status = "resident" if a.resident else "non-resident"
    table = Table(*(["month"] + [label for _, label in MONTH_COLUMNS]),
                  title=f"{title} — {a.year}, {status}", title_justify="left")
    for m in a.months:
        if not m.employed and m.total_tax == "0.00":
            continue
        cells = [f"{a.year}-{m.month:02d}"]
        for key, _ in MONTH_COLUMNS:
            value = getattr(m, key)
            cells.append(ppm_to_percent(rate_to_ppm(value)) if key == "wage_rate" else fen_to_str(max(yuan_to_fen(value), 0)))
        table.add_row(*cells)
    table.add_row("year", *[
        "" if key in ("wage_taxable", "wage_rate") else fen_to_str(sum(yuan_to_fen(getattr(m, key)) for m in a.months))
        for key, _ in MONTH_COLUMNS
    ], style="bold")
    console.print(table)
    console.print("* taxable: cumulative to date (residents' cumulative method)" if a.cumulative_method
                  else "* taxable: the month's own (monthly tax)")
    r = a.reconciliation
    if r.filing != "not_applicable":
        balance = yuan_to_fen(r.balance)
        what = "payable" if balance > 0 else "refund" if balance < 0 else "settled"
        console.print(
            f"Annual reconciliation: income {yuan_grouped(r.income)}, taxable {fen_to_str(max(yuan_to_fen(r.taxable), 0))}, "
            f"tax due {yuan_grouped(r.tax_due)}, prepaid {yuan_grouped(r.prepaid)} → {what} {fen_to_str(abs(balance))} "
            f"({r.filing.replace('_', ' ')})"
        )
    for alert in a.alerts:
        console.print(f"[yellow]Alert:[/yellow] {alert}", soft_wrap=True)
    if a.bonus_cliff:
        console.print(
            f"[yellow]Bonus cliff:[/yellow] a bonus of {yuan_grouped(a.bonus_cliff.cheaper_bonus)} "
            f"would cost less and net the employee {yuan_grouped(a.bonus_cliff.employee_nets_more_by)} more."
        )
    if a.trace is not None:
        console.print("\n[bold]How each figure was reached[/bold] (each law entry is cited where first used)")
        print_trace(console, a.trace, a.year)


def print_trace(console: Console, steps: list[TraceStep], year: int) -> None:
    """Each step with its amount and how; each law entry once, where first used."""
    cited: set[str] = set()
    for step in steps:
        where = f"{year}-{step.month:02d}" if step.month else "year"
        amount = "" if step.amount is None else yuan_grouped(step.amount)
        console.print(f"{where}  {step.label}: {amount}" + (f"  ({step.how})" if step.how else ""), soft_wrap=True)
        for ref in step.law:
            if ref not in cited:
                cited.add(ref)
                console.print(f"           law: {ref}", soft_wrap=True, style="dim")


@app.command("tax-batch")
def tax_batch(
    source: Annotated[Path, typer.Argument(help="CSV or Parquet of person-months (a Parquet folder with --dask)")],
    out: Annotated[Path, typer.Option("--out", help="where to write results (.csv or .parquet; a folder with --dask)")],
    chunk_rows: Annotated[int | None, typer.Option("--chunk-rows", help="rows read at a time (default 1,000,000)")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="a Dask scheduler address, or local[:N]")] = None,
) -> None:
    """Compute many person-years from one file of person-months and write one row per month."""
    from expatcn.services import tax as service  # start-up speed: see expatcn.cli

    with user_errors():
        done = service.tax_batch(source, out, chunk_rows=chunk_rows, dask=dask)
    typer.echo(f"wrote {done.rows} rows to {done.out}")
