"""What a failed request answers, one handler per error family (:mod:`expatcn.errors`): a body that
does not validate, or input the engines refuse (:class:`~expatcn.errors.InputError`, a law table
that cannot answer: :class:`~expatcn.errors.LawError`) is a 422 listing each problem with its field
path; a payroll step out of order (:class:`~expatcn.errors.StateError`) is a 409; a missing
employee, run or key (:class:`~expatcn.errors.NotFound`) is a 404. Nothing is a 500 by design."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from expatcn.errors import InputProblems, LawError, NotFound, StateError


class Error(BaseModel):
    detail: str


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InputErrors(BaseModel):
    """422: each problem with the path of the field (``loc``), what is wrong (``msg``)."""

    detail: list[ErrorItem]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "a body that cannot be parsed (not JSON, not UTF-8)"},
    401: {"model": Error, "description": "no API key, or an unknown or revoked one"},
    403: {"model": Error, "description": "the key's role may not do this"},
    422: {"model": InputErrors, "description": "invalid input: each problem with its field path"},
}
STORE_ERRORS = {**ERRORS, 404: {"model": Error, "description": "no such employee or run"},
                409: {"model": Error, "description": "the payroll is not in a state that allows this"}}

_PATH = re.compile(r"^((?:[A-Za-z_][\w]*|\d+)(?:\.(?:[A-Za-z_][\w]*|\d+))*): ")
_ROW = re.compile(r"^(trips|planned|person\.trips), row (\d+)(?:, field '(\w+)')?")


def loc(message: str) -> list[str | int]:
    """The field path at the start of an engine message (``months.3.allowances.x: …``; ``trips,
    row 2, field 'entry': …``)."""
    row = _ROW.match(message)
    if row:
        found: list[str | int] = ["body", *row.group(1).split("."), int(row.group(2)) - 1]
        return found + ([row.group(3)] if row.group(3) else [])
    m = _PATH.match(message)
    if not m:
        return ["body"]
    return ["body", *(int(p) if p.isdigit() else p for p in m.group(1).split("."))]


def _unprocessable(items: list[dict]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": items})


async def _request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    return _unprocessable([{"loc": [p if isinstance(p, (str, int)) else str(p) for p in err.get("loc", ())],
                            "msg": str(err.get("msg", "invalid")), "type": str(err.get("type", "value_error"))}
                           for err in exc.errors()])


async def _input_problems(request: Request, exc: InputProblems) -> JSONResponse:
    return _unprocessable([{"loc": ["body", "files"], "msg": p, "type": "import_error"} for p in exc.problems])


async def _input_refused(request: Request, exc: Exception) -> JSONResponse:
    """InputError (a ValueError), any other ValueError or ArithmeticError an engine raises on what
    it was given, and LawError: a 422 with the engine's message and the field it names."""
    message = str(exc) or type(exc).__name__
    return _unprocessable([{"loc": loc(message), "msg": message, "type": "engine_error"}])


async def _state(request: Request, exc: StateError) -> JSONResponse:
    return JSONResponse(status_code=409, content={"detail": str(exc)})


async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(exc)})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(InputProblems, _input_problems)
    for family in (ValueError, ArithmeticError, LawError):
        app.add_exception_handler(family, _input_refused)
    app.add_exception_handler(StateError, _state)
    app.add_exception_handler(NotFound, _not_found)
