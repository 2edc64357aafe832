"""What every export shares: employee records, the month's figures as one frame, ID masking,
and one table writer for Excel (openpyxl) and CSV.

Records are plain: dicts, objects with attributes (dataclasses, ORM rows) or a Polars frame,
one per employee, with the fields of :class:`EmployeeRecord`. Figures are amounts in **fen**
(int), one row per employee — a Polars frame, a dict of columns (lists or NumPy arrays) or a
list of dicts — with an ``employee_id`` column to match them to the records (or, without one,
in the records' order). The column names are those of :mod:`expatcn.io.exports.figures`.

Excel: numbers are written as numbers (``Decimal`` yuan) with a ``0.00`` format, never as text;
identifiers are text cells (``@``) so that an ID number keeps its digits. CSV: UTF-8 with a BOM
(Excel on a Chinese Windows opens it correctly), amounts as plain ``1234.56``.

Text that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return: a name
such as ``=HYPERLINK(…)`` typed into a roster) never becomes one: in Excel it is a string cell with
the quote prefix, in CSV it gets the usual leading ``'`` (OWASP, "CSV injection").
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any, BinaryIO

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from expatcn.errors import InputError
from expatcn.io.files import describe
from expatcn.money import RATE_SCALE, fen_to_decimal

log = logging.getLogger("expatcn.exports")

AMOUNT_FORMAT = "0.00"
RATE_FORMAT = "0%"
TEXT_FORMAT = "@"


class ExportError(InputError):
    """Inputs an export cannot lay out; the message names the employee and the column."""


@dataclass
class InMemory:
    """An export written to memory instead of a file: ``name`` (its suffix gives the format), and
    ``content`` once written. Every writer takes one where it takes a path."""

    name: str
    content: bytes = b""

    @property
    def suffix(self) -> str:
        return PurePath(self.name).suffix

    def __str__(self) -> str:
        return self.name


Target = str | Path | InMemory


def target(path: Target) -> Path | InMemory:
    return path if isinstance(path, InMemory) else Path(path)


def save(out: Path | InMemory, write: Callable[[BinaryIO], Any]) -> Path | InMemory:
    """Write through ``write`` into memory, or into the file (as a partial file, renamed when
    complete, so that a failure leaves no half-written export)."""
    if isinstance(out, InMemory):
        buffer = io.BytesIO()
        write(buffer)
        out.content = buffer.getvalue()
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with partial.open("wb") as handle:
        write(handle)
    partial.replace(out)
    return out


class EmployeeRecord(BaseModel):
    """One employee as the exports need them.

    employee_id: the key that matches the figures (the payroll's employee code).
    name: name as on the ID document (the STA matches it with the ID number).
    id_type: the STA client's label (e.g. ``外国护照``) or a code of ``ID_TYPES``
        in :mod:`expatcn.io.exports.withholding` (``passport``, ``resident_id`` …).
    id_number: the full ID or passport number (written in full only in the filing sheets).
    nationality: ISO alpha-2 (``DE``) or the client's label; name_zh: Chinese name, if any.
    employee_no: the 工号 column of the filing sheets (default: ``employee_id``).
    city, department: shown on payslips and reports when given.
    """

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    employee_id: str
    name: str
    id_type: str = ""
    id_number: str = ""
    nationality: str = ""
    name_zh: str = ""
    employee_no: str | None = None
    city: str = ""
    department: str = ""

    @field_validator("employee_id", "name", "id_number", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("id_type", "nationality", "name_zh", "city", "department", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return "" if value is None else value

    @property
    def number(self) -> str:
        return self.employee_no or self.employee_id


def as_records(records: Any) -> list[EmployeeRecord]:
    """Records as :class:`EmployeeRecord`; errors name the record and the field."""
    if hasattr(records, "to_dicts"):  # a Polars frame
        records = records.to_dicts()
    out: list[EmployeeRecord] = []
    for index, record in enumerate(records):
        data = dict(record) if isinstance(record, Mapping) else {
            name: getattr(record, name) for name in (*EmployeeRecord.model_fields, "code") if hasattr(record, name)
        }
        if "employee_id" not in data and data.get("code") is not None:
            data["employee_id"] = data["code"]  # a payroll Employee row (or its dict): its code is the key
        try:
            out.append(EmployeeRecord.model_validate(data))
        except ValidationError as exc:
            raise ExportError(f"employee record {index + 1}: {describe(exc)}") from None
    ids = [r.employee_id for r in out]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ExportError(f"employee records: employee_id repeated: {', '.join(twice[:5])}")
    return out


class Figures:
    """The month's figures lined up with the records: ``figures[column]`` is a NumPy array with
    one value per record (int64 fen for amounts), ``figures.has(column)`` says if it was given."""

    def __init__(self, columns: dict[str, np.ndarray], size: int) -> None:
        self.columns = columns
        self.size = size

    def has(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def get(self, name: str, default: int = 0) -> np.ndarray:
        if name in self.columns:
            return self.columns[name]
        return np.full(self.size, default, dtype=np.int64)

    def require(self, names: Iterable[str], report: str) -> None:
        missing = [n for n in names if n not in self.columns]
        if missing:
            raise ExportError(f"{report}: the figures lack column(s) {', '.join(missing)} "
                              "(see expatcn.io.exports.figures for what each one is)")


def as_figures(figures: Any, records: Sequence[EmployeeRecord]) -> Figures:
    """Figures (frame, dict of columns or list of row dicts) lined up with ``records``."""
    columns = _columns(figures)
    size = len(records)
    if "employee_id" in columns:
        keys = [str(k) for k in columns.pop("employee_id").tolist()]
        if len(set(keys)) != len(keys):
            raise ExportError("figures: employee_id repeated")
        where = {k: i for i, k in enumerate(keys)}
        missing = [r.employee_id for r in records if r.employee_id not in where]
        if missing:
            raise ExportError(f"figures: no row for employee(s) {', '.join(missing[:5])}")
        extra = sorted(set(keys) - {r.employee_id for r in records})
        if extra:
            raise ExportError(f"figures: row(s) for employee(s) not in the records: {', '.join(extra[:5])}")
        order = np.array([where[r.employee_id] for r in records], dtype=np.int64)
        columns = {k: v[order] if len(v) else v for k, v in columns.items()}
    for name, values in columns.items():
        if len(values) != size:
            raise ExportError(f"figures: column {name} has {len(values)} values for {size} employees")
    return Figures(columns, size)


def _columns(figures: Any) -> dict[str, np.ndarray]:
    if hasattr(figures, "to_dict") and hasattr(figures, "columns") and hasattr(figures, "height"):  # Polars
        return {name: _array(figures[name].to_numpy()) for name in figures.columns}
    if isinstance(figures, Mapping):
        return {str(k): _array(v) for k, v in figures.items()}
    rows = list(figures)
    names: list[str] = []
    for row in rows:
        names.extend(k for k in row if k not in names)
    return {n: _array([row.get(n) for row in rows]) for n in names}


def _array(values: Any) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype == object:
        items = array.tolist()
        if all(isinstance(v, (bool, np.bool_)) for v in items if v is not None):
            return np.array([bool(v) for v in items], dtype=bool)
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items if v is not None):
            return np.array([0 if v is None else int(v) for v in items], dtype=np.int64)
    if array.dtype.kind == "f":
        raise ExportError("figures are integer fen; got floating-point values (convert yuan with expatcn.money.yuan_to_fen)")
    return array


# --- text that looks like a formula ---------------------------------------------------------

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would read as a formula gets a leading ``'``."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_LEAD) else value


def text_cell(cell: Any) -> None:
    """An Excel cell: text that starts like a formula is stored as a string with the quote prefix
    (shown as typed, never evaluated, still text when edited)."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_LEAD):
        cell.data_type = "s"
        cell.quotePrefix = True


def neutralise(book: Any) -> None:
    """:func:`text_cell` on every cell of a workbook (for writers that place cells one by one)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text_cell(cell)


# --- identifiers --------------------------------------------------------------------------


def mask_id(number: str, keep: int = 4, mark: str = "*") -> str:
    """An ID number for payslips, file names and logs: all but the last ``keep`` characters
    masked (``E12345678`` → ``*****5678``); a short number is masked whole."""
    number = (number or "").strip()
    if len(number) <= keep:
        return mark * len(number)
    return mark * (len(number) - keep) + number[-keep:]


def safe_name(text: str) -> str:
    """A piece of a file name: letters, digits, CJK and ``-``/``_`` only."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip())
    while "--" in cleaned:
        cleaned = cleaned.replace("--", "-")
    return cleaned.strip("-") or "x"


# --- tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a report: its header, the kind of value and the width in Excel."""

    header: str
    kind: str = "amount"  # amount (fen → yuan), text, int, rate (ppm → fraction)
    width: float = 14
    required: bool = False  # shown in red (the STA templates' mandatory columns)


def cell_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "amount":
        return fen_to_decimal(int(value))
    if kind == "rate":
        return Decimal(int(value)) / RATE_SCALE
    if kind == "int":
        return int(value)
    return str(value)


def write_table(
    path: Target,
    sheet: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    totals: Sequence[Any] | None = None,
    notes_sheet: tuple[str, Sequence[str]] | None = None,
    title_rows: Sequence[str] = (),
) -> Path | InMemory:
    """Write ``rows`` (raw values: fen ints for amounts) under ``columns`` to ``path``: Excel
    for ``.xlsx``, CSV for ``.csv``. ``totals``: a last row (label first). ``notes_sheet``:
    (name, lines) of a second sheet (Excel only). ``title_rows``: lines above the header
    (Excel only; the filing sheets have none: their header is row 1)."""
    path = target(path)
    body = [[cell_value(v, c.kind) for v, c in zip(row, columns)] for row in rows]
    total = None if totals is None else [cell_value(v, c.kind) if i else v for i, (v, c) in enumerate(zip(totals, columns))]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _write_csv(path, columns, body + ([total] if total else []))
    elif suffix == ".xlsx":
        _write_xlsx(path, sheet, columns, body, total, notes_sheet, title_rows)
    else:
        raise ExportError(f"{path}: write .xlsx or .csv")
    log.info("wrote %s (%d rows)", path, len(body))
    return path


def _write_csv(path: Path | InMemory, columns: Sequence[Column], rows: list[list[Any]]) -> None:
    def write(handle: BinaryIO) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([csv_text(c.header) for c in columns])
        for row in rows:
            writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, Decimal) and c.kind == "amount" else csv_text(v))
                             for v, c in zip(row, columns)])
        text.flush()
        text.detach()

    save(path, write)


def _write_xlsx(path, sheet, columns, body, total, notes_sheet, title_rows) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for line in title_rows:
        ws.append([line])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        text_cell(ws.cell(ws.max_row, 1))
    ws.append([c.header for c in columns])
    header_row = ws.max_row
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(header_row, index)
        text_cell(cell)
        cell.font = Font(bold=True, color="FFFF0000" if column.required else "FF000000")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="FFF2F2F2")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for row in body + ([total] if total else []):
        ws.append(row)
        at = ws.max_row
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(at, index)
            cell.number_format = {"amount": AMOUNT_FORMAT, "rate": RATE_FORMAT, "int": "0"}.get(column.kind, TEXT_FORMAT)
            text_cell(cell)
    if total:
        for index in range(1, len(columns) + 1):
            ws.cell(ws.max_row, index).font = Font(bold=True)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    if notes_sheet:
        name, lines = notes_sheet
        notes = book.create_sheet(name)
        for line in lines:
            notes.append([line])
            text_cell(notes.cell(notes.max_row, 1))
        notes.column_dimensions["A"].width = 100
    save(path, book.save)


def column_total(values: np.ndarray) -> int:
    return int(np.asarray(values, dtype=np.int64).sum())
