"""The payroll sheets: employer, roster, pay items, trips, declared special additional deductions —
their columns, the check of every cell and row, the templates, and :func:`read`.

Headers are bilingual: a column is recognised by its field name, its English name, its Chinese
name, or both as the template writes them (``Employee ID / 工号``). A sheet comes from a file
(``.xlsx`` or ``.csv``), from the bytes of an upload, or from JSON rows keyed by field name; the
same checks apply to all three, and the problems name the file (or ``rows``), the sheet, the row
and the column and say what was expected (:class:`expatcn.errors.InputProblems`). What needs the
store (is the employee on the roster, is the month closed) is checked by
:mod:`expatcn.payroll.writes`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from expatcn.errors import InputError, InputProblems, LawError
from expatcn.iit.special_additional import Claims
from expatcn.io.files import decode, parse_mapping, read_mapping
from expatcn.io.files import problems as validation_problems
from expatcn.io.identity import check_id_number
from expatcn.io.sheet_columns import (
    DEDUCTIONS,
    EMPLOYER,
    KINDS,
    PAY,
    PAY_KINDS,
    PERIOD_KINDS,
    RATES,
    ROSTER,
    CellError,
    Column,
    blank,
)
from expatcn.io.tables import HELP_SHEETS, Table, read_tables
from expatcn.io.trips import TripFileError, TripRecord, build_trips
from expatcn.law import Law
from expatcn.money import fen_to_decimal
from expatcn.social.cities import city_key
from expatcn.social.contributions import cities
from expatcn.social.figures import EmployerRate, EmployerRates

SHEET_NAMES = {"employer": "Employer 扣缴义务人", "roster": "Employees 员工", "pay": "Pay 工资",
               "trips": "Trips 出入境", "deductions": "Deductions 专项附加扣除", "rates": "Rates 社保费率"}
HELP_SHEET = HELP_SHEETS[0]
SUFFIXES = (".csv", ".xlsx", ".xlsm")

# what a blank roster cell means (a full record is written: blank is the default, not "keep")
ROSTER_DEFAULTS = {"domiciled": None, "resident": None, "treaty_country": None, "executive": False,
                   "allowance_election": False, "bonus_method": "separate", "certificate_from": None,
                   "certificate_until": None, "leave_date": None, "local_hukou": False, "housing_fund": None,
                   "opt_in": False, "first_income_this_year": False, "low_income_last_year": False}


@dataclass
class Sheet:
    """One table of a file: where it came from, its kind, and its rows as checked values."""

    where: str  # "file", "file, sheet S" or "rows"
    kind: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row number, values)
    encoding: str | None = None  # the text encoding a CSV file was read in


def _norm(header: Any) -> str:
    return " ".join(str(header or "").replace("（", "(").replace("）", ")").split()).lower().replace(" / ", "/")


def _names(column: Column) -> tuple[str, ...]:
    return column.field, column.en, column.zh, column.header, f"{column.en}/{column.zh}"


def _header_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    return {_norm(name): c for c in columns for name in _names(c)}


def detect_kind(headers: list[Any]) -> str | None:
    """The kind of a sheet from its headers (the columns only one kind has)."""
    names = {_norm(h) for h in headers}
    for kind, key in (("pay", "kind"), ("trips", "entry"), ("deductions", "from_month"), ("employer", "tax_number"),
                      ("roster", "id_number"), ("rates", "scheme")):
        column = next(c for c in KINDS[kind] if c.field == key)
        if names & {_norm(n) for n in _names(column)[:4]}:
            return kind
    return None


# --- templates ----------------------------------------------------------------------------------


def template(kind: str, fmt: str = "xlsx") -> bytes:
    """An empty template: ``xlsx`` (bilingual headers, a help sheet with the expected forms; the
    roster workbook has the employer sheet too) or ``csv`` (headers only)."""
    if kind not in KINDS:
        raise InputError(f"unknown template {kind!r}: expected roster, pay, trips, deductions, employer or rates")
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerow([c.header for c in KINDS[kind]])
        return text.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise InputError(f"template format {fmt!r}: expected xlsx or csv")
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    help_rows = [("sheet", "column", "required", "expected")]
    for k in ["employer", "roster"] if kind == "roster" else [kind]:
        sheet = book.create_sheet(SHEET_NAMES[k])
        for i, column in enumerate(KINDS[k], start=1):
            cell = sheet.cell(row=1, column=i, value=column.header)
            cell.font = Font(bold=True)
            cell.comment = Comment(column.form, "expatcn")
            sheet.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 4)
            help_rows.append((SHEET_NAMES[k], column.header, "yes" if column.required else "", column.form))
    help_sheet = book.create_sheet(HELP_SHEET)
    for row in help_rows:
        help_sheet.append(row)
    if kind == "pay":
        help_sheet.append(())
        help_sheet.append(("kinds", "项目", "", ""))
        for key, label in PAY_KINDS.items():
            help_sheet.append(("", key, label, ""))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------------

def _row_tables(where: str, kind: str, rows: Sequence[Mapping[str, Any]]) -> list[Table]:
    fields = [c.field for c in KINDS[kind]]
    return [Table(where, fields, ((i + 1, [row.get(f) for f in fields]) for i, row in enumerate(rows)))]


def read(source: str | Path | bytes | Sequence[Mapping[str, Any]], *, law: Law, kind: str | None = None,
         name: str | None = None) -> list[Sheet]:
    """Parse and check every cell and row of ``source``: a file (path), the bytes of an upload
    (``name`` gives its suffix and the messages), or JSON rows keyed by field name (``kind``
    required; ``name`` is where the messages say they came from, default ``rows``). ``kind``
    names the kind of a CSV file or rows; an Excel sheet is known by its headers. Raises
    :class:`~expatcn.errors.InputProblems` listing every problem."""
    sheets, problems = read_all(source, law=law, kind=kind, name=name)
    if problems:
        raise InputProblems(problems)
    return sheets


def read_all(source: str | Path | bytes | Sequence[Mapping[str, Any]], *, law: Law, kind: str | None = None,
             name: str | None = None) -> tuple[list[Sheet], list[str]]:
    """:func:`read` without raising on the rows: the sheets with the rows whose cells are all
    well formed, and every problem found (cells, then the row checks of those rows), so that the
    store's checks can run on the good rows and one report lists everything. A file that cannot
    be read at all still raises."""
    encoding = None
    if isinstance(source, (str, Path, bytes)):
        where = str(source) if not isinstance(source, bytes) else name or "upload"
        suffix = PurePath(where).suffix.lower()
        if suffix not in SUFFIXES:
            raise InputError(f"{where}: expected a .xlsx or .csv file, got {suffix!r}")
        read = read_tables(Path(source) if not isinstance(source, bytes) else source, where, suffix)
        tables, encoding = read.tables, read.encoding
    else:
        if kind not in KINDS:
            raise InputError(f"rows of an unknown kind {kind!r}: expected {', '.join(KINDS)}")
        where, suffix = name or "rows", ".csv"
        tables = _row_tables(where, kind, source)
    sheets: list[Sheet] = []
    problems: list[str] = []
    for table in tables:
        sheet_kind = kind if kind and suffix == ".csv" else detect_kind(table.header)
        if sheet_kind is None:
            problems.append(f"{table.where}, row 1: cannot tell what the sheet holds from its headers; "
                            "expected the headers of a template (expatcn template roster|pay|trips|deductions)")
            continue
        before = len(problems)
        sheet = _parse(table.where, sheet_kind, table.header, table.rows, problems)
        sheet.encoding = encoding
        if not sheet.rows and len(problems) == before:
            problems.append(f"{table.where}: no rows under the headers: nothing to import")
        if sheet_kind != "employer" or len(problems) == before:  # an employer row with a bad cell is not counted
            problems.extend(CHECKS[sheet_kind](sheet, law))
        sheets.append(sheet)
    return sheets, problems


def _parse(where: str, kind: str, header: list[Any], rows: Iterable[tuple[int, list[Any]]], problems: list[str]) -> Sheet:
    """The cells of a table, each parsed by its column (problems are appended to ``problems``)."""
    columns = KINDS[kind]
    index = _header_index(columns)
    positions: list[tuple[int, Column]] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        if blank(h):
            continue
        column = index.get(_norm(h))
        if column is None:
            problems.append(f"{where}, row 1, column {h!r}: unknown column; expected " + ", ".join(c.header for c in columns))
            continue
        if column.field in seen:
            problems.append(f"{where}, row 1, column {h!r}: the column appears twice")
        seen.add(column.field)
        positions.append((i, column))
    problems.extend(f"{where}, row 1: missing column {c.header!r} ({c.form})" for c in columns
                    if c.required and c.field not in seen)
    sheet = Sheet(where, kind)
    if problems:
        return sheet
    for row_no, values in rows:
        if all(blank(v) for v in values):
            continue
        parsed: dict[str, Any] = {}
        before = len(problems)
        for i, column in positions:
            value = values[i] if i < len(values) else None
            try:
                parsed[column.field] = column.parse(value)
            except CellError as exc:
                problems.append(f"{where}, row {row_no}, column {column.header!r}: expected {exc}, got {value!r}")
                continue
            if parsed[column.field] is None and column.required:
                problems.append(f"{where}, row {row_no}, column {column.header!r}: required ({column.form})")
        if len(problems) == before:  # a row with a bad cell is reported, not checked further
            sheet.rows.append((row_no, parsed))
        if len(problems) >= InputProblems.MAX:
            raise InputProblems(problems)
    return sheet


# --- row checks (what one sheet can tell without the store) --------------------------------------


def _check_employer(sheet: Sheet, law: Law) -> list[str]:
    if len(sheet.rows) != 1:
        return [f"{sheet.where}: expected exactly one employer row, found {len(sheet.rows)}"]
    row_no, values = sheet.rows[0]
    known = cities(law)
    city = str(values["city"]).lower()
    if city not in known:
        return [f"{sheet.where}, row {row_no}, column {EMPLOYER[2].header!r}: expected a city with social insurance "
                f"law tables ({', '.join(known)}), got {values['city']!r}"]
    values["city"] = city
    return []


def _check_roster(sheet: Sheet, law: Law) -> list[str]:
    """Every row becomes a full record (blank cells: :data:`ROSTER_DEFAULTS`; domiciled: a CN
    national); an employee once, an ID number of its document's form (:func:`check_id_number`),
    dates in order, a certificate of coverage for foreigners only."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, (row_no, values) in enumerate(sheet.rows):
        record = {**ROSTER_DEFAULTS, **{k: v for k, v in values.items() if v is not None}}
        if record["domiciled"] is None:
            record["domiciled"] = record["nationality"] == "CN"
        sheet.rows[i] = (row_no, record)
        where = f"{sheet.where}, row {row_no}"
        if record["code"] in seen:
            problems.append(f"{where}, column {ROSTER[0].header!r}: employee {record['code']} already on row {seen[record['code']]}")
        seen[record["code"]] = row_no
        try:  # GB 11643 check digit and birth date, permit and passport forms (law/identity/documents)
            record["id_number"] = check_id_number(law, record["id_type"], record["id_number"],
                                                  f"{where}, column {ROSTER[3].header!r}")
        except InputError as exc:
            problems.append(str(exc))
        if record["leave_date"] and record["leave_date"] < record["hire_date"]:
            problems.append(f"{where}, column {ROSTER[6].header!r}: expected a date on or after the hire date {record['hire_date']}")
        if record["certificate_until"] and record["nationality"] == "CN":
            problems.append(f"{where}, column {ROSTER[14].header!r}: a certificate of coverage is for foreign nationals")
        if record["certificate_from"] and not record["certificate_until"]:
            problems.append(f"{where}, column {ROSTER[14].header!r}: required with a certificate start date")
    return problems


