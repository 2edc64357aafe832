"""API keys (admin): create one (shown once), list them, revoke one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from expatcn.api.auth import store_of
from expatcn.io.requests import KeyRequest
from expatcn.services import keys
from expatcn.services.keys import ROLES, Principal
from expatcn.web.common import USER_ERRORS, language_of, messages_of, posting, render, user_of
from expatcn.web.i18n import translate

router = APIRouter(include_in_schema=False)


def _keys_page(request: Request, who: Principal, status: int = 200, created=None, messages=None) -> Response:
    return render(request, "keys.html", status=status, keys=keys.list_keys(store_of(request)), roles=ROLES,
                  created=created, who=who, messages=messages or [])


@router.get("/keys")
def keys_page(request: Request) -> Response:
    return _keys_page(request, user_of(request, "admin"))


@router.post("/keys")
async def keys_create(request: Request, who: Principal = Depends(posting("admin"))) -> Response:
    form = await request.form()
    try:
        body = KeyRequest.model_validate({"role": form.get("role") or "", "name": (form.get("name") or "").strip()})
        created = keys.create(store_of(request), body.role, body.name)
    except USER_ERRORS as exc:
        return _keys_page(request, who, status=422, messages=messages_of(exc))
    return _keys_page(request, who, created=created)


@router.post("/keys/{key_id}/revoke")
def keys_revoke(request: Request, key_id: str, who: Principal = Depends(posting("admin"))) -> Response:
    lang = language_of(request)
    try:
        number = int(key_id)
        if not 1 <= number < 2**31:
            raise LookupError(f"no API key with id {key_id}")
        keys.revoke(store_of(request), number)
    except ValueError:
        return render(request, "error.html", status=404, title=translate(lang, "not_found"), messages=[f"no API key with id {key_id[:20]}"])
    except LookupError as exc:
        return render(request, "error.html", status=404, title=translate(lang, "not_found"), messages=[str(exc)])
    return RedirectResponse("/keys", status_code=303)
