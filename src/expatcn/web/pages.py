"""The web app's pages. Each page checks the key kept in the login cookie, calls
:mod:`expatcn.services` (the same use cases the API routes call) and renders a template.
Forms post normally and also work through htmx; the month run reports its progress by polling.
Every ``POST`` but the login form carries the session's CSRF token (:mod:`expatcn.web.csrf`): the
hidden field ``csrf_token`` in each form, the header ``X-CSRF-Token`` for htmx. A request without
it, or with another session's, is answered with a 403 page.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from fastapi import Depends, FastAPI, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import ValidationError

from expatcn.dates import Month
from expatcn.errors import InputError, NotFound, StateError
from expatcn.examples import EXAMPLES
from expatcn.io.files import parse_mapping
from expatcn.io.files import problems as validation_problems
from expatcn.io.requests import GrossUpRequest
from expatcn.io.scenario import Scenario
from expatcn.law import Overlay
from expatcn.money import MoneyError, yuan_grouped
from expatcn.services import exports, keys, payroll, people
from expatcn.services import grossup as grossup_service
from expatcn.services import social as social_service
from expatcn.services import tax as tax_service
from expatcn.services.keys import ROLES, Principal
from expatcn.services.plan import plan_data
from expatcn.services.tax import TraceStep
from expatcn.web import charts, csrf
from expatcn.web.i18n import LANGS, translate

HERE = Path(__file__).parent
COOKIE = "expatcn_key"
LANG_COOKIE = "expatcn_lang"
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _money(value: Any) -> str:
    """An answer's yuan amount for reading: ``"12345.6"`` → ``12,345.60``; blank → ``—``."""
    if value is None or value == "":
        return "—"
    try:
        return yuan_grouped(value)
    except MoneyError:
        return str(value)


templates.env.filters["money"] = _money
templates.env.filters["date"] = lambda d: "" if d is None else (d.strftime("%Y-%m-%d %H:%M") if isinstance(d, dt.datetime) and (d.hour or d.minute) else f"{d:%Y-%m-%d}")


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    pass


class CsrfRefused(Exception):
    pass


def _lang(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "en")
    return lang if lang in LANGS else "en"


def _user(request: Request, role: str = "viewer") -> Principal:
    who = keys.authenticate(request.app.state.engine, request.cookies.get(COOKIE))
    if who is None:
        raise LoginRequired()
    if not who.can(role):
        raise Forbidden(role)
    return who


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = _lang(request)
    who = keys.authenticate(request.app.state.engine, request.cookies.get(COOKIE))
    company = None
    if who is not None:
        try:
            company = people.company(request.app.state.engine)
        except Exception:  # the page still renders without the company line
            company = None
    token = csrf.token(request.app.state.csrf_secret, request.cookies.get(COOKIE)) if who is not None else None
    field = Markup(f'<input type="hidden" name="{csrf.FIELD}" value="{escape(token)}">') if token else Markup("")
    base = {"t": lambda key: translate(lang, key), "lang": lang, "user": who, "company": company,
            "path": request.url.path, "query": str(request.url.query), "csrf_token": token, "csrf_field": field,
            "csrf_header": csrf.HEADER}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def posting(role: str = "viewer"):
    """A dependency for a page ``POST``: the logged-in caller, who must allow ``role`` and must
    send the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``)."""

    async def dependency(request: Request) -> Principal:
        who = _user(request, role)
        given: object = request.headers.get(csrf.HEADER)
        if not given and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                given = (await request.form()).get(csrf.FIELD)
            except Exception:  # an unreadable body: no token
                given = None
        if not csrf.valid(request.app.state.csrf_secret, request.cookies.get(COOKIE), given):
            raise CsrfRefused()
        return who

    dependency.__name__ = f"posting_{role}"
    return dependency


def _problems(exc: Exception) -> list[str]:
    """Messages for a form: each pydantic error with its field path, an import's cell problems,
    or the engine's own message."""
    if isinstance(exc, ValidationError):
        return validation_problems(exc)
    problems = getattr(exc, "problems", None)
    if problems:
        return list(problems)
    return [str(exc) or type(exc).__name__]


USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, ArithmeticError, LookupError)


def _user_errors() -> tuple[type[BaseException], ...]:
    from expatcn.law import LawError

    return (*USER_ERRORS, LawError, StateError)


# --- progress of month runs ---------------------------------------------------------------------

