"""The employer's own social insurance figures (a rates file imported by an admin, with who and
when) and the true-up of months run on figures carried forward, from the month page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from expatcn.api.auth import store_of
from expatcn.services import people, rates, trueup
from expatcn.services.keys import Principal
from expatcn.web.common import USER_ERRORS, messages_of, posting, render, user_of

router = APIRouter(include_in_schema=False)


def _rates_page(request: Request, who: Principal, status: int = 200, imported=None, messages=None) -> Response:
    try:
        found = rates.list_rates(store_of(request))
    except USER_ERRORS as exc:
        found, messages = [], (messages or []) + messages_of(exc)
    return render(request, "rates.html", status=status, rates=found, imported=imported, who=who, messages=messages or [])


@router.get("/rates")
def rates_page(request: Request) -> Response:
    return _rates_page(request, user_of(request))


@router.post("/rates")
async def rates_import(request: Request, who: Principal = Depends(posting("admin"))) -> Response:
    form = await request.form()
    upload = form.get("file")
    try:
        if not hasattr(upload, "read") or not getattr(upload, "filename", ""):
            raise ValueError("file: choose a rates file (YAML, Excel or CSV)")
        imported = rates.import_rates(store_of(request), await upload.read(), who.name or f"key {who.key_id}",
                                      name=upload.filename)
    except USER_ERRORS as exc:
        return _rates_page(request, who, status=422, messages=messages_of(exc))
    return _rates_page(request, who, imported=imported)


@router.post("/month/{month}/trueup")
def month_trueup(request: Request, month: str, who: Principal = Depends(posting("payroll"))) -> Response:
    """Record the true-up from ``month`` for the next open month (the month page shows it first)."""
    try:
        trueup.trueup(store_of(request), people.company(store_of(request)).city, month, carry=True)
    except USER_ERRORS as exc:
        return render(request, "error.html", status=409, title="true-up", messages=messages_of(exc))
    return RedirectResponse(f"/month/{month}", status_code=303)
