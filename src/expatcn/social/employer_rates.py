"""The employer's own social insurance figures (a rates file: city, scheme, from, to, base
floor/ceiling, employer/employee rate, why): what it declares where the law tables have no figure
or where it says otherwise. :func:`expatcn.social.figures.city_figures` lays them over the tables,
labelled employer-supplied; the work-injury class and the housing fund rate are the employer's
own defaults (a rate given for one employee still wins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from expatcn.errors import InputError
from expatcn.law.schemas.social import SCHEMES

HOUSING_FUND = "housing_fund"
ALL_SCHEMES = (*SCHEMES, HOUSING_FUND)


@dataclass(frozen=True)
class EmployerRate:
    """One row of an employer's rates: what it declares for ``scheme`` in ``city`` from ``start``
    to ``end`` (inclusive; None: open). A field left None is the table's. ``base_ceiling``
    ``"none"``: no ceiling. For the housing fund the rate is one rate for both sides."""

    city: str
    scheme: str
    start: dt.date
    end: dt.date | None
    why: str
    base_floor: Decimal | None = None
    base_ceiling: Decimal | Literal["none"] | None = None
    employer_rate: Decimal | None = None
    employee_rate: Decimal | None = None
    where: str = ""  # where the row was given (file and row), for messages

    def __post_init__(self) -> None:
        where = f"{self.where}: " if self.where else ""
        if self.scheme not in ALL_SCHEMES:
            raise InputError(f"{where}scheme: expected one of {', '.join(ALL_SCHEMES)}, got {self.scheme!r}")
        if self.end is not None and self.end < self.start:
            raise InputError(f"{where}to: {self.end} is before from {self.start}")
        if not self.why.strip():
            raise InputError(f"{where}why: say why the employer supplies these figures")
        figures = (self.base_floor, self.base_ceiling, self.employer_rate, self.employee_rate)
        if all(f is None for f in figures):
            raise InputError(f"{where}give at least one figure (base floor/ceiling, employer/employee rate)")
        for name in ("employer_rate", "employee_rate"):
            rate = getattr(self, name)
            if rate is not None and not Decimal(0) <= rate < Decimal(1):
                raise InputError(f"{where}{name}: expected a share between 0 and 1 (or a percentage), got {rate}")
        for name in ("base_floor", "base_ceiling"):
            value = getattr(self, name)
            if isinstance(value, Decimal) and value < 0:
                raise InputError(f"{where}{name}: expected an amount ≥ 0, got {value}")
        if isinstance(self.base_floor, Decimal) and isinstance(self.base_ceiling, Decimal) \
                and self.base_floor > self.base_ceiling:
            raise InputError(f"{where}base floor {self.base_floor} is above the ceiling {self.base_ceiling}")
        if self.scheme == HOUSING_FUND and None not in (self.employer_rate, self.employee_rate) \
                and self.employer_rate != self.employee_rate:
            raise InputError(f"{where}the housing fund takes one rate for employer and employee; "
                             f"got {self.employer_rate} and {self.employee_rate}")

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class EmployerRates:
    """The employer's own figures, by city and scheme; two rows for the same city and scheme may
    not cover the same day."""

    def __init__(self, rows: list[EmployerRate] | tuple[EmployerRate, ...] = ()) -> None:
        self.rows = tuple(rows)
        by_key: dict[tuple[str, str], list[EmployerRate]] = {}
        for row in self.rows:
            by_key.setdefault((row.city, row.scheme), []).append(row)
        for (city, scheme), rows_ in by_key.items():
            rows_.sort(key=lambda r: r.start)
            for before, after in zip(rows_, rows_[1:]):
                if before.end is None or after.start <= before.end:
                    raise InputError(f"{after.where or city}: {city} {scheme} from {after.start} overlaps "
                                     f"{before.where or 'another row'} ({before.start}..{before.end or ''})")
        self._by_key = by_key

    def __bool__(self) -> bool:
        return bool(self.rows)

    def on(self, city: str, scheme: str, day: dt.date) -> EmployerRate | None:
        return next((r for r in self._by_key.get((city, scheme), ()) if r.covers(day)), None)

    def key(self, city: str, day: dt.date) -> tuple[int, ...]:
        """Which rows are in force for ``city`` on ``day`` (months with the same key share figures)."""
        return tuple(i for i, r in enumerate(self.rows) if r.city == city and r.covers(day))


__all__ = ["ALL_SCHEMES", "HOUSING_FUND", "EmployerRate", "EmployerRates"]
