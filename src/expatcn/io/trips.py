"""Reading entry/exit records (CSV, Excel, JSON) into :class:`expatcn.residency.Trips`.

Columns: ``person`` (optional; one person if absent), ``entry``, ``exit`` (dates ``YYYY-MM-DD`` or
date-times ``YYYY-MM-DD HH:MM``; an empty exit means still in China), optional ``note`` and
``kind``: ``stay`` (the default: a stay in China), or ``leave`` / ``training`` — whole days spent
abroad on holidays, leave or training inside the China work period, from ``entry`` (the first
day abroad) to ``exit`` (the last), between two stays: China work days, not days in China (MOF/STA
2019 No. 35 §1(1)). Rows may come in any order. Errors name the file, the row and the field, and
say what was expected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from expatcn.dates import parse_moment
from expatcn.errors import InputError
from expatcn.io.files import read_mapping
from expatcn.io.tables import CSV_SUFFIXES, EXCEL_SUFFIXES, blank, read_tables
from expatcn.residency.trips import Trips

COLUMNS = ("person", "entry", "exit", "note", "kind")
ABROAD_KINDS = ("leave", "training")



def parse_when(value: object) -> dt.datetime | None:
    """A trip's entry or exit: a date (the day's start) or a date-time (:func:`expatcn.dates.parse_moment`:
    the whole text, real days and times, years 1950–2100); blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_moment(value)


class TripFileError(InputError):
    """A trips file that cannot be read; the message names file, row and field."""


class TripRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: str = "1"
    entry: dt.datetime | None
    exit: dt.datetime | None = None
    note: str | None = None
    kind: Literal["stay", "leave", "training"] = "stay"

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        return "stay" if value is None or (isinstance(value, str) and not value.strip()) else str(value).strip().lower()

    @field_validator("person", mode="before")
    @classmethod
    def _person(cls, value: object) -> str:
        text = "" if value is None else str(value).strip()
        return text or "1"

    @field_validator("entry", "exit", mode="before")
    @classmethod
    def _when(cls, value: object) -> dt.datetime | None:
        return parse_when(value)


@dataclass(frozen=True)
class TripRecord:
    """One checked row. ``has_time``: a time of day was written for the entry or the exit;
    ``entry_midnight`` / ``exit_midnight``: that time was exactly 00:00 (or 24:00), the one time
    that decides a whole day (a date alone, or a date-time cell at 00:00, leaves it unknown)."""

    row: int
    person: str
    entry: dt.datetime | None
    exit: dt.datetime | None
    has_time: bool
    entry_midnight: bool = False
    exit_midnight: bool = False
    kind: str = "stay"


def _raw_rows(path: Path) -> list[tuple[int, dict]]:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES + EXCEL_SUFFIXES:
        table = read_tables(path, str(path), suffix, first_only=True, error=TripFileError).tables[0]
        header = [str(h).strip() if h is not None else "" for h in table.header]
        return [(row_no, {h: v for h, v in zip(header, values) if h or not blank(v)})
                for row_no, values in table.rows if any(not blank(v) for v in values)]
    if suffix == ".json":
        data = read_mapping(path, TripFileError)
        if isinstance(data, dict):
            data = data.get("trips")
        if not isinstance(data, list):
            raise TripFileError(f"{path}: expected a list of trips (or {{\"trips\": [...]}})")
        return [(i + 1, row) for i, row in enumerate(data)]
    raise TripFileError(f"{path}: expected a .csv, .xlsx or .json file, got {path.suffix!r}")


def read_trip_records(path: str | Path) -> list[TripRecord]:
    """Validated rows of a trips file (row numbers as a spreadsheet shows them; JSON: item number)."""
    path = Path(path)
    return [trip_record(row_no, raw, str(path)) for row_no, raw in _raw_rows(path)]


def trip_records(rows: object, source: str) -> list[TripRecord]:
    """Validated trips given as a list of ``{entry, exit}`` objects (e.g. inline in a scenario
    file); rows are numbered from 1 in messages, which start with ``source``."""
    if not isinstance(rows, list):
        raise TripFileError(f"{source}: expected a list of trips ({{entry, exit}} objects)")
    return [trip_record(i + 1, raw, source) for i, raw in enumerate(rows)]


