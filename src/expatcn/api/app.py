"""The FastAPI application: the stateless calculations, the company store, API keys, and the web
pages (``expatcn.web``) in one process. Every route but ``/health`` and the login page needs an
API key (header ``X-API-Key``; the web pages keep it in a cookie after login). A change made with
the cookie instead of the header needs the CSRF token of the page (``expatcn.web.csrf``).

Errors: a request that does not validate is a 422 listing each field path; input the engines
refuse (a law table missing for the month, overlapping trips, an unknown allowance kind) is a 422
with the engine's message; a payroll step out of order (a month already closed, an earlier month
still open) is a 409; a missing employee or run is a 404. Nothing is a 500 by design.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader

from expatcn.api import schemas as S
from expatcn.dates import Month
from expatcn.errors import InputError, InputProblems, NotFound, StateError
from expatcn.io.month_scenario import MonthScenario
from expatcn.io.scenario import Scenario
from expatcn.io.requests import GrossUpRequest, ResidencyRequest, SocialRequest
from expatcn.services import departure as departure_service
from expatcn.services import exports, payroll, people
from expatcn.services import grossup as grossup_service
from expatcn.services import keys as key_store
from expatcn.services import month as month_service
from expatcn.services import residency as residency_service
from expatcn.services import social as social_service
from expatcn.services import tax as tax_service
from expatcn.services.keys import Principal
from expatcn.services.payroll import Store
from expatcn.services.plan import PlanAnswer, plan_data
from expatcn.web import csrf

log = logging.getLogger("expatcn.api")

API_KEY_HEADER = "X-API-Key"
COOKIE = "expatcn_key"
MONTH = r"^(20[0-9]{2})-(0[1-9]|1[0-2])$"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": S.Error, "description": "a body that cannot be parsed (not JSON, not UTF-8)"},
    401: {"model": S.Error, "description": "no API key, or an unknown or revoked one"},
    403: {"model": S.Error, "description": "the key's role may not do this"},
    422: {"model": S.InputErrors, "description": "invalid input: each problem with its field path"},
}
STORE_ERRORS = {**ERRORS, 404: {"model": S.Error, "description": "no such employee or run"},
                409: {"model": S.Error, "description": "the payroll is not in a state that allows this"}}

key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="an API key (`expatcn keys create`)")


# --- errors -------------------------------------------------------------------------------------

_PATH = re.compile(r"^((?:[A-Za-z_][\w]*|\d+)(?:\.(?:[A-Za-z_][\w]*|\d+))*): ")
_ROW = re.compile(r"^(trips|planned|person\.trips), row (\d+)(?:, field '(\w+)')?")


def _loc(message: str) -> list[str | int]:
    """The field path at the start of an engine message (``months.3.allowances.x: …``)."""
    row = _ROW.match(message)
    if row:
        loc: list[str | int] = ["body", *row.group(1).split("."), int(row.group(2)) - 1]
        return loc + ([row.group(3)] if row.group(3) else [])
    m = _PATH.match(message)
    if not m:
        return ["body"]
    return ["body", *(int(p) if p.isdigit() else p for p in m.group(1).split("."))]


def unprocessable(message: str, loc: list | tuple | None = None, kind: str = "value_error") -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": [
        {"loc": list(loc) if loc else _loc(message), "msg": message, "type": kind}]})


def _install_error_handlers(app: FastAPI) -> None:
    from expatcn.io.trips import TripFileError
    from expatcn.law import LawError
    from expatcn.money import MoneyError

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        items = []
        for err in exc.errors():
            loc = [p if isinstance(p, (str, int)) else str(p) for p in err.get("loc", ())]
            items.append({"loc": loc, "msg": str(err.get("msg", "invalid")), "type": str(err.get("type", "value_error"))})
        return JSONResponse(status_code=422, content={"detail": items})

    @app.exception_handler(InputProblems)
    async def _import(request: Request, exc: InputProblems) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": [
            {"loc": ["body", "files"], "msg": p, "type": "import_error"} for p in exc.problems]})

    @app.exception_handler(StateError)
    async def _payroll(request: Request, exc: StateError) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    @app.exception_handler(NotFound)
    async def _missing(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    async def _engine(request: Request, exc: Exception) -> JSONResponse:
        return unprocessable(str(exc) or type(exc).__name__, kind="engine_error")

    for kind in (LawError, TripFileError, MoneyError, ValueError, ArithmeticError):
        app.add_exception_handler(kind, _engine)


# --- authentication -----------------------------------------------------------------------------


def engine_of(request: Request) -> Store:
    return request.app.state.engine


def principal_of(request: Request, key: str | None) -> Principal | None:
    return key_store.authenticate(engine_of(request), key or request.cookies.get(COOKIE))


def require(role: str):
    """A dependency: the caller's key, which must allow ``role`` (401 without a valid key, 403
    with a key of a lesser role)."""

    def dependency(request: Request, key: Annotated[str | None, Depends(key_header)] = None) -> Principal:
        who = principal_of(request, key)
        if who is None:
            raise HTTPException(401, "an API key is required (header X-API-Key)" if not key else "unknown or revoked API key",
                                headers={"WWW-Authenticate": "APIKey"})
        if not who.can(role):
            raise HTTPException(403, f"this needs the {role} role; the key {who.name!r} is {who.role}")
        if not key and request.method not in csrf.SAFE_METHODS and not csrf.valid(
                request.app.state.csrf_secret, request.cookies.get(COOKIE), request.headers.get(csrf.HEADER)):
            raise HTTPException(403, f"a change made with the login cookie needs the {csrf.HEADER} header of the page")
        request.state.principal = who
        return who

    dependency.__name__ = f"require_{role}"
    return dependency


Viewer = Annotated[Principal, Depends(require("viewer"))]
Payroll = Annotated[Principal, Depends(require("payroll"))]
Admin = Annotated[Principal, Depends(require("admin"))]
MonthPath = Annotated[str, Path(pattern=MONTH, description="YYYY-MM", examples=["2025-01"])]


# --- routes: calculations -----------------------------------------------------------------------

calc = APIRouter(prefix="/api", tags=["calculations"], responses=ERRORS)


@calc.post("/tax", response_model=tax_service.TaxYear, summary="IIT for a person-year from a scenario")
def tax(scenario: Scenario, who: Viewer, explain: bool = Query(False, description="add every step and its law")):
    """Withholding month by month and the annual reconciliation (``expatcn tax``). The body is a
    scenario as in the README; ``person.trips`` may carry the travel records inline."""
    _inline_trips(scenario.person.trips, "person.trips")
    return tax_service.tax_year(scenario, explain=explain)


@calc.post("/residency", response_model=residency_service.ResidencyYear, summary="Residency from entry/exit records")
def residency(body: ResidencyRequest, who: Viewer):
    """Days in China per month, the 183-day status, the six-year clock, treaty relief and alerts."""
    return residency_service.residency_year(**body.arguments())


@calc.post("/social", response_model=social_service.SocialMonth, summary="Social insurance and housing fund for one month")
def social(body: SocialRequest, who: Viewer):
    """One employee's contributions (``expatcn social``); the city by its key or its English or Chinese name."""
    return social_service.social_month(**body.arguments())