def _check_pay(sheet: Sheet, law: Law) -> list[str]:
    """A period only for a bonus or equity, both ends given, in order, and ending in or before the
    pay year. (One amount per employee, month and kind: checked with the roster, by the store.)"""
    problems: list[str] = []
    for row_no, v in sheet.rows:
        start, end = v.get("period_from"), v.get("period_to")
        if start is None and end is None:
            continue
        column = f"{sheet.where}, row {row_no}, column "
        if v["kind"] not in PERIOD_KINDS:
            problems.append(f"{column}{PAY[4].header!r}: a period is for {' or '.join(PERIOD_KINDS)} items, "
                            f"not {v['kind']} (leave it blank)")
        elif start is None or end is None:
            missing = PAY[4] if start is None else PAY[5]
            problems.append(f"{column}{missing.header!r}: required with the other end of the period ({missing.form})")
        elif end < start:
            problems.append(f"{column}{PAY[5].header!r}: expected a day on or after the period start {start}, got {end}")
        elif end.year > v["month"][0]:
            problems.append(f"{column}{PAY[5].header!r}: expected a day in or before the pay year {v['month'][0]}, got {end}")
    return problems


def _check_trips(sheet: Sheet, law: Law) -> list[str]:
    """The residency reader's rules: no overlaps, an exit after its entry, only the last trip open."""
    records = [TripRecord(row_no, v["code"], v["entry"], v.get("exit"),
                          any(x is not None and (x.hour, x.minute, x.second) != (0, 0, 0) for x in (v["entry"], v.get("exit"))))
               for row_no, v in sheet.rows]
    if not records:
        return []
    years = [r.entry.year for r in records] + [r.exit.year for r in records if r.exit]
    try:
        build_trips(records, max(years), first_year=min(years), source=sheet.where)
    except TripFileError as exc:
        return [str(exc)]
    return []


