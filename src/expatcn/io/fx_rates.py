"""A file of RMB central parity rates (CSV) → :class:`expatcn.iit.foreign_currency.Parities`.

Columns: ``date`` (YYYY-MM-DD: the last day of a month, with the parity in force that day),
``currency`` (ISO 4217, e.g. EUR), ``rate`` (RMB for ``unit`` units, as published, e.g. 7.5257),
optional ``unit`` (1 by default; 100 for the yen as CFETS quotes it) and ``source``. Lines that
start with ``#`` are comments. Errors name the file, the row and the field."""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from expatcn.errors import InputError
from expatcn.iit.foreign_currency import Parities, Parity

COLUMNS = ("date", "currency", "rate", "unit", "source")
REQUIRED = ("date", "currency", "rate")


def read_parities(path: str | Path) -> Parities:
    """The parities of a rates file; a bad file is an :class:`InputError` naming file, row and field."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the rates file ({exc.strerror})") from None
    rows = [(n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise InputError(f"{path}: no rates (expected the columns {', '.join(REQUIRED)})")
    header_line, header = rows[0][0], [h.strip().lower() for h in next(csv.reader([rows[0][1]]))]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        raise InputError(f"{path}, row {header_line}: columns must be {', '.join(COLUMNS)} "
                         f"(missing {', '.join(missing) or 'none'}; unknown {', '.join(unknown) or 'none'})")
    parities = []
    for n, line in rows[1:]:
        cells = dict(zip(header, (c.strip() for c in next(csv.reader([line])))))
        parities.append(_parity(path, n, cells))
    return Parities(parities, origin=str(path))


def _parity(path: Path, n: int, cells: dict[str, str]) -> Parity:
    def bad(field: str, expected: str) -> InputError:
        return InputError(f"{path}, row {n}, {field}: expected {expected}, got {cells.get(field, '')!r}")

    try:
        day = dt.date.fromisoformat(cells.get("date", ""))
    except ValueError:
        raise bad("date", "a date YYYY-MM-DD") from None
    currency = cells.get("currency", "").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency) or currency == "CNY":
        raise bad("currency", "a three-letter currency code other than CNY")
    try:
        rate = Decimal(cells.get("rate", ""))
    except InvalidOperation:
        raise bad("rate", "RMB per unit, e.g. 7.5257") from None
    if not rate.is_finite() or rate <= 0 or rate.as_tuple().exponent < -6:
        raise bad("rate", "a positive rate with at most six decimals")
    unit_text = cells.get("unit") or "1"
    if not unit_text.isdigit() or int(unit_text) < 1:
        raise bad("unit", "a whole number of units ≥ 1 (100 for the yen)")
    return Parity(day, currency, rate, int(unit_text), cells.get("source", ""))
