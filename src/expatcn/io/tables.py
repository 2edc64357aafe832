"""The rows of a user's CSV or Excel file, read one by one (memory bounded by a row, not the file).

A file comes as a path or as the bytes of an upload. CSV text is decoded by
:func:`expatcn.io.files.decode` (UTF-8 with or without BOM, UTF-16, GB18030/GBK) and the encoding
used is reported. Excel sheets are read whole, whatever their declared dimension (a stale one
would drop rows or columns); a formula cell without a value computed by Excel is an error (its
value is unknown: open and save the file in Excel first); help sheets are skipped. Every error
names the file, the sheet and the row.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from expatcn.errors import InputError
from expatcn.io.files import MAX_SHEET_BYTES, decode, read_bytes

CSV_SUFFIXES = (".csv",)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
HELP_SHEETS = ("Help 说明", "Help", "说明")
MAX_UNZIPPED_BYTES = 2**30  # an Excel file that unpacks to more than 1 GiB is refused (a zip bomb)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def blank(value: Any) -> bool:
    """An empty cell: nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Table:
    """One table of a file: where (``file`` or ``file, sheet 'S'``), its header row, and its
    other rows as (row number as the spreadsheet shows it, cells), read when iterated."""

    where: str
    header: list[Any]
    rows: Iterable[tuple[int, list[Any]]] = field(repr=False)


@dataclass
class FileTables:
    tables: list[Table]
    encoding: str | None  # the text encoding of a CSV file; None for Excel


def read_tables(source: Path | bytes, where: str, suffix: str, *, first_only: bool = False,
                error: type[Exception] = InputError) -> FileTables:
    """The tables of a CSV or Excel file (``suffix`` says which); an empty file, or one without a
    header row, is an ``error``. ``first_only``: the first sheet of a workbook only."""
    data = read_bytes(source, MAX_SHEET_BYTES, error) if isinstance(source, Path) else source
    if len(data) > MAX_SHEET_BYTES:
        raise error(f"{where}: the file has {len(data):,} bytes; at most {MAX_SHEET_BYTES:,} are read")
    if not data.strip():
        raise error(f"{where}: the file is empty")
    if suffix in CSV_SUFFIXES:
        text = decode(data, where, error)
        table = _csv_table(where, text.text, text.encoding, error)
        if table is None:
            raise error(f"{where}: the file is empty")
        return FileTables([table], text.encoding)
    if suffix in EXCEL_SUFFIXES:
        tables = _workbook_tables(where, data, first_only, error)
        if not tables:
            raise error(f"{where}: no sheet has a header row: the file is empty")
        return FileTables(tables, None)
    raise error(f"{where}: expected a .xlsx or .csv file, got {suffix!r}")


def _csv_table(where: str, text: str, encoding: str, error: type[Exception]) -> Table | None:
    reader = csv.reader(io.StringIO(text, newline=""))
    note = "" if encoding.startswith("UTF-8") else f" (read as {encoding})"

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, values in enumerate(reader, start=1):
                yield number, values
        except csv.Error as exc:
            raise error(f"{where}, row {number + 1}: cannot read the CSV row ({exc}){note}") from None

    numbered = rows()
    first = next(numbered, None)
    return None if first is None else Table(where, first[1], numbered)


def _workbook_tables(where: str, data: bytes, first_only: bool, error: type[Exception]) -> list[Table]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise error(f"{where}: the workbook unpacks to more than {MAX_UNZIPPED_BYTES:,} bytes")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except error:
        raise
    except Exception as exc:  # an untrusted file in a third-party reader: whatever it raises, say which file
        raise error(f"{where}: cannot read the file as an Excel workbook ({_reason(exc)})") from None
    tables = []
    for sheet in book.worksheets:
        if sheet.title in HELP_SHEETS:
            continue
        sheet_where = f"{where}, sheet {sheet.title!r}"
        _refuse_uncached_formulas(book, sheet, sheet_where, error)
        sheet.reset_dimensions()  # read every row and column, whatever the stale <dimension> says
        numbered = _guarded(sheet_where, error, enumerate(sheet.iter_rows(values_only=True), start=1))
        first = next(numbered, None)
        if first is not None and any(v is not None for v in first[1]):
            tables.append(Table(sheet_where, list(first[1]), ((n, list(r)) for n, r in numbered)))
        if first_only:
            break
    return tables


def _guarded(where: str, error: type[Exception], rows: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
    number = 1
    try:
        for number, values in rows:
            yield number, values
    except Exception as exc:  # a broken sheet part, found while reading it
        raise error(f"{where}, after row {number}: cannot read the sheet ({_reason(exc)})") from None


def _refuse_uncached_formulas(book: Any, sheet: Any, where: str, error: type[Exception]) -> None:
    """A formula cell whose value Excel never computed (a file written by a program) reads as
    blank: an error naming the cell, never a silent blank."""
    try:
        with book._archive.open(sheet._worksheet_path) as part:  # openpyxl keeps the zip and the part's path
            content = part.read()
    except Exception:  # noqa: BLE001 — reading the sheet itself will report it
        return
    if not _FORMULA.search(content):
        return
    from xml.etree.ElementTree import ParseError, iterparse

    try:
        for _, element in iterparse(io.BytesIO(content)):
            if element.tag.rsplit("}", 1)[-1] != "c":
                continue
            parts = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            if "f" in parts and (parts.get("v") is None or parts["v"].text is None):
                raise error(f"{where}, cell {element.get('r', '?')}: a formula without a value computed by Excel "
                            "(open the file in Excel and save it, or write the values)")
            element.clear()
    except ParseError:  # a broken sheet: reading it will say so
        return


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"
