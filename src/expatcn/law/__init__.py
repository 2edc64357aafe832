"""The law as dated, cited data: load the YAML tables, validate them, answer "as of date D".

``load_law()`` reads every ``*.yaml`` under this folder once (and any overlay files given),
validates each period's value against its schema, and returns a :class:`Law`. Table names are
paths without the suffix: ``iit/annual_table``, ``social/shanghai``.

The validated tables are cached table by table (one file each, and an index of names, schemas,
titles and labels): a later start reads only the tables its command asks for, and imports only
their schema modules (:class:`Tables`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import yaml
from pydantic import ValidationError

from expatcn.errors import LawError, LawNotInForce
from expatcn.law.model import LawRef, Name, Period, TableFile
from expatcn.law.schemas import load_all

if TYPE_CHECKING:
    from expatcn.law.tables import TableRef

V = TypeVar("V")

LAW_DIR = Path(__file__).parent
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser where PyYAML has it


@dataclass(frozen=True)
class Overlay:
    """An overlay given as text (an upload, a request body) rather than a file; ``label`` names it
    in messages."""

    label: str
    text: str


@dataclass(frozen=True)
class Entry:
    """The value of one table on one date, with the reference that makes it citable."""

    value: Any
    ref: LawRef


@dataclass
class Table:
    name: str
    title: str
    schema: str
    unit: str | None
    periods: list[Period]
    values: list[Any] = field(repr=False)
    label: Name | None = None  # what the table is about, in English and Chinese (a city)

    def entry_on(self, day: dt.date) -> Entry:
        for period, value in zip(self.periods, self.values):
            if period.covers(day):
                return Entry(value, self._ref(period))
        first, last = self.periods[0], self.periods[-1]
        span = f"{first.start}..{last.end or ''}"
        raise LawNotInForce(f"law table {self.name!r} has no value on {day} (it covers {span})")

    def in_force_on(self, day: dt.date) -> bool:
        return any(p.covers(day) for p in self.periods)

    def _ref(self, period: Period) -> LawRef:
        return LawRef(
            table=self.name,
            title=self.title,
            start=period.start,
            end=period.end,
            confidence=period.confidence,
            sources=tuple(period.sources),
            note=period.note,
        )


@dataclass(frozen=True)
class TableInfo:
    """What a table is without its periods: enough to list tables by schema or name them."""

    title: str
    schema: str
    label: Name | None = None


class Tables(Mapping[str, Table]):
    """The law's tables by name; from a cache, each table is read the first time it is asked for
    (its values' schema module imported then). ``info(name)`` answers schema, title and label
    without reading the table. Pickled (to send the law to another process), every table is read
    and travels with it."""

    def __init__(self, index: dict[str, TableInfo], read: Callable[[str], Table] | None = None,
                 tables: dict[str, Table] | None = None) -> None:
        self._index, self._read, self._tables = index, read, dict(tables or {})

    @classmethod
    def of(cls, tables: dict[str, Table]) -> Tables:
        return cls({n: TableInfo(t.title, t.schema, t.label) for n, t in tables.items()}, tables=tables)

    def __getitem__(self, name: str) -> Table:
        found = self._tables.get(name)
        if found is None:
            if name not in self._index or self._read is None:
                raise KeyError(name)
            found = self._tables[name] = self._read(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def info(self, name: str) -> TableInfo:
        return self._index[name]

    def __reduce__(self):
        return Tables, (self._index, None, {name: self[name] for name in self._index})


class Law:
    """All law tables, validated; ask for a table's value on a date."""

    def __init__(self, tables: dict[str, Table] | Tables, digest: str) -> None:
        self.tables = tables if isinstance(tables, Tables) else Tables.of(tables)
        self.digest = digest

    def names(self, schema: str) -> list[str]:
        """The names of the tables whose values follow ``schema``, sorted (no table is read)."""
        return sorted(name for name in self.tables if self.tables.info(name).schema == schema)

    def table(self, name: str | TableRef[Any]) -> Table:
        try:
            return self.tables[str(name)]
        except KeyError:
            raise LawError(f"no law table named {str(name)!r}; known: {', '.join(sorted(self.tables))}") from None

    def on(self, name: str | TableRef[Any], day: dt.date) -> Entry:
        return self.table(name).entry_on(day)

    @overload
    def value(self, name: TableRef[V], day: dt.date) -> V: ...

    @overload
    def value(self, name: str, day: dt.date) -> Any: ...

    def value(self, name: str | TableRef[Any], day: dt.date) -> Any:
        return self.on(name, day).value

    def in_force(self, name: str | TableRef[Any], day: dt.date) -> bool:
        """For a ``window`` table: is the rule in force on ``day``? Outside all periods: no."""
        table = self.table(name)
        return table.in_force_on(day) and bool(table.entry_on(day).value.in_force)


def parse_table(name: str, text: str, origin: str) -> Table:
    try:
        raw = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise LawError(f"{origin}: not valid YAML: {exc}") from exc
    try:
        parsed = TableFile.model_validate(raw)
    except ValidationError as exc:
        raise LawError(f"{origin}: {_errors(exc)}") from exc
    schemas = load_all()
    model = schemas.get(parsed.schema_)
    if model is None:
        raise LawError(f"{origin}: unknown schema {parsed.schema_!r}; known: {', '.join(sorted(schemas))}")
    values = []
    for index, period in enumerate(parsed.periods):
        try:
            values.append(model.model_validate(period.value))
        except ValidationError as exc:
            raise LawError(f"{origin}: period {index + 1} (from {period.start}): {_errors(exc)}") from exc
    return Table(name, parsed.title, parsed.schema_, parsed.unit, parsed.periods, values, parsed.name)


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
    )


