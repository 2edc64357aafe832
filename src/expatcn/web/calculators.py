"""The tax and gross-up calculators: a form → the scenario or request of the use case
(:mod:`expatcn.services.tax`, :mod:`expatcn.services.grossup`) → its answer and trace."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from expatcn.io.requests import GrossUpRequest
from expatcn.io.scenario import Scenario
from expatcn.services import grossup as grossup_service
from expatcn.services import social as social_service
from expatcn.services import tax as tax_service
from expatcn.services.keys import Principal
from expatcn.services.tax import TraceStep
from expatcn.web.common import FORM_DEFAULTS, USER_ERRORS, blank, messages_of, posting, render, user_of

router = APIRouter(include_in_schema=False)


@router.get("/calc/tax")
def tax_page(request: Request) -> Response:
    user_of(request)
    return render(request, "tax.html", form=TAX_DEFAULTS, result=None, messages=[])


@router.post("/calc/tax")
async def tax_compute(request: Request, who: Principal = Depends(posting())) -> Response:
    form = dict((await request.form()).items())
    form = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        result = tax_service.tax_year(Scenario.model_validate(_tax_scenario(form)), explain=True)
    except USER_ERRORS as exc:
        return render(request, "tax.html", status=422, form={**TAX_DEFAULTS, **form}, result=None, messages=messages_of(exc))
    return render(request, "tax.html", form={**TAX_DEFAULTS, **form}, result=result, messages=[],
                  trace=_group_trace(result.trace or []))


@router.get("/calc/grossup")
def grossup_page(request: Request) -> Response:
    user_of(request)
    return render(request, "grossup.html", form=GROSSUP_DEFAULTS, result=None, messages=[], cities=social_service.cities())


@router.post("/calc/grossup")
async def grossup_compute(request: Request, who: Principal = Depends(posting())) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    merged = {**GROSSUP_DEFAULTS, **form}
    try:
        body = GrossUpRequest.model_validate(_grossup_request(merged))
        result = grossup_service.gross_up(**body.arguments(), explain=True)
    except USER_ERRORS as exc:
        return render(request, "grossup.html", status=422, form=merged, result=None, messages=messages_of(exc),
                      cities=social_service.cities())
    return render(request, "grossup.html", form=merged, result=result, messages=[], cities=social_service.cities(),
                  trace=_group_trace(result.trace or []))


# --- form → use case input (shape only) ---------------------------------------------------------


TAX_DEFAULTS = FORM_DEFAULTS["tax"]


def _tax_scenario(form: dict) -> dict:
    every: dict[str, Any] = {}
    for field, key in (("wages", "wages"), ("contributions", "employee_contributions"), ("sad", "special_additional_deductions")):
        if not blank(form.get(field)):
            every[key] = form[field].strip()
    if not blank(form.get("housing")):
        every["allowances"] = {"housing": form["housing"].strip()}
    months = {}
    if not blank(form.get("bonus")):
        months[str(form.get("bonus_month") or "12").strip()] = {"bonus": form["bonus"].strip()}
    foreigner = bool(form.get("foreigner"))
    return {
        "name": "calculator",
        "year": (form.get("year") or "").strip(),
        "person": {"resident": bool(form.get("resident")), "foreigner": foreigner,
                   "allowance_exemption": foreigner and not blank(form.get("housing")),
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
    if not blank(form.get("city")):
        out["city"] = form["city"].strip()
    for field, key in (("contributions", "contributions"), ("sad", "special_additional_deductions"), ("bonus_net", "bonus_net")):
        if not blank(form.get(field)):
            out[key] = form[field].strip()
    if not blank(form.get("housing")):
        out["allowances"] = {"housing": form["housing"].strip()}
    return out


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
