"""API keys, stored hashed in the store (table ``api_keys``, migration 0002).

A key is ``xcn_`` + 32 random bytes (URL-safe base64), shown once when created. Only its SHA-256
is stored (the keys are random, not passwords, so a plain digest is enough), with the first
characters kept as a prefix so that a list of keys can name them. Roles are ordered: an admin can
do what a payroll user can, who can do what a viewer can.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from expatcn.errors import InputError, NotFound
from expatcn.payroll.db import connected, read_transaction, utc, write_transaction
from expatcn.payroll.models import ApiKey

ROLES = ("viewer", "payroll", "admin")
KEY_PREFIX = "xcn_"
CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and role."""

    key_id: int
    name: str
    role: str

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(engine: Engine, role: str, name: str = "") -> tuple[dict, str]:
    """A new key of ``role``; returns its record and the key itself (shown once, never stored)."""
    if role not in ROLES:
        raise InputError(f"role: unknown role {role!r}: expected {', '.join(ROLES)}")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.timezone.utc)
    with write_transaction(engine) as conn:
        key_id = conn.execute(insert(ApiKey).values(name=name or role, role=role, prefix=key[:10], key_sha256=digest(key),
                                                    created_at=now)).inserted_primary_key[0]
    return {"id": key_id, "name": name or role, "role": role, "prefix": key[:10], "created_at": now, "revoked_at": None}, key


def list_keys(engine: Engine) -> list[dict]:
    with read_transaction(engine) as conn:
        rows = conn.execute(select(ApiKey).order_by(ApiKey.id)).all()
    return [{"id": r.id, "name": r.name, "role": r.role, "prefix": r.prefix, "created_at": utc(r.created_at),
             "revoked_at": utc(r.revoked_at)} for r in rows]


def revoke_key(engine: Engine, key_id: int) -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    with write_transaction(engine) as conn:
        row = conn.execute(select(ApiKey).where(ApiKey.id == key_id)).first()
        if row is None:
            raise NotFound(f"no API key with id {key_id}")
        if row.revoked_at is None:
            conn.execute(update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=now))
    _cache.clear()
    return {"id": row.id, "name": row.name, "role": row.role, "prefix": row.prefix, "created_at": utc(row.created_at),
            "revoked_at": utc(row.revoked_at) or now}


_cache: dict[tuple[int, str], tuple[float, Principal | None]] = {}
_lock = threading.Lock()


def authenticate(engine: Engine, key: str | None) -> Principal | None:
    """The principal of a valid, unrevoked key, or ``None``. Looked up by digest; answers are
    cached for a few seconds per process (a revocation through this process clears the cache)."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    h = digest(key)
    slot = (id(engine), h)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(slot)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    with connected(engine) as conn:
        row = conn.execute(select(ApiKey.id, ApiKey.name, ApiKey.role).where(
            ApiKey.key_sha256 == h, ApiKey.revoked_at.is_(None))).first()
        conn.rollback()
    principal = None if row is None else Principal(row.id, row.name, row.role)
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[slot] = (now, principal)
    return principal
