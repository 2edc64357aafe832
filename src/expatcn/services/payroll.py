"""The company payroll: open the store, import sheets (files, uploads, JSON rows, the example
company), run, close, correct and verify a month, and the month's filing due date.

Sheets are read and checked by :mod:`expatcn.io.sheets` and written by
:mod:`expatcn.payroll.writes` in one transaction; nothing goes through a temporary file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from importlib.resources import files as resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine

from expatcn.dates import Month
from expatcn.errors import InputError, LawError, NotFound
from expatcn.filing_calendar import due_date as filing_due_date
from expatcn.io import sheets
from expatcn.law import load_law
from expatcn.money import ppm_to_percent, yuan_str
from expatcn.payroll import corrections, db, queries, runs, writes
from expatcn.payroll.models import RESULT_COLUMNS

Store = Engine  # the handle of an open store (a SQLAlchemy engine)
EXAMPLE_COMPANY = ("employer.csv", "roster.csv", "deductions.csv", "trips.csv", "pay.csv")


class Imported(BaseModel):
    """Rows written per table: inserted, updated, unchanged (and, for trips, removed); and the
    text encoding each CSV file was read in."""

    counts: dict[str, dict[str, int]]
    removed: list[str] = Field(default_factory=list, description="the trips removed (--replace), one line each")
    encodings: dict[str, str] = Field(default_factory=dict, description="CSV file → the encoding it was read in "
                                      "(UTF-8, UTF-8 (BOM), UTF-16, UTF-32 or GB18030)")


def open_store(db_path: str | None = None) -> Store:
    """The store at ``db_path`` (a SQLite path or a database URL; default ``EXPATCN_DB`` or
    ``./expatcn.sqlite``)."""
    return db.get_engine(db_path)


def upgrade(store: Store) -> str:
    """Create the store's schema or bring it up to date; returns the schema revision."""
    return db.upgrade(store)


def init(db_path: str | None = None) -> tuple[str, str]:
    """Create the store or bring its schema up to date: (its URL, password masked; the schema revision)."""
    return db.display_url(db.database_url(db_path)), upgrade(open_store(db_path))


def _write(store: Store, sources: Sequence[tuple[Any, str | None]], kind: str | None, replace_trips: bool) -> Imported:
    """Read every source (a path, bytes with their file name, or rows), then write them all in one
    transaction; every problem of every source and of the store's checks comes in one report."""
    law = load_law()
    read: list[sheets.Sheet] = []
    problems: list[str] = []
    for source, name in sources:
        found, wrong = sheets.read_all(source, law=law, kind=kind, name=name)
        read += found
        problems += wrong
    summary = writes.write(store, read, problems=problems, replace_trips=replace_trips)
    return Imported(counts=summary.counts, removed=summary.removed,
                    encodings={sheet.where: sheet.encoding for sheet in read if sheet.encoding})


def import_files(store: Store, paths: Sequence[str | Path], kind: str | None = None, *,
                 replace_trips: bool = False) -> Imported:
    """Import ``.xlsx`` / ``.csv`` files in one transaction: all valid and written, or nothing.
    ``replace_trips``: the trips of each employee a trips sheet names are exactly the sheet's."""
    if not paths:
        raise InputError("nothing to import: name the files, or --example")
    return _write(store, [(p, None) for p in paths], kind, replace_trips)


def import_bytes(store: Store, uploads: Sequence[tuple[str, bytes]], kind: str | None = None, *,
                 replace_trips: bool = False) -> Imported:
    """Import uploaded files, given as (file name, content), in one transaction."""
    if not uploads:
        raise InputError("files: no file uploaded")
    return _write(store, [(content, name) for name, content in uploads], kind, replace_trips)


def import_rows(store: Store, kind: str, rows: Sequence[Mapping[str, Any]], *, replace_trips: bool = False) -> Imported:
    """Import JSON rows of one kind (keys: the template's field names), with the files' checks."""
    if not rows:
        raise InputError("no rows")
    return _write(store, [(rows, None)], kind, replace_trips)


