"""The composition root: the HTTP application on a payroll store — the API's routers
(:mod:`expatcn.api.routes`, errors by family: :mod:`expatcn.api.errors`) and, unless turned off,
the web pages' routers (:mod:`expatcn.web.site`) in one process. ``expatcn serve`` runs it.

Every route but ``/health`` and the login page needs an API key (header ``X-API-Key``; the web
pages keep it in a cookie after login); a change made with the cookie instead of the header needs
the CSRF token of the page (:mod:`expatcn.api.auth`)."""

from __future__ import annotations

from fastapi import FastAPI

from expatcn.api import auth, errors, routes
from expatcn.services import payroll, people
from expatcn.services.payroll import Store
from expatcn.web import site


def create_app(db: str | None = None, *, engine: Store | None = None, example_if_new: bool = False,
               web: bool = True) -> FastAPI:
    """The application on the payroll database ``db`` (path or URL; default ``./expatcn.sqlite``).
    The schema is brought up to date; with ``example_if_new`` a database without an employer gets
    the example company."""
    engine = engine or payroll.open_store(db)
    payroll.upgrade(engine)
    if example_if_new and people.company(engine) is None:
        payroll.import_example(engine)
    app = FastAPI(title="expatcn", version=routes.package_version(), openapi_url=None, docs_url=None, redoc_url=None,
                  description="China payroll for cross-border employees: IIT, residency, social insurance, gross-up, "
                              "and a company's monthly payroll. Authenticate with the header `X-API-Key`.")
    app.state.engine = engine
    app.state.csrf_secret = auth.new_secret()
    errors.install(app)
    for router in routes.ROUTERS:
        app.include_router(router)
    if web:
        site.install(app)
    return app
