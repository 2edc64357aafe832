"""Residency from travel records (``expatcn residency``, ``POST /api/residency``, an employee's
timeline in the store): days in China month by month, the 183-day status, the sourcing situation,
treaty relief, the six-year clock, forecasts and alerts (MOF/STA 2019 No. 34 and No. 35)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from expatcn.errors import InputError
from expatcn.io.trips import TripRecord, build_trips
from expatcn.io.trips import read_trip_records as read_trip_records  # the file the use case reads
from expatcn.law import Law, load_law
from expatcn.residency import NOT_REACHED, SITUATION_NAMES, Assessment, assess_year, to_date


class ResidencyMonth(BaseModel):
    month: int
    residence_days: int
    cumulative_residence_days: int
    presence_days: int
    china_work_days: float
    overseas_work_days: float
    calendar_days: int


class Treaty(BaseModel):
    partner: str
    counting_period: str
    days_in_period: int
    relief: bool
    confidence: str


class ResidencyPerson(BaseModel):
    person: str
    year: int
    months: list[ResidencyMonth]
    residence_days: int
    ninety_day_rule_days: int
    resident: bool
    situation: str
    treaty: Treaty | None
    six_year_clock: int
    year_qualifies_for_clock: bool
    worldwide_income_taxable: bool
    first_worldwide_year: int
    longest_absence_days: int
    reaches_ninety_days_on: dt.date | None
    becomes_resident_on: dt.date | None
    alerts: list[str]


class Lines(BaseModel):
    """The thresholds the law tables give for the year (for charts)."""

    ninety_days: int
    resident_days: int
    clock_years: int


class ResidencyYear(BaseModel):
    year: int
    persons: list[ResidencyPerson]
    law: list[str]
    lines: Lines = Field(description="the 90-day and 183-day lines and the years of the six-year clock")

    @classmethod
    def of(cls, persons: list[str], a: Assessment) -> ResidencyYear:
        return cls(year=a.year, persons=[_person(i, name, a) for i, name in enumerate(persons)],
                   law=[ref.describe() for ref in a.rules.refs],
                   lines=Lines(ninety_days=int(a.rules.ninety_day_rule.max_days),
                               resident_days=int(a.rules.residence_days.resident_min_days),
                               clock_years=int(a.rules.six_year_rule.years)))


class EmployeeResidency(BaseModel):
    """An employee's year from the trips in the store (none recorded: ``person`` is none and
    ``note`` says why)."""

    year: int
    person: ResidencyPerson | None
    lines: Lines | None
    law: list[str]
    trips: int = Field(description="trips recorded up to the year")
    note: str | None


def _person(i: int, name: str, a: Assessment) -> ResidencyPerson:
    res = a.residence_days[i]
    months = [ResidencyMonth(
        month=m + 1, residence_days=int(res[m]), cumulative_residence_days=int(res[: m + 1].sum()),
        presence_days=int(a.days.presence[i, m]), china_work_days=float(a.work_halves[i, m]) / 2,
        overseas_work_days=float(2 * a.days.calendar_days[m] - a.work_halves[i, m]) / 2,
        calendar_days=int(a.days.calendar_days[m])) for m in range(12)]
    partner = a.treaty_partners[i]
    reach = [None if d == NOT_REACHED else to_date(d) for d in a.reach[i]]
    return ResidencyPerson(
        person=name, year=a.year, months=months, residence_days=int(a.status.days[i]),
        ninety_day_rule_days=int(a.status.ninety_day_days[i]), resident=bool(a.status.resident[i]),
        situation=SITUATION_NAMES[a.status.situation[i]],
        treaty=None if partner is None else Treaty(
            partner=partner.name, counting_period=partner.counting_period, days_in_period=int(a.treaty_days[i]),
            relief=bool(a.status.treaty_relief[i]), confidence=partner.confidence),
        six_year_clock=int(a.status.clock[i]), year_qualifies_for_clock=bool(a.qualifies[i]),
        worldwide_income_taxable=bool(a.status.worldwide[i]), first_worldwide_year=int(a.first_worldwide_year[i]),
        longest_absence_days=int(a.days.absences.longest[i]), reaches_ninety_days_on=reach[0],
        becomes_resident_on=reach[1], alerts=_alerts(i, a, reach))


def _alerts(i: int, a: Assessment, reach: list[dt.date | None]) -> list[str]:
    """What the person should know: the 90-day and 183-day thresholds reached or still free, and
    the six-year clock's reset (the numbers from the law tables)."""
    alerts = []
    if reach[0]:
        alerts.append(f"reaches {a.rules.ninety_day_rule.max_days} days of residence on {reach[0]}")
    if reach[1]:
        alerts.append(f"becomes resident on {reach[1]} (day {a.rules.residence_days.resident_min_days} of residence)")
    elif a.rules.residence_days.resident_test == "days":
        alerts.append(f"can spend {int(a.days_left_nonresident[i])} more days of residence in China this year "
                      "and stay non-resident")
    if a.status.resident[i] and a.reset_absence_days:
        alerts.append(
            f"six-year clock: worldwide income taxable from {int(a.first_worldwide_year[i])} if every year qualifies; "
            f"a single absence of {a.reset_absence_days} full days abroad (leave by {a.reset_latest_departure}) "
            "resets it"
        )
    return alerts


def residency_year(trips: list[TripRecord], year: int, *, planned: list[TripRecord] | None = None,
                   history_from: int | None = None, prior_years: int = 0, treaty: str | None = None,
                   domiciled: bool | None = None, source: str = "trips", planned_source: str = "planned",
                   law: Law | None = None) -> ResidencyYear:
    """The year of every person in ``trips`` (and the ``planned`` trips for the rest of it);
    ``history_from``: the first year of the records, for the clock; ``treaty``: a partner code
    for all persons. Errors name ``source`` (or ``planned_source``), the row and the field."""
    first = history_from or year
    book = build_trips(trips, year, first_year=first, planned=planned, source=source, planned_source=planned_source)
    if not book.persons:
        raise InputError(f"{source}: no trips: give at least one {{entry, exit}}")
    n = len(book.persons)
    a = assess_year(book.trips, year, law=law or load_law(), history_from=first, prior_years=prior_years,
                    treaty=[treaty.upper()] * n if treaty else None,
                    domiciled=None if domiciled is None else [domiciled] * n)
    return ResidencyYear.of(book.persons, a)