def _check_deductions(sheet: Sheet, law: Law) -> list[str]:
    """Every row becomes a full declaration (blank: nothing claimed, to December) that the IIT
    engine accepts (:class:`expatcn.iit.special_additional.Claims`)."""
    problems = []
    for i, (row_no, v) in enumerate(sheet.rows):
        record = {"code": v["code"], "year": v["year"], "from_month": v["from_month"], "to_month": v.get("to_month") or 12,
                  **{k: Claims.model_fields[k].default if v.get(k) is None else v[k] for k in Claims.model_fields}}
        sheet.rows[i] = (row_no, record)
        where = f"{sheet.where}, row {row_no}"
        if record["to_month"] < record["from_month"]:
            problems.append(f"{where}, column {DEDUCTIONS[3].header!r}: expected a month ≥ the first month {record['from_month']}")
        try:
            Claims.model_validate({k: record[k] for k in Claims.model_fields})
        except ValidationError as exc:
            problems.append(f"{where}: column {validation_problems(exc)[0]}")
    return problems


def _rate_row(values: dict[str, Any], where: str) -> EmployerRate:
    def yuan(fen):
        return None if fen is None else fen_to_decimal(fen)
    ceiling = values.get("base_ceiling")
    return EmployerRate(values["city"], values["scheme"], values["from"], values.get("to"), values["why"],
                        base_floor=yuan(values.get("base_floor")),
                        base_ceiling=ceiling if ceiling == "none" else yuan(ceiling),
                        employer_rate=values.get("employer_rate"), employee_rate=values.get("employee_rate"),
                        where=where)