@calc.post("/month", response_model=month_service.FullMonth, summary="Gross to net and employer cost, month by month")
def month(scenario: MonthScenario, who: Viewer, explain: bool = Query(False), partial: bool = Query(False)):
    """A full-month scenario (``expatcn month``): contributions, IIT, net pay and employer cost."""
    _inline_trips(scenario.person.trips, "person.trips")
    return month_service.full_month(scenario, explain=explain, partial=partial)


@calc.post("/grossup", response_model=grossup_service.GrossUp, summary="Net to gross, exact to the fen")
def grossup(body: GrossUpRequest, who: Viewer, explain: bool = Query(False, description="add the trace of the gross found")):
    """The gross that pays ``net`` (``expatcn grossup``)."""
    return grossup_service.gross_up(**body.arguments(), explain=explain)


@calc.post("/departure", response_model=departure_service.Departure, summary="Leaving China: the checklist with dates and amounts")
def departure(scenario: Scenario, who: Viewer):
    """A scenario with ``person.departure`` (``expatcn departure``): the year to the month of
    departure and what the employee and the employer must file or settle, each with its date,
    amount and law entry."""
    _inline_trips(scenario.person.trips, "person.trips")
    return departure_service.departure(scenario)


def _inline_trips(trips: object, where: str) -> None:
    """Over HTTP the trips come in the body: a file name is not read."""
    if isinstance(trips, str):
        raise InputError(f"{where}: give the trips inline as a list of {{entry, exit}}; a file name is not read over HTTP")


@calc.post("/plan", response_model=PlanAnswer, summary="Assignment planner: structures compared year by year")
def assignment_plan(body: S.PlanRequest, who: Viewer) -> PlanAnswer:  # type: ignore[valid-type]
    """An assignment (as in ``expatcn plan``; trips inline, projections by shipped name), or
    alternatives of it, under every structure of its direction: China IIT, contributions on both
    sides, employee net and employer cost per year, the cheapest compliant structure and why, the
    alternatives compared; with ``law_overlays`` the difference against current law."""
    raw = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return plan_data(raw, law_overlays=raw.pop("law_overlays", []))


