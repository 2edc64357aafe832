"""The cities with a social insurance table (``law/social/<city>.yaml``, schema ``social_city``),
and the table key of a city a person names in English or in Chinese.

Each city table carries its name in both languages (``name: {en: Xi'an, zh: 西安}``), so
``xian``, ``Xi'an``, ``XI AN``, ``西安`` and ``西安市`` all name the table ``social/xian``.
"""

from __future__ import annotations

from expatcn.errors import LawError
from expatcn.law import Law
from expatcn.law.model import Name

CITY_SCHEMA = "social_city"
_CITY_SUFFIX = "市"  # 上海市: the Chinese name of a city, with its administrative suffix


def cities(law: Law) -> dict[str, Name | None]:
    """Every city with a social insurance table: its key (``shanghai``) and its names."""
    return {name.split("/", 1)[1]: law.tables.info(name).label for name in law.names(CITY_SCHEMA)}


def _latin_key(text: str) -> str:
    """``Xi'an`` / ``XI AN`` / ``xi-an`` -> ``xian``: letters only, lower case."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def city_key(law: Law, city: str) -> str:
    """The table key of ``city`` given by its key or its English or Chinese name (with or
    without 市); a :class:`LawError` listing the known cities when none matches."""
    given = city.strip()
    if given.endswith(_CITY_SUFFIX) and len(given) > 1:
        given = given[: -len(_CITY_SUFFIX)]
    latin = _latin_key(given)
    known = cities(law)
    for key, label in known.items():
        if latin and latin in (_latin_key(key), _latin_key(label.en) if label else None):
            return key
        if label is not None and given == label.zh:
            return key
    names = ", ".join(f"{key} ({label.zh})" if label else key for key, label in known.items())
    raise LawError(f"no social insurance table for city {city!r}; known cities: {names}")
