"""What the API routes and the web pages call: each function takes validated input, hands it to an
engine or the payroll layer, and returns JSON-ready data. No rule lives here — inputs are wired
to the engines the way the command line wires them, and the engines' own dict builders
(``year_as_dict``, the residency report, the social and month dicts) shape the answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.law import load_law
from expatcn.money import fen_to_decimal, yuan_str, yuan_to_fen
from expatcn.services import people
from expatcn.services.payroll import Store


class InputProblem(InputError):
    """Input the engines cannot use; ``loc`` is the field path (as in a 422 answer)."""

    def __init__(self, message: str, loc: tuple = ("body",)) -> None:
        super().__init__(message)
        self.loc = loc


# --- stateless calculations ---------------------------------------------------------------------


def tax_year(scenario, explain: bool = False) -> dict:
    """A person-year (``expatcn tax``): the scenario's inputs, the IIT engine, ``year_as_dict``."""
    from expatcn.cli.tax import year_as_dict
    from expatcn.iit.person_year import compute_year

    if isinstance(scenario.person.trips, str):
        raise InputProblem("give the trips inline as a list of {entry, exit}; a file name is not read over HTTP",
                           ("body", "person", "trips"))
    law = load_law()
    prepared = scenario.prepare(law)
    result = compute_year(prepared.inputs, law)
    data = year_as_dict(result, 0, explain)
    data["id"] = str(data["id"])
    data["residency"] = None if prepared.residency is None else prepared.residency.summary()
    return data


def residency_year(year: int, trips: list[dict], planned: list[dict] | None = None, history_from: int | None = None,
                   prior_years: int = 0, treaty: str | None = None) -> dict:
    """Days in China, status, clock and alerts (``expatcn residency``) for trips given inline."""
    from expatcn.cli.residency import _report
    from expatcn.io.trips import build_trips, trip_records
    from expatcn.residency import assess_year

    first = history_from or year
    records = trip_records(trips, "trips")
    plan = trip_records(planned, "planned") if planned else None
    book = build_trips(records, year, first_year=first, planned=plan, source="trips", planned_source="planned")
    if not book.persons:
        raise InputProblem("no trips: give at least one {entry, exit}", ("body", "trips"))
    a = assess_year(book.trips, year, law=load_law(), history_from=first, prior_years=prior_years,
                    treaty=[treaty.upper()] * len(book.persons) if treaty else None)
    report = _report(book.persons, a)
    report["lines"] = _lines(a)
    return report


def _lines(a) -> dict:
    """The thresholds the law tables give for the year (for charts): the 90-day and 183-day
    lines and the years of the six-year clock."""
    return {"ninety_days": int(a.rules.ninety_day_rule.max_days),
            "resident_days": int(a.rules.residence_days.resident_min_days),
            "clock_years": int(a.rules.six_year_rule.years)}


def cities() -> list[str]:
    """The cities the law tables have social insurance for (the forms' choices)."""
    from expatcn.social.contributions import cities as social_cities

    return social_cities(load_law())


def social_month(city: str, month: str, wage, nationality: str = "CN", certificate_from: dt.date | None = None,
                 certificate_until: dt.date | None = None, housing_fund: bool | None = None,
                 housing_fund_rate: str | None = None, work_injury_rate: str | None = None, local_hukou: bool = False,
                 opt_in: bool = False, partial: bool = False) -> dict:
    """One employee's contributions for a city and month (``expatcn social``)."""
    from expatcn.cli.social import as_dict
    from expatcn.money import rate_to_ppm
    from expatcn.social.contributions import DEFAULT_RATE
    from expatcn.social.participation import one_employee

    day = Month.parse(month).first
    nat = nationality.strip().upper()
    if certificate_from and not certificate_until:
        raise InputProblem("a certificate needs its end date", ("body", "certificate_until"))
    law = load_law()
    r, p = one_employee(
        law, city, day, yuan_to_fen(wage), nat, opt_in=opt_in, housing_fund=housing_fund,
        certificate_from=certificate_from, certificate_until=certificate_until, local_hukou=local_hukou,
        work_injury_rate=rate_to_ppm(work_injury_rate) if work_injury_rate else DEFAULT_RATE,
        housing_fund_rate=rate_to_ppm(housing_fund_rate) if housing_fund_rate else DEFAULT_RATE, partial=partial,
    )
    return as_dict(r, p, nat)


def full_month(scenario, explain: bool = False, partial: bool = False) -> dict:
    """Gross → contributions → IIT → net and employer cost for a year (``expatcn month``)."""
    from expatcn.cli.month import month_as_dict
    from expatcn.gross_to_net import gross_to_net

    if isinstance(scenario.person.trips, str):
        raise InputProblem("give the trips inline as a list of {entry, exit}; a file name is not read over HTTP",
                           ("body", "person", "trips"))
    law = load_law()
    result = gross_to_net(scenario.to_month_inputs(law), law, allow_partial=partial)
    return month_as_dict(result, scenario, law, explain)


