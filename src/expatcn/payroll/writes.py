"""Writing checked sheets (:mod:`expatcn.io.sheets`) into the store: employer, roster, declared
deductions, trips, pay items.

Every sheet of one call is written in one transaction (all or nothing). Rows are upserted by their
natural keys (employee ID; employee + month + kind; employee + trip entry; employee + year + first
month), so writing the same rows twice changes nothing the second time. What only the store can
tell is checked here: the employees named are on the roster, a trip does not overlap a stored one,
and a closed month's pay items change only through a correction (``expatcn correct YYYY-MM``),
which records what changed. Every problem of every sheet is gathered before anything is kept, so
that one attempt lists them all (with those the reader found: ``problems``).

Trips are added and updated by (employee, entry); the stored trips a sheet does not name stay,
unless ``replace_trips``: then the stored trips of each employee the sheet names that it does not
hold are removed, and the summary lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, and_, bindparam, delete, insert, select, update

from expatcn.errors import InputProblems
from expatcn.payroll.db import PayrollError, write_transaction
from expatcn.payroll.models import DeductionDeclaration, Employee, Employer, PayItem, Run, Trip

ORDER = ("employer", "roster", "deductions", "trips", "pay")  # what each sheet kind needs is written before it


class Table(Protocol):
    """A checked sheet: where it came from (for messages), its kind, its numbered rows."""

    where: str
    kind: str
    rows: list[tuple[int, dict[str, Any]]]


@dataclass
class ImportSummary:
    """Rows per table: inserted, updated, unchanged (and trips removed, each named in ``removed``)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)

    def add(self, table: str, what: str, n: int = 1) -> None:
        self.counts.setdefault(table, {"inserted": 0, "updated": 0, "unchanged": 0})
        self.counts[table][what] = self.counts[table].get(what, 0) + n


def write(engine: Engine, sheets: Sequence[Table], *, problems: Sequence[str] = (),
          replace_trips: bool = False) -> ImportSummary:
    """Write ``sheets`` in one transaction (all or nothing), each kind after those it needs.
    ``problems``: what the reader already found; the store's checks add theirs and, if there is
    any, :class:`~expatcn.errors.InputProblems` lists them all and nothing is kept."""
    summary = ImportSummary()
    elsewhere = [f"{s.where}: the employer's rates are imported with `expatcn rates import` (which records who "
                 "imports them)" for s in sheets if s.kind not in WRITERS]
    if elsewhere:
        raise InputProblems(elsewhere)
    found = list(problems)
    with write_transaction(engine) as conn:
        for sheet in sorted(sheets, key=lambda s: ORDER.index(s.kind)):
            try:
                if sheet.kind == "trips":
                    found += _write_trips(conn, sheet, summary, replace=replace_trips)
                else:
                    found += WRITERS[sheet.kind](conn, sheet, summary)
            except PayrollError as exc:  # no employer (its sheet had problems): listed with them
                if not found:
                    raise
                found.append(f"{sheet.where}: {exc}")
        if found:
            raise InputProblems(found)  # rolls back everything
    return summary


def the_employer(conn: Connection, tax_number: str | None = None) -> Employer:
    """The withholding agent of the database (there is one, unless ``tax_number`` picks one)."""
    employers = [Employer(**r._mapping) for r in conn.execute(select(Employer)).all()]
    if tax_number:
        employers = [e for e in employers if e.tax_number == tax_number]
    if not employers:
        raise PayrollError("no employer yet: import the roster workbook (its Employer sheet) or an employer file first"
                           if not tax_number else f"no employer with tax number {tax_number}")
    if len(employers) > 1:
        raise PayrollError("the database holds several employers: name one with --employer TAX_NUMBER")
    return employers[0]


def closed_months(conn: Connection, employer_id: int) -> set[tuple[int, int]]:
    return {(r.year, r.month) for r in conn.execute(
        select(Run.year, Run.month).where(Run.employer_id == employer_id, Run.status == "closed")).all()}


def _write_employer(conn: Connection, sheet: Table, summary: ImportSummary) -> list[str]:
    if not sheet.rows:  # its problems are already reported
        return []
    _, values = sheet.rows[0]
    existing = conn.execute(select(Employer).where(Employer.tax_number == values["tax_number"])).first()
    if existing is None:
        conn.execute(insert(Employer).values(**values))
        summary.add("employers", "inserted")
    elif any(getattr(existing, k) != v for k, v in values.items()):
        conn.execute(update(Employer).where(Employer.id == existing.id).values(**values))
        summary.add("employers", "updated")
    else:
        summary.add("employers", "unchanged")
    return []


