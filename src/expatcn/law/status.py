"""How fresh the law tables are on a day: each table's last period, the period in force, whether
its figures are still pending publication, and what ends soon (a new period is due, or the table
runs out). ``expatcn law status`` and the web dashboard show it; the social insurance figures
carried forward or employer-supplied are added by ``expatcn.social.figures.figure_status``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from expatcn.law import Law
from expatcn.law.model import Confidence


@dataclass(frozen=True)
class TableStatus:
    """One table on ``day``: its last period (``last_start``..``last_end``, None = open), the period
    in force (None: the table is not in force that day), whether the figures in force are pending
    publication, and the end (of the period in force, or of the whole table) within the horizon."""

    name: str
    title: str
    last_start: dt.date
    last_end: dt.date | None
    in_force_start: dt.date | None
    in_force_end: dt.date | None
    confidence: Confidence | None
    pending: bool
    ends_soon: dt.date | None

    @property
    def in_force(self) -> bool:
        return self.in_force_start is not None


def table_status(law: Law, day: dt.date, horizon_days: int) -> list[TableStatus]:
    """Every table's status on ``day``; ``ends_soon`` when the period in force (or, the table not
    being in force, its last period) ends within ``horizon_days`` of ``day``."""
    out = []
    horizon = day + dt.timedelta(days=horizon_days)
    for name in sorted(law.tables):
        table = law.tables[name]
        last = table.periods[-1]
        index = next((i for i, p in enumerate(table.periods) if p.covers(day)), None)
        period = table.periods[index] if index is not None else None
        value = table.values[index] if index is not None else None
        end = period.end if period is not None else (last.end if last.end and last.end >= day else None)
        out.append(TableStatus(
            name, table.title, last.start, last.end,
            period.start if period else None, period.end if period else None,
            period.confidence if period else None,
            getattr(value, "pending", None) is not None,
            end if end is not None and day <= end <= horizon else None,
        ))
    return out
