"""Net → gross (``expatcn grossup``, ``POST /api/grossup``, the web gross-up calculator): the gross
that pays an agreed net, month by month and exact to the fen, under residents' cumulative
withholding or non-residents' monthly tax, with fixed contributions or a city's following the
gross; tax-free allowances; a net bonus; and the trace of the gross found. With a city, figures
not yet published are carried forward (the months that rest on one say so), the employer's own
figures are used where it gives them (``rates``), and ``strict`` refuses instead."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from expatcn.errors import InputError
from expatcn.gross_to_net import MonthResult, explain_month, gross_to_net
from expatcn.grossup import grossup_bonus, grossup_package
from expatcn.iit.allowances import check_kinds
from expatcn.iit.explain import explain_person
from expatcn.law import Law, load_law
from expatcn.money import yuan_str
from expatcn.services.tax import TraceStep
from expatcn.social.cities import city_key
from expatcn.social.figures import EmployerRates

Yuan = str
TOTALS = ("gross_wages", "allowances", "employee_contributions", "iit", "net")


class GrossUpMonth(BaseModel):
    month: int
    gross_wages: Yuan
    allowances: Yuan
    employee_contributions: Yuan
    iit: Yuan
    net: Yuan
    target: Yuan
    exact: bool = Field(description="the net paid is the target; else rounding to the fen makes it unreachable "
                                    "and the gross is the smallest paying at least it")
    carried: bool = Field(False, description="the contributions rest on a figure carried forward (to be trued up)")


class GrossUpTotals(BaseModel):
    gross_wages: Yuan
    allowances: Yuan
    employee_contributions: Yuan
    iit: Yuan
    net: Yuan


class BonusGrossUp(BaseModel):
    gross_bonus: Yuan
    net_paid: Yuan
    larger_bonus_same_net: Yuan | None = Field(description="a larger bonus paying the same net (a cliff), if any")


class GrossUp(BaseModel):
    year: int
    city: str | None
    months: list[GrossUpMonth]
    totals: GrossUpTotals
    bonus: BonusGrossUp | None
    alerts: list[str] = []
    trace: list[TraceStep] | None = Field(None, description="the gross found, through the engine it was solved against")
    figure_notes: list[dict[str, str]] = Field(
        [], description="{scheme, en, zh}: the city's figures carried forward, employer-supplied or of low confidence")


def gross_up(net: int, year: int, *, city: str | None = None, contributions: int = 0, nonresident: bool = False,
             foreigner: bool = False, allowances: dict[str, int] | None = None, special_additional_deductions: int = 0,
             first_month: int = 1, last_month: int = 12, bonus_net: int | None = None, bonus_month: int = 12,
             explain: bool = False, rates: EmployerRates | None = None, strict: bool = False,
             law: Law | None = None) -> GrossUp:
    """The same ``net`` (fen) every month from ``first_month`` to ``last_month``: fixed employee
    ``contributions``, or the ``city``'s contributions (key or name) following the gross;
    ``allowances`` by kind (fen a month) elect the exemption; ``bonus_net`` is grossed up on its
    own (the separate method). ``explain``: the trace of the gross found, with its law."""
    if not first_month <= last_month:
        raise InputError("last_month: is before first_month")
    if city and contributions:
        raise InputError("contributions: give either city (contributions follow the gross) or contributions, not both")
    law = law or load_law()
    allowances = allowances or {}
    check_kinds(law, allowances, "allowances")  # an InputError naming allowances.<kind>
    city = city_key(law, city) if city else None
    found = grossup_package(
        net, year, city=city, contributions=contributions,
        resident=not nonresident, foreigner=foreigner, allowances=sum(allowances.values(), 0),
        special_additional_deductions=special_additional_deductions, first_month=first_month,
        last_month=last_month, law=law, rates=rates, carry_forward=not strict,
    )
    bonus = None
    if bonus_net is not None:
        b = grossup_bonus(np.array([bonus_net]), year, bonus_month, resident=np.array([not nonresident]), law=law)
        bonus = BonusGrossUp(gross_bonus=yuan_str(b.gross_bonus[0]), net_paid=yuan_str(b.net_paid[0]),
                             larger_bonus_same_net=yuan_str(b.larger_same_net[0]) if b.larger_same_net[0] else None)
    employed = np.flatnonzero(found.employed)
    columns = {"gross_wages": found.gross_wages, "allowances": found.allowances,
               "employee_contributions": found.employee_contributions, "iit": found.iit, "net": found.net}
    month_result = found.result if isinstance(found.result, MonthResult) else None
    carried = (month_result.monthly["employee_carried"][0] | month_result.monthly["employer_carried"][0]
               if month_result is not None else np.zeros(12, dtype=bool))
    months = [GrossUpMonth(month=m + 1, target=yuan_str(found.target[m]), exact=bool(found.net[m] == found.target[m]),
                           carried=bool(carried[m]), **{k: yuan_str(v[m]) for k, v in columns.items()}) for m in employed]
    traced = gross_to_net(month_result.inputs, law) if month_result is not None and (explain or rates or carried.any()) \
        else None
    return GrossUp(
        year=year, city=city, months=months,
        totals=GrossUpTotals(**{k: yuan_str(int(columns[k][employed].sum())) for k in TOTALS}),
        bonus=bonus, alerts=found.alerts, figure_notes=_figure_notes(traced, employed),
        trace=_trace(found.result, traced, law) if explain else None)


def _figure_notes(result: MonthResult | None, employed: np.ndarray) -> list[dict[str, str]]:
    """The distinct figure labels of the months employed, by scheme, in English and Chinese."""
    notes: list[dict[str, str]] = []
    for m in (employed + 1).tolist() if result is not None else []:
        english, chinese = result.labels(m), result.labels(m, "zh")
        for key in english:
            if key.endswith("_sources") and english[key][0]:
                note = {"scheme": key[: -len("_sources")], "en": english[key][0], "zh": chinese[key][0]}
                if note not in notes:
                    notes.append(note)
    return notes


def _trace(result, traced: MonthResult | None, law: Law) -> list[TraceStep]:
    """The steps of the gross found: the full month (``traced``: computed again with the
    contributions kept for the trace) with a city, else the IIT year."""
    if traced is not None:
        return [TraceStep.of(step) for step in explain_month(traced, 0)]
    return [TraceStep.of(step) for step in explain_person(result, 0)]
