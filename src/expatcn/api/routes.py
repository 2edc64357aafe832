"""The API's routes: the stateless calculations, the company store and the API keys, each a call
to one use case of :mod:`expatcn.services` whose answer is the response model. Every route but
``/health`` needs an API key (:mod:`expatcn.api.auth`); errors: :mod:`expatcn.api.errors`."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from expatcn.api import schemas as S
from expatcn.api.auth import Admin, Payroll, Viewer, store_of
from expatcn.api.errors import ERRORS, STORE_ERRORS, Error
from expatcn.dates import Month
from expatcn.errors import InputError, NotFound
from expatcn.io.month_scenario import MonthScenario
from expatcn.io.requests import CorrectionRequest, GrossUpRequest, KeyRequest, ResidencyRequest, SocialRequest
from expatcn.io.scenario import Scenario
from expatcn.services import departure as departure_service
from expatcn.services import exports, payroll, people
from expatcn.services import grossup as grossup_service
from expatcn.services import law_status as law_status_service
from expatcn.services import rates as rates_service
from expatcn.services import trueup as trueup_service
from expatcn.services import keys as key_store
from expatcn.services import month as month_service
from expatcn.services import residency as residency_service
from expatcn.services import social as social_service
from expatcn.services import tax as tax_service
from expatcn.services.plan import PlanAnswer, plan_data

MONTH = r"^(20[0-9]{2})-(0[1-9]|1[0-2])$"
MonthPath = Annotated[str, Path(pattern=MONTH, description="YYYY-MM", examples=["2025-01"])]


def package_version() -> str:
    try:
        return version("expatcn")
    except PackageNotFoundError:  # run from a source tree, not installed
        return "0"


# --- meta -----------------------------------------------------------------------------------------

meta = APIRouter(tags=["meta"])


@meta.get("/health", response_model=S.Health)
def health() -> dict:
    return {"status": "ok", "version": package_version()}


@meta.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, who: Viewer) -> JSONResponse:
    return JSONResponse(request.app.openapi())


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
    """One employee's contributions (``expatcn social``); the city by its key or its English or Chinese name.
    A figure not yet published is carried forward and labelled; one never published is none (never 0 %)."""
    return social_service.social_month(**body.arguments(), rates=_rates(body.rates))


@calc.post("/month", response_model=month_service.FullMonth, summary="Gross to net and employer cost, month by month")
def month(scenario: MonthScenario, who: Viewer, explain: bool = Query(False), partial: bool = Query(False),
          strict: bool = Query(False, description="refuse a social insurance figure carried forward")):
    """A full-month scenario (``expatcn month``): contributions, IIT, net pay and employer cost;
    the months resting on a figure carried forward say so."""
    _inline_trips(scenario.person.trips, "person.trips")
    return month_service.full_month(scenario, explain=explain, partial=partial, strict=strict)


@calc.post("/grossup", response_model=grossup_service.GrossUp, summary="Net to gross, exact to the fen")
def grossup(body: GrossUpRequest, who: Viewer, explain: bool = Query(False, description="add the trace of the gross found")):
    """The gross that pays ``net`` (``expatcn grossup``)."""
    return grossup_service.gross_up(**body.arguments(), explain=explain, rates=_rates(body.rates))


@calc.get("/law/status", response_model=law_status_service.LawStatus, summary="How fresh the law tables are")
def law_status(request: Request, who: Viewer, on: dt.date | None = Query(None, description="the day (default: today)"),
               within: int = Query(law_status_service.HORIZON_DAYS, ge=1, le=3660)) -> law_status_service.LawStatus:
    """Each table's last period and what ends within ``within`` days; per city the social
    insurance figures carried forward, employer-supplied (the store's), of low confidence or never
    published (``expatcn law status``)."""
    return law_status_service.law_status(on, horizon_days=within, store=store_of(request))


def _rates(rows: list | None):
    """The employer's figures given in a request body (checked as a rates file; a 422 names each row)."""
    return rates_service.read(rows, name="rates") if rows else None


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
    data = people.company(store_of(request))
    if data is None:
        raise NotFound("no employer yet: import the roster (POST /api/import)")
    return data


@store.get("/employees", response_model=list[people.EmployeeListItem], summary="The roster (ID numbers masked)")
def get_employees(request: Request, who: Viewer) -> list[people.EmployeeListItem]:
    return people.employees(store_of(request))


@store.post("/employees", response_model=payroll.Imported, summary="Add or update employees")
def post_employees(request: Request, rows: list[S.EmployeeIn], who: Payroll) -> payroll.Imported:
    data = [{("code" if k == "id" else k): v for k, v in r.model_dump(by_alias=False).items()} for r in rows]
    return payroll.import_rows(store_of(request), "roster", data)


@store.get("/employees/{code}", response_model=people.EmployeeDetail)
def get_employee(request: Request, code: Annotated[str, Path(max_length=40)], who: Viewer) -> people.EmployeeDetail:
    """One employee; the ID number is shown in full to payroll and admin keys, masked for viewers."""
    return people.employee(store_of(request), code, reveal_id=who.can("payroll"))


@store.get("/employees/{code}/trips", response_model=list[people.TripOut])
def get_trips(request: Request, code: Annotated[str, Path(max_length=40)], who: Viewer) -> list[people.TripOut]:
    return people.trips(store_of(request), code)


@store.get("/employees/{code}/residency", response_model=residency_service.EmployeeResidency, summary="Residency timeline of a year")
def get_residency(request: Request, code: Annotated[str, Path(max_length=40)], who: Viewer,
                  year: int = Query(..., ge=2011, le=2030)) -> dict:
    return people.residency(store_of(request), code, year)


@store.get("/employees/{code}/pay-items", response_model=list[people.PayItemOut])
def get_pay(request: Request, code: Annotated[str, Path(max_length=40)], who: Viewer,
            year: int | None = Query(None, ge=2000, le=2100)) -> list[people.PayItemOut]:
    return people.pay_items(store_of(request), code, year)


REPLACE = Query(False, description="trips: also remove the stored trips of each employee named that the request "
                                   "does not hold (listed in `removed`)")


@store.post("/trips", response_model=payroll.Imported, summary="Record trips (added and updated by employee and entry)")
def post_trips(request: Request, rows: list[S.TripRowIn], who: Payroll, replace: bool = REPLACE) -> payroll.Imported:
    data = [{"code": r.employee, "entry": r.entry, "exit": r.exit, "note": r.note} for r in rows]
    return payroll.import_rows(store_of(request), "trips", data, replace_trips=replace)


@store.post("/pay-items", response_model=payroll.Imported, summary="Record pay items (employee, month, kind, amount)")
def post_pay(request: Request, rows: list[S.PayItemIn], who: Payroll) -> payroll.Imported:
    data = [{"code": r.employee, "month": r.month, "kind": r.kind, "amount": str(r.amount)} for r in rows]
    return payroll.import_rows(store_of(request), "pay", data)


@store.post("/import", response_model=payroll.Imported, summary="Import Excel/CSV files (roster, pay, trips, deductions)")
async def post_import(request: Request, who: Payroll, files: list[UploadFile] = File(...),
                      kind: str | None = Query(None, pattern=r"^(employer|roster|pay|trips|deductions)$"),
                      replace: bool = REPLACE) -> payroll.Imported:
    """All files in one transaction: nothing written unless all are valid; a 422 lists every
    problem (cells, unknown employees, duplicates, closed months) by file, sheet, row and column."""
    uploads = [(f.filename or "upload", await f.read()) for f in files]
    return payroll.import_bytes(store_of(request), uploads, kind, replace_trips=replace)


@store.get("/runs", response_model=list[payroll.RunListItem])
def get_runs(request: Request, who: Viewer) -> list[payroll.RunListItem]:
    return payroll.list_runs(store_of(request))


@store.post("/runs/{month}", response_model=payroll.RunDone, summary="Run a month (replaces an open run)")
def post_run(request: Request, month: MonthPath, who: Payroll) -> payroll.RunDone:
    return payroll.run(store_of(request), *Month.parse(month))


@store.get("/runs/{month}", response_model=payroll.RunDetail, summary="A run: results per employee and totals")
def get_run(request: Request, month: MonthPath, who: Viewer) -> payroll.RunDetail:
    return payroll.run_detail(store_of(request), *Month.parse(month))


@store.post("/runs/{month}/close", response_model=payroll.Closed, summary="Close a month (admin)")
def post_close(request: Request, month: MonthPath, who: Admin) -> payroll.Closed:
    return payroll.close(store_of(request), *Month.parse(month))


@store.post("/runs/{month}/correct", response_model=list[payroll.CorrectionLine], summary="Correct a closed month")
def post_correct(request: Request, month: MonthPath, body: CorrectionRequest, who: Payroll) -> list[payroll.CorrectionLine]:
    return payroll.correct(store_of(request), *Month.parse(month), items=[(i.employee, i.kind, i.amount) for i in body.items])


@store.get("/rates", response_model=list[rates_service.RateOut], summary="The employer's own social insurance figures")
def get_rates(request: Request, who: Viewer) -> list[rates_service.RateOut]:
    return rates_service.list_rates(store_of(request))


@store.post("/rates", response_model=rates_service.RatesImported, summary="Replace the employer's figures (admin)")
def post_rates(request: Request, rows: list[dict], who: Admin) -> rates_service.RatesImported:
    """Rows of a rates file keyed by field (city, scheme, from, to, base_floor, base_ceiling,
    employer_rate, employee_rate, why): checked whole (a 422 names each row and column, nothing
    changes), then they replace the employer's figures, recorded with the key's name and the time."""
    return rates_service.import_rates(store_of(request), rows, who.name or f"key {who.key_id}", name="rates")


@store.post("/rates/upload", response_model=rates_service.RatesImported, summary="Replace the employer's figures from a file (admin)")
async def post_rates_file(request: Request, who: Admin, file: UploadFile = File(...)) -> rates_service.RatesImported:
    """A rates file: YAML, Excel or CSV (``expatcn template rates``)."""
    return rates_service.import_rates(store_of(request), await file.read(), who.name or f"key {who.key_id}",
                                      name=file.filename or "upload")


@store.get("/trueup/{city}/{month}", response_model=trueup_service.TrueUpAnswer,
           summary="True-up of months run on figures carried forward")
def get_trueup(request: Request, city: Annotated[str, Path(max_length=40)], month: MonthPath,
               who: Viewer) -> trueup_service.TrueUpAnswer:
    """Every closed month from ``month`` recomputed with the law tables of now, per employee: the
    difference in employee and employer contributions, the deductible part and the IIT."""
    return trueup_service.trueup(store_of(request), city, month)


@store.post("/trueup/{city}/{month}", response_model=trueup_service.TrueUpAnswer,
            summary="Record a true-up for the next open month")
def post_trueup(request: Request, city: Annotated[str, Path(max_length=40)], month: MonthPath,
                who: Payroll) -> trueup_service.TrueUpAnswer:
    """As GET, and recorded: the run of the next open month pays it with the month."""
    return trueup_service.trueup(store_of(request), city, month, carry=True)


@store.get("/runs/{month}/verify", response_model=payroll.Verification, summary="Recompute a run from its stored inputs")
def get_verify(request: Request, month: MonthPath, who: Viewer) -> payroll.Verification:
    return payroll.verify(store_of(request), *Month.parse(month))


@store.get("/runs/{month}/exports/{kind}", summary="Download an export of a run",
           response_class=Response, responses={200: {"content": {
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "text/csv": {}, "application/zip": {}},
               "description": "the file: Excel or CSV; payslips, or several files, as a zip"}})
def get_export(request: Request, month: MonthPath, who: Viewer,
               kind: Annotated[str, Path(pattern=r"^(withholding|social|cost|payslips|reconciliation)$")],
               format: str = Query("xlsx", pattern=r"^(xlsx|csv)$"), trace: bool = Query(False)) -> Response:
    year, m = Month.parse(month)
    done = exports.export_month(store_of(request), year, m, [kind], fmt=format, traces=trace)
    file = done.one(f"{Month(year, m)}-{kind}.zip")
    headers = {"Content-Disposition": f'attachment; filename="{file.name}"'}
    if done.notes:
        headers["X-Expatcn-Notes"] = " | ".join(done.notes).encode("ascii", "replace").decode()
    return Response(file.content, media_type=file.media_type, headers=headers)


# --- routes: keys -------------------------------------------------------------------------------

keys = APIRouter(prefix="/api", tags=["keys"], responses={**ERRORS, 404: {"model": Error, "description": "no such key"}})


@keys.get("/me", response_model=S.Me, summary="The calling key")
def me(who: Viewer) -> dict:
    return {"key_id": who.key_id, "name": who.name, "role": who.role}


@keys.get("/keys", response_model=list[key_store.Key])
def get_keys(request: Request, who: Admin) -> list[key_store.Key]:
    return key_store.list_keys(store_of(request))


@keys.post("/keys", response_model=key_store.CreatedKey, status_code=201)
def post_key(request: Request, body: KeyRequest, who: Admin) -> key_store.CreatedKey:
    return key_store.create(store_of(request), body.role, body.name)


@keys.delete("/keys/{key_id}", response_model=key_store.Key)
def delete_key(request: Request, key_id: Annotated[int, Path(ge=1, le=2**31 - 1)], who: Admin) -> key_store.Key:
    return key_store.revoke(store_of(request), key_id)


ROUTERS = (meta, calc, store, keys)
