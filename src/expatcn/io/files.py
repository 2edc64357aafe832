"""Reading the files users write: the one reader of their bytes and text, the YAML/JSON they hold,
and errors that name the file and the field.

* :func:`read_bytes`: a regular file only (a device such as ``/dev/zero``, a pipe or a folder is
  refused), at most a size limit, read no further than the limit.
* :func:`decode`: the text of user bytes in the encoding they were written in — UTF-8 with or
  without a BOM, UTF-16 or UTF-32 (with a BOM, or UTF-16 without one as Excel's "Unicode text"),
  else GB18030 (a superset of GBK, what Excel writes as "CSV" on a Chinese Windows) — and which
  one it was (:class:`Text`).
* :func:`parse_mapping`: YAML or JSON where a key given twice, nesting deeper than
  :data:`MAX_DEPTH`, ``NaN``/``Infinity`` and numbers of thousands of digits are errors, and dates
  stay text (the models check them: whole text, real calendar days, a range per field).
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from expatcn.errors import InputError

Model = TypeVar("Model", bound=BaseModel)
# Parts of a pydantic error location that name pydantic's own machinery, not a field.
_INTERNAL = ("function-", "literal", "decimal", "lax", "json")

MAX_MAPPING_BYTES = 5 * 2**20  # a scenario, assignment or outbound file: 5 MiB
MAX_SHEET_BYTES = 64 * 2**20  # a payroll sheet or trips file: 64 MiB
MAX_DEPTH = 32  # nesting of a YAML/JSON file; the deepest file format has about 6 levels
_BOMS = ((b"\xef\xbb\xbf", "utf-8", "UTF-8 (BOM)"), (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
         (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"), (b"\xff\xfe", "utf-16-le", "UTF-16"),
         (b"\xfe\xff", "utf-16-be", "UTF-16"))


@dataclass(frozen=True)
class Text:
    """The text of a user file and the encoding it was read in (``UTF-8``, ``UTF-8 (BOM)``,
    ``UTF-16``, ``UTF-32``, ``GB18030``)."""

    text: str
    encoding: str


def read_bytes(path: Path, limit: int, error: type[Exception] = InputError) -> bytes:
    """The bytes of the regular file ``path`` (links followed), at most ``limit`` of them."""
    try:
        info = path.stat()
    except OSError as exc:
        raise error(f"{path}: cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path}: not a regular file (a folder, device or pipe cannot be read as input)")
    if info.st_size > limit:
        raise error(f"{path}: the file has {info.st_size:,} bytes; at most {limit:,} are read")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read the file ({exc.strerror})") from None
    if len(data) > limit:
        raise error(f"{path}: the file has more than {limit:,} bytes")
    return data


def decode(data: bytes, where: str, error: type[Exception] = InputError) -> Text:
    """The text of ``data`` and its encoding; bytes that are none of the encodings read, or that
    hold NUL characters (a binary file), are an error naming ``where``."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data[len(bom):], codec, label, where, error), label, where, error)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _checked(_strict(data, utf16, "UTF-16", where, error), "UTF-16", where, error)
    try:
        return _checked(data.decode("utf-8"), "UTF-8", where, error)
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("gb18030"), "GB18030", where, error)
    except UnicodeDecodeError:
        raise error(f"{where}: not a text file in UTF-8, UTF-16 or GB18030/GBK (cannot read the bytes as text)") from None


def _strict(data: bytes, codec: str, label: str, where: str, error: type[Exception]) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise error(f"{where}: not valid {label} text (byte {exc.start})") from None


def _checked(text: str, label: str, where: str, error: type[Exception]) -> Text:
    if "\x00" in text:
        raise error(f"{where}: holds NUL characters: a binary file, not text (read as {label})")
    return Text(text, label)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII-range text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def read_text(path: Path, limit: int, error: type[Exception] = InputError) -> Text:
    """:func:`read_bytes` then :func:`decode`."""
    return decode(read_bytes(path, limit, error), str(path), error)


# --- YAML and JSON ------------------------------------------------------------------------------


class _Duplicate(Exception):
    pass


_YAML_BASE = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Loader(_YAML_BASE):  # type: ignore[misc, valid-type]
    """Safe YAML where a key given twice in a mapping is an error and dates stay text."""

    def construct_mapping(self, node, deep=False):
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key, line = self.construct_object(key_node, deep=True), key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise _Duplicate(f"line {line}: key {key!r} given twice (first on line {seen[key]})")
                seen[key] = line
            except TypeError:  # an unhashable key: the base constructor says so
                continue
        return super().construct_mapping(node, deep)


_Loader.yaml_implicit_resolvers = {  # dates stay text: the models parse them strictly, by field
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _YAML_BASE.yaml_implicit_resolvers.items()
}


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(f"key {key!r} given twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number a file may hold")


def read_mapping(path: Path, error: type[Exception] = ValueError) -> object:
    """The parsed content of a ``.json`` or YAML file (at most :data:`MAX_MAPPING_BYTES`, in any
    encoding :func:`decode` reads); ``error`` names the file on failure."""
    text = read_text(Path(path), MAX_MAPPING_BYTES, error)
    try:
        return parse_mapping(text.text, str(path), error)
    except error as exc:
        if text.encoding in ("UTF-8", "UTF-8 (BOM)"):
            raise
        raise error(f"{exc} (read as {text.encoding})") from None


def parse_mapping(text: str, name: str, error: type[Exception] = ValueError) -> object:
    """The parsed content of a file's text (JSON if ``name`` ends in ``.json``, else YAML), e.g.
    an upload; ``error`` names the file on failure."""
    is_json = name.lower().endswith(".json")
    kind = "JSON" if is_json else "YAML"
    try:
        data = (json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant) if is_json
                else yaml.load(text, Loader=_Loader))  # noqa: S506 — a safe loader
    except _Duplicate as exc:
        raise error(f"{name}: {exc}") from None
    except RecursionError:
        raise error(f"{name}: nested too deeply (at most {MAX_DEPTH} levels)") from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise error(f"{name}: not valid {kind}: {exc}") from None
    except (ValueError, OverflowError) as exc:  # a number of thousands of digits, NaN, Infinity
        reason = "a number of more than 4,300 digits" if "digits" in str(exc) else str(exc)
        raise error(f"{name}: not valid {kind}: {reason}") from None
    if _depth(data) > MAX_DEPTH:
        raise error(f"{name}: nested too deeply (at most {MAX_DEPTH} levels)")
    return data


def _depth(data: object) -> int:
    """How deeply lists and mappings nest in ``data`` (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def problems(exc: ValidationError) -> list[str]:
    """``field.path: message`` for every problem pydantic found (a problem of the whole input: the
    message alone). The one formatter of validation errors for files, forms and records."""
    out = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"] if not str(p).startswith(_INTERNAL))
        message = err["msg"].removeprefix("Value error, ")
        out.append(f"{where}: {message}" if where else message)
    return out


def describe(exc: ValidationError) -> str:
    """``field.path: message; …``: :func:`problems` on one line."""
    return "; ".join(problems(exc))


def load_model(path: str | Path, model: type[Model], error: type[Exception], context: dict | None = None) -> Model:
    """Read ``path`` and validate it as ``model`` (with the validation ``context``, e.g. what the
    law knows); problems raise ``error`` naming file and field."""
    path = Path(path)
    raw = read_mapping(path, error)
    try:
        return model.model_validate(raw, context=context)
    except ValidationError as exc:
        raise error(f"{path}: {describe(exc)}") from None
