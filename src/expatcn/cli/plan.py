"""``expatcn plan``: an assignment under several structures side by side, every year of it, the
cheapest compliant structure and why; what-if law overlays; table, JSON, Excel and a chart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import UserError, print_json, user_errors


def parse_fx(values: list[str]) -> dict:
    """``USD=7.10`` → {"USD": Decimal("7.10")} (RMB per unit)."""
    from decimal import Decimal, InvalidOperation

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


def _resolve(names: list[str], base: Path | None) -> list[str]:
    from expatcn.law_overlays import overlay_path

    out = []
    for name in names:
        try:
            out.append(str(overlay_path(name, base)))
        except FileNotFoundError as exc:
            raise UserError(str(exc)) from None
    return out


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
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Cost an assignment under each structure, year by year, and pick the cheapest compliant one."""
    from expatcn.assignment import PlanError, compare, plan
    from expatcn.io.assignment_file import AssignmentFileError, load_assignments
    from expatcn.law import LawError, load_law

    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise typer.BadParameter("--chart must end in .png or .svg")
    with user_errors(AssignmentFileError, PlanError, LawError):
        rates = parse_fx(fx or [])
        assignments = [a for path in files for a in load_assignments(path)]
        projections: list[str] = []
        for a in assignments:
            for p in _resolve(a.projections, a._source.parent if a._source else None):
                if p not in projections:
                    projections.append(p)
        projections += [p for p in _resolve(projection or [], None) if p not in projections]
        overlays = _resolve(law_overlay or [], None)
        base_law = load_law(tuple(projections))
        plans = plan(assignments, base_law, rates)
        differences = None
        if overlays:
            modified = plan(assignments, load_law(tuple(projections + overlays)), rates)
            differences = [compare(b, m) for b, m in zip(plans, modified)]
    overlay_names = [Path(o).stem for o in overlays]
    written = []
    if xlsx is not None:
        from expatcn.io.plan_outputs import write_workbook

        write_workbook(xlsx, plans, differences, overlay_names)
        written.append(str(xlsx))
    if chart is not None:
        from expatcn.io.plan_outputs import render_chart

        render_chart(chart, plans)
        written.append(str(chart))
    if as_json:
        from expatcn.io.plan_outputs import plan_dict

        data = {"plans": [plan_dict(p, None if differences is None else differences[i], overlay_names)
                          for i, p in enumerate(plans)], "projections": projections, "written": written}
        if len(plans) > 1:
            data["across_alternatives"] = _across(plans)
        print_json(data)
        return
    _print(plans, differences, overlay_names, projections, written)


def _across(plans) -> str | None:
    """The cheapest compliant structure of each alternative, compared (RMB)."""
    from expatcn.money import fen_to_str

    best = [(p.structure(p.cheapest).total("employer_cost_cny"), p) for p in plans if p.cheapest]
    if len(best) < 2:
        return None
    best.sort(key=lambda x: x[0])
    (c1, p1), (c2, p2) = best[0], best[1]
    return (f"{p1.assignment.title or p1.assignment.host_country} ({p1.structure(p1.cheapest).title}) costs "
            f"{fen_to_str(c1)} RMB, {fen_to_str(c2 - c1)} less than {p2.assignment.title or p2.assignment.host_country} "
            f"({p2.structure(p2.cheapest).title}, {fen_to_str(c2)})")


def _print(plans, differences, overlays, projections, written) -> None:
    from rich.console import Console
    from rich.table import Table

    from expatcn.io.plan_outputs import SHEET_NAMES, status
    from expatcn.money import fen_to_str
    from expatcn.money import minor_to_str

    console = Console()
    money = lambda fen: "—" if fen is None else fen_to_str(fen)  # noqa: E731
    for i, p in enumerate(plans):
        f = p.assignment
        console.print(f"[bold]{f.title or f.person.name}[/bold]  {f.direction}: {f.home_country} → {f.host_country}, "
                      f"{f.city}, {f.start} to {f.end}; package in {f.package.currency}"
                      + (f"; fx {', '.join(f'{k} {v}' for k, v in f.fx.items())}" if f.fx else ""))
        for note in p.assumptions:
            console.print(f"  [yellow]{note}[/yellow]")
        table = Table(title="Employer cost by year, RMB (* incomplete year)")
        table.add_column("structure")
        for year in f.years:
            table.add_column(str(year), justify="right")
        table.add_column("total", justify="right")
        table.add_column("employee net", justify="right")
        table.add_column("China IIT", justify="right")
        table.add_column("status")
        for st in p.structures:
            cells = [SHEET_NAMES[st.key]]
            for y in st.years:
                cells.append(money(y.employer_cost_cny) + ("" if y.complete else "*"))
            cells += [money(st.total("employer_cost_cny")), money(st.total("employee_net_cny")),
                      money(st.total("china_iit")), status(st)]
            table.add_row(*cells, style="bold green" if st.key == p.cheapest else None)
        console.print(table)
        detail = Table(title="Contributions over the assignment (RMB; other country in its currency)")
        for col in ("structure", "China employee", "China employer", "other country employee", "other country employer"):
            detail.add_column(col, justify="left" if col == "structure" else "right")
        for st in p.structures:
            y0 = st.years[0]
            cur = y0.abroad_currency
            other = lambda name: "—" if cur is None else f"{cur} {minor_to_str(sum(getattr(y, name) for y in st.years), y0.abroad_minor)}"  # noqa: E731
            detail.add_row(SHEET_NAMES[st.key], money(st.total("china_employee")), money(st.total("china_employer")),
                           other("abroad_employee"), other("abroad_employer"))
        console.print(detail)
        console.print(f"[bold]Cheapest compliant:[/bold] {p.reason}")
        if p.certificate_saving:
            console.print(f"[bold]Certificate:[/bold] {p.certificate_saving}")
        counts: dict[str, int] = {}
        for st in p.structures:
            for line in dict.fromkeys(st.assumptions + st.risks + [n for y in st.years for n in y.notes]):
                counts[line] = counts.get(line, 0) + 1
        shared = [line for line, n in counts.items() if n > 1]
        if shared:
            console.print("  [bold]Risks and notes shared by several structures[/bold]")
            for line in shared:
                console.print(f"    • {line}")
        for st in p.structures:
            lines = [x for x in dict.fromkeys(st.reasons + st.assumptions + st.risks + [n for y in st.years for n in y.notes])
                     if x not in shared]
            if lines:
                console.print(f"  [bold]{st.title}[/bold]")
                for line in lines:
                    console.print(f"    • {line}")
        if differences is not None:
            diff = Table(title=f"What-if {', '.join(overlays)} minus current law (RMB)")
            for col in ("structure", "year", "China IIT", "employee net", "employer cost"):
                diff.add_column(col, justify="left" if col == "structure" else "right")
            for d in differences[i]:
                diff.add_row(SHEET_NAMES[d.structure], str(d.year), fen_to_str(d.china_iit), money(d.employee_net_cny),
                             money(d.employer_cost_cny))
            console.print(diff)
        console.print()
    if len(plans) > 1 and _across(plans):
        console.print(f"[bold]Across the alternatives:[/bold] {_across(plans)}")
    if projections:
        console.print("Projections applied (assumptions, not law): " + ", ".join(Path(x).stem for x in projections))
    for path in written:
        console.print(f"wrote {path}")
