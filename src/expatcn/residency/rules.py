"""The residency law of one tax year, read from the law tables (``law/residency/``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from expatcn.law import LAW_DIR, Entry, Law, LawError, _parse_table, load_law
from expatcn.law.model import LawRef

TABLES = ("residence_days", "work_days", "ninety_day_rule", "six_year_rule", "treaty_183", "wage_sourcing")


def residency_law(law: Law | None = None) -> Law:
    """The law to use: the one given, else all tables (``load_law()``); if another domain's table
    fails to load, only the residency tables, so that this domain keeps working."""
    if law is not None:
        return law
    try:
        return load_law()
    except LawError:
        return _residency_only()


_CACHE: dict[str, Law] = {}


def _residency_only() -> Law:
    if "law" not in _CACHE:
        tables = {}
        for path in sorted(Path(LAW_DIR, "residency").glob("*.yaml")):
            name = path.relative_to(LAW_DIR).with_suffix("").as_posix()
            tables[name] = _parse_table(name, path.read_text(encoding="utf-8"), f"law table {path}")
        _CACHE["law"] = Law(tables, "residency-only")
    return _CACHE["law"]


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


def year_rules(year: int, law: Law | None = None) -> YearRules:
    law = residency_law(law)
    day = dt.date(year, 1, 1)
    return YearRules(year, {name: law.on(f"residency/{name}", day) for name in TABLES})
