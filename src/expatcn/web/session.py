"""Logging in and out (the API key kept in an HttpOnly, SameSite=Strict cookie) and the language."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from expatcn.api.auth import COOKIE, store_of
from expatcn.services import keys
from expatcn.web.common import LANG_COOKIE, render, user_of
from expatcn.web.i18n import LANGS

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    user_of(request)
    return RedirectResponse("/month", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "/month") -> Response:
    return render(request, "login.html", next=next if next.startswith("/") and not next.startswith("//") else "/month")


@router.post("/login")
def login(request: Request, key: str = Form(""), next: str = Form("/month")) -> Response:
    who = keys.authenticate(store_of(request), key.strip())
    if who is None:
        return render(request, "login.html", status=401, error=True, next=next)
    target = next if next.startswith("/") and not next.startswith("//") else "/month"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/lang/{code}")
def language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)
    response.set_cookie(LANG_COOKIE, code if code in LANGS else "en", samesite="lax", max_age=365 * 86400)
    return response
