"""A person-year from travel records (``person.trips`` in a scenario): the status and sourcing
situation from the trips, and total wages, bonuses and equity become China-taxable by the
apportionment formulas of MOF/STA 2019 No. 35 (all rules in :mod:`expatcn.residency`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from expatcn.errors import InputError
from expatcn.io.trips import TripFileError, build_trips, read_trip_records, trip_records
from expatcn.law import Law
from expatcn.law.tables import TREATY_183
from expatcn.money import yuan_str
from expatcn.residency import FORMULAS, LumpSum, TripError, Trips, china_taxable_pay
from expatcn.residency.apportionment import formula_choice

if TYPE_CHECKING:
    from expatcn.io.scenario import MonthItems, Scenario

LUMP_SUMS = ("bonus", "equity")  # amounts that may relate to a period other than their month


@dataclass
class TripsResidency:
    """How the residency engine made a person-year from travel records (a batch of one):
    the assessment, each month's total, abroad-paid and China-taxable wages (fen), and the lump
    sums (bonus, equity) with the period and work days they were apportioned over (the answer
    shows it as :class:`expatcn.services.tax.ScenarioResidency`)."""

    source: str
    assessment: object  # expatcn.residency.Assessment
    executive: bool
    treaty_claim: bool
    wages: np.ndarray
    paid_abroad: np.ndarray
    china_wages: np.ndarray
    lump_sums: list[dict]
    formula: str
    executive_article: str = ""  # an executive within a treaty's 183 days: directors_fee, employment or unverified


def from_trips(scenario: Scenario, months: list[MonthItems], columns: dict, abroad: dict, law: Law,
               error: type[InputError]) -> TripsResidency:
    """Status from the trips; China-taxable wages, bonuses and equity from the apportionment
    formulas (all rules in ``expatcn.residency``); ``columns`` is updated in place."""
    person, year = scenario.person, scenario.year
    periods = {}
    for index, items in enumerate(months):
        for kind in LUMP_SUMS:
            period = getattr(items, f"{kind}_period")
            if period is None:
                continue
            field = f"months.{index + 1}.{kind}_period"
            if not columns[kind][0, index]:
                raise error(f"{field}: month {index + 1} has no {kind}")
            if period.end > dt.date(year, 12, 31):
                raise error(f"{field}: ends {period.end}, after the tax year {year}")
            periods[kind, index] = period
    # trips of earlier years are accepted where they count: the clock's history, a lump sum's
    # period, and a treaty's 12-month windows (which may start in the previous year)
    first = min([year, person.history_from or year, year - 1 if person.treaty else year]
                + [p.start.year for p in periods.values()])
    try:
        if isinstance(person.trips, str):
            path = Path(person.trips)
            if not path.is_absolute() and scenario._source is not None:
                path = scenario._source.parent / path
            source = str(path)
            records = read_trip_records(path)  # a regular file only, within the size limit (io.files)
        else:
            source = "person.trips"
            records = trip_records(person.trips, source)
        ids = list(dict.fromkeys(r.person for r in records))
        if person.trips_person is not None:
            records = [r for r in records if r.person == person.trips_person]
            if not records:
                raise error(f"person.trips_person: no trips of {person.trips_person!r} in {source} (persons: {', '.join(ids) or 'none'})")
        elif len(ids) > 1:
            raise error(f"person.trips: {source} holds the trips of {len(ids)} persons ({', '.join(ids[:6])}); choose one with person.trips_person")
        book = build_trips(records, year, first_year=first, source=source)
    except TripFileError as exc:
        message = str(exc)
        raise error(message if message.startswith("person.trips") else f"person.trips: {message}") from None
    trips = book.trips if book.trips.n_persons else Trips.from_dates([], [], [], n_persons=1)
    code = None
    if person.treaty:
        code = person.treaty.upper()
        table = law.value(TREATY_183, dt.date(year, 1, 1))
        known = sorted({p.code for p in table.partners})
        if code not in known:
            raise error(f"person.treaty: no treaty or arrangement {code!r} in the law tables (known: {', '.join(known)})")
    executive, claim = [person.executive], [person.treaty_claim]
    wages = columns["wages"]
    sums = {}
    for kind in LUMP_SUMS:
        start = np.full((1, 12), np.datetime64("NaT"), dtype="datetime64[D]")
        end = start.copy()
        for (which, index), period in periods.items():
            if which == kind:
                start[0, index], end[0, index] = period.start, period.end
        sums[kind] = LumpSum(columns[kind], columns[kind] - abroad[kind], start, end)
    try:
        pay = china_taxable_pay(
            trips, year, wages, wages - abroad["wages"], sums, law=law, domiciled=[person.domiciled],
            overseas_post=[person.overseas_post], treaty=None if code is None else [code],
            history_from=person.history_from, prior_years=person.prior_years, executive=executive, treaty_claim=claim,
        )
    except TripError as exc:
        raise error(f"person.trips: {exc}") from None
    a, china_wages = pay.assessment, pay.wages
    lump_sums = []
    for kind, apportioned in pay.lump_sums.items():
        amount = columns[kind]
        china, halves, days = apportioned.china, apportioned.work_halves, apportioned.calendar_days
        for index in np.flatnonzero(amount[0]):
            period = periods.get((kind, index))
            lump_sums.append({
                "month": int(index + 1), "kind": kind, "amount": yuan_str(amount[0, index]),
                "paid_abroad": yuan_str(abroad[kind][0, index]),
                "period": None if period is None else {"from": period.start.isoformat(), "to": period.end.isoformat()},
                "china_work_days": float(halves[0, index]) / 2, "calendar_days": int(days[0, index]),
                "china_taxable": yuan_str(china[0, index]),
            })
        columns[kind] = china
    columns["wages"] = china_wages
    article = str(pay.executive_article[0])
    as_executive = [person.executive and article != "employment"]
    formula = FORMULAS[int(formula_choice(a.rules, a.status.situation, as_executive, claim)[0])]
    return TripsResidency(source, a, person.executive, person.treaty_claim, wages[0], abroad["wages"][0],
                          china_wages[0], lump_sums, formula, article)