# --- routes: the company store ------------------------------------------------------------------

store = APIRouter(prefix="/api", tags=["company"], responses=STORE_ERRORS)


@store.get("/company", response_model=people.Company)
def get_company(request: Request, who: Viewer) -> people.Company:
    data = people.company(engine_of(request))
    if data is None:
        raise NotFound("no employer yet: import the roster (POST /api/import)")
    return data


@store.get("/employees", response_model=list[people.EmployeeListItem], summary="The roster (ID numbers masked)")
def get_employees(request: Request, who: Viewer) -> list[people.EmployeeListItem]:
    return people.employees(engine_of(request))


@store.post("/employees", response_model=payroll.Imported, summary="Add or update employees")
def post_employees(request: Request, rows: list[S.EmployeeIn], who: Payroll) -> payroll.Imported:
    data = [{("code" if k == "id" else k): v for k, v in r.model_dump(by_alias=False).items()} for r in rows]
    return payroll.import_rows(engine_of(request), "roster", data)


@store.get("/employees/{code}", response_model=people.EmployeeDetail)
def get_employee(request: Request, code: Annotated[str, Path(max_length=40)], who: Viewer) -> people.EmployeeDetail:
    """One employee; the ID number is shown in full to payroll and admin keys, masked for viewers."""
    return people.employee(engine_of(request), code, reveal_id=who.can("payroll"))


@store.get("/employees/{code}/trips", response_model=list[people.TripOut])
def get_trips(request: Request, code: Annotated[str, Path(max_length=40)], who: Viewer) -> list[people.TripOut]:
    return people.trips(engine_of(request), code)


@store.get("/employees/{code}/residency", response_model=residency_service.EmployeeResidency, summary="Residency timeline of a year")
def get_residency(request: Request, code: Annotated[str, Path(max_length=40)], who: Viewer,
                  year: int = Query(..., ge=2011, le=2030)) -> dict:
    return people.residency(engine_of(request), code, year)


@store.get("/employees/{code}/pay-items", response_model=list[people.PayItemOut])
def get_pay(request: Request, code: Annotated[str, Path(max_length=40)], who: Viewer,
            year: int | None = Query(None, ge=2000, le=2100)) -> list[people.PayItemOut]:
    return people.pay_items(engine_of(request), code, year)


@store.post("/trips", response_model=payroll.Imported, summary="Record trips (replaces the stored trips of the employees named)")
def post_trips(request: Request, rows: list[S.TripRowIn], who: Payroll) -> payroll.Imported:
    data = [{"code": r.employee, "entry": r.entry, "exit": r.exit, "note": r.note} for r in rows]
    return payroll.import_rows(engine_of(request), "trips", data)


@store.post("/pay-items", response_model=payroll.Imported, summary="Record pay items (employee, month, kind, amount)")
def post_pay(request: Request, rows: list[S.PayItemIn], who: Payroll) -> payroll.Imported:
    data = [{"code": r.employee, "month": r.month, "kind": r.kind, "amount": str(r.amount)} for r in rows]
    return payroll.import_rows(engine_of(request), "pay", data)


@store.post("/import", response_model=payroll.Imported, summary="Import Excel/CSV files (roster, pay, trips, deductions)")
async def post_import(request: Request, who: Payroll, files: list[UploadFile] = File(...),
                      kind: str | None = Query(None, pattern=r"^(employer|roster|pay|trips|deductions)$")) -> payroll.Imported:
    """All files in one transaction: every cell checked first, nothing written unless all are
    valid; a 422 lists each problem by file, sheet, row and column."""
    uploads = [(f.filename or "upload", await f.read()) for f in files]
    return payroll.import_bytes(engine_of(request), uploads, kind)


@store.get("/runs", response_model=list[payroll.RunListItem])
def get_runs(request: Request, who: Viewer) -> list[payroll.RunListItem]:
    return payroll.list_runs(engine_of(request))


@store.post("/runs/{month}", response_model=payroll.RunDone, summary="Run a month (replaces an open run)")
def post_run(request: Request, month: MonthPath, who: Payroll) -> payroll.RunDone:
    return payroll.run(engine_of(request), *Month.parse(month))


@store.get("/runs/{month}", response_model=payroll.RunDetail, summary="A run: results per employee and totals")
def get_run(request: Request, month: MonthPath, who: Viewer) -> payroll.RunDetail:
    return payroll.run_detail(engine_of(request), *Month.parse(month))


