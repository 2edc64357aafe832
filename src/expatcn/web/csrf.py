"""CSRF tokens for requests made with the login cookie.

The web pages keep the caller's API key in an HttpOnly, SameSite=Strict cookie. On top of that,
every state-changing request that relies on the cookie (every page ``POST`` but the login form,
and any API call authenticated by the cookie rather than the ``X-API-Key`` header) must carry a
token, either as the hidden form field ``csrf_token`` or as the header ``X-CSRF-Token`` (the pages
set it for htmx with ``hx-headers`` on ``<body>``).

The token is ``HMAC-SHA256(server secret, "csrf|" + SHA-256 of the session's key)``: it is bound to
the login session (the key in the cookie) and cannot be made without the server secret, which
never leaves the server. The secret is the environment variable ``EXPATCN_SECRET`` if it is set,
otherwise 32 random bytes drawn when the process starts (kept in ``app.state``, never stored).
With the per-process secret, a form that was open across a server restart is refused once
(403) and works after the page is reloaded; set ``EXPATCN_SECRET`` to keep tokens across restarts
or between several server processes. A token is never written to a log or to the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
