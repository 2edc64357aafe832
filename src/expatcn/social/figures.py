"""Which figures of a city's social insurance and housing fund the engine computes with, and why.

A figure comes from the city's law table (``law/social/<city>.yaml``), from the employer
(:class:`EmployerRates`: "fills gaps and overrides the tables only where the employer says so"),
or — where the table marks it ``unconfirmed`` or the period is ``pending`` — is the last figure
published for the same city, scheme and field, carried forward. That is payroll practice: when a
city has not yet published a new year's bases or rates, employers keep declaring on the last
published figures and make up the difference once the new ones are out (Shanghai: the 2026
announcement of 2026-08-18 asks for the difference for July and August by the end of September;
Jiangsu: 2026 collected on the 2025 range until the new one is fixed — SOCIAL_CITIES_2026.md §4).

Every figure not simply published for the month carries a :class:`FigureSource`: carried forward
from <period>, employer-supplied, or of low confidence (the table lists it in ``low_confidence``).
Nothing is carried across a ``no_data`` period (the sources hold nothing for it) or across a
change in the schemes' structure (maternity merged into medical).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from expatcn.dates import Month
from expatcn.errors import InputError, LawError, SocialDataGap
from expatcn.law import Entry, Law, Table
from expatcn.law.model import LawRef
from expatcn.law.schemas.social import UNCONFIRMED, HousingFundLaw, SchemeLaw, SocialCity
from expatcn.social.cities import CITY_SCHEMA, cities
from expatcn.social.employer_rates import ALL_SCHEMES, HOUSING_FUND, EmployerRate, EmployerRates

CARRIED_FORWARD = "carried_forward"
EMPLOYER_SUPPLIED = "employer_supplied"
LOW_CONFIDENCE = "low_confidence"

SCHEME_FIELDS = ("base_floor", "base_ceiling", "employer_rate", "employee_rate", "employer_rate_nonlocal",
                 "employee_rate_nonlocal", "employer_rate_range")
HOUSING_FUND_FIELDS = ("base_floor", "base_ceiling", "rate_min", "rate_max")
FIELD_NAMES = {
    "base_floor": ("base floor", "缴费基数下限"),
    "base_ceiling": ("base ceiling", "缴费基数上限"),
    "employer_rate": ("employer rate", "单位费率"),
    "employee_rate": ("employee rate", "个人费率"),
    "employer_rate_nonlocal": ("employer rate (non-local)", "单位费率（非本地户籍）"),
    "employee_rate_nonlocal": ("employee rate (non-local)", "个人费率（非本地户籍）"),
    "employer_rate_range": ("employer rate classes", "单位费率档次"),
    "rate_min": ("lowest rate", "最低缴存比例"),
    "rate_max": ("highest rate", "最高缴存比例"),
    "rate": ("rate", "缴存比例"),
}


def period_label(start: dt.date, end: dt.date | None) -> str:
    """A law period as months: ``2025-07..2026-06`` (``2025-07..`` while open)."""
    return f"{Month.of(start)}..{Month.of(end) if end else ''}"


@dataclass(frozen=True)
class FigureSource:
    """Why a figure is not simply the one published for the month: ``kind`` is carried forward
    (``since``: the entry it was published in), employer-supplied (``why``: the employer's
    reason) or low confidence."""

    kind: Literal["carried_forward", "employer_supplied", "low_confidence"]
    since: LawRef | None = None
    why: str | None = None

    @property
    def period(self) -> str | None:
        return period_label(self.since.start, self.since.end) if self.since else None

    def text(self, lang: str = "en") -> str:
        if self.kind == CARRIED_FORWARD:
            return f"carried forward from {self.period}" if lang == "en" else f"沿用{self.period}已公布的数据"
        if self.kind == EMPLOYER_SUPPLIED:
            label = "employer-supplied" if lang == "en" else "用人单位提供"
            return f"{label} ({self.why})" if self.why else label
        return "low confidence" if lang == "en" else "低可信度"


def describe_sources(sources: dict[str, FigureSource], lang: str = "en") -> str:
    """``carried forward from 2026-07..2027-02: employer rate; low confidence: employee rate``."""
    groups: dict[str, list[str]] = {}
    for name, source in sources.items():
        groups.setdefault(source.text(lang), []).append(FIELD_NAMES[name][0 if lang == "en" else 1])
    if lang == "en":
        return "; ".join(f"{text}: {', '.join(names)}" for text, names in groups.items())
    return "；".join(f"{text}：{'、'.join(names)}" for text, names in groups.items())


# --- the figures of a city and month ------------------------------------------------------------


@dataclass
class CityFigures:
    """The figures of ``city`` for a month: ``value`` to compute with; ``published`` the same
    without carried-forward figures (what strict mode has); ``sources`` per scheme and field;
    ``employer_defaults`` the employer's own work-injury / housing fund rate (a default: a rate
    given for an employee still wins); ``refs`` the entries figures were carried from."""

    entry: Entry
    value: SocialCity
    published: SocialCity
    sources: dict[str, dict[str, FigureSource]] = field(default_factory=dict)
    employer_defaults: dict[str, Decimal] = field(default_factory=dict)
    refs: list[LawRef] = field(default_factory=list)


def city_table(law: Law, city: str) -> Table:
    table = law.tables.get(f"social/{city.lower()}")
    if table is None or table.schema != CITY_SCHEMA:
        raise LawError(f"no social insurance table for city {city!r}; known cities: {', '.join(cities(law))}")
    return table


def _period_index(table: Table, city: str, day: dt.date) -> int:
    for i, period in enumerate(table.periods):
        if period.covers(day):
            return i
    first, last = table.periods[0].start, table.periods[-1].end
    raise SocialDataGap(
        f"no social insurance data for {city} in {Month.of(day)}: "
        f"the {table.name} table covers {Month.of(first)} to {Month.of(last) if last else 'today'}"
    ) from None


def city_figures(law: Law, city: str, month: dt.date, *, rates: EmployerRates | None = None,
                 carry_forward: bool = True) -> CityFigures:
    """The figures of ``city`` for ``month``: the table's, the employer's where it says so, and —
    unless strict (``carry_forward=False``) — the last published figure for each one not published."""
    table = city_table(law, city)
    day = month.replace(day=1)
    i = _period_index(table, city, day)
    entry = table.entry_on(day)
    value: SocialCity = entry.value
    if value.no_data is not None:
        raise SocialDataGap(f"no social insurance data for {city} in {Month.of(day)}: {value.no_data} "
                            f"[{entry.ref.describe()}]")
    sources: dict[str, dict[str, FigureSource]] = {}
    if value.pending is not None:
        shape = _shape(table, city, i, day, entry)
        value = _all_unconfirmed(shape)
    for scheme, sl in (value.schemes or {}).items():
        for name in sl.low_confidence:
            sources.setdefault(scheme, {})[name] = FigureSource(LOW_CONFIDENCE)
    if value.housing_fund is not None:
        for name in value.housing_fund.low_confidence:
            sources.setdefault(HOUSING_FUND, {})[name] = FigureSource(LOW_CONFIDENCE)
    defaults: dict[str, Decimal] = {}
    if rates:
        value = _employer(value, city, day, rates, sources, defaults)
    published = value
    refs: list[LawRef] = []
    if carry_forward:
        value = _carry(table, i, value, sources, refs)
    return CityFigures(entry, value, published, sources, defaults, refs)


def _shape(table: Table, city: str, i: int, day: dt.date, entry: Entry) -> SocialCity:
    """The nearest earlier period with figures (its schemes' structure) for a pending period."""
    for j in range(i - 1, -1, -1):
        earlier: SocialCity = table.values[j]
        if earlier.no_data is not None:
            break
        if earlier.pending is None:
            return earlier
    raise SocialDataGap(f"no social insurance figures published for {city} in {Month.of(day)} or before it "
                        f"to carry forward: {entry.value.pending} [{entry.ref.describe()}]")


def _all_unconfirmed(shape: SocialCity) -> SocialCity:
    """The structure of ``shape`` with every figure unconfirmed (a pending period)."""
    def unconfirmed(sl: SchemeLaw) -> SchemeLaw:
        update = {f: UNCONFIRMED for f in SCHEME_FIELDS if getattr(sl, f) is not None}
        return sl.model_copy(update=update | {"base_ceiling": UNCONFIRMED, "base_floor_at_most": None,
                                              "employer_rate_parts": None, "low_confidence": (), "note": None})
    schemes = {s: unconfirmed(sl) for s, sl in (shape.schemes or {}).items()}
    housing = None if shape.housing_fund is None else _unconfirmed_housing_fund()
    return shape.model_copy(update={"schemes": schemes, "housing_fund": housing, "pending": None})


def _unconfirmed_housing_fund() -> HousingFundLaw:
    return HousingFundLaw(base_floor=UNCONFIRMED, base_ceiling=UNCONFIRMED, rate_min=UNCONFIRMED,
                          rate_max=UNCONFIRMED)


def _employer(value: SocialCity, city: str, day: dt.date, rates: EmployerRates,
              sources: dict[str, dict[str, FigureSource]], defaults: dict[str, Decimal]) -> SocialCity:
    """The employer's figures over the table's where the employer gives them."""
    schemes = dict(value.schemes or {})
    housing = value.housing_fund
    for scheme in ALL_SCHEMES:
        row = rates.on(city, scheme, day)
        if row is None:
            continue
        mine = sources.setdefault(scheme, {})
        supplied = FigureSource(EMPLOYER_SUPPLIED, why=row.why)
        update: dict = {}
        if row.base_floor is not None:
            update |= {"base_floor": row.base_floor, "base_floor_at_most": None}
            mine["base_floor"] = supplied
        if row.base_ceiling is not None:
            update["base_ceiling"] = None if row.base_ceiling == "none" else row.base_ceiling
            mine["base_ceiling"] = supplied
        if scheme == HOUSING_FUND:
            rate = row.employer_rate if row.employer_rate is not None else row.employee_rate
            if rate is not None:
                defaults[scheme] = rate
                mine["rate"] = supplied
            housing = (housing or _unconfirmed_housing_fund()).model_copy(update=update)
            continue
        sl = schemes.get(scheme)
        if sl is None:  # maternity merged into medical: nothing to override
            raise InputError(f"{row.where or city}: {city} has no separate {scheme} insurance on {day} "
                             f"(merged into medical)")
        if row.employer_rate is not None:
            if sl.employer_rate_range is not None:
                defaults[scheme] = row.employer_rate  # the employer's own class rate
                mine["employer_rate"] = supplied
            else:
                update |= {"employer_rate": row.employer_rate, "employer_rate_nonlocal": None,
                           "employer_rate_parts": None}
                mine["employer_rate"] = supplied
        if row.employee_rate is not None:
            update |= {"employee_rate": row.employee_rate, "employee_rate_nonlocal": None}
            mine["employee_rate"] = supplied
        schemes[scheme] = sl.model_copy(update=update)
    return value.model_copy(update={"schemes": schemes, "housing_fund": housing})


def _earlier(table: Table, i: int, shape: SocialCity):
    """The periods before ``i`` that figures may be carried from, nearest first."""
    for j in range(i - 1, -1, -1):
        earlier: SocialCity = table.values[j]
        if earlier.no_data is not None or (earlier.pending is None
                                           and earlier.maternity_in_medical != shape.maternity_in_medical):
            return
        if earlier.pending is None:
            yield j, earlier


def _carry(table: Table, i: int, value: SocialCity, sources: dict[str, dict[str, FigureSource]],
           refs: list[LawRef]) -> SocialCity:
    """Each ``unconfirmed`` figure replaced by the last one published before it."""
    schemes = dict(value.schemes or {})
    changed = False
    for scheme, sl in schemes.items():
        update: dict = {}
        for name in SCHEME_FIELDS:
            if getattr(sl, name) != UNCONFIRMED:
                continue
            found = _last_published(table, i, value, scheme, name)
            if found is None:
                continue
            j, earlier = found
            update[name] = getattr(earlier, name)
            if name == "base_floor" and sl.base_floor_at_most is not None and earlier.base_floor != UNCONFIRMED:
                update[name] = min(earlier.base_floor, sl.base_floor_at_most)  # the floor is known not to exceed it
            if name == "employer_rate" and earlier.employer_rate_parts:
                update["employer_rate_parts"] = earlier.employer_rate_parts
            _record(table, j, scheme, name, sources, refs)
        if update:
            schemes[scheme] = sl.model_copy(update=update)
            changed = True
    housing = value.housing_fund
    if housing is not None:
        update = {}
        for name in HOUSING_FUND_FIELDS:
            if getattr(housing, name) == UNCONFIRMED:
                found = _last_published(table, i, value, HOUSING_FUND, name)
                if found is not None:
                    update[name] = getattr(found[1], name)
                    _record(table, found[0], HOUSING_FUND, name, sources, refs)
        if update:
            housing, changed = housing.model_copy(update=update), True
    else:
        found = _last_published(table, i, value, HOUSING_FUND, None)
        if found is not None:
            housing, changed = found[1], True
            for name in HOUSING_FUND_FIELDS:
                _record(table, found[0], HOUSING_FUND, name, sources, refs)
    return value.model_copy(update={"schemes": schemes, "housing_fund": housing}) if changed else value


def _last_published(table: Table, i: int, shape: SocialCity, scheme: str, name: str | None):
    """(period index, scheme law) of the last period before ``i`` that published ``name`` of
    ``scheme`` (``name`` None: the housing fund at all)."""
    for j, earlier in _earlier(table, i, shape):
        law = earlier.housing_fund if scheme == HOUSING_FUND else (earlier.schemes or {}).get(scheme)
        if law is None:
            continue
        if name is None or getattr(law, name) != UNCONFIRMED:
            if scheme != HOUSING_FUND and name in ("employer_rate", "employer_rate_range") \
                    and getattr(law, name) is None:
                return None  # the earlier period set the employer's rate the other way (a range or one rate)
            return j, law
    return None


def _record(table: Table, j: int, scheme: str, name: str, sources: dict[str, dict[str, FigureSource]],
            refs: list[LawRef]) -> None:
    ref = table.entry_on(table.periods[j].start).ref
    sources.setdefault(scheme, {})[name] = FigureSource(CARRIED_FORWARD, since=ref)
    if ref not in refs:
        refs.append(ref)


@dataclass(frozen=True)
class CityStatus:
    """A city's figures on a day: those not simply published (scheme -> field -> source) and those
    nothing decides — never published, nothing to carry (scheme -> fields); ``gap``: the reason
    there are no figures at all (no data for the day)."""

    city: str
    sources: dict[str, dict[str, FigureSource]]
    missing: dict[str, list[str]]
    gap: str | None = None


def not_published(result) -> list[str]:
    """The figures of a scheme result (``SchemeResult``) that nothing decides: never published,
    nothing to carry forward, not supplied by the employer."""
    law = result.law
    if law is None:
        return list(HOUSING_FUND_FIELDS) if result.scheme == HOUSING_FUND else []
    names = HOUSING_FUND_FIELDS if isinstance(law, HousingFundLaw) else SCHEME_FIELDS
    return [f for f in names if getattr(law, f) == UNCONFIRMED
            and not (f == "employer_rate_range" and "employer_rate" in result.sources)]


def figure_status(law: Law, day: dt.date, rates: EmployerRates | None = None) -> list[CityStatus]:
    """Every city's figures on ``day`` (carried forward, employer-supplied, low confidence, missing)."""
    out = []
    for city in cities(law):
        try:
            figures = city_figures(law, city, day, rates=rates)
        except SocialDataGap as exc:
            out.append(CityStatus(city, {}, {}, str(exc)))
            continue
        value = figures.value
        missing: dict[str, list[str]] = {}
        for scheme, sl in (value.schemes or {}).items():
            names = [f for f in SCHEME_FIELDS if getattr(sl, f) == UNCONFIRMED
                     and not (f == "employer_rate_range" and scheme in figures.employer_defaults)]
            if names:
                missing[scheme] = names
        housing = value.housing_fund
        if housing is None:
            missing[HOUSING_FUND] = list(HOUSING_FUND_FIELDS)
        else:
            names = [f for f in HOUSING_FUND_FIELDS if getattr(housing, f) == UNCONFIRMED]
            if names:
                missing[HOUSING_FUND] = names
        out.append(CityStatus(city, figures.sources, missing))
    return out


def source_texts(sources: dict, lang: str = "en") -> tuple[str, str]:
    """A scheme's figure labels for an employee whose amounts rest on a carried-forward figure,
    and for one whose do not (a wage above a published ceiling: the carried floor is not used)."""
    published = {f: x for f, x in sources.items() if x.kind != CARRIED_FORWARD}
    return describe_sources(sources, lang), describe_sources(published, lang)


SIDE_FIELDS = {
    "employee": {"base_floor", "base_ceiling", "employee_rate", "employee_rate_nonlocal", "rate_min", "rate_max", "rate"},
    "employer": {"base_floor", "base_ceiling", "employer_rate", "employer_rate_nonlocal", "employer_rate_range",
                 "rate_min", "rate_max", "rate"},
}


def side_text(sources: dict, side: str, rests: bool, lang: str = "en") -> str:
    """The labels of the figures one side's amount uses (``employee`` or ``employer``); figures
    carried forward only where the amount rests on one."""
    return describe_sources({f: x for f, x in sources.items()
                             if f in SIDE_FIELDS[side] and (rests or x.kind != CARRIED_FORWARD)}, lang)


__all__ = [
    "ALL_SCHEMES", "CARRIED_FORWARD", "EMPLOYER_SUPPLIED", "FIELD_NAMES", "HOUSING_FUND", "LOW_CONFIDENCE",
    "CityFigures", "EmployerRate", "EmployerRates", "CityStatus", "FigureSource", "city_figures", "city_table", "describe_sources", "figure_status",
    "not_published", "period_label", "side_text", "source_texts",
]

