"""The company's payroll pages: import files, the months (run with progress, close, verify) and
corrections of closed months."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from expatcn.api.auth import FIELD, store_of
from expatcn.dates import Month
from expatcn.errors import NotFound
from expatcn.io.requests import CorrectionItem
from expatcn.services import exports, law_status, payroll, people, trueup
from expatcn.services.keys import Principal
from expatcn.web.common import USER_ERRORS, language_of, messages_of, posting, render, user_of
from expatcn.web.i18n import translate
from expatcn.web.jobs import job_of, percent, start_run

router = APIRouter(include_in_schema=False)


@router.get("/import")
def import_page(request: Request) -> Response:
    user_of(request, "payroll")
    return render(request, "import.html", result=None, messages=[])


@router.post("/import")
async def import_files(request: Request, who: Principal = Depends(posting("payroll"))) -> Response:
    form = await request.form()
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) or hasattr(f, "read")]
    kind = form.get("kind") or None
    files = [(f.filename or "upload", await f.read()) for f in uploads if (f.filename or "")]
    try:
        result = payroll.import_bytes(store_of(request), files, kind if kind in ("roster", "pay", "trips", "deductions", "employer") else None)
    except USER_ERRORS as exc:
        return render(request, "import.html", status=422, result=None, messages=messages_of(exc))
    return render(request, "import.html", result=result, messages=[])


@router.post("/import/example")
def import_example(request: Request, who: Principal = Depends(posting("payroll"))) -> Response:
    try:
        result = payroll.import_example(store_of(request))
    except USER_ERRORS as exc:
        return render(request, "import.html", status=422, result=None, messages=messages_of(exc))
    return render(request, "import.html", result=result, messages=[])

# payroll months ----------------------------------------------------------------------------


@router.get("/month")
def months_page(request: Request) -> Response:
    user_of(request)
    engine = store_of(request)
    try:
        runs = payroll.list_runs(engine)
        pay_months = payroll.pay_months(engine)
    except USER_ERRORS as exc:
        return render(request, "months.html", runs=[], pay_months=[], messages=messages_of(exc))
    by_month = {r.month: r for r in runs}
    months = sorted(set(pay_months) | set(by_month))
    return render(request, "months.html", runs=runs, months=months, by_month=by_month, messages=[],
                  freshness=_freshness(engine))


def _freshness(engine):
    """The dashboard's view of the law: the tables the payroll reads (IIT, calendar, the company's
    city; not other cities' nor host countries') that end soon, and the company city's figures
    carried forward, employer-supplied, of low confidence or not published (none without a company)."""
    status = law_status.law_status(store=engine)
    try:
        city = people.company(engine).city
    except USER_ERRORS:
        city = None
    ours = [t for t in status.ending if not t.table.startswith(("social/", "host_tax/")) or t.table == f"social/{city}"]
    return {"ending": ours, "horizon": status.horizon_days, "day": status.day,
            "city": next((c for c in status.cities if c.city == city), None)}


@router.get("/month/{month}")
def month_page(request: Request, month: str) -> Response:
    who = user_of(request)
    engine = store_of(request)
    lang = language_of(request)
    try:
        year, m = Month.parse(month)
    except ValueError as exc:
        return render(request, "error.html", status=422, title=translate(lang, "error"), messages=[str(exc)])
    detail = None
    try:
        detail = payroll.run_detail(engine, year, m)
    except NotFound:
        detail = None
    except USER_ERRORS as exc:
        return render(request, "error.html", status=409, title=translate(lang, "error"), messages=messages_of(exc))
    job = job_of(engine, month)
    carried = detail is not None and any(r.employee_carried or r.employer_carried for r in detail.results)
    notes = sorted({(scheme, text["zh" if lang == "zh" else "en"]) for r in (detail.results if detail else [])
                    for scheme, text in r.figure_notes.items()})
    true_up = None
    if carried and detail.status == "closed":
        try:
            true_up = trueup.trueup(engine, people.company(engine).city, month)
        except USER_ERRORS:
            true_up = None
    return render(request, "month.html", month=month, detail=detail, job=job if job and job["state"] != "done" else None,
                  due=payroll.due_date(year, m), who=who, percent=percent(job) if job else 0,
                  kinds=exports.KINDS, messages=[], carried=carried, notes=notes, true_up=true_up)


@router.post("/month/{month}/run")
def month_run(request: Request, month: str, who: Principal = Depends(posting("payroll"))) -> Response:
    Month.parse(month)
    job = start_run(store_of(request), month)
    if request.headers.get("HX-Request"):
        return render(request, "_progress.html", month=month, job=job, percent=percent(job))
    return RedirectResponse(f"/month/{month}", status_code=303)


@router.get("/month/{month}/progress")
def month_progress(request: Request, month: str) -> Response:
    user_of(request)
    job = job_of(store_of(request), month)
    if job is None or job["state"] == "done":
        return Response(status_code=200, headers={"HX-Redirect": f"/month/{month}"})
    return render(request, "_progress.html", month=month, job=job, percent=percent(job))


@router.post("/month/{month}/close")
def month_close(request: Request, month: str, who: Principal = Depends(posting("admin"))) -> Response:
    lang = language_of(request)
    try:
        year, m = Month.parse(month)
        payroll.close(store_of(request), year, m)
    except USER_ERRORS as exc:
        if request.headers.get("HX-Request"):
            return render(request, "_messages.html", messages=messages_of(exc))
        return render(request, "error.html", status=409, title=translate(lang, "error"), messages=messages_of(exc))
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": f"/month/{month}"})
    return RedirectResponse(f"/month/{month}", status_code=303)


@router.get("/month/{month}/verify")
def month_verify(request: Request, month: str) -> Response:
    who = user_of(request)
    engine = store_of(request)
    lang = language_of(request)
    try:
        year, m = Month.parse(month)
        result = payroll.verify(engine, year, m)
    except USER_ERRORS as exc:
        return render(request, "error.html", status=409 if not isinstance(exc, ValueError) else 422,
                      title=translate(lang, "error"), messages=messages_of(exc))
    return render(request, "verify.html", month=month, v=result, who=who, messages=[])

# corrections of closed months ----------------------------------------------------------------


def _correction_page(request: Request, who: Principal, form: dict, status: int = 200, lines=None,
                     messages=None) -> Response:
    engine = store_of(request)
    try:
        closed = [r.month for r in payroll.list_runs(engine) if r.status == "closed"]
        staff = people.employees(engine)
    except USER_ERRORS as exc:
        closed, staff, messages = [], [], [*(messages or []), *messages_of(exc)]
    form = {"month": closed[-1] if closed else "", "employee": "", "kind": "salary", "amount": "", **form}
    return render(request, "correct.html", status=status, closed=closed, people=staff, kinds=payroll.pay_kinds(),
                  form=form, lines=lines, who=who, messages=messages or [])


@router.get("/corrections")
def corrections_page(request: Request, month: str = "", employee: str = "") -> Response:
    who = user_of(request, "payroll")
    form = {k: v for k, v in (("month", month[:7]), ("employee", employee[:40])) if v}
    return _correction_page(request, who, form)


@router.post("/corrections")
async def corrections_post(request: Request, who: Principal = Depends(posting("payroll"))) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != FIELD}
    form = {k: form.get(k, "").strip() for k in ("month", "employee", "kind", "amount")}
    try:
        year, m = Month.parse(form["month"])
        item = CorrectionItem.model_validate({"employee": form["employee"], "kind": form["kind"],
                                              "amount": form["amount"] or None})
        lines = payroll.correct(store_of(request), year, m, items=[(item.employee, item.kind, item.amount)])
    except USER_ERRORS as exc:
        return _correction_page(request, who, form, status=422, messages=messages_of(exc))
    return _correction_page(request, who, form, lines=lines)
