"""``expatcn residency``: days in China, status, sourcing situation, the six-year clock and
forecasts from a file of entry/exit records."""

from __future__ import annotations

from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors

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
    from expatcn.io.trips import TripFileError, read_trips
    from expatcn.law import LawError, load_law
    from expatcn.residency import TripError, assess_year

    with user_errors(TripFileError, TripError, LawError, OSError):
        first = history_from or year
        book = read_trips(trips_file, year, first_year=first, planned=planned or None)
        result = assess_year(
            book.trips, year, law=load_law(), history_from=first, prior_years=prior_years,
            treaty=[treaty.upper()] * len(book.persons) if treaty else None,
        )
    report = _report(book.persons, result)
    if as_json:
        print_json(report)
        return
    _print(report)


def _report(persons: list[str], a) -> dict:
    from expatcn.residency import NOT_REACHED, SITUATION_NAMES, to_date

    people = []
    for i, person in enumerate(persons):
        res = a.residence_days[i]
        months = [
            {
                "month": m + 1,
                "residence_days": int(res[m]),
                "cumulative_residence_days": int(res[: m + 1].sum()),
                "presence_days": int(a.days.presence[i, m]),
                "china_work_days": float(a.work_halves[i, m]) / 2,
                "overseas_work_days": float(2 * a.days.calendar_days[m] - a.work_halves[i, m]) / 2,
                "calendar_days": int(a.days.calendar_days[m]),
            }
            for m in range(12)
        ]
        partner = a.treaty_partners[i]
        alerts = []
        reach = [None if d == NOT_REACHED else to_date(d) for d in a.reach[i]]
        if reach[0]:
            alerts.append(f"reaches {a.rules.ninety_day_rule.max_days} days of residence on {reach[0]}")
        if reach[1]:
            alerts.append(f"becomes resident on {reach[1]} (day {a.rules.residence_days.resident_min_days} of residence)")
        elif a.rules.residence_days.resident_test == "days":
            alerts.append(f"can spend {int(a.days_left_nonresident[i])} more days of residence in China this year and stay non-resident")
        if a.status.resident[i] and a.reset_absence_days:
            alerts.append(
                f"six-year clock: worldwide income taxable from {int(a.first_worldwide_year[i])} if every year qualifies; "
                f"a single absence of {a.reset_absence_days} full days abroad (leave by {a.reset_latest_departure}) resets it"
            )
        people.append(
            {
                "person": person,
                "year": a.year,
                "months": months,
                "residence_days": int(a.status.days[i]),
                "ninety_day_rule_days": int(a.status.ninety_day_days[i]),
                "resident": bool(a.status.resident[i]),
                "situation": SITUATION_NAMES[a.status.situation[i]],
                "treaty": None if partner is None else {"partner": partner.name, "counting_period": partner.counting_period,
                                                        "days_in_period": int(a.treaty_days[i]), "relief": bool(a.status.treaty_relief[i]),
                                                        "confidence": partner.confidence},
                "six_year_clock": int(a.status.clock[i]),
                "year_qualifies_for_clock": bool(a.qualifies[i]),
                "worldwide_income_taxable": bool(a.status.worldwide[i]),
                "first_worldwide_year": int(a.first_worldwide_year[i]),
                "longest_absence_days": int(a.days.absences.longest[i]),
                "reaches_ninety_days_on": reach[0],
                "becomes_resident_on": reach[1],
                "alerts": alerts,
            }
        )
    return {"year": a.year, "persons": people, "law": [ref.describe() for ref in a.rules.refs]}


def _print(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for p in report["persons"]:
        table = Table("month", "residence days", "cumulative", "presence", "China work days", "overseas work days",
                      title=f"{p['person']} — {p['year']}")
        for m in p["months"]:
            table.add_row(MONTHS[m["month"] - 1], str(m["residence_days"]), str(m["cumulative_residence_days"]),
                          str(m["presence_days"]), f"{m['china_work_days']:g}", f"{m['overseas_work_days']:g}")
        console.print(table)
        status = "resident" if p["resident"] else "non-resident"
        console.print(f"status: [bold]{status}[/bold] ({p['residence_days']} days of residence); situation: {p['situation']}")
        if p["treaty"]:
            t = p["treaty"]
            console.print(f"treaty: {t['partner']} ({t['counting_period']}, confidence {t['confidence']}): "
                          f"{t['days_in_period']} days in the period, relief {'yes' if t['relief'] else 'no'}")
        console.print(f"six-year clock: {p['six_year_clock']} qualifying years before {p['year']}; "
                      f"this year qualifies: {'yes' if p['year_qualifies_for_clock'] else 'no'}; "
                      f"longest absence {p['longest_absence_days']} days")
        for alert in p["alerts"]:
            console.print(f"  • {alert}")
        console.print()
    console.print("law:", style="dim")
    for ref in report["law"]:
        console.print(f"  - {ref}", style="dim", soft_wrap=True)
