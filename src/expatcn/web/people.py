"""The roster and one employee: record, trips, pay items, and the residency timeline of a year."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from expatcn.api.auth import store_of
from expatcn.errors import NotFound
from expatcn.services import people
from expatcn.web import charts
from expatcn.web.common import USER_ERRORS, language_of, messages_of, render, user_of
from expatcn.web.i18n import translate

router = APIRouter(include_in_schema=False)


@router.get("/employees")
def employees_page(request: Request) -> Response:
    user_of(request)
    try:
        rows = people.employees(store_of(request))
    except USER_ERRORS as exc:
        return render(request, "employees.html", rows=[], messages=messages_of(exc))
    return render(request, "employees.html", rows=rows, messages=[])


@router.get("/employees/{code}")
def employee_page(request: Request, code: str, year: int | None = None) -> Response:
    who = user_of(request)
    engine = store_of(request)
    lang = language_of(request)
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
    except USER_ERRORS as exc:
        messages = messages_of(exc)
    chart = None
    if timeline and timeline.person:
        t = lambda k: translate(lang, k)  # noqa: E731
        chart = charts.residency_timeline(timeline.person, timeline.lines, lang, {
            "title": t("residency_timeline"),
            "ninety": f'{t("ninety_line")} ({timeline.lines.ninety_days})',
            "resident": f'{t("resident_line")} ({timeline.lines.resident_days})'})
    return render(request, "employee.html", person=person, trips=trips, pay=[p for p in pay if p.month.startswith(str(year))],
                  year=year, years=years, timeline=timeline, chart=chart, messages=messages, who=who)
