"""What the commands share: printing errors without a traceback, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
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


RATES_HELP = ("the employer's own social insurance figures (YAML, Excel or CSV: city, scheme, from, to, base "
              "floor/ceiling, employer/employee rate, why); used where given, labelled employer-supplied")
STRICT_HELP = "refuse a social insurance figure not yet published instead of carrying the last published one forward"
CARRIED_NOTE = ("† rests on social insurance figures carried forward from the last published period (not yet "
                "published): to be trued up once they are")


def employer_rates(path: Path | None):
    """The ``--rates`` file, checked (:func:`expatcn.services.rates.read`); None without one."""
    if path is None:
        return None
    from expatcn.services import rates  # start-up speed: see expatcn.cli

    return rates.read(path)