_jobs: dict[tuple[int, str], dict] = {}
_jobs_lock = threading.Lock()


def _start_run(engine, month: str) -> dict:
    key = (id(engine), month)
    with _jobs_lock:
        job = _jobs.get(key)
        if job and job["state"] == "running":
            return job
        job = {"state": "running", "stage": "load", "done": 0, "total": 1, "message": "", "started": dt.datetime.now()}
        _jobs[key] = job

    def progress(stage: str, done: int, total: int) -> None:
        job.update(stage=stage, done=done, total=max(total, 1))

    def work() -> None:
        try:
            year, m = (int(x) for x in month.split("-"))
            result = payroll.run(engine, year, m, progress=progress)
            job.update(state="done", result=result)
        except _user_errors() as exc:
            job.update(state="error", message="; ".join(_problems(exc)))
        except Exception as exc:  # shown on the page rather than lost in a thread
            job.update(state="error", message=f"{type(exc).__name__}: {exc}")

    threading.Thread(target=work, name=f"expatcn-run-{month}", daemon=True).start()
    return job


def _job(engine, month: str) -> dict | None:
    return _jobs.get((id(engine), month))


STAGES = ("load", "compute", "write")


def _percent(job: dict) -> int:
    if job["state"] != "running":
        return 100
    i = STAGES.index(job["stage"]) if job["stage"] in STAGES else 0
    return int(100 * (i + job["done"] / max(job["total"], 1)) / len(STAGES))


