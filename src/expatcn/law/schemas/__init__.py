"""Value schemas for law tables, by name.

Each domain has its own module here (``iit.py``, ``residency.py``, ``social.py``…) that registers
the pydantic models its tables' ``value`` fields follow with ``@value_schema("name")``. A table
file names its schema; the loader validates every period's value against it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from pydantic import BaseModel

SCHEMAS: dict[str, type[BaseModel]] = {}


def value_schema(name: str) -> Callable[[type[BaseModel]], type[BaseModel]]:
    def register(model: type[BaseModel]) -> type[BaseModel]:
        if name in SCHEMAS:
            raise RuntimeError(f"value schema {name!r} registered twice")
        SCHEMAS[name] = model
        return model

    return register


def load_all() -> dict[str, type[BaseModel]]:
    """Import every schema module of this package so that all schemas are registered."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return SCHEMAS
