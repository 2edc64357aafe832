"""The web app put together: the static files, the pages' answers to a missing login, a role
that may not, and an expired form, and the routers by area. :func:`expatcn.server.create_app`
installs it next to the API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from expatcn.web import calculators, keys, payroll, people, planner, rates, session
from expatcn.web.common import HERE, CsrfRefused, Forbidden, LoginRequired, language_of, render
from expatcn.web.i18n import translate

ROUTERS = (session.router, people.router, payroll.router, keys.router, calculators.router, planner.router,
           rates.router)


async def _login_required(request: Request, exc: LoginRequired) -> Response:
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


async def _forbidden(request: Request, exc: Forbidden) -> Response:
    return render(request, "error.html", status=403, title=translate(language_of(request), "forbidden"),
                  messages=[f"role needed: {exc.args[0]}"])


async def _csrf_refused(request: Request, exc: CsrfRefused) -> Response:
    lang = language_of(request)
    if request.headers.get("HX-Request"):  # reload the page, which brings a fresh token
        return Response(status_code=403, headers={"HX-Refresh": "true"})
    return render(request, "error.html", status=403, title=translate(lang, "csrf_title"),
                  messages=[translate(lang, "csrf_help")])


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    for router in ROUTERS:
        app.include_router(router)