def trip_record(row_no: int, raw: object, source: str) -> TripRecord:
    """One validated row; errors name ``source``, the row and the field."""
    if not isinstance(raw, dict):
        raise TripFileError(f"{source}, row {row_no}: expected an object with entry and exit")
    raw = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
    unknown = sorted(set(raw) - set(COLUMNS))
    if unknown:
        raise TripFileError(f"{source}, row {row_no}: unknown column {unknown[0]!r}; expected {', '.join(COLUMNS)}")
    try:
        row = TripRow.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(row)"
        raise TripFileError(f"{source}, row {row_no}, field {field!r}: {err['msg']}") from None
    timed = {k: isinstance(raw.get(k), str) and len(raw[k].strip()) > 10 or isinstance(raw.get(k), dt.datetime) and raw[k].time() != dt.time() for k in ("entry", "exit")}
    midnight = {k: timed[k] and getattr(row, k).time() == dt.time() for k in ("entry", "exit")}
    if row.kind in ABROAD_KINDS and (row.entry is None or row.exit is None):
        field = "entry" if row.entry is None else "exit"
        raise TripFileError(f"{source}, row {row_no}, field {field!r}: a {row.kind} row needs the first and last day abroad")
    return TripRecord(row_no, row.person, row.entry, row.exit, any(timed.values()), midnight["entry"], midnight["exit"],
                      row.kind)


@dataclass(frozen=True)
class TripBook:
    """Trips ready for the engine, with the person ids in index order."""

    trips: Trips
    persons: list[str]


def build_trips(
    actual: list[TripRecord],
    year: int,
    *,
    first_year: int | None = None,
    planned: list[TripRecord] | None = None,
    source: str = "trips",
    planned_source: str = "planned",
) -> TripBook:
    """Sort and check the records of each person and turn them into :class:`Trips`.

    Errors: an exit before its entry; overlapping trips; a missing exit anywhere but the person's
    last trip; a trip wholly before the years asked for (``first_year``..``year``). Trips after
    ``year`` are kept (a person's whole travel history may be one file): the year's counts clip
    them away, and a treaty's 12-month period commencing in the year sees them. A planned row
    without entry closes the person's trip still open in the actual records.
    """
    first_year = year if first_year is None else first_year
    lo = dt.datetime(first_year, 1, 1)
    tagged = [(source, r) for r in actual] + [(planned_source, r) for r in (planned or [])]
    abroad = [item for item in tagged if item[1].kind in ABROAD_KINDS]
    tagged = [item for item in tagged if item[1].kind not in ABROAD_KINDS]
    by_person: dict[str, list[tuple[str, TripRecord]]] = {}
    for item in tagged:
        by_person.setdefault(item[1].person, []).append(item)
    persons = list(by_person)  # in order of first appearance
    person_idx, days = [], []
    for index, person in enumerate(persons):
        items = by_person[person]
        closers = [it for it in items if it[1].entry is None]
        items = sorted((it for it in items if it[1].entry is not None), key=lambda it: it[1].entry)
        for src, rec in closers:
            open_ = [it for it in items if it[1].exit is None]
            if src != planned_source or not open_:
                raise TripFileError(f"{src}, row {rec.row}, field 'entry': expected a date (a row without entry may only close a trip still open)")
            o_src, o_rec = open_[-1]
            items[items.index(open_[-1])] = (o_src, replace(o_rec, exit=rec.exit, has_time=o_rec.has_time or rec.has_time,
                                                            exit_midnight=rec.exit_midnight))
        previous = None
        for src, rec in items:
            where = f"{src}, row {rec.row}"
            day = _days_of(rec)
            if rec.exit is not None and (rec.exit < rec.entry if rec.has_time else rec.exit.date() < rec.entry.date()):
                raise TripFileError(f"{where}, field 'exit': exit {rec.exit:%Y-%m-%d %H:%M} is before entry {rec.entry:%Y-%m-%d %H:%M}")
            if rec.exit is not None and rec.exit < lo:
                years = f"{year}" if first_year == year else f"{first_year}–{year}"
                raise TripFileError(f"{where}: trip {rec.entry:%Y-%m-%d}..{rec.exit:%Y-%m-%d} is before the year{'s' if first_year != year else ''} asked for ({years})")
            if previous is not None:
                p_src, p_rec = previous
                if p_rec.exit is None:
                    raise TripFileError(f"{p_src}, row {p_rec.row}, field 'exit': missing exit, but person {person} enters again ({where}); only the last trip may be open")
                same_day = p_rec.exit.date() == rec.entry.date()
                clash = rec.entry < p_rec.exit if (p_rec.has_time and rec.has_time) or not same_day else rec.entry.date() < p_rec.exit.date()
                # a day cannot be both a departure day and a whole day in China (24:00 / 00:00)
                clash |= days[-1][1] == day[0] and (days[-1][3] or day[2])
                if clash:
                    raise TripFileError(f"{where}, field 'entry': trip overlaps the trip of {p_src}, row {p_rec.row} (exit {p_rec.exit:%Y-%m-%d %H:%M})")
            previous = (src, rec)
            person_idx.append(index)
            days.append(day)
    entries, exits, entry_full, exit_full = zip(*days) if days else ((), (), (), ())
    trips = Trips.from_dates(person_idx, list(entries), list(exits), n_persons=len(persons),
                             entry_full=list(entry_full), exit_full=list(exit_full))
    if abroad:
        trips = replace(trips, leave=_leave(abroad, persons, person_idx, days))
    return TripBook(trips, persons)