def _overlay(base: Table, overlay: Table, ended: list[dict]) -> Table:
    """Replace the base periods on the days the overlay covers; keep the rest, clipped. A period
    of the overlay with ``value: null`` removes the law on its days (a rule not extended)."""
    periods: list[Period] = []
    values: list[Any] = []
    one_day = dt.timedelta(days=1)
    covers = list(overlay.periods) + [
        Period.model_validate({**hole, "sources": hole.get("sources") or [{"title": "overlay"}], "value": None})
        for hole in ended
    ]
    for period, value in zip(base.periods, base.values):
        pieces = [(period.start, period.end)]
        for cover in covers:
            next_pieces = []
            for start, end in pieces:
                if end is not None and end < cover.start or cover.end is not None and start > cover.end:
                    next_pieces.append((start, end))
                    continue
                if start < cover.start:
                    next_pieces.append((start, cover.start - one_day))
                if cover.end is not None and (end is None or end > cover.end):
                    next_pieces.append((cover.end + one_day, end))
            pieces = next_pieces
        for start, end in pieces:
            periods.append(period.model_copy(update={"start": start, "end": end}))
            values.append(value)
    periods.extend(overlay.periods)
    values.extend(overlay.values)
    order = sorted(range(len(periods)), key=lambda i: periods[i].start)
    merged = [periods[i] for i in order]
    TableFile.model_validate(
        {"title": base.title, "schema": base.schema, "periods": [p.model_dump(by_alias=True) for p in merged]}
    )
    return Table(base.name, base.title, base.schema, base.unit, merged, [values[i] for i in order], base.label)


def _load(overlay_files: tuple[str | Overlay, ...]) -> Law:
    digest = hashlib.sha256()
    texts: list[tuple[str, str, str]] = []
    for path in sorted(LAW_DIR.rglob("*.yaml")):
        name = path.relative_to(LAW_DIR).with_suffix("").as_posix()
        text = path.read_text(encoding="utf-8")
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        texts.append((name, text, f"law table {path}"))
    overlays = [(p.label, p.text) if isinstance(p, Overlay) else (p, Path(p).read_text(encoding="utf-8"))
                for p in overlay_files]
    for path, text in overlays:
        digest.update(b"overlay\0" + text.encode() + b"\0")
    cached = _read_cache(digest.hexdigest(), lambda: _validate(texts, overlays, digest.hexdigest()))
    if cached is not None:
        return cached
    law = _validate(texts, overlays, digest.hexdigest())
    if not any(isinstance(p, Overlay) for p in overlay_files):  # texts sent to a server are not kept on disk
        _write_cache(law)
    return law


