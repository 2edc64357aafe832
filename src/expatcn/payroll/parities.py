"""The employer's RMB central parities in the store (``expatcn parities import``): the rates a run
converts pay in a foreign currency with (IIT Law art. 16; Regulations art. 32, which day's parity:
:func:`expatcn.iit.foreign_currency.rate_day`). Per employer; an import adds the days it holds. A
parity already stored with another rate is refused: a published parity does not change, and runs
already made with it must stay reproducible."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, Engine, insert, select

from expatcn.errors import InputProblems
from expatcn.iit.foreign_currency import Parities, Parity
from expatcn.payroll.db import read_transaction, utc, write_transaction
from expatcn.payroll.models import CentralParity, Employer
from expatcn.payroll.writes import the_employer


@dataclass(frozen=True)
class StoredParity:
    parity: Parity
    imported_by: str
    imported_at: dt.datetime


@dataclass(frozen=True)
class ParitiesImported:
    employer: str  # its tax number
    added: int
    unchanged: int


def import_parities(engine: Engine, parities: Parities, who: str, *,
                    employer_tax_number: str | None = None) -> ParitiesImported:
    """Add the parities of a checked rates file to the employer's (all or nothing)."""
    now = dt.datetime.now(dt.timezone.utc)
    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        stored = {(r.day, r.currency): r for r in conn.execute(
            select(CentralParity).where(CentralParity.employer_id == employer.id)).all()}
        new, same, clashes = [], 0, []
        for (day, currency), p in sorted(parities.by_day.items()):
            old = stored.get((day, currency))
            if old is None:
                new.append({"employer_id": employer.id, "day": day, "currency": currency, "rate": p.rate,
                            "unit": p.unit, "source": p.source, "imported_by": who, "imported_at": now})
            elif Decimal(old.rate) == p.rate and old.unit == p.unit:
                same += 1
            else:
                clashes.append(f"{parities.origin}: {currency} on {day}: {p.rate} per {p.unit} differs from the stored "
                               f"{Decimal(old.rate).normalize()} per {old.unit} (imported by {old.imported_by}); a "
                               "published central parity does not change — check the file")
        if clashes:
            raise InputProblems(clashes)
        if new:
            conn.execute(insert(CentralParity), new)
    return ParitiesImported(employer.tax_number, len(new), same)


def _parity(row) -> Parity:
    return Parity(row.day, row.currency, Decimal(row.rate).normalize(), row.unit, row.source)


def parities_of(conn: Connection, employer: Employer) -> Parities:
    """The employer's parities as :func:`expatcn.iit.foreign_currency.convert` takes them."""
    rows = conn.execute(select(CentralParity).where(CentralParity.employer_id == employer.id)).all()
    return Parities((_parity(r) for r in rows),
                    origin=f"the central parities stored for employer {employer.tax_number} (expatcn parities import)")


def stored_parities(engine: Engine, *, employer_tax_number: str | None = None) -> list[StoredParity]:
    """The employer's parities, by day and currency, with who imported them and when."""
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        rows = conn.execute(select(CentralParity).where(CentralParity.employer_id == employer.id)
                            .order_by(CentralParity.day, CentralParity.currency)).all()
    return [StoredParity(_parity(r), r.imported_by, utc(r.imported_at)) for r in rows]