def _leave(abroad: list[tuple[str, TripRecord]], persons: list[str], person_idx: list[int], days: list) -> Trips:
    """Leave and training abroad as whole days, each between two stays of the same person (the
    China work period), never on a day in China."""
    stays: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for index, (first, last, _, _) in zip(person_idx, days):
        stays.setdefault(index, []).append((first, last))
    who, starts, ends, rows = [], [], [], []
    for src, rec in abroad:
        where = f"{src}, row {rec.row}"
        first, last = rec.entry.date(), rec.exit.date()
        if last < first:
            raise TripFileError(f"{where}, field 'exit': {rec.kind} ends {last} before it starts {first}")
        if rec.person not in persons:
            raise TripFileError(f"{where}: {rec.kind} of person {rec.person} who has no stay in China")
        index = persons.index(rec.person)
        around = stays[index]
        inside = any(before[1] is not None and before[1] < first and after[0] > last
                     for before, after in zip(around, around[1:]))
        if not inside:
            raise TripFileError(f"{where}: {rec.kind} {first}..{last} is not between two stays in China (days abroad "
                                "count as China work days only inside the China work period, MOF/STA 2019 No. 35 §1(1))")
        clash = next((row for i, a, b, row in zip(who, starts, ends, rows) if i == index and a <= last and first <= b), None)
        if clash is not None:
            raise TripFileError(f"{where}, field 'entry': {rec.kind} {first}..{last} overlaps the row {clash} of the same person")
        who.append(index)
        starts.append(first)
        ends.append(last)
        rows.append(rec.row)
    full = [True] * len(who)
    return Trips.from_dates(who, starts, ends, n_persons=len(persons), entry_full=full, exit_full=full)


def _days_of(rec: TripRecord) -> tuple[dt.date, dt.date | None, bool, bool]:
    """The first and last day in China and whether each is a full day: an entry at 00:00 (with
    at least 24 hours in China after it); an exit at 00:00, which ends the stay on the day before
    (MOF/STA 2019 No. 34 art. 2: only whole days of 24 hours count as days of residence)."""
    whole_day = rec.exit is None or rec.exit - rec.entry >= dt.timedelta(days=1)
    if rec.exit is None:
        return rec.entry.date(), None, rec.entry_midnight, False
    last = rec.exit.date()
    if rec.exit_midnight and rec.exit > rec.entry:
        last -= dt.timedelta(days=1)
    return rec.entry.date(), last, rec.entry_midnight and whole_day, rec.exit_midnight and whole_day


def read_trips(path: str | Path, year: int, *, first_year: int | None = None, planned: str | Path | None = None) -> TripBook:
    """Read and check a trips file (and optionally a planned-trips file) for ``year``."""
    actual = read_trip_records(path)
    plan = read_trip_records(planned) if planned is not None else None
    return build_trips(actual, year, first_year=first_year, planned=plan, source=str(path), planned_source=str(planned))