def _validate(texts: list[tuple[str, str, str]], overlays: list[tuple[str, str]], digest: str) -> Law:
    """Every table parsed and validated, the overlays applied."""
    tables = {name: parse_table(name, text, origin) for name, text, origin in texts}
    for path, text in overlays:
        try:
            raw = yaml.load(text, Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as exc:
            raise LawError(f"law overlay {path}: not valid YAML: {exc}") from None
        name = raw.pop("table", None) if isinstance(raw, dict) else None
        if name not in tables:
            raise LawError(f"law overlay {path}: 'table' must name an existing law table, got {name!r}")
        periods = raw.get("periods") if isinstance(raw.get("periods"), list) else []
        ended = [p for p in periods if isinstance(p, dict) and p.get("value") is None]
        raw["periods"] = [p for p in periods if p not in ended]
        base = tables[name]
        overlay = (parse_table(name, yaml.safe_dump(raw), f"law overlay {path}") if raw["periods"]
                   else Table(name, base.title, base.schema, base.unit, [], [], base.label))  # only ends the law
        try:
            tables[name] = _overlay(tables[name], overlay, ended)
        except ValidationError as exc:
            raise LawError(f"law overlay {path}: {_errors(exc)}") from exc
    return Law(tables, digest)


def _cache_path(digest: str) -> Path:
    """The folder where the validated tables for ``digest`` are kept (``index.pickle`` and one
    file per table): its name also carries a digest of the code that validates them (schemas,
    loader), so a changed schema never reads an old cache."""
    root = os.environ.get("EXPATCN_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "expatcn"
    return Path(root) / f"law-{digest}-{_code_digest()}"


def _table_file(folder: Path, name: str) -> Path:
    return folder / (name.replace("/", "~") + ".pickle")


@lru_cache(maxsize=1)
def _code_digest() -> str:
    code = hashlib.sha256()
    for path in sorted(LAW_DIR.rglob("*.py")):
        code.update(path.read_bytes())
    return code.hexdigest()[:16]


def _read_cache(digest: str, validate: Callable[[], Law]) -> Law | None:
    """The validated tables saved by an earlier run for exactly these files (by their digest):
    the index now, each table when it is asked for (a damaged table file: the tables are
    validated again, and the cache removed for the next start to rewrite)."""
    folder = _cache_path(digest)
    try:
        index = pickle.loads((folder / "index.pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    again: list[Law] = []

    def read(name: str) -> Table:
        try:
            return pickle.loads(_table_file(folder, name).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            _remove(folder)
            again.append(again[0] if again else validate())
            return again[0].tables[name]
    return Law(Tables(index, read), digest) if isinstance(index, dict) else None


def _write_cache(law: Law) -> None:
    """Keep the validated tables for the next start (written to a new folder, then moved into
    place); a cache that cannot be written is skipped."""
    folder = _cache_path(law.digest)
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.partial")
    try:
        partial.mkdir(parents=True, exist_ok=True)
        for name in law.tables:
            _table_file(partial, name).write_bytes(pickle.dumps(law.tables[name]))
        index = {name: law.tables.info(name) for name in law.tables}
        (partial / "index.pickle").write_bytes(pickle.dumps(index))
        partial.rename(folder)
    except OSError:
        _remove(partial)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@lru_cache(maxsize=16)
def load_law(overlays: tuple[str | Path | Overlay, ...] = ()) -> Law:
    """The validated law tables, optionally with overlays (files, or :class:`Overlay` texts)
    applied in order.

    Every table is validated the first time a given set of files is seen; the validated tables
    are then kept in the user's cache (``EXPATCN_CACHE_DIR`` or ``~/.cache/expatcn``), keyed by
    the digest of the files, so that later starts skip the parsing."""
    return _load(tuple(o if isinstance(o, Overlay) else str(o) for o in overlays))