def example_files() -> list[Path]:
    """The files of the example company shipped with expatcn."""
    folder = resources("expatcn.examples.company")
    return [Path(str(folder / name)) for name in EXAMPLE_COMPANY]


def import_example(store: Store) -> Imported:
    """Import the example company shipped with expatcn."""
    return import_files(store, example_files())


def template(kind: str, fmt: str = "xlsx") -> bytes:
    """An empty import template (``xlsx`` or ``csv``) with bilingual headers."""
    return sheets.template(kind, fmt)


def pay_kinds() -> dict[str, str]:
    """The kinds of pay item (kind → Chinese label), for pickers."""
    return dict(sheets.PAY_KINDS)


# --- runs ---------------------------------------------------------------------------------------


class RunDone(BaseModel):
    """A month computed and stored (an open run; it replaced the previous open run if ``replaced``)."""

    month: str
    employees: int
    replaced: bool
    totals: dict[str, str] = Field(description="yuan: gross, iit, employee_contributions, employer_contributions, net, employer_cost")
    law_digest: str
    warnings: list[str]
    due: str | None = Field(description="the filing due date of the month's withholding return")
    unpaid: list[str] = Field(default_factory=list, description="employees on the roster with no pay in the month: "
                                                                "left out (include them with include)")
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage")
    carried: int = Field(0, description="employees whose contributions rest on a figure carried forward")
    made_up: int = Field(0, description="employees paying true-ups of earlier months with this month")


class Closed(BaseModel):
    month: str
    employees: int
    closed_at: dt.datetime
    due: str | None


class Change(BaseModel):
    kind: str
    before: str | None = Field(description="yuan; none: the item was added")
    after: str


class CorrectionLine(BaseModel):
    """Where a corrected month's tax difference goes: ``carried`` into the next open month
    (cumulative method), ``reconciliation`` (after December), or ``refile`` the month's return."""

    employee: str
    month: str
    treatment: str
    filed: str
    corrected: str
    difference: str
    carried_to: str | None
    changes: list[Change]
    note: str


class Difference(BaseModel):
    employee: str
    figure: str
    stored: int = Field(description="fen")
    recomputed: int = Field(description="fen")


class Verification(BaseModel):
    month: str
    status: str
    employees: int
    identical: bool
    inputs_intact: bool
    law_digest_stored: str
    law_digest_now: str
    corrections_since: int
    differences: list[Difference]
    trueup: str | None = Field(None, description="the month ran on figures carried forward that the law tables "
                                                 "now publish differently: what to do")


def due_date(year: int, month: int) -> str | None:
    """The filing due date of the month's withholding return, as a line (law table of the filing calendar)."""
    try:
        day, _, how = filing_due_date(load_law(), (year, month))
    except LawError as exc:
        return f"filing due date of {Month(year, month)}: unknown ({exc})"
    return f"withholding return for {Month(year, month)} due {day:%Y-%m-%d} ({how})"


def run(store: Store, year: int, month: int, *, progress: Callable[[str, int, int], None] | None = None,
        employer: str | None = None, include: Sequence[str] | str = (), allow_negative: bool = False) -> RunDone:
    """Compute every employee for the month from the year-to-date inputs; replaces an open run.
    Employees with no pay in the month are listed in ``unpaid`` and left out, unless ``include``
    names them (employee IDs, or ``"all"``); negative net pay is an error unless ``allow_negative``."""
    chosen = "all" if include == "all" or (not isinstance(include, str) and "all" in include) else list(include)
    s = runs.run_month(store, year, month, law=load_law(), employer_tax_number=employer, include=chosen,
                       allow_negative=allow_negative, **({"progress": progress} if progress else {}))
    return RunDone(month=str(Month(year, month)), employees=s.employees, replaced=s.replaced,
                   totals={k: yuan_str(v) for k, v in s.totals.items()}, law_digest=s.law_digest,
                   warnings=list(s.warnings), due=due_date(year, month), timings=s.timings, carried=s.carried,
                   made_up=s.made_up, unpaid=s.unpaid)