# --- the pages ----------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "error.html", status=403, title=translate(_lang(request), "forbidden"),
                      messages=[f"role needed: {exc.args[0]}"])

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        lang = _lang(request)
        if request.headers.get("HX-Request"):  # reload the page, which brings a fresh token
            return Response(status_code=403, headers={"HX-Refresh": "true"})
        return render(request, "error.html", status=403, title=translate(lang, "csrf_title"),
                      messages=[translate(lang, "csrf_help")])

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        _user(request)
        return RedirectResponse("/month", status_code=303)

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/month") -> Response:
        return render(request, "login.html", next=next if next.startswith("/") and not next.startswith("//") else "/month")

    @app.post("/login", include_in_schema=False)
    def login(request: Request, key: str = Form(""), next: str = Form("/month")) -> Response:
        who = keys.authenticate(request.app.state.engine, key.strip())
        if who is None:
            return render(request, "login.html", status=401, error=True, next=next)
        target = next if next.startswith("/") and not next.startswith("//") else "/month"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict", max_age=12 * 3600)
        return response

    @app.get("/logout", include_in_schema=False)
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/lang/{code}", include_in_schema=False)
    def language(code: str, next: str = "/") -> Response:
        response = RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)
        response.set_cookie(LANG_COOKIE, code if code in LANGS else "en", samesite="lax", max_age=365 * 86400)
        return response

    # employees ---------------------------------------------------------------------------------

    @app.get("/employees", include_in_schema=False)
    def employees_page(request: Request) -> Response:
        _user(request)
        try:
            rows = people.employees(request.app.state.engine)
        except _user_errors() as exc:
            return render(request, "employees.html", rows=[], messages=_problems(exc))
        return render(request, "employees.html", rows=rows, messages=[])

    @app.get("/employees/{code}", include_in_schema=False)
    def employee_page(request: Request, code: str, year: int | None = None) -> Response:
        who = _user(request)
        engine = request.app.state.engine
        lang = _lang(request)
        try:
            person = people.employee(engine, code, reveal_id=False)
            trips = people.trips(engine, code)
            pay = people.pay_items(engine, code)
        except NotFound as exc:
            return render(request, "error.html", status=404, title=translate(lang, "not_found"), messages=[str(exc)])
        years = sorted({int(p.month[:4]) for p in pay} | {t.entry.year for t in trips} | ({year} if year else set()))
        year = year or (years[-1] if years else dt.date.today().year)
        if not 2011 <= year <= 2030:
            return render(request, "error.html", status=422, title=translate(lang, "error"), messages=[f"year {year}: expected 2011–2030"])
        messages: list[str] = []
        timeline = None
        try:
            timeline = people.residency(engine, code, year)
        except _user_errors() as exc:
            messages = _problems(exc)
        chart = None
        if timeline and timeline.person:
            t = lambda k: translate(lang, k)  # noqa: E731
            chart = charts.residency_timeline(timeline.person, timeline.lines, lang, {
                "title": t("residency_timeline"),
                "ninety": f'{t("ninety_line")} ({timeline.lines.ninety_days})',
                "resident": f'{t("resident_line")} ({timeline.lines.resident_days})'})
        return render(request, "employee.html", person=person, trips=trips, pay=[p for p in pay if p.month.startswith(str(year))],
                      year=year, years=years, timeline=timeline, chart=chart, messages=messages, who=who)

    # import ------------------------------------------------------------------------------------

    @app.get("/import", include_in_schema=False)
    def import_page(request: Request) -> Response:
        _user(request, "payroll")
        return render(request, "import.html", result=None, messages=[])

    @app.post("/import", include_in_schema=False)
    async def import_files(request: Request, who: Principal = Depends(posting("payroll"))) -> Response:
        form = await request.form()
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) or hasattr(f, "read")]
        kind = form.get("kind") or None
        files = [(f.filename or "upload", await f.read()) for f in uploads if (f.filename or "")]
        try:
            result = payroll.import_bytes(request.app.state.engine, files, kind if kind in ("roster", "pay", "trips", "deductions", "employer") else None)
        except _user_errors() as exc:
            return render(request, "import.html", status=422, result=None, messages=_problems(exc))
        return render(request, "import.html", result=result, messages=[])

    @app.post("/import/example", include_in_schema=False)
    def import_example(request: Request, who: Principal = Depends(posting("payroll"))) -> Response:
        try:
            result = payroll.import_example(request.app.state.engine)
        except _user_errors() as exc:
            return render(request, "import.html", status=422, result=None, messages=_problems(exc))
        return render(request, "import.html", result=result, messages=[])

    # payroll months ----------------------------------------------------------------------------

    @app.get("/month", include_in_schema=False)
    def months_page(request: Request) -> Response:
        _user(request)
        engine = request.app.state.engine
        try:
            runs = payroll.list_runs(engine)
            pay_months = payroll.pay_months(engine)
        except _user_errors() as exc:
            return render(request, "months.html", runs=[], pay_months=[], messages=_problems(exc))
        by_month = {r.month: r for r in runs}
        months = sorted(set(pay_months) | set(by_month))
        return render(request, "months.html", runs=runs, months=months, by_month=by_month, messages=[])

    @app.get("/month/{month}", include_in_schema=False)
    def month_page(request: Request, month: str) -> Response:
        who = _user(request)
        engine = request.app.state.engine
        lang = _lang(request)
        try:
            year, m = Month.parse(month)
        except ValueError as exc:
            return render(request, "error.html", status=422, title=translate(lang, "error"), messages=[str(exc)])
        detail = None
        try:
            detail = payroll.run_detail(engine, year, m)
        except NotFound:
            detail = None
        except _user_errors() as exc:
            return render(request, "error.html", status=409, title=translate(lang, "error"), messages=_problems(exc))
        job = _job(engine, month)
        return render(request, "month.html", month=month, detail=detail, job=job if job and job["state"] != "done" else None,
                      due=payroll.due_date(year, m), who=who, percent=_percent(job) if job else 0,
                      kinds=exports.KINDS, messages=[])

    @app.post("/month/{month}/run", include_in_schema=False)
    def month_run(request: Request, month: str, who: Principal = Depends(posting("payroll"))) -> Response:
        Month.parse(month)
        job = _start_run(request.app.state.engine, month)
        if request.headers.get("HX-Request"):
            return render(request, "_progress.html", month=month, job=job, percent=_percent(job))
        return RedirectResponse(f"/month/{month}", status_code=303)

    @app.get("/month/{month}/progress", include_in_schema=False)
    def month_progress(request: Request, month: str) -> Response:
        _user(request)
        job = _job(request.app.state.engine, month)
        if job is None or job["state"] == "done":
            return Response(status_code=200, headers={"HX-Redirect": f"/month/{month}"})
        return render(request, "_progress.html", month=month, job=job, percent=_percent(job))

    @app.post("/month/{month}/close", include_in_schema=False)
    def month_close(request: Request, month: str, who: Principal = Depends(posting("admin"))) -> Response:
        lang = _lang(request)
        try:
            year, m = Month.parse(month)
            payroll.close(request.app.state.engine, year, m)
        except _user_errors() as exc:
            if request.headers.get("HX-Request"):
                return render(request, "_messages.html", messages=_problems(exc))
            return render(request, "error.html", status=409, title=translate(lang, "error"), messages=_problems(exc))
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": f"/month/{month}"})
        return RedirectResponse(f"/month/{month}", status_code=303)

    @app.get("/month/{month}/verify", include_in_schema=False)
    def month_verify(request: Request, month: str) -> Response:
        who = _user(request)
        engine = request.app.state.engine
        lang = _lang(request)
        try:
            year, m = Month.parse(month)
            result = payroll.verify(engine, year, m)
        except _user_errors() as exc:
            return render(request, "error.html", status=409 if not isinstance(exc, ValueError) else 422,
                          title=translate(lang, "error"), messages=_problems(exc))
        return render(request, "verify.html", month=month, v=result, who=who, messages=[])

    # corrections of closed months ----------------------------------------------------------------

    def _correction_page(request: Request, who: Principal, form: dict, status: int = 200, lines=None,
                         messages=None) -> Response:
        engine = request.app.state.engine
        try:
            closed = [r.month for r in payroll.list_runs(engine) if r.status == "closed"]
            staff = people.employees(engine)
        except _user_errors() as exc:
            closed, staff, messages = [], [], [*(messages or []), *_problems(exc)]
        form = {"month": closed[-1] if closed else "", "employee": "", "kind": "salary", "amount": "", **form}
        return render(request, "correct.html", status=status, closed=closed, people=staff, kinds=payroll.pay_kinds(),
                      form=form, lines=lines, who=who, messages=messages or [])

    @app.get("/corrections", include_in_schema=False)
    def corrections_page(request: Request, month: str = "", employee: str = "") -> Response:
        who = _user(request, "payroll")
        form = {k: v for k, v in (("month", month[:7]), ("employee", employee[:40])) if v}
        return _correction_page(request, who, form)

    @app.post("/corrections", include_in_schema=False)
    async def corrections_post(request: Request, who: Principal = Depends(posting("payroll"))) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != csrf.FIELD}
        form = {k: form.get(k, "").strip() for k in ("month", "employee", "kind", "amount")}
        try:
            from expatcn.api.schemas import CorrectionItem

            year, m = Month.parse(form["month"])
            item = CorrectionItem.model_validate({"employee": form["employee"], "kind": form["kind"],
                                                  "amount": form["amount"] or None})
            lines = payroll.correct(request.app.state.engine, year, m, items=[(item.employee, item.kind, item.amount)])
        except _user_errors() as exc:
            return _correction_page(request, who, form, status=422, messages=_problems(exc))
        return _correction_page(request, who, form, lines=lines)

    # API keys (admin) --------------------------------------------------------------------------

    def _keys_page(request: Request, who: Principal, status: int = 200, created=None, messages=None) -> Response:
        return render(request, "keys.html", status=status, keys=keys.list_keys(request.app.state.engine), roles=ROLES,
                      created=created, who=who, messages=messages or [])

    @app.get("/keys", include_in_schema=False)
    def keys_page(request: Request) -> Response:
        return _keys_page(request, _user(request, "admin"))

    @app.post("/keys", include_in_schema=False)
    async def keys_create(request: Request, who: Principal = Depends(posting("admin"))) -> Response:
        form = await request.form()
        try:
            from expatcn.api.schemas import KeyRequest

            body = KeyRequest.model_validate({"role": form.get("role") or "", "name": (form.get("name") or "").strip()})
            created = keys.create(request.app.state.engine, body.role, body.name)
        except _user_errors() as exc:
            return _keys_page(request, who, status=422, messages=_problems(exc))
        return _keys_page(request, who, created=created)

    @app.post("/keys/{key_id}/revoke", include_in_schema=False)
    def keys_revoke(request: Request, key_id: str, who: Principal = Depends(posting("admin"))) -> Response:
        lang = _lang(request)
        try:
            number = int(key_id)
            if not 1 <= number < 2**31:
                raise LookupError(f"no API key with id {key_id}")
            keys.revoke(request.app.state.engine, number)
        except ValueError:
            return render(request, "error.html", status=404, title=translate(lang, "not_found"), messages=[f"no API key with id {key_id[:20]}"])
        except LookupError as exc:
            return render(request, "error.html", status=404, title=translate(lang, "not_found"), messages=[str(exc)])
        return RedirectResponse("/keys", status_code=303)

    # calculators -------------------------------------------------------------------------------

    @app.get("/calc/tax", include_in_schema=False)
    def tax_page(request: Request) -> Response:
        _user(request)
        return render(request, "tax.html", form=TAX_DEFAULTS, result=None, messages=[])

    @app.post("/calc/tax", include_in_schema=False)
    async def tax_compute(request: Request, who: Principal = Depends(posting())) -> Response:
        form = dict((await request.form()).items())
        form = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            result = tax_service.tax_year(Scenario.model_validate(_tax_scenario(form)), explain=True)
        except _user_errors() as exc:
            return render(request, "tax.html", status=422, form={**TAX_DEFAULTS, **form}, result=None, messages=_problems(exc))
        return render(request, "tax.html", form={**TAX_DEFAULTS, **form}, result=result, messages=[],
                      trace=_group_trace(result.trace or []))

    @app.get("/calc/grossup", include_in_schema=False)
    def grossup_page(request: Request) -> Response:
        _user(request)
        return render(request, "grossup.html", form=GROSSUP_DEFAULTS, result=None, messages=[], cities=social_service.cities())

    @app.post("/calc/grossup", include_in_schema=False)
    async def grossup_compute(request: Request, who: Principal = Depends(posting())) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        merged = {**GROSSUP_DEFAULTS, **form}
        try:
            body = GrossUpRequest.model_validate(_grossup_request(merged))
            result = grossup_service.gross_up(**body.arguments(), explain=True)
        except _user_errors() as exc:
            return render(request, "grossup.html", status=422, form=merged, result=None, messages=_problems(exc),
                          cities=social_service.cities())
        return render(request, "grossup.html", form=merged, result=result, messages=[], cities=social_service.cities(),
                      trace=_group_trace(result.trace or []))

    # assignment planner ------------------------------------------------------------------------

    @app.get("/plan", include_in_schema=False)
    def plan_page(request: Request) -> Response:
        _user(request)
        return render(request, "plan.html", form=PLAN_DEFAULTS, result=None, messages=[])

    @app.post("/plan", include_in_schema=False)
    async def plan_compute(request: Request, who: Principal = Depends(posting())) -> Response:
        form_data = await request.form()
        form = {k: v for k, v in form_data.items() if isinstance(v, str)}
        merged = {**PLAN_DEFAULTS, **form}
        lang = _lang(request)
        try:
            raw = await _upload(form_data.get("file"), InputError)
            overlays: list = _names(merged.get("law_overlays"))
            overlay_file = form_data.get("law_overlay_file")
            if overlay_file is not None and getattr(overlay_file, "filename", ""):
                text = (await overlay_file.read()).decode("utf-8", errors="replace")
                overlays.append(Overlay(Path(overlay_file.filename).stem, text))
            result = plan_data(raw if raw is not None else _plan_assignment(merged),
                               law_overlays=overlays).model_dump(mode="json")
        except _user_errors() as exc:
            return render(request, "plan.html", status=422, form=merged, result=None, messages=_problems(exc))
        chart = _plan_chart(result, lang)
        return render(request, "plan.html", form=merged, result=result, chart=chart, messages=[])