def _check_rates(sheet: Sheet, law: Law) -> list[str]:
    """Each row a city with tables (by key or name), a figure at least, dates in order, rates
    below 1, a separate maternity scheme where maternity is given; no two rows of a city and
    scheme on the same day (:class:`expatcn.social.figures.EmployerRate`)."""
    problems: list[str] = []
    rows: list[EmployerRate] = []
    for row_no, values in sheet.rows:
        where = f"{sheet.where}, row {row_no}"
        try:
            values["city"] = city_key(law, values["city"])
            rows.append(_rate_row(values, where))
        except LawError as exc:
            problems.append(f"{where}, column {RATES[0].header!r}: {exc}")
            continue
        except InputError as exc:
            problems.append(str(exc))
            continue
        table = law.table(f"social/{values['city']}")
        if values["scheme"] == "maternity" and table.in_force_on(values["from"]) \
                and table.entry_on(values["from"]).value.maternity_in_medical:
            problems.append(f"{where}, column {RATES[1].header!r}: {values['city']} has no separate maternity "
                            f"insurance on {values['from']} (merged into medical): give it in the medical row")
    if not problems:
        try:
            EmployerRates(rows)
        except InputError as exc:
            problems.append(str(exc))
    return problems


def employer_rates(source: str | Path | bytes | Sequence[Mapping[str, Any]], *, law: Law,
                   name: str | None = None) -> EmployerRates:
    """The employer's rates file — YAML (a list of rows keyed by field, or ``rates:`` holding it),
    Excel or CSV (columns :data:`~expatcn.io.sheet_columns.RATES`), the bytes of an upload
    (``name`` gives its suffix) or JSON rows — checked in full; every problem names the row and
    column (:class:`~expatcn.errors.InputProblems`), and nothing is returned unless all is well."""
    where = str(source) if isinstance(source, (str, Path)) else (name or "rows")
    if PurePath(where).suffix.lower() in (".yaml", ".yml") and not isinstance(source, (list, tuple)):
        if isinstance(source, bytes):
            data = parse_mapping(decode(source, where).text, where, InputError)
        else:
            data = read_mapping(Path(source), InputError)
        rows = data.get("rates") if isinstance(data, dict) else data
        fields = [c.field for c in RATES]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InputError(f"{where}: expected a list of rows ({', '.join(fields)}), or rates: holding one")
        unknown = [f"{where}, row {i}, column {key!r}: unknown column; expected {', '.join(fields)}"
                   for i, row in enumerate(rows, start=1) for key in row if key not in fields]
        if unknown:
            raise InputProblems(unknown)
        source = rows
    sheets = [s for s in read(source, law=law, kind="rates", name=where) if s.kind == "rates"]
    found = [_rate_row(values, f"{sheet.where}, row {row_no}") for sheet in sheets for row_no, values in sheet.rows]
    if not found:
        raise InputError(f"{where}: no rates rows (expected the columns of `expatcn template rates`)")
    return EmployerRates(found)


CHECKS = {"employer": _check_employer, "roster": _check_roster, "pay": _check_pay, "trips": _check_trips,
          "deductions": _check_deductions, "rates": _check_rates}

__all__ = ["KINDS", "PAY_KINDS", "ROSTER_DEFAULTS", "Sheet", "detect_kind", "employer_rates", "read", "read_all", "template"]
