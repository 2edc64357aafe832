"""The employer's RMB central parities in the payroll store (issue 14 item 4, the store part): a
rates file (CSV: date, currency, rate[, unit, source]; ``examples/fx``) imported per employer
(``expatcn parities import``), listed, and used by every run to convert pay items in a foreign
currency at the parity of the day the law names (IIT Regulations art. 32: for withholding, the
last day of the month before the filing month; wages of March are filed in April, so 31 March)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel

from expatcn.io.fx_rates import read_parities
from expatcn.payroll import parities as stored
from expatcn.services.payroll import Store, open_store


class ParityOut(BaseModel):
    date: dt.date
    currency: str
    rate: str  # RMB for ``unit`` units
    unit: int
    source: str
    imported_by: str | None = None
    imported_at: dt.datetime | None = None


class ParitiesImported(BaseModel):
    employer: str
    added: int
    unchanged: int
    imported_by: str


def import_parities(store: Store, path: str | Path, who: str, *, employer: str | None = None) -> ParitiesImported:
    """Add a rates file's parities to the employer's (the file checked in full first; a parity
    already stored with another rate refuses the whole file)."""
    done = stored.import_parities(store, read_parities(path), who, employer_tax_number=employer)
    return ParitiesImported(employer=done.employer, added=done.added, unchanged=done.unchanged, imported_by=who)


def list_parities(store: Store, *, employer: str | None = None) -> list[ParityOut]:
    """The employer's parities by day and currency, with who imported them and when."""
    return [ParityOut(date=s.parity.day, currency=s.parity.currency, rate=str(s.parity.rate), unit=s.parity.unit,
                      source=s.parity.source, imported_by=s.imported_by, imported_at=s.imported_at)
            for s in stored.stored_parities(store, employer_tax_number=employer)]


__all__ = ["ParitiesImported", "ParityOut", "import_parities", "list_parities", "open_store"]