async def _upload(upload: Any, error: type[Exception]) -> dict | None:
    """An uploaded assignment file (YAML or JSON; it may hold alternatives) as a mapping; None
    when no file was chosen."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    raw = parse_mapping((await upload.read()).decode("utf-8", errors="replace"), upload.filename, error)
    if not isinstance(raw, dict):
        raise error(f"{upload.filename}: expected a mapping (an assignment)")
    return raw


def _names(text: str | None) -> list[str]:
    """A form's list of names, separated by commas or semicolons."""
    return [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]


# --- form → engine input (shape only) -----------------------------------------------------------

# The calculators open on example figures kept with the other shipped examples (inputs, not law).
FORM_DEFAULTS = yaml.safe_load((EXAMPLES / "web_form_defaults.yaml").read_text(encoding="utf-8"))

TAX_DEFAULTS = FORM_DEFAULTS["tax"]


def _blank(v: str | None) -> bool:
    return v is None or not str(v).strip()


def _tax_scenario(form: dict) -> dict:
    every: dict[str, Any] = {}
    for field, key in (("wages", "wages"), ("contributions", "employee_contributions"), ("sad", "special_additional_deductions")):
        if not _blank(form.get(field)):
            every[key] = form[field].strip()
    if not _blank(form.get("housing")):
        every["allowances"] = {"housing": form["housing"].strip()}
    months = {}
    if not _blank(form.get("bonus")):
        months[str(form.get("bonus_month") or "12").strip()] = {"bonus": form["bonus"].strip()}
    foreigner = bool(form.get("foreigner"))
    return {
        "name": "calculator",
        "year": (form.get("year") or "").strip(),
        "person": {"resident": bool(form.get("resident")), "foreigner": foreigner,
                   "allowance_exemption": foreigner and not _blank(form.get("housing")),
                   "bonus_method": form.get("bonus_method") or "separate"},
        "employment": {"from": (form.get("from_month") or "1").strip(), "to": (form.get("to_month") or "12").strip()},
        "every_month": every,
        "months": months,
    }


