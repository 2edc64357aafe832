"""What every page shares: the templates and their filters, the caller from the login cookie
(:mod:`expatcn.api.auth`), rendering with the session's CSRF token, the page ``POST`` guard,
messages for a form, the language, and the calculators' opening figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import ValidationError

from expatcn.api import auth
from expatcn.api.auth import store_of
from expatcn.errors import LawError, StateError
from expatcn.examples import EXAMPLES
from expatcn.io.files import problems as validation_problems
from expatcn.money import MoneyError, yuan_grouped
from expatcn.services import people
from expatcn.services.keys import Principal
from expatcn.web.i18n import LANGS, translate

HERE = Path(__file__).parent
LANG_COOKIE = "expatcn_lang"
templates = Jinja2Templates(directory=str(HERE / "templates"))
# What a form shows as messages instead of failing: input the engines refuse, a missing employee or
# run (LookupError), a law table that cannot answer, a payroll step out of order.
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, ArithmeticError, LookupError, LawError, StateError)
# The calculators open on example figures kept with the other shipped examples (inputs, not law).
FORM_DEFAULTS = yaml.safe_load((EXAMPLES / "web_form_defaults.yaml").read_text(encoding="utf-8"))


def _money(value: Any) -> str:
    """An answer's yuan amount for reading: ``"12345.6"`` → ``12,345.60``; blank → ``—``."""
    if value is None or value == "":
        return "—"
    try:
        return yuan_grouped(value)
    except MoneyError:
        return str(value)


def _date(d: dt.date | None) -> str:
    if d is None:
        return ""
    return d.strftime("%Y-%m-%d %H:%M") if isinstance(d, dt.datetime) and (d.hour or d.minute) else f"{d:%Y-%m-%d}"


templates.env.filters["money"] = _money
templates.env.filters["date"] = _date


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    pass


class CsrfRefused(Exception):
    pass


def language_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "en")
    return lang if lang in LANGS else "en"


def user_of(request: Request, role: str = "viewer") -> Principal:
    """The logged-in caller, who must allow ``role`` (else the login page, or a 403 page)."""
    who = auth.principal_of(request)
    if who is None:
        raise LoginRequired()
    if not who.can(role):
        raise Forbidden(role)
    return who


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language_of(request)
    who = auth.principal_of(request)
    token = auth.session_token(request) if who is not None else None
    field = Markup(f'<input type="hidden" name="{auth.FIELD}" value="{escape(token)}">') if token else Markup("")
    base = {"t": lambda key: translate(lang, key), "lang": lang, "user": who,
            "company": people.company(store_of(request)) if who is not None else None,
            "path": request.url.path, "query": str(request.url.query), "csrf_token": token, "csrf_field": field,
            "csrf_header": auth.HEADER}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def posting(role: str = "viewer"):
    """A dependency for a page ``POST``: the logged-in caller, who must allow ``role`` and must
    send the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``)."""

    async def dependency(request: Request) -> Principal:
        who = user_of(request, role)
        given: object = request.headers.get(auth.HEADER)
        if not given and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                given = (await request.form()).get(auth.FIELD)
            except Exception:  # an unreadable body (Starlette's parsers raise their own errors): no token
                given = None
        if not auth.csrf_ok(request, given):
            raise CsrfRefused()
        return who

    dependency.__name__ = f"posting_{role}"
    return dependency


def messages_of(exc: Exception) -> list[str]:
    """Messages for a form: each pydantic error with its field path, an import's cell problems,
    or the engine's own message."""
    if isinstance(exc, ValidationError):
        return validation_problems(exc)
    listed = getattr(exc, "problems", None)
    if listed:
        return list(listed)
    return [str(exc) or type(exc).__name__]


def blank(v: str | None) -> bool:
    return v is None or not str(v).strip()