def _write_roster(conn: Connection, sheet: Table, summary: ImportSummary) -> list[str]:
    employer = the_employer(conn)
    existing = {r.code: r for r in conn.execute(select(Employee).where(Employee.employer_id == employer.id)).all()}
    new, changed = [], []
    for _, record in sheet.rows:
        old = existing.get(record["code"])
        if old is None:
            new.append({**record, "employer_id": employer.id})
        elif any(getattr(old, k) != v for k, v in record.items()):
            changed.append({**record, "_id": old.id})
        else:
            summary.add("employees", "unchanged")
    if new:
        conn.execute(insert(Employee), new)
        summary.add("employees", "inserted", len(new))
    for record in changed:
        key = record.pop("_id")
        conn.execute(update(Employee).where(Employee.id == key).values(**record))
    summary.add("employees", "updated", len(changed))
    return []


def _codes(conn: Connection, sheet: Table) -> tuple[dict[str, int], list[tuple[int, dict]], list[str]]:
    """The store's employee ids by code, the sheet's rows whose employee is on the roster, and a
    problem naming each row whose employee is not."""
    employer = the_employer(conn)
    ids = dict(conn.execute(select(Employee.code, Employee.id).where(Employee.employer_id == employer.id)).all())
    problems = [f"{sheet.where}, row {row_no}, column 'Employee ID / 工号': expected an employee of the roster, "
                f"got {values['code']!r} (import the roster first, or in the same command)"
                for row_no, values in sheet.rows if values["code"] not in ids]
    return ids, [(r, v) for r, v in sheet.rows if v["code"] in ids], problems


def write_pay(conn: Connection, sheet: Table, summary: ImportSummary, *, correcting: tuple[int, int] | None = None,
              changes: list[dict] | None = None) -> list[str]:
    """Upsert pay items. A closed month's items may only change through a correction
    (``correcting`` = that month; ``changes`` collects what changed). A sheet without the period
    columns keeps the stored periods."""
    ids, rows, problems = _codes(conn, sheet)
    closed = closed_months(conn, the_employer(conn).id)
    has_period = any(k in v for _, v in sheet.rows[:1] for k in ("period_from", "period_to"))
    items: dict[tuple[int, int, int, str], tuple[int, int, tuple | None, str | None]] = {}
    for row_no, v in rows:
        key = (ids[v["code"]], *v["month"], v["kind"])
        if key in items:
            problems.append(f"{sheet.where}, row {row_no}: employee {v['code']}, {key[1]}-{key[2]:02d}, kind {v['kind']} "
                            f"already on row {items[key][1]} (one amount per employee, month and kind)")
            continue
        items[key] = (v["amount"], row_no, (v.get("period_from"), v.get("period_to")) if has_period else None,
                      v.get("currency"))
    existing: dict[tuple[int, int, int, str], tuple[int, int, tuple, str | None]] = {}
    for year, month in sorted({k[1:3] for k in items}):
        for r in conn.execute(select(PayItem.id, PayItem.employee_id, PayItem.kind, PayItem.amount_fen,
                                     PayItem.period_from, PayItem.period_to, PayItem.currency)
                              .where(PayItem.year == year, PayItem.month == month)):
            existing[(r.employee_id, year, month, r.kind)] = (r.id, r.amount_fen, (r.period_from, r.period_to),
                                                              r.currency)
    code_of = {v: k for k, v in ids.items()}
    new, changed = [], []
    has_currency = any("currency" in v for _, v in sheet.rows[:1])
    for key, (amount, row_no, period, currency) in items.items():
        old = existing.get(key)
        if old is not None and period is None:
            period = old[2]
        if old is not None and not has_currency:
            currency = old[3]  # a sheet without the column keeps the stored currency
        period = period or (None, None)
        if old is not None and old[1] == amount and old[2] == period and old[3] == currency:
            summary.add("pay_items", "unchanged")
            continue
        month = (key[1], key[2])
        if month in closed and month != correcting:
            problems.append(f"{sheet.where}, row {row_no}: {month[0]}-{month[1]:02d} is closed; employee {code_of[key[0]]} "
                            f"{key[3]} {'would change' if old else 'would be added'} — record it as a correction: "
                            f"expatcn correct {month[0]}-{month[1]:02d} --file {sheet.where.split(', sheet')[0]}")
            continue
        if changes is not None:
            changes.append({"employee_id": key[0], "kind": key[3], "before": None if old is None else old[1], "after": amount})
        if old is None:
            new.append({"employee_id": key[0], "year": key[1], "month": key[2], "kind": key[3], "amount_fen": amount,
                        "period_from": period[0], "period_to": period[1], "currency": currency})
        else:
            changed.append({"_id": old[0], "_amount": amount, "_from": period[0], "_to": period[1],
                            "_currency": currency})
    if problems:
        return problems
    if new:
        conn.execute(insert(PayItem), new)
    if changed:
        conn.execute(update(PayItem).where(PayItem.id == bindparam("_id")).values(
            amount_fen=bindparam("_amount"), period_from=bindparam("_from"), period_to=bindparam("_to"),
            currency=bindparam("_currency")), changed)
    summary.add("pay_items", "inserted", len(new))
    summary.add("pay_items", "updated", len(changed))
    return []


