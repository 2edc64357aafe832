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
TOTALS = (("gross", "gross pay"), ("employee_contributions", "employee contributions"), ("iit", "IIT withheld"),
          ("net", "net pay"), ("employer_contributions", "employer contributions"), ("employer_cost", "employer cost"))


def _yuan(amount: str) -> str:
    from expatcn.money import fen_to_str, yuan_to_fen

    return fen_to_str(yuan_to_fen(amount))


@app.command("run")
def run(month: MonthArg, db: DbOption = None, employer: EmployerOption = None,
        include: Annotated[list[str] | None, typer.Option(
            "--include", help="an employee with no pay in the month to compute anyway (a leaver, unpaid leave); "
                              "'all' for every one")] = None,
        allow_negative: Annotated[bool, typer.Option("--allow-negative", help="keep a negative net pay")] = False,
        detail: Annotated[bool, typer.Option("--detail", help="also the figures of each employee")] = False,
        as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Compute every employee for the month from the year-to-date inputs; replaces an open run.
    Employees with no pay in the month are listed and left out unless --include names them."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from expatcn.services import payroll

    labels = {"load": "load year-to-date inputs", "compute": "compute (residency, social insurance, IIT)",
              "write": "write results"}
    with payroll_errors(), Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                    TimeElapsedColumn(), console=Console(stderr=True), transient=True, disable=as_json) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        store = payroll.open_store(db)
        done = payroll.run(store, *Month.parse(month), progress=progress, employer=employer,
                           include=include or (), allow_negative=allow_negative)
    if as_json:
        answer = done.model_dump(mode="json")
        if detail:
            answer["results"] = [r.model_dump(mode="json") for r in payroll.run_detail(store, *Month.parse(month)).results]
        print_json(answer)
        return
    if detail:
        _results_table(payroll.run_detail(store, *Month.parse(month)))
    typer.echo(f"{done.month}: {done.employees} employees {'recomputed (previous result replaced)' if done.replaced else 'computed'}; "
               f"law {done.law_digest[:12]}")
    for key, label in TOTALS:
        typer.echo(f"  {label:<24}{_yuan(done.totals[key]):>18}" + (" †" if done.carried and key != "gross" else ""))
    if done.unpaid:
        typer.echo(f"  left out, no pay in {done.month}: {', '.join(done.unpaid)} (--include ID or --include all to "
                   "compute them: a leaver, unpaid leave)")
    if done.made_up:
        typer.echo(f"  of which true-ups of earlier months, employee {_yuan(done.totals['employee_makeup'])}, employer "
                   f"{_yuan(done.totals['employer_makeup'])} ({done.made_up} employees)")
    if done.carried:
        typer.echo(f"  † {done.carried} employees' contributions rest on figures carried forward (not yet published)")
    for w in done.warnings:
        typer.echo(f"  note: {w}")
    if done.due:
        typer.echo(done.due)


def _results_table(detail) -> None:
    """One row per employee of a stored run (yuan), then every figure of a single employee asked for."""
    from rich.console import Console
    from rich.table import Table

    table = Table("ID", "name", "resident", "gross", "employee contrib.", "IIT", "net", "employer contrib.",
                  "employer cost", title=f"{detail.month} ({detail.status})")
    for r in detail.results:
        table.add_row(r.id, r.name, "yes" if r.resident else "no", *(_yuan(getattr(r, k)) for k in (
            "gross", "employee_contributions", "iit", "net", "employer_contributions", "employer_cost")))
    Console().print(table)
    for r in detail.results:
        for c in r.conversions:
            typer.echo(f"  {r.id}: {c.describe()}")
    for r in detail.results:
        if r.figures:
            figures = Table("figure", "amount", title=f"{r.id} {r.name}")
            for name, value in r.figures.items():
                figures.add_row(name, value if value.endswith("%") else _yuan(value))
            Console().print(figures)


