"""Reading the YAML/JSON files users write, with errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


class FileFormatError(ValueError):
    """A file that cannot be read or parsed; the message names it."""


def read_mapping(path: Path) -> object:
    """The parsed content of a ``.json`` or YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file ({exc.strerror})") from None
    is_json = path.suffix.lower() == ".json"
    try:
        return json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FileFormatError(f"{path}: not valid {'JSON' if is_json else 'YAML'}: {exc}") from None