def _write_trips(conn: Connection, sheet: Table, summary: ImportSummary, *, replace: bool = False) -> list[str]:
    """Add and update trips by (employee, entry); with ``replace``, also remove the stored trips of
    each employee named that the sheet does not hold (listed in ``summary.removed``). The trips an
    employee ends up with must not overlap, and only the last may be open."""
    ids, rows, problems = _codes(conn, sheet)
    wanted = {(ids[v["code"]], v["entry"]): (row_no, v) for row_no, v in rows}
    stored = {}
    for chunk in _chunks(sorted({k[0] for k in wanted}), 500):
        for r in conn.execute(select(Trip).where(Trip.employee_id.in_(chunk))):
            stored[(r.employee_id, r.entry)] = r
    gone = [r for k, r in stored.items() if k not in wanted] if replace else []
    code_of = {v: k for k, v in ids.items()}
    kept = {k: (None, r.exit) for k, r in stored.items() if k not in wanted and not replace}
    problems += _overlaps(sheet.where, {**kept, **{k: (row_no, v.get("exit")) for k, (row_no, v) in wanted.items()}},
                          code_of)
    if problems:
        return problems
    for chunk in _chunks([r.id for r in gone], 500):
        conn.execute(delete(Trip).where(Trip.id.in_(chunk)))
    summary.add("trips", "removed", len(gone))
    summary.removed += [f"{code_of[r.employee_id]} trip {r.entry:%Y-%m-%d %H:%M} – "
                        f"{'(open)' if r.exit is None else format(r.exit, '%Y-%m-%d %H:%M')}" for r in gone]
    new = []
    for key, (_, v) in wanted.items():
        old = stored.get(key)
        row = {"employee_id": key[0], "entry": v["entry"], "exit": v.get("exit"), "note": v.get("note")}
        if old is None:
            new.append(row)
        elif (old.exit, old.note) != (row["exit"], row["note"]):
            conn.execute(update(Trip).where(Trip.id == old.id).values(exit=row["exit"], note=row["note"]))
            summary.add("trips", "updated")
        else:
            summary.add("trips", "unchanged")
    if new:
        conn.execute(insert(Trip), new)
    summary.add("trips", "inserted", len(new))
    return []


def _overlaps(where: str, trips: dict[tuple[int, Any], tuple[int | None, Any]], code_of: dict[int, str]) -> list[str]:
    """A problem for each trip (of the sheet, or stored) that begins before the one before it ended,
    or follows an open one. ``trips``: (employee, entry) → (row of the sheet or None, exit)."""
    problems = []
    ordered = sorted(trips.items())
    for (before, (row_a, exit_a)), (after, (row_b, _)) in zip(ordered, ordered[1:]):
        if before[0] != after[0] or (exit_a is not None and exit_a <= after[1]):
            continue
        rows = " and ".join(f"row {r}" if r else "a stored trip" for r in (row_a, row_b))
        problems.append(f"{where}, {rows}: employee {code_of[before[0]]}'s trip entering {before[1]:%Y-%m-%d %H:%M} "
                        f"{'is still open' if exit_a is None else f'ends {exit_a:%Y-%m-%d %H:%M}'}, after the next entry "
                        f"{after[1]:%Y-%m-%d %H:%M} (trips must not overlap; --replace drops stored trips the file does not hold)")
    return problems


def _write_deductions(conn: Connection, sheet: Table, summary: ImportSummary) -> list[str]:
    ids, known, problems = _codes(conn, sheet)
    rows = [{"employee_id": ids[v["code"]], **{k: x for k, x in v.items() if k != "code"}} for _, v in known]
    years = sorted({r["year"] for r in rows})
    stored = {(d.employee_id, d.year, d.from_month): d for d in conn.execute(
        select(DeductionDeclaration).where(DeductionDeclaration.year.in_(years))).all()}
    new, changed = [], []
    for record in rows:
        old = stored.get((record["employee_id"], record["year"], record["from_month"]))
        if old is None:
            new.append(record)
        elif any(getattr(old, k) != v for k, v in record.items()):
            changed.append(record)
        else:
            summary.add("deduction_declarations", "unchanged")
    if new:
        conn.execute(insert(DeductionDeclaration), new)
    for record in changed:
        key = and_(DeductionDeclaration.employee_id == record["employee_id"], DeductionDeclaration.year == record["year"],
                   DeductionDeclaration.from_month == record["from_month"])
        conn.execute(update(DeductionDeclaration).where(key).values(**record))
    summary.add("deduction_declarations", "inserted", len(new))
    summary.add("deduction_declarations", "updated", len(changed))
    return problems


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i: i + size]


WRITERS = {"employer": _write_employer, "roster": _write_roster, "pay": write_pay, "trips": _write_trips,
           "deductions": _write_deductions}

__all__ = ["ImportSummary", "Table", "closed_months", "the_employer", "write", "write_pay"]
