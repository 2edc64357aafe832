"""``expatcn run``, ``close``, ``correct``, ``verify``: monthly payroll runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json
from expatcn.cli.payroll_db import DbOption, EmployerOption, payroll_errors
from expatcn.dates import Month

MonthArg = Annotated[str, typer.Argument(help="the month, YYYY-MM")]


def due_date_line(year: int, month: int) -> str | None:
    """The filing due date of the month's withholding return (filing calendar, law data)."""
    try:
        from expatcn.filing_calendar import due_date
    except ImportError:  # the filing calendar is not installed
        return None
    from expatcn.law import LawError, load_law

    try:
        day, ref, how = due_date(load_law(), (year, month))
    except LawError as exc:
        return f"filing due date of {year}-{month:02d}: unknown ({exc})"
    return f"withholding return for {year}-{month:02d} due {day:%Y-%m-%d} ({how})"


@app.command("run")
def run(month: MonthArg, db: DbOption = None, employer: EmployerOption = None,
        as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Compute every employee for the month from the year-to-date inputs; replaces an open run."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from expatcn.cli.common import user_errors
    from expatcn.errors import InputError
    from expatcn.law import LawError
    from expatcn.money import fen_to_str
    from expatcn.payroll.db import get_engine
    from expatcn.payroll.runs import run_month

    labels = {"load": "load year-to-date inputs", "compute": "compute (residency, social insurance, IIT)",
              "write": "write results"}
    with payroll_errors(), user_errors(InputError, LawError):
        year, m = Month.parse(month)
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=Console(stderr=True), transient=True, disable=as_json) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
                bar.update(tasks[stage], completed=done, total=total)

            summary = run_month(get_engine(db), year, m, progress=progress, employer_tax_number=employer)
    due = due_date_line(year, m)
    if as_json:
        print_json({"month": month, "employees": summary.employees, "replaced": summary.replaced,
                    "totals": {k: fen_to_str(v) for k, v in summary.totals.items()}, "law_digest": summary.law_digest,
                    "due": due, "warnings": summary.warnings, "timings": summary.timings})
        return
    typer.echo(f"{month}: {summary.employees} employees {'recomputed (previous result replaced)' if summary.replaced else 'computed'}; "
               f"law {summary.law_digest[:12]}")
    for key, label in (("gross", "gross pay"), ("employee_contributions", "employee contributions"), ("iit", "IIT withheld"),
                       ("net", "net pay"), ("employer_contributions", "employer contributions"), ("employer_cost", "employer cost")):
        typer.echo(f"  {label:<24}{fen_to_str(summary.totals[key]):>18}")
    for w in summary.warnings:
        typer.echo(f"  note: {w}")
    if due:
        typer.echo(due)


@app.command("close")
def close(month: MonthArg, db: DbOption = None, employer: EmployerOption = None) -> None:
    """Lock the month: its withholding is what was filed. Months close in order."""
    from expatcn.payroll.db import get_engine
    from expatcn.payroll.runs import close_month

    with payroll_errors():
        year, m = Month.parse(month)
        done = close_month(get_engine(db), year, m, employer_tax_number=employer)
    typer.echo(f"{month} closed ({done['employees']} employees)")
    due = due_date_line(year, m)
    if due:
        typer.echo(due)


@app.command("correct")
def correct(
    month: MonthArg,
    file: Annotated[list[Path] | None, typer.Option("--file", help="pay file with the month's corrected items")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="EMPLOYEE:KIND=AMOUNT, e.g. E003:salary=47000")] = None,
    db: DbOption = None, employer: EmployerOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Correct a closed month's pay items: record what changed and where the tax difference goes."""
    from expatcn.money import MoneyError, fen_to_str, yuan_to_fen
    from expatcn.payroll.db import PayrollError, get_engine
    from expatcn.payroll.runs import correct_month

    with payroll_errors():
        year, m = Month.parse(month)
        sets = []
        for item in set_ or []:
            try:
                who, rest = item.split(":", 1)
                kind, amount = rest.split("=", 1)
                sets.append((who.strip(), kind.strip(), yuan_to_fen(amount.strip())))
            except (ValueError, MoneyError):
                raise PayrollError(f"--set {item!r}: expected EMPLOYEE:KIND=AMOUNT, e.g. E003:salary=47000") from None
        lines = correct_month(get_engine(db), year, m, files=[str(f) for f in file or []], sets=sets,
                              employer_tax_number=employer)
    if as_json:
        print_json([{**line.__dict__, "filed": fen_to_str(line.filed), "corrected": fen_to_str(line.corrected),
                     "difference": fen_to_str(line.difference)} for line in lines])
        return
    for line in lines:
        what = "; ".join(f"{c['kind']} {c['before'] or '—'} → {c['after']}" for c in line.changes)
        if line.treatment == "refile":
            typer.echo(f"{line.code} {line.month}: {what}: correct the {line.month} return: tax {fen_to_str(line.filed)} → "
                       f"{fen_to_str(line.corrected)} (difference {fen_to_str(line.difference)})")
        else:
            typer.echo(f"{line.code} {line.month}: {what}: wage tax to date {fen_to_str(line.filed)} → {fen_to_str(line.corrected)}; "
                       f"difference {fen_to_str(line.difference)} carried into {line.carried_to} (cumulative method)")
        if line.note:
            typer.echo(f"  {line.note}")


@app.command("verify")
def verify(month: MonthArg, db: DbOption = None, employer: EmployerOption = None,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute a run from its stored inputs and prove every stored figure identical."""
    from expatcn.payroll.db import get_engine
    from expatcn.payroll.runs import verify_month

    with payroll_errors():
        year, m = Month.parse(month)
        v = verify_month(get_engine(db), year, m, employer_tax_number=employer)
    if as_json:
        print_json(v.__dict__)
    else:
        typer.echo(f"{v.month} ({v.status}, {v.employees} employees): "
                   + ("identical — every stored figure recomputed from the stored inputs" if v.identical else "DIFFERENT"))
        typer.echo(f"  inputs snapshot intact: {'yes' if v.inputs_intact else 'NO'}; law tables "
                   + ("unchanged" if v.law_digest_stored == v.law_digest_now else
                      f"changed since the run ({v.law_digest_stored[:12]} → {v.law_digest_now[:12]})"))
        if v.corrections_since:
            typer.echo(f"  {v.corrections_since} correction(s) recorded against this month since it closed")
        for code, name, stored, now in v.differences:
            typer.echo(f"  {code} {name}: stored {stored} recomputed {now}")
    if not v.identical:
        raise typer.Exit(1)