@store.post("/runs/{month}/close", response_model=payroll.Closed, summary="Close a month (admin)")
def post_close(request: Request, month: MonthPath, who: Admin) -> payroll.Closed:
    return payroll.close(engine_of(request), *Month.parse(month))


@store.post("/runs/{month}/correct", response_model=list[payroll.CorrectionLine], summary="Correct a closed month")
def post_correct(request: Request, month: MonthPath, body: S.CorrectionRequest, who: Payroll) -> list[payroll.CorrectionLine]:
    return payroll.correct(engine_of(request), *Month.parse(month), items=[(i.employee, i.kind, i.amount) for i in body.items])


@store.get("/runs/{month}/verify", response_model=payroll.Verification, summary="Recompute a run from its stored inputs")
def get_verify(request: Request, month: MonthPath, who: Viewer) -> payroll.Verification:
    return payroll.verify(engine_of(request), *Month.parse(month))


@store.get("/runs/{month}/exports/{kind}", summary="Download an export of a run",
           response_class=Response, responses={200: {"content": {
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "text/csv": {}, "application/zip": {}},
               "description": "the file: Excel or CSV; payslips, or several files, as a zip"}})
def get_export(request: Request, month: MonthPath, who: Viewer,
               kind: Annotated[str, Path(pattern=r"^(withholding|social|cost|payslips|reconciliation)$")],
               format: str = Query("xlsx", pattern=r"^(xlsx|csv)$"), trace: bool = Query(False)) -> Response:
    year, m = Month.parse(month)
    done = exports.export_month(engine_of(request), year, m, [kind], fmt=format, traces=trace)
    file = done.one(f"{Month(year, m)}-{kind}.zip")
    headers = {"Content-Disposition": f'attachment; filename="{file.name}"'}
    if done.notes:
        headers["X-Expatcn-Notes"] = " | ".join(done.notes).encode("ascii", "replace").decode()
    return Response(file.content, media_type=file.media_type, headers=headers)


# --- routes: keys -------------------------------------------------------------------------------

keys = APIRouter(prefix="/api", tags=["keys"], responses={**ERRORS, 404: {"model": S.Error, "description": "no such key"}})


@keys.get("/me", response_model=S.Me, summary="The calling key")
def me(who: Viewer) -> dict:
    return {"key_id": who.key_id, "name": who.name, "role": who.role}


@keys.get("/keys", response_model=list[key_store.Key])
def get_keys(request: Request, who: Admin) -> list[key_store.Key]:
    return key_store.list_keys(engine_of(request))


@keys.post("/keys", response_model=key_store.CreatedKey, status_code=201)
def post_key(request: Request, body: S.KeyRequest, who: Admin) -> key_store.CreatedKey:
    return key_store.create(engine_of(request), body.role, body.name)


@keys.delete("/keys/{key_id}", response_model=key_store.Key)
def delete_key(request: Request, key_id: Annotated[int, Path(ge=1, le=2**31 - 1)], who: Admin) -> key_store.Key:
    return key_store.revoke(engine_of(request), key_id)


# --- the application ----------------------------------------------------------------------------


def create_app(db: str | None = None, *, engine: Store | None = None, example_if_new: bool = False,
               web: bool = True) -> FastAPI:
    """The application on the payroll database ``db`` (path or URL; default ``./expatcn.sqlite``).
    The schema is brought up to date; with ``example_if_new`` a database without an employer gets
    the example company."""
    engine = engine or payroll.open_store(db)
    payroll.upgrade(engine)
    if example_if_new and people.company(engine) is None:
        payroll.import_example(engine)
    app = FastAPI(title="expatcn", version=_version(), openapi_url=None, docs_url=None, redoc_url=None,
                  description="China payroll for cross-border employees: IIT, residency, social insurance, gross-up, "
                              "and a company's monthly payroll. Authenticate with the header `X-API-Key`.")
    app.state.engine = engine
    app.state.csrf_secret = csrf.new_secret()
    _install_error_handlers(app)

    @app.get("/health", response_model=S.Health, tags=["meta"])
    def health() -> dict:
        return {"status": "ok", "version": _version()}

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(who: Viewer) -> JSONResponse:
        return JSONResponse(app.openapi())

    app.include_router(calc)
    app.include_router(store)
    app.include_router(keys)
    if web:
        from expatcn.web.pages import install

        install(app)
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("expatcn")
    except Exception:  # not installed as a distribution
        return "0"
