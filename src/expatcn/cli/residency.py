"""``expatcn residency``: days in China, status, sourcing situation, the six-year clock and
forecasts from a file of entry/exit records (:mod:`expatcn.services.residency`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors

if TYPE_CHECKING:
    from expatcn.services.residency import ResidencyYear

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@app.command("residency")
def residency(
    trips_file: Annotated[str, typer.Argument(help="entry/exit records: .csv, .xlsx or .json")],
    year: Annotated[int, typer.Option(help="the tax year")],
    planned: Annotated[str, typer.Option(help="planned trips for the rest of the year (same format)")] = "",
    history_from: Annotated[int, typer.Option(help="first year of the records, for the six-year clock")] = 0,
    prior_years: Annotated[int, typer.Option(help="qualifying years known before the records")] = 0,
    treaty: Annotated[str, typer.Option(help="treaty partner code for all persons, e.g. HK, DE, US")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Per-month days in China, the year's status and sourcing situation, the clock and alerts."""
    from expatcn.services import residency as service  # start-up speed: see expatcn.cli

    with user_errors(OSError):
        answer = service.residency_year(
            service.read_trip_records(trips_file), year,
            planned=service.read_trip_records(planned) if planned else None,
            history_from=history_from or None, prior_years=prior_years, treaty=treaty or None,
            source=trips_file, planned_source=planned)
    if as_json:
        print_json(answer)
        return
    _print(answer)


def _print(answer: ResidencyYear) -> None:
    console = Console()
    for p in answer.persons:
        table = Table("month", "residence days", "cumulative", "presence", "China work days", "overseas work days",
                      title=f"{p.person} — {p.year}")
        for m in p.months:
            table.add_row(MONTHS[m.month - 1], str(m.residence_days), str(m.cumulative_residence_days),
                          str(m.presence_days), f"{m.china_work_days:g}", f"{m.overseas_work_days:g}")
        console.print(table)
        status = "resident" if p.resident else "non-resident"
        console.print(f"status: [bold]{status}[/bold] ({p.residence_days} days of residence); situation: {p.situation}")
        if p.treaty:
            t = p.treaty
            console.print(f"treaty: {t.partner} ({t.counting_period}, confidence {t.confidence}): "
                          f"{t.days_in_period} days in the period, relief {'yes' if t.relief else 'no'}")
        console.print(f"six-year clock: {p.six_year_clock} qualifying years before {p.year}; "
                      f"this year qualifies: {'yes' if p.year_qualifies_for_clock else 'no'}; "
                      f"longest absence {p.longest_absence_days} days")
        for alert in p.alerts:
            console.print(f"  • {alert}")
        console.print()
    console.print("law:", style="dim")
    for ref in answer.law:
        console.print(f"  - {ref}", style="dim", soft_wrap=True)
