"""The employer's own social insurance figures in the store (``expatcn rates import``): where the
law tables have none, or the employer says otherwise (:class:`expatcn.social.figures.EmployerRates`).

An import replaces the employer's set in one transaction and records who imported it and when;
runs use the set in force when they are computed and keep it in their inputs (so verify and
true-ups recompute with the figures the run used).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy import Connection, Engine, delete, insert, select

from expatcn.money import RATE_SCALE, fen_to_decimal, rate_to_ppm, yuan_to_fen
from expatcn.payroll.db import read_transaction, utc, write_transaction
from expatcn.payroll.models import EmployerRateRow
from expatcn.payroll.writes import the_employer
from expatcn.social.figures import EmployerRate, EmployerRates


@dataclass(frozen=True)
class StoredRate:
    """A stored row: the figures, and who imported them when."""

    rate: EmployerRate
    imported_by: str
    imported_at: dt.datetime


def _row(rate: EmployerRate) -> dict:
    def fen(value: Decimal | str | None) -> int | None:
        return None if value is None or value == "none" else yuan_to_fen(value)
    return {"city": rate.city, "scheme": rate.scheme, "start": rate.start, "end": rate.end,
            "base_floor_fen": fen(rate.base_floor), "base_ceiling_fen": fen(rate.base_ceiling),
            "no_ceiling": rate.base_ceiling == "none", "employer_rate": rate.employer_rate,
            "employee_rate": rate.employee_rate, "why": rate.why}


def _rate(row) -> EmployerRate:
    def rate(value) -> Decimal | None:
        return None if value is None else Decimal(value).normalize()
    ceiling = "none" if row.no_ceiling else (None if row.base_ceiling_fen is None else fen_to_decimal(row.base_ceiling_fen))
    return EmployerRate(row.city, row.scheme, row.start, row.end, row.why,
                        base_floor=None if row.base_floor_fen is None else fen_to_decimal(row.base_floor_fen),
                        base_ceiling=ceiling, employer_rate=rate(row.employer_rate), employee_rate=rate(row.employee_rate),
                        where=f"stored rate {row.city} {row.scheme} from {row.start}")


def import_rates(engine: Engine, rates: EmployerRates, who: str, *, employer_tax_number: str | None = None) -> int:
    """Replace the employer's figures with ``rates`` (checked), recording ``who`` and now."""
    now = dt.datetime.now(dt.timezone.utc)
    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        conn.execute(delete(EmployerRateRow).where(EmployerRateRow.employer_id == employer.id))
        if rates.rows:
            conn.execute(insert(EmployerRateRow), [
                {"employer_id": employer.id, "imported_by": who, "imported_at": now, **_row(r)} for r in rates.rows])
    return len(rates.rows)


def employer_rates(conn: Connection, employer_id: int) -> EmployerRates | None:
    """The employer's figures as the engine takes them (None: none imported)."""
    rows = conn.execute(select(EmployerRateRow).where(EmployerRateRow.employer_id == employer_id)
                        .order_by(EmployerRateRow.city, EmployerRateRow.scheme, EmployerRateRow.start)).all()
    return EmployerRates([_rate(r) for r in rows]) if rows else None


def rates_in_store(engine: Engine) -> EmployerRates | None:
    """The figures of the store's one employer (None: none, no employer yet, or several)."""
    with read_transaction(engine) as conn:
        employers = conn.execute(select(EmployerRateRow.employer_id).distinct()).all()
        return employer_rates(conn, employers[0].employer_id) if len(employers) == 1 else None


def stored_rates(engine: Engine, *, employer_tax_number: str | None = None) -> list[StoredRate]:
    """The employer's figures with who imported them and when."""
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        rows = conn.execute(select(EmployerRateRow).where(EmployerRateRow.employer_id == employer.id)
                            .order_by(EmployerRateRow.city, EmployerRateRow.scheme, EmployerRateRow.start)).all()
    return [StoredRate(_rate(r), r.imported_by, utc(r.imported_at)) for r in rows]


_NOT_GIVEN, _NO_CEILING = -1, -2  # in the figures of a stored rate: the table's figure; no ceiling


def rates_arrays(rates: EmployerRates) -> dict[str, np.ndarray]:
    """The employer's figures as arrays of a run's inputs snapshot (text, dates, figures in fen and ppm)."""
    def fen(value) -> int:
        return _NOT_GIVEN if value is None else _NO_CEILING if value == "none" else yuan_to_fen(value)

    def ppm(value) -> int:
        return _NOT_GIVEN if value is None else rate_to_ppm(value)
    rows = rates.rows
    return {
        "rates.text": np.array([[r.city, r.scheme, r.why] for r in rows], dtype=str),
        "rates.dates": np.array([[r.start, r.end or "NaT"] for r in rows], dtype="datetime64[D]"),
        "rates.figures": np.array([[fen(r.base_floor), fen(r.base_ceiling), ppm(r.employer_rate), ppm(r.employee_rate)]
                                   for r in rows], dtype=np.int64),
    }


def rates_from(arrays: dict[str, np.ndarray]) -> EmployerRates | None:
    """The employer's figures of a run's inputs snapshot (None: none)."""
    if "rates.text" not in arrays:
        return None

    def yuan(fen: int):
        return None if fen == _NOT_GIVEN else "none" if fen == _NO_CEILING else fen_to_decimal(fen)

    def share(ppm: int):
        return None if ppm == _NOT_GIVEN else (Decimal(ppm) / RATE_SCALE).normalize()
    return EmployerRates([
        EmployerRate(str(city), str(scheme), start.astype(dt.date), None if np.isnat(end) else end.astype(dt.date),
                     str(why), base_floor=yuan(int(f[0])), base_ceiling=yuan(int(f[1])), employer_rate=share(int(f[2])),
                     employee_rate=share(int(f[3])))
        for (city, scheme, why), (start, end), f in zip(arrays["rates.text"], arrays["rates.dates"],
                                                      arrays["rates.figures"])])


__all__ = ["StoredRate", "employer_rates", "import_rates", "rates_arrays", "rates_from", "rates_in_store",
           "stored_rates"]
