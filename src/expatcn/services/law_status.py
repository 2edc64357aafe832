"""How fresh the law tables are (``expatcn law status``, the web dashboard): every table's last
period and the period in force today, what ends within the horizon (90 days unless asked), which
social insurance figures are carried forward (not yet published), employer-supplied (the store's
or a rates file's) or of low confidence, and which were never published (to be supplied)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from expatcn.law import Law, load_law
from expatcn.law.status import table_status
from expatcn.payroll import rates as stored
from expatcn.services.payroll import Store, open_store
from expatcn.social.figures import FIELD_NAMES, EmployerRates, figure_status

HORIZON_DAYS = 90  # what "ends soon" means on the dashboard: a quarter ahead (a display setting, not law)


class TableLine(BaseModel):
    table: str
    title: str
    last_period: str = Field(description="from..to of the table's last period (to empty: open)")
    in_force: str | None = Field(description="from..to of the period in force on the day; none: not in force")
    confidence: str | None
    pending: bool = Field(description="the period in force has no published figures yet (all carried forward)")
    ends_soon: dt.date | None = Field(description="the period in force (or the table) ends on this day, within the horizon")


class FigureLine(BaseModel):
    scheme: str
    figure: str
    kind: str = Field(description="carried_forward | employer_supplied | low_confidence | not_published")
    en: str
    zh: str


class CityLine(BaseModel):
    city: str
    figures: list[FigureLine]
    gap: str | None = Field(None, description="no figures at all for the day (why)")


class LawStatus(BaseModel):
    day: dt.date
    horizon_days: int
    tables: list[TableLine]
    cities: list[CityLine]

    @property
    def ending(self) -> list[TableLine]:
        return [t for t in self.tables if t.ends_soon is not None]


def _period(start: dt.date | None, end: dt.date | None) -> str | None:
    return None if start is None else f"{start}..{end or ''}"


def law_status(day: dt.date | None = None, *, horizon_days: int = HORIZON_DAYS, rates: EmployerRates | None = None,
               store: Store | None = None, law: Law | None = None) -> LawStatus:
    """The law tables' freshness on ``day`` (default today); the employer's figures from ``rates``
    or, without, from the payroll ``store`` (if given and it holds some)."""
    law = law or load_law()
    if rates is None and store is not None:
        rates = stored.rates_in_store(store)
    day = day or dt.date.today()
    tables = [TableLine(table=t.name, title=t.title, last_period=_period(t.last_start, t.last_end) or "",
                        in_force=_period(t.in_force_start, t.in_force_end), confidence=t.confidence, pending=t.pending,
                        ends_soon=t.ends_soon)
              for t in table_status(law, day, horizon_days)]
    cities = []
    for c in figure_status(law, day, rates):
        figures = [FigureLine(scheme=scheme, figure=name, kind=source.kind,
                              en=f"{FIELD_NAMES[name][0]}: {source.text('en')}",
                              zh=f"{FIELD_NAMES[name][1]}：{source.text('zh')}")
                   for scheme, sources in c.sources.items() for name, source in sources.items()]
        figures += [FigureLine(scheme=scheme, figure=name, kind="not_published",
                               en=f"{FIELD_NAMES[name][0]}: not published — supply it in a rates file",
                               zh=f"{FIELD_NAMES[name][1]}：未公布，请在费率文件中提供")
                    for scheme, names in c.missing.items() for name in names]
        cities.append(CityLine(city=c.city, figures=figures, gap=c.gap))
    return LawStatus(day=day, horizon_days=horizon_days, tables=tables, cities=cities)


__all__ = ["HORIZON_DAYS", "LawStatus", "law_status", "open_store"]
