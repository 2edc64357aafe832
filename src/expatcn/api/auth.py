"""Who is calling: an API key in the header ``X-API-Key``, or the web pages' login cookie (the
same key, kept in an HttpOnly, SameSite=Strict cookie); the key's role (viewer < payroll < admin,
through :mod:`expatcn.services.keys`); and the CSRF token a change made with the cookie must carry.

CSRF: every state-changing request that relies on the cookie (every page ``POST`` but the login
form, and any API call authenticated by the cookie rather than the header) must carry a token,
either as the hidden form field ``csrf_token`` or as the header ``X-CSRF-Token`` (the pages set it
for htmx with ``hx-headers`` on ``<body>``). The token is ``HMAC-SHA256(server secret, "csrf|" +
SHA-256 of the session's key)``: it is bound to the login session and cannot be made without the
server secret, which never leaves the server. The secret is the environment variable
``EXPATCN_SECRET`` if it is set, otherwise 32 random bytes drawn when the process starts (kept in
``app.state``, never stored). With the per-process secret, a form that was open across a server
restart is refused once (403) and works after the page is reloaded; set ``EXPATCN_SECRET`` to keep
tokens across restarts or between several server processes. A token is never written to a log or
to the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader

from expatcn.services import keys
from expatcn.services.keys import Principal
from expatcn.services.payroll import Store

API_KEY_HEADER = "X-API-Key"
COOKIE = "expatcn_key"
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="an API key (`expatcn keys create`)")


def store_of(request: Request) -> Store:
    """The payroll store the application serves (``app.state.engine``)."""
    return request.app.state.engine


def principal_of(request: Request, key: str | None = None) -> Principal | None:
    """The caller: the key given (header), else the login cookie's; ``None`` when neither is valid."""
    return keys.authenticate(store_of(request), key or request.cookies.get(COOKIE))


# --- CSRF -----------------------------------------------------------------------------------------


def new_secret() -> bytes:
    configured = os.environ.get("EXPATCN_SECRET", "")
    if configured:
        return hashlib.sha256(b"expatcn-csrf|" + configured.encode("utf-8")).digest()
    return secrets.token_bytes(32)


def token(secret: bytes, key: str | None) -> str | None:
    """The token of the session whose cookie holds ``key`` (``None`` without a key)."""
    if not key:
        return None
    session = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return hmac.new(secret, b"csrf|" + session.encode("ascii"), hashlib.sha256).hexdigest()


def valid(secret: bytes, key: str | None, given: object) -> bool:
    expected = token(secret, key)
    if expected is None or not isinstance(given, str) or len(given) > 200:
        return False
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace"))


def session_token(request: Request) -> str | None:
    """The CSRF token of the request's login session."""
    return token(request.app.state.csrf_secret, request.cookies.get(COOKIE))


def csrf_ok(request: Request, given: object) -> bool:
    """Whether ``given`` is the token of the request's login session."""
    return valid(request.app.state.csrf_secret, request.cookies.get(COOKIE), given)


# --- the API's dependencies ----------------------------------------------------------------------


def require(role: str):
    """A dependency: the caller's key, which must allow ``role`` (401 without a valid key, 403
    with a key of a lesser role, or a change made with the cookie without the CSRF header)."""

    def dependency(request: Request, key: Annotated[str | None, Depends(key_header)] = None) -> Principal:
        who = principal_of(request, key)
        if who is None:
            raise HTTPException(401, "an API key is required (header X-API-Key)" if not key else "unknown or revoked API key",
                                headers={"WWW-Authenticate": "APIKey"})
        if not who.can(role):
            raise HTTPException(403, f"this needs the {role} role; the key {who.name!r} is {who.role}")
        if not key and request.method not in SAFE_METHODS and not csrf_ok(request, request.headers.get(HEADER)):
            raise HTTPException(403, f"a change made with the login cookie needs the {HEADER} header of the page")
        request.state.principal = who
        return who

    dependency.__name__ = f"require_{role}"
    return dependency


Viewer = Annotated[Principal, Depends(require("viewer"))]
Payroll = Annotated[Principal, Depends(require("payroll"))]
Admin = Annotated[Principal, Depends(require("admin"))]