GROSSUP_DEFAULTS = FORM_DEFAULTS["grossup"]


def _grossup_request(form: dict) -> dict:
    out: dict[str, Any] = {"net": form.get("net", "").strip() or None, "year": form.get("year", "").strip() or None,
                           "nonresident": bool(form.get("nonresident")), "foreigner": bool(form.get("foreigner")),
                           "first_month": form.get("first_month") or 1, "last_month": form.get("last_month") or 12,
                           "bonus_month": form.get("bonus_month") or 12}
    if not _blank(form.get("city")):
        out["city"] = form["city"].strip()
    for field, key in (("contributions", "contributions"), ("sad", "special_additional_deductions"), ("bonus_net", "bonus_net")):
        if not _blank(form.get(field)):
            out[key] = form[field].strip()
    if not _blank(form.get("housing")):
        out["allowances"] = {"housing": form["housing"].strip()}
    return out


PLAN_DEFAULTS = FORM_DEFAULTS["plan"]


def _plan_assignment(form: dict) -> dict:
    package: dict[str, Any] = {"currency": form.get("currency", "CNY").strip() or "CNY",
                               "salary_monthly": form.get("salary_monthly", "").strip()}
    if not _blank(form.get("housing")):
        package["allowances"] = {"housing": form["housing"].strip()}
    if not _blank(form.get("bonus")):
        package["bonus"] = {"amount": form["bonus"].strip(), "month": (form.get("bonus_month") or "12").strip()}
    raw: dict[str, Any] = {
        "title": form.get("title", "").strip() or None,
        "person": {"name": form.get("name", "").strip() or "employee", "nationality": form.get("nationality", "").strip()},
        "home_country": form.get("home_country", "").strip(), "host_country": form.get("host_country", "").strip(),
        "city": form.get("city", "").strip(), "start": form.get("start", "").strip(), "end": form.get("end", "").strip(),
        "package": package,
    }
    if not _blank(form.get("business_days_per_month")):
        raw["travel"] = {"business_days_per_month": form["business_days_per_month"].strip()}
    if not _blank(form.get("paid_abroad_share")):
        raw["split_payroll"] = {"paid_abroad_share": form["paid_abroad_share"].strip()}
    fx = {}
    for item in (form.get("fx") or "").replace(";", ",").split(","):
        code, sep, rate = item.partition("=")
        if sep:
            fx[code.strip().upper()] = rate.strip()
    if fx:
        raw["fx"] = fx
    projections = _names(form.get("projections"))
    if projections:
        raw["projections"] = projections
    return {k: v for k, v in raw.items() if v is not None}


def _group_trace(steps: list[TraceStep]) -> list[dict]:
    """Steps grouped by month (the year's steps last); each law entry shown where first used."""
    groups: dict[Any, list[dict]] = {}
    cited: set[str] = set()
    for step in steps:
        new_law = [ref for ref in step.law if ref not in cited]
        cited.update(new_law)
        groups.setdefault(step.month, []).append({**step.model_dump(), "new_law": new_law})
    order = sorted((k for k in groups if k is not None), key=lambda m: (0, int(m)) if str(m).isdigit() else (1, str(m)))
    return [{"month": k, "steps": groups[k]} for k in order] + ([{"month": None, "steps": groups[None]}] if None in groups else [])


def _plan_chart(result: dict, lang: str):
    rows = []
    for p in result.get("plans", []):
        for s in p.get("structures", []):
            cost = (s.get("totals") or {}).get("employer_cost_cny")
            try:
                value = None if cost in (None, "") else float(Decimal(str(cost)))
            except (InvalidOperation, ValueError):
                value = None
            rows.append((s.get("title") or s.get("structure"), value, s.get("structure") == p.get("cheapest_compliant")))
    return charts.bars(rows, " ¥") if rows else None
