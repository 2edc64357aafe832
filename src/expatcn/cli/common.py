"""What the commands share: printing errors without a traceback, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import typer

from expatcn.errors import InputError, LawError


class UserError(InputError):
    """Bad input from the user: printed as one clear message, exit code 2."""


@contextmanager
def user_errors(*kinds: type[BaseException]) -> Iterator[None]:
    """Turn input errors (:class:`expatcn.errors.InputError`, ``UserError`` among them), questions
    the law tables cannot answer (:class:`expatcn.errors.LawError`) and the given exception types
    into a clean message and exit 2."""
    try:
        yield
    except (InputError, LawError, *kinds) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any, write: Callable[[str], Any] | None = None) -> None:
    """Write ``data`` (an answer of ``expatcn.services``, or plain data) as JSON to ``write``
    (default: the current standard output): the answer as the API returns it."""
    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json", by_alias=True)
    (write or sys.stdout.write)(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")
