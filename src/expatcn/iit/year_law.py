"""The law of each month of one tax year, looked up once and remembered for the trace."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar, overload

from expatcn.errors import LawNotInForce
from expatcn.iit.inputs import MONTHS
from expatcn.law import Entry, Law
from expatcn.law.model import LawRef
from expatcn.law.tables import TableRef

V = TypeVar("V")


class YearLaw:
    """Answers "which law held in month m" for the 12 months of ``year`` and records every
    entry used, so that each figure can name the law behind it."""

    def __init__(self, law: Law, year: int) -> None:
        self.law = law
        self.year = year
        self.months = [dt.date(year, month, 1) for month in range(1, MONTHS + 1)]
        self.used: dict[tuple[str, int], LawRef] = {}
        self._cache: dict[tuple[str, int], Entry | None] = {}

    def entry(self, table: str | TableRef[Any], month: int) -> Entry | None:
        """The entry in force on the first day of month index ``month`` (0–11), or None."""
        key = (str(table), month)
        if key not in self._cache:
            try:
                self._cache[key] = self.law.on(table, self.months[month])
            except LawNotInForce:
                self._cache[key] = None
        found = self._cache[key]
        if found is not None:
            self.used[key] = found.ref
        return found

    @overload
    def value(self, table: TableRef[V], month: int) -> V: ...

    @overload
    def value(self, table: str, month: int) -> Any: ...

    def value(self, table: str | TableRef[Any], month: int) -> Any:
        """The value in force in month ``month``; an error if the table does not cover it."""
        found = self.entry(table, month)
        if found is None:
            self.law.on(table, self.months[month])  # raises LawNotInForce with the dates covered
        return found.value

    def optional(self, table: str | TableRef[Any], month: int) -> Any | None:
        found = self.entry(table, month)
        return None if found is None else found.value

    def each_month(self, table: str | TableRef[Any]) -> list[Any]:
        return [self.value(table, month) for month in range(MONTHS)]

    def each_month_optional(self, table: str | TableRef[Any]) -> list[Any | None]:
        return [self.optional(table, month) for month in range(MONTHS)]

    def refs_for(self, month: int) -> list[LawRef]:
        return [ref for (table, m), ref in sorted(self.used.items()) if m == month]
