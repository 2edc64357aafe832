"""The assignment planner's page: a form or an uploaded assignment file (with alternatives), what-if
law overlays (shipped names or an uploaded overlay) → :func:`expatcn.services.plan.plan_data`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from expatcn.errors import InputError
from expatcn.io.files import parse_mapping
from expatcn.law import Overlay
from expatcn.services.keys import Principal
from expatcn.services.plan import plan_data
from expatcn.web import charts
from expatcn.web.i18n import translate
from expatcn.web.common import FORM_DEFAULTS, USER_ERRORS, blank, language_of, messages_of, posting, render, user_of

router = APIRouter(include_in_schema=False)


@router.get("/plan")
def plan_page(request: Request) -> Response:
    user_of(request)
    return render(request, "plan.html", form=PLAN_DEFAULTS, result=None, messages=[])


@router.post("/plan")
async def plan_compute(request: Request, who: Principal = Depends(posting())) -> Response:
    form_data = await request.form()
    form = {k: v for k, v in form_data.items() if isinstance(v, str)}
    merged = {**PLAN_DEFAULTS, **form}
    lang = language_of(request)
    try:
        raw = await _upload(form_data.get("file"), InputError)
        overlays: list = _names(merged.get("law_overlays"))
        overlay_file = form_data.get("law_overlay_file")
        if overlay_file is not None and getattr(overlay_file, "filename", ""):
            text = (await overlay_file.read()).decode("utf-8", errors="replace")
            overlays.append(Overlay(Path(overlay_file.filename).stem, text))
        result = plan_data(raw if raw is not None else _plan_assignment(merged),
                           law_overlays=overlays).model_dump(mode="json")
    except USER_ERRORS as exc:
        return render(request, "plan.html", status=422, form=merged, result=None, messages=messages_of(exc))
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


# --- form → assignment (shape only) ---------------------------------------------------------------


PLAN_DEFAULTS = FORM_DEFAULTS["plan"]


def _plan_assignment(form: dict) -> dict:
    package: dict[str, Any] = {"currency": form.get("currency", "CNY").strip() or "CNY",
                               "salary_monthly": form.get("salary_monthly", "").strip()}
    if not blank(form.get("housing")):
        package["allowances"] = {"housing": form["housing"].strip()}
    if not blank(form.get("bonus")):
        package["bonus"] = {"amount": form["bonus"].strip(), "month": (form.get("bonus_month") or "12").strip()}
    raw: dict[str, Any] = {
        "title": form.get("title", "").strip() or None,
        "person": {"name": form.get("name", "").strip() or "employee", "nationality": form.get("nationality", "").strip()},
        "home_country": form.get("home_country", "").strip(), "host_country": form.get("host_country", "").strip(),
        "city": form.get("city", "").strip(), "start": form.get("start", "").strip(), "end": form.get("end", "").strip(),
        "package": package,
    }
    if not blank(form.get("business_days_per_month")):
        raw["travel"] = {"business_days_per_month": form["business_days_per_month"].strip()}
    if not blank(form.get("paid_abroad_share")):
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


def _plan_chart(result: dict, lang: str):
    """Employer cost by structure; the cheapest compliant highlighted, the non-compliant marked."""
    rows, marks = [], []
    for p in result.get("plans", []):
        for s in p.get("structures", []):
            cost = (s.get("totals") or {}).get("employer_cost_cny")
            try:
                value = None if cost in (None, "") else float(Decimal(str(cost)))
            except (InvalidOperation, ValueError):
                value = None
            best = s.get("structure") == p.get("cheapest_compliant")
            rows.append((s.get("title") or s.get("structure"), value, best))
            marks.append(translate(lang, "cheapest") if best else translate(lang, "not_compliant")
                         if not s.get("compliant", True) else "")
    return charts.bars(rows, " ¥", marks) if rows else None
