"""Reading the YAML/JSON files users write, with errors that name the file and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)
# Parts of a pydantic error location that name pydantic's own machinery, not a field.
_INTERNAL = ("function-", "literal", "decimal", "lax", "json")


def read_mapping(path: Path, error: type[Exception] = ValueError) -> object:
    """The parsed content of a ``.json`` or YAML file; ``error`` names the file on failure."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read the file ({exc.strerror})") from None
    return parse_mapping(text, str(path), error)


def parse_mapping(text: str, name: str, error: type[Exception] = ValueError) -> object:
    """The parsed content of a file's text (JSON if ``name`` ends in ``.json``, else YAML), e.g.
    an upload; ``error`` names the file on failure."""
    is_json = name.lower().endswith(".json")
    try:
        return json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise error(f"{name}: not valid {'JSON' if is_json else 'YAML'}: {exc}") from None


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
