"""API keys: create, list, revoke, and who a key is (:mod:`expatcn.payroll.keys` stores them
hashed). Roles are ordered: an admin can do what a payroll user can, who can do what a viewer can."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from expatcn.payroll import keys
from expatcn.payroll.keys import ROLES, Principal
from expatcn.services.payroll import Store


class Key(BaseModel):
    id: int
    name: str
    role: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class CreatedKey(Key):
    key: str = Field(description="the key itself: shown once, store it now")


def create(store: Store, role: str, name: str = "") -> CreatedKey:
    """A new key of ``role``; the answer holds the key itself, which is not stored."""
    record, key = keys.create_key(store, role, name)
    return CreatedKey(**record, key=key)


def list_keys(store: Store) -> list[Key]:
    return [Key(**r) for r in keys.list_keys(store)]


def revoke(store: Store, key_id: int) -> Key:
    """Revoke a key: it stops working at once in new processes, within seconds in running servers."""
    return Key(**keys.revoke_key(store, key_id))


def authenticate(store: Store, key: str | None) -> Principal | None:
    """The caller of a valid, unrevoked key, or ``None``."""
    return keys.authenticate(store, key)


def first_admin(store: Store, name: str) -> CreatedKey | None:
    """An admin key named ``name`` if the store has no key yet (a new server's first login)."""
    return None if keys.list_keys(store) else create(store, "admin", name)


__all__ = ["CreatedKey", "Key", "Principal", "ROLES", "authenticate", "create", "first_admin", "list_keys", "revoke"]