def close(store: Store, year: int, month: int, *, employer: str | None = None) -> Closed:
    """Lock the month: its withholding is what was filed. Months close in order."""
    done = runs.close_month(store, year, month, law=load_law(), employer_tax_number=employer)
    return Closed(month=done["month"], employees=done["employees"], closed_at=done["closed_at"], due=due_date(year, month))


def correct(store: Store, year: int, month: int, *, files: Sequence[str | Path] = (),
            items: Sequence[tuple[str, str, Any]] = (), where: str = "items", employer: str | None = None) -> list[CorrectionLine]:
    """Correct a closed month's pay items, from pay files and/or ``items`` (employee, kind,
    amount in yuan), checked as any pay sheet; records what changed and where the tax difference goes."""
    law = load_law()
    pay = [s for f in files for s in sheets.read(f, law=law)]
    if items:
        rows = [{"code": code, "month": str(Month(year, month)), "kind": kind, "amount": str(amount)}
                for code, kind, amount in items]
        pay += sheets.read(rows, law=law, kind="pay", name=where)
    if not pay:
        raise InputError("nothing to correct: give --file FILE or --set EMPLOYEE:KIND=AMOUNT")
    lines = corrections.correct_month(store, year, month, pay, law=law, employer_tax_number=employer)
    return [CorrectionLine(employee=ln.code, month=ln.month, treatment=ln.treatment, filed=yuan_str(ln.filed),
                           corrected=yuan_str(ln.corrected), difference=yuan_str(ln.difference), carried_to=ln.carried_to,
                           changes=[Change(**c) for c in ln.changes], note=ln.note) for ln in lines]


def verify(store: Store, year: int, month: int, *, employer: str | None = None) -> Verification:
    """Recompute a run from its stored inputs and compare every stored figure."""
    v = runs.verify_month(store, year, month, law=load_law(), employer_tax_number=employer)
    return Verification(month=v.month, status=v.status, employees=v.employees, identical=v.identical,
                        inputs_intact=v.inputs_intact, law_digest_stored=v.law_digest_stored, law_digest_now=v.law_digest_now,
                        corrections_since=v.corrections_since, trueup=v.trueup,
                        differences=[Difference(employee=e, figure=f, stored=a, recomputed=b) for e, f, a, b in v.differences])


# --- the stored runs ----------------------------------------------------------------------------


class RunListItem(BaseModel):
    month: str
    status: str
    employees: int
    computed_at: dt.datetime
    closed_at: dt.datetime | None
    iit: str
    employer_cost: str


class Conversion(BaseModel):
    """A pay item paid in a foreign currency, converted at the RMB central parity of ``rate_date``
    (IIT Regulations art. 32) for withholding."""

    month: str
    kind: str
    amount: str
    currency: str
    rate: str  # RMB for ``unit`` units
    unit: int
    rate_date: str
    rmb: str

    def describe(self) -> str:
        unit = "" if self.unit == 1 else f" per {self.unit}"
        return (f"{self.month} {self.kind}: {self.amount} {self.currency} × {self.rate}{unit} (central parity of "
                f"{self.rate_date} / {self.rate_date}人民币汇率中间价) = {self.rmb}")


