"""``expatcn plan``: an assignment under several structures side by side, every year of it, the
cheapest compliant structure and why; what-if law overlays; table, JSON, Excel and a chart.
The use case is ``services.plan``; this module parses the command line and renders its answer."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import RATES_HELP, UserError, employer_rates, print_json, user_errors
from expatcn.errors import LawError
from expatcn.money import fen_to_str, yuan_to_fen


def parse_fx(values: list[str]) -> dict[str, Decimal]:
    """``USD=7.10`` → {"USD": Decimal("7.10")} (RMB per unit)."""
    rates = {}
    for text in values:
        code, sep, rate = text.partition("=")
        code = code.strip().upper()
        try:
            number = Decimal(rate.strip())
        except InvalidOperation:
            number = None
        if not sep or len(code) != 3 or not code.isalpha() or number is None or not number.is_finite() or number <= 0:
            raise UserError(f"--fx expects CODE=RMB-per-unit such as USD=7.10, got {text!r}")
        rates[code] = number
    return rates


@app.command("plan")
def plan_command(
    files: Annotated[list[Path], typer.Argument(help="assignment file(s) (.yaml or .json)")],
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="write an Excel workbook")] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="write a chart (.png or .svg)")] = None,
    law_overlay: Annotated[list[str] | None, typer.Option(
        "--law-overlay", help="what-if law overlay (file or shipped name); shows the difference against current law")] = None,
    projection: Annotated[list[str] | None, typer.Option(
        "--projection", help="projection overlay (an assumption for months the tables lack), on both sides")] = None,
    fx: Annotated[list[str] | None, typer.Option("--fx", help="RMB per unit, e.g. USD=7.10 (repeatable)")] = None,
    rates: Annotated[Path | None, typer.Option("--rates", help=RATES_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Cost an assignment under each structure, year by year, and pick the cheapest compliant one."""
    from expatcn.services.plan import plan_files

    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise typer.BadParameter("--chart must end in .png or .svg")
    with user_errors(LawError):
        answer = plan_files(files, projections=projection or [], law_overlays=law_overlay or [],
                            fx=parse_fx(fx or []), xlsx=xlsx, chart=chart, rates=employer_rates(rates))
    if as_json:
        print_json(answer.model_dump(mode="json"))
        return
    _print(answer)


def _print(answer) -> None:
    """The answer as Rich tables: employer cost by year, contributions, the choice, risks and notes."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    money = lambda text: "—" if text is None else fen_to_str(yuan_to_fen(text))  # noqa: E731
    for p in answer.plans:
        console.print(f"[bold]{p.title or p.person}[/bold]  {p.direction}: {p.home_country} → {p.host_country}, "
                      f"{p.city}, {p.start} to {p.end}; package in {p.package_currency}"
                      + (f"; fx {', '.join(f'{k} {v}' for k, v in p.fx_cny_per_unit.items())}" if p.fx_cny_per_unit else ""))
        for note in p.assumptions:
            console.print(f"  [yellow]{note}[/yellow]")
        table = Table(title="Employer cost by year, RMB (* incomplete year)")
        table.add_column("structure")
        for y in p.structures[0].years:
            table.add_column(str(y.year), justify="right")
        for col in ("total", "employee net", "China tax after credit"):
            table.add_column(col, justify="right")
        table.add_column("status")
        for st in p.structures:
            cheapest = st.structure == p.cheapest_compliant
            cells = [("★ " if cheapest else "") + st.title]
            cells += [money(y.employer_cost_cny) + ("" if y.complete else "*") for y in st.years]
            cells += [money(st.totals.employer_cost_cny), money(st.totals.employee_net_cny),
                      money(st.totals.china_tax_after_credit), "cheapest compliant" if cheapest else st.status]
            table.add_row(*cells, style="bold green" if cheapest else "red" if not st.compliant else None)
        console.print(table)
        _print_taxes(console, p, money)
        detail = Table(title="Contributions over the assignment (RMB; other country in its currency)")
        for col in ("structure", "China employee", "China employer", "other country employee", "other country employer"):
            detail.add_column(col, justify="left" if col == "structure" else "right")
        for st in p.structures:
            abroad = st.totals.abroad
            other = lambda amount: "—" if abroad is None else f"{abroad.currency} {Decimal(amount):,}"  # noqa: E731
            detail.add_row(st.title, money(st.totals.china_employee), money(st.totals.china_employer),
                           other(abroad and abroad.employee_contributions), other(abroad and abroad.employer_contributions))
        console.print(detail)
        console.print(f"[bold]Cheapest compliant:[/bold] {p.reason}")
        if p.certificate_saving:
            console.print(f"[bold]Certificate:[/bold] {p.certificate_saving}")
        _print_notes(console, p)
        if p.what_if is not None:
            diff = Table(title=f"What-if {', '.join(p.what_if.overlays)} minus current law (RMB)")
            for col in ("structure", "year", "China IIT", "employee net", "employer cost"):
                diff.add_column(col, justify="left" if col == "structure" else "right")
            titles = {st.structure: st.title for st in p.structures}
            for d in p.what_if.differences:
                diff.add_row(titles[d.structure], str(d.year), money(d.china_iit), money(d.employee_net_cny),
                             money(d.employer_cost_cny))
            console.print(diff)
        console.print()
    if answer.across_alternatives:
        console.print(f"[bold]Across the alternatives:[/bold] {answer.across_alternatives}")
    if answer.projections:
        console.print("Projections applied (assumptions, not law): " + ", ".join(Path(x).stem for x in answer.projections))
    for path in answer.written:
        console.print(f"wrote {path}")


def _print_taxes(console, p, money) -> None:
    """Host income tax, China tax before and after the foreign tax credit, the credit carried
    forward and the equalization cost, over the assignment (RMB)."""
    from rich.table import Table

    if not any(st.totals.host_tax_cny or st.totals.credit != "0.00" or st.totals.equalization_cost
               for st in p.structures):
        return
    table = Table(title="Taxes over the assignment (RMB; host tax also in its currency)")
    for col in ("structure", "host income tax", "host tax RMB", "China tax before credit", "foreign tax credit",
                "China tax after credit", "credit carried forward", "equalization cost"):
        table.add_column(col, justify="left" if col == "structure" else "right")
    for st in p.structures:
        host = [y.host_tax for y in st.years if y.host_tax is not None]
        native = f"{host[0].currency} {sum(Decimal(h.tax) for h in host):,}" if host else "not modelled"
        table.add_row(st.title, native, money(st.totals.host_tax_cny), money(st.totals.china_tax_before_credit),
                      money(st.totals.credit), money(st.totals.china_tax_after_credit),
                      money(st.totals.carried_forward), money(st.totals.equalization_cost))
    console.print(table)


def _print_notes(console, p) -> None:
    """Risks and notes: those several structures share once, then each structure's own."""
    def lines(st) -> list[str]:
        return list(dict.fromkeys(st.assumptions + [r for y in st.years for r in y.risks]
                                  + [n for y in st.years for n in y.notes]))

    counts: dict[str, int] = {}
    for st in p.structures:
        for line in lines(st):
            counts[line] = counts.get(line, 0) + 1
    shared = [line for line, n in counts.items() if n > 1]
    if shared:
        console.print("  [bold]Risks and notes shared by several structures[/bold]")
        for line in shared:
            console.print(f"    • {line}")
    for st in p.structures:
        own = [x for x in dict.fromkeys(st.reasons + lines(st)) if x not in shared]
        if own:
            console.print(f"  [bold]{st.title}[/bold]")
            for line in own:
                console.print(f"    • {line}")