def gross_up(net, year: int, city: str | None = None, contributions=0, nonresident: bool = False,
             foreigner: bool = False, allowances: dict[str, Any] | None = None, special_additional_deductions=0,
             first_month: int = 1, last_month: int = 12, bonus_net=None, bonus_month: int = 12) -> dict:
    """Net → gross (``expatcn grossup``): the engine's closed forms, month by month."""
    from expatcn.grossup import grossup_bonus, grossup_package
    from expatcn.iit.allowances import check_kinds

    if not first_month <= last_month:
        raise InputProblem("last_month is before first_month", ("body", "last_month"))
    if city and yuan_to_fen(contributions):
        raise InputProblem("give either city (contributions follow the gross) or contributions, not both",
                           ("body", "contributions"))
    law = load_law()
    check_kinds(law, allowances or {}, "allowances")  # an InputError naming allowances.<kind>
    allowance_fen = sum((yuan_to_fen(amount) for amount in (allowances or {}).values()), 0)
    found = grossup_package(
        yuan_to_fen(net), year, city=city, contributions=yuan_to_fen(contributions), resident=not nonresident,
        foreigner=foreigner, allowances=allowance_fen, special_additional_deductions=yuan_to_fen(special_additional_deductions),
        first_month=first_month, last_month=last_month, law=law,
    )
    bonus = None
    if bonus_net is not None:
        b = grossup_bonus(np.array([yuan_to_fen(bonus_net)]), year, bonus_month, resident=np.array([not nonresident]), law=law)
        bonus = {"gross_bonus": yuan_str(b.gross_bonus[0]), "net_paid": yuan_str(b.net_paid[0]),
                 "larger_bonus_same_net": yuan_str(b.larger_same_net[0]) if b.larger_same_net[0] else None}
    months = [{"month": m + 1, "gross_wages": yuan_str(found.gross_wages[m]), "allowances": yuan_str(found.allowances[m]),
               "employee_contributions": yuan_str(found.employee_contributions[m]), "iit": yuan_str(found.iit[m]),
               "net": yuan_str(found.net[m]), "target": yuan_str(found.target[m]), "exact": bool(found.net[m] == found.target[m])}
              for m in range(12) if found.employed[m]]
    totals = {k: str(sum((fen_to_decimal(yuan_to_fen(r[k])) for r in months), start=fen_to_decimal(0)))
              for k in ("gross_wages", "allowances", "employee_contributions", "iit", "net")}
    return {"year": year, "city": city or None, "months": months, "totals": totals, "bonus": bonus, "alerts": found.alerts}


# --- the company store --------------------------------------------------------------------------


def employee_residency(engine: Store, code: str, year: int) -> dict:
    """The employee's residency year from the stored trips (the residency engine, as a payroll
    run reads it): days per month, status, the clock, alerts, and the law's lines."""
    from expatcn.cli.residency import _report
    from expatcn.io.trips import build_trips, trip_record
    from expatcn.residency import assess_year

    emp = people.employee(engine, code)
    trips = [t for t in people.trips(engine, code) if t.entry.year <= year]
    first = min([year] + [t.entry.year for t in trips])
    records = [trip_record(i + 1, {"entry": t.entry, "exit": t.exit}, "stored trips") for i, t in enumerate(trips)]
    if not records:
        return {"year": year, "person": None, "lines": None, "law": [], "trips": 0,
                "note": "no trips recorded: residency follows the roster (resident flag or domicile)"}
    book = build_trips(records, year, first_year=first, source="stored trips")
    a = assess_year(book.trips, year, law=load_law(), history_from=first, domiciled=[bool(emp.domiciled)],
                    treaty=[emp.treaty_country] if emp.treaty_country else None)
    report = _report([code], a)
    return {"year": year, "person": report["persons"][0], "lines": _lines(a), "law": report["law"], "trips": len(records),
            "note": None}


def grossup_trace(result: dict, body) -> list[dict]:
    """The explanation of a gross-up: the gross found, run forward through the engine it was
    solved against (the IIT engine, or the full month with a city), with every step's law."""
    from expatcn.io.month_scenario import MonthScenario
    from expatcn.io.scenario import Scenario

    months: dict[str, dict] = {}
    for row in result["months"]:
        items: dict[str, Any] = {"wages": row["gross_wages"]}
        if body.allowances:
            items["allowances"] = {k: str(v) for k, v in body.allowances.items()}
        if not body.city:
            items["employee_contributions"] = str(body.contributions)
        if body.special_additional_deductions:
            items["special_additional_deductions"] = str(body.special_additional_deductions)
        months[str(row["month"])] = items
    raw = {"name": "gross-up", "year": body.year,
           "person": {"resident": not body.nonresident, "foreigner": body.foreigner or bool(body.allowances),
                      "allowance_exemption": bool(body.allowances)},
           "employment": {"from": body.first_month, "to": body.last_month}, "months": months}
    if body.city:
        nationality = "DE" if raw["person"]["foreigner"] else "CN"  # any foreign nationality: no agreement certificate given
        scenario = MonthScenario.model_validate({**raw, "city": body.city, "social": {"nationality": nationality}})
        return full_month(scenario, explain=True).get("trace", [])
    return tax_year(Scenario.model_validate(raw), explain=True).get("trace", [])