class ResultRow(BaseModel):
    id: str
    name: str
    resident: bool
    complete: bool
    gross: str
    employee_contributions: str
    iit: str
    net: str
    employer_contributions: str
    employer_cost: str
    employee_carried: bool = Field(description="the employee's contributions rest on a figure carried forward")
    employer_carried: bool = Field(description="the employer's contributions rest on a figure carried forward")
    figure_notes: dict[str, dict[str, str]] = Field(
        description="scheme -> {en, zh}: figures carried forward, employer-supplied or of low confidence")
    figures: dict[str, str] | None = Field(
        default=None, description="one employee asked for: every stored figure (yuan; wage_rate a percentage)")
    employee_makeup: str = Field(description="yuan: true-ups of earlier months paid with this month (employee)")
    employer_makeup: str = Field(description="yuan: true-ups of earlier months paid with this month (employer)")
    conversions: list[Conversion] = Field(
        default_factory=list, description="pay items in a foreign currency and the central parity each was converted at")


class CorrectionOut(BaseModel):
    employee: str
    treatment: str
    filed: str
    corrected: str
    difference: str
    carried_to: str | None
    note: str | None


class RunDetail(BaseModel):
    month: str
    status: str
    employees: int
    law_digest: str
    computed_at: dt.datetime
    closed_at: dt.datetime | None
    totals: dict[str, str]
    results: list[ResultRow]
    corrections: list[CorrectionOut]


def list_runs(store: Store) -> list[RunListItem]:
    """Every run, by month, with its IIT and employer cost."""
    return [RunListItem(month=str(r.month), status=r.status, employees=r.employees, computed_at=r.computed_at,
                        closed_at=r.closed_at, iit=yuan_str(r.totals["iit"]), employer_cost=yuan_str(r.totals["employer_cost"]))
            for r in queries.runs(store)]


def _figures(row: Any) -> dict[str, str]:
    """Every stored figure of a result row, in yuan (the wage rate as a percentage)."""
    return {k: ppm_to_percent(getattr(row, k)) if k == "wage_rate" else yuan_str(getattr(row, k)) for k in RESULT_COLUMNS}


def _conversions(stored: str | None) -> list[Conversion]:
    """The conversions stored with a result (JSON, fen) as the answer shows them."""
    return [Conversion(**{k: v for k, v in c.items() if k != "fen"}, rmb=yuan_str(c["fen"]))
            for c in json.loads(stored)] if stored else []


def run_detail(store: Store, year: int, month: int, employee: str | None = None) -> RunDetail:
    """A stored run: one row per employee (yuan), the totals, and its corrections; ``employee``:
    that employee's row only, with every stored figure (``figures``)."""
    d = queries.run_detail(store, year, month)
    run = d.run
    if employee is not None:
        d.results = [r for r in d.results if r.code == employee]
        d.corrections = [c for c in d.corrections if c.code == employee]
        if not d.results:
            raise NotFound(f"{employee} has no result in {run.month} (not on the roster, or left out of the run)")
    return RunDetail(
        month=str(run.month), status=run.status, employees=run.employees, law_digest=run.law_digest,
        computed_at=run.computed_at, closed_at=run.closed_at, totals={k: yuan_str(v) for k, v in run.totals.items()},
        results=[ResultRow(id=r.code, name=r.name, resident=bool(r.resident), complete=bool(r.complete),
                           employee_carried=bool(r.employee_carried), employer_carried=bool(r.employer_carried),
                           figure_notes=json.loads(r.figure_notes) if r.figure_notes else {},
                           employee_makeup=yuan_str(r.employee_makeup), employer_makeup=yuan_str(r.employer_makeup),
                           conversions=_conversions(r.conversions),
                           figures=_figures(r) if employee is not None else None,
                           **{k: yuan_str(getattr(r, k)) for k in queries.TOTALS}) for r in d.results],
        corrections=[CorrectionOut(employee=c.code, treatment=c.treatment, filed=yuan_str(c.tax_filed_fen),
                                   corrected=yuan_str(c.tax_corrected_fen), difference=yuan_str(c.difference_fen),
                                   carried_to=c.carried_to, note=c.note) for c in d.corrections])


def pay_months(store: Store) -> list[str]:
    """The months that hold pay items (YYYY-MM), for the month picker."""
    return [str(m) for m in queries.pay_months(store)]