@app.command("results")
def results(month: MonthArg, db: DbOption = None,
            employee: Annotated[str | None, typer.Option("--employee", help="one employee: every stored figure")] = None,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The stored figures of a run, per employee (or every figure of one employee)."""
    from expatcn.services import payroll

    with payroll_errors():
        detail = payroll.run_detail(payroll.open_store(db), *Month.parse(month), employee=employee)
    if as_json:
        print_json(detail.model_dump(mode="json"))
        return
    _results_table(detail)


@app.command("close")
def close(month: MonthArg, db: DbOption = None, employer: EmployerOption = None) -> None:
    """Lock the month: its withholding is what was filed. Months close in order."""
    from expatcn.services import payroll

    with payroll_errors():
        done = payroll.close(payroll.open_store(db), *Month.parse(month), employer=employer)
    typer.echo(f"{done.month} closed ({done.employees} employees)")
    if done.due:
        typer.echo(done.due)


@app.command("correct")
def correct(
    month: MonthArg,
    file: Annotated[list[Path] | None, typer.Option("--file", help="pay file with the month's corrected items")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="EMPLOYEE:KIND=AMOUNT, e.g. E003:salary=47000")] = None,
    db: DbOption = None, employer: EmployerOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Correct a closed month's pay items: record what changed and where the tax difference goes."""
    from expatcn.errors import InputError
    from expatcn.services import payroll

    with payroll_errors():
        items = []
        for item in set_ or []:
            who, _, rest = item.partition(":")
            kind, _, amount = rest.partition("=")
            if not (who.strip() and kind.strip() and amount.strip()):
                raise InputError(f"--set {item!r}: expected EMPLOYEE:KIND=AMOUNT, e.g. E003:salary=47000")
            items.append((who.strip(), kind.strip(), amount.strip()))
        lines = payroll.correct(payroll.open_store(db), *Month.parse(month), files=file or [], items=items, where="--set",
                                employer=employer)
    if as_json:
        print_json([line.model_dump(mode="json") for line in lines])
        return
    for line in lines:
        what = "; ".join(f"{c.kind} {c.before or '—'} → {c.after}" for c in line.changes)
        if line.treatment == "refile":
            typer.echo(f"{line.employee} {line.month}: {what}: correct the {line.month} return: tax {_yuan(line.filed)} → "
                       f"{_yuan(line.corrected)} (difference {_yuan(line.difference)})")
        else:
            typer.echo(f"{line.employee} {line.month}: {what}: wage tax to date {_yuan(line.filed)} → {_yuan(line.corrected)}; "
                       f"difference {_yuan(line.difference)} carried into {line.carried_to} (cumulative method)")
        if line.note:
            typer.echo(f"  {line.note}")


@app.command("verify")
def verify(month: MonthArg, db: DbOption = None, employer: EmployerOption = None,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute a run from its stored inputs and prove every stored figure identical."""
    from expatcn.services import payroll

    with payroll_errors():
        v = payroll.verify(payroll.open_store(db), *Month.parse(month), employer=employer)
    if as_json:
        print_json(v.model_dump(mode="json"))
    else:
        typer.echo(f"{v.month} ({v.status}, {v.employees} employees): "
                   + ("identical — every stored figure recomputed from the stored inputs" if v.identical else "DIFFERENT"))
        typer.echo(f"  inputs snapshot intact: {'yes' if v.inputs_intact else 'NO'}; law tables "
                   + ("unchanged" if v.law_digest_stored == v.law_digest_now else
                      f"changed since the run ({v.law_digest_stored[:12]} → {v.law_digest_now[:12]})"))
        if v.corrections_since:
            typer.echo(f"  {v.corrections_since} correction(s) recorded against this month since it closed")
        for d in v.differences:
            typer.echo(f"  {d.employee} {d.figure}: stored {d.stored} recomputed {d.recomputed}")
        if v.trueup:
            typer.echo(f"  {v.trueup}")
    if not v.identical:
        raise typer.Exit(1)


@app.command("trueup")
def trueup(
    city: Annotated[str, typer.Argument(help="the payroll's city, by key or name (shanghai, 上海)")],
    from_month: Annotated[str, typer.Argument(help="the first month to true up, YYYY-MM")],
    carry: Annotated[bool, typer.Option("--carry", help="record the differences to be paid with the next open month")] = False,
    db: DbOption = None, employer: EmployerOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Months run on social insurance figures carried forward, now that the law tables (or the
    employer's rates) give them: per employee and month the difference in employee and employer
    contributions, in the IIT-deductible part and in the IIT; --carry records it for the next run."""
    from expatcn.services import trueup as service

    with payroll_errors():
        answer = service.trueup(service.open_store(db), city, from_month, carry=carry, employer=employer)
    if as_json:
        print_json(answer)
        return
    typer.echo(f"{answer.city}: closed months {answer.start}..{answer.through or answer.start} against the law tables of "
               f"now; the next open month is {answer.next_open}")
    if not answer.lines:
        typer.echo("  nothing to true up: every month's contributions are what the figures of now give")
        return
    typer.echo(f"  {'employee':<10}{'month':<9}{'employee':>12}{'employer':>12}{'deductible':>12}{'IIT':>11}  IIT goes")
    for ln in answer.lines:
        goes = {"carried": f"carried into {answer.next_open} (cumulative method)",
                "reconciliation": "to the annual reconciliation", "refile": f"correct the {ln.month} return"}[ln.treatment]
        typer.echo(f"  {ln.employee:<10}{ln.month:<9}{_yuan(ln.employee_contributions):>12}"
                   f"{_yuan(ln.employer_contributions):>12}{_yuan(ln.deductible):>12}{_yuan(ln.iit):>11}  {goes}")
        if ln.note:
            typer.echo(f"    {ln.note}")
    t = answer.totals
    typer.echo(f"  {'total':<19}{_yuan(t['employee']):>12}{_yuan(t['employer']):>12}{_yuan(t['deductible']):>12}"
               f"{_yuan(t['iit']):>11}")
    if carry:
        typer.echo(f"  {answer.recorded} lines recorded: the run of {answer.next_open} pays the contributions with "
                   "the month (employee's part from net pay)")
    else:
        typer.echo(f"  (shown only: --carry records them for {answer.next_open})")
