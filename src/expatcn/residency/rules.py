"""The residency law of one tax year, read from the law tables (``law/residency/``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from expatcn.law import Entry, Law
from expatcn.law.model import LawRef

TABLES = ("residence_days", "work_days", "ninety_day_rule", "six_year_rule", "treaty_183", "wage_sourcing")


@dataclass(frozen=True)
class YearRules:
    """The residency tables' values in force on 1 January of ``year``, with their references."""

    year: int
    entries: dict[str, Entry]

    def __getattr__(self, name: str):
        entries = self.__dict__.get("entries", {})
        if name in entries:
            return entries[name].value
        raise AttributeError(name)

    @property
    def refs(self) -> list[LawRef]:
        return [entry.ref for entry in self.entries.values()]


def year_rules(year: int, law: Law) -> YearRules:
    """The residency tables in force on 1 January of ``year``."""
    day = dt.date(year, 1, 1)
    return YearRules(year, {name: law.on(f"residency/{name}", day) for name in TABLES})
