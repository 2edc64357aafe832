"""A year of trips assessed: days in China, status and sourcing situation, the worldwide clock and
forecasts (:func:`assess_year`), the China-taxable wages of each month (:func:`monthly_china_wages`)
and the China work days of any period (:func:`period_work_halves`). IIT Law art. 1; Implementing
Regulations art. 2–5; MOF/STA Announcement 2019 No. 34 (days) and No. 35 (sourcing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from expatcn.law import Law
from expatcn.residency.apportionment import apportion_wages
from expatcn.residency.days import YearDays, count_days, leave_days, month_edges, year_days
from expatcn.residency.forecast import NOT_REACHED, days_left, latest_reset_departure, threshold_days
from expatcn.residency.rules import YearRules, year_rules
from expatcn.residency.six_year_clock import first_worldwide_year, six_year_clock
from expatcn.residency.status import YearStatus, qualifies_for_clock, residence_days, year_status
from expatcn.residency.treaty import treaty_period_days
from expatcn.residency.trips import Trips, check_trips, day_number


@dataclass(frozen=True)
class Assessment:
    """Everything the law makes of a year of trips, per person (rows) and month (columns).

    ``residence_days`` / ``work_halves`` (P, 12); ``status`` (see ``status.YearStatus``);
    ``treaty_days`` (P,) days within the treaty period or ``NO_TREATY``; ``qualifies`` (P,)
    whether this year counts towards the worldwide clock; ``first_worldwide_year`` (P,) if every
    year from now on qualifies; ``reach`` (P, 2) day numbers of the 90th and 183rd day of
    residence (``NOT_REACHED``); ``days_left_nonresident`` / ``days_left_ninety`` (P,).
    """

    year: int
    rules: YearRules
    days: YearDays
    status: YearStatus
    residence_days: np.ndarray
    work_halves: np.ndarray
    treaty_days: np.ndarray
    treaty_partners: list
    qualifies: np.ndarray
    first_worldwide_year: np.ndarray
    reach: np.ndarray
    days_left_nonresident: np.ndarray
    days_left_ninety: np.ndarray
    reset_absence_days: int | None
    reset_latest_departure: dt.date | None


def assess_year(
    trips: Trips,
    year: int,
    *,
    law: Law,
    domiciled: object = None,
    overseas_post: object = True,
    treaty: object = None,
    history_from: int | None = None,
    prior_years: np.ndarray | int = 0,
    forecast: bool = True,
) -> Assessment:
    """Assess ``year`` for every person of ``trips`` (actual and planned trips together).

    ``domiciled``: bool per person; ``overseas_post``: holds a post abroad too (half-day rule);
    ``treaty``: treaty partner code per person ('' = none); ``history_from``: first year of the
    trips to use for the worldwide clock (default: this year only); ``prior_years``: consecutive
    qualifying years known to end just before ``history_from``.
    """
    trips = check_trips(trips)
    rules = year_rules(year, law)
    days = year_days(trips, year)
    start = year if history_from is None else min(history_from, year)
    clock_rule = rules.six_year_rule
    history = [(year_days(trips, y), year_rules(y, law)) for y in range(start, year)]
    shape = (trips.n_persons, 0)
    qualifying = np.stack([qualifies_for_clock(d, r) for d, r in history], axis=1) if history else np.zeros(shape, bool)
    history_days = np.stack([residence_days(d, r) for d, r in history], axis=1) if history else np.zeros(shape, np.int64)
    clock = six_year_clock(qualifying, start, year, clock_rule.count_from_year, prior_years,
                           years_required=clock_rule.years, restart_below_days=clock_rule.restart_below_days,
                           residence_days=history_days)
    t_days, partners = treaty_period_days(trips, days, rules, treaty)
    status = year_status(days, rules, domiciled=domiciled, clock=clock, treaty_days=t_days)
    qualifies = qualifies_for_clock(days, rules)
    first_ww = first_worldwide_year(year, clock, qualifies, status.resident, clock_rule.years)
    res_rule = rules.residence_days
    residence = days.residence(res_rule.day_count)
    ninety = rules.ninety_day_rule
    if forecast and res_rule.resident_test == "days":
        reach = threshold_days(trips, year, res_rule.day_count, [ninety.max_days, res_rule.resident_min_days])
        left_nonres = days_left(status.days, res_rule.resident_min_days - 1)
    else:
        reach = np.full((trips.n_persons, 2), NOT_REACHED, dtype=np.int64)
        left_nonres = np.zeros(trips.n_persons, dtype=np.int64)
    limit = clock_rule.max_single_absence_days
    return Assessment(
        year=year,
        rules=rules,
        days=days,
        status=status,
        residence_days=residence,
        work_halves=days.work_halves(rules.work_days.partial_day_halves, overseas_post)
        + 2 * leave_days(trips, month_edges(year)),
        treaty_days=t_days,
        treaty_partners=partners,
        qualifies=qualifies,
        first_worldwide_year=first_ww,
        reach=reach,
        days_left_nonresident=left_nonres,
        days_left_ninety=days_left(status.ninety_day_days, ninety.max_days),
        reset_absence_days=None if limit is None else limit + 1,
        reset_latest_departure=None if limit is None else latest_reset_departure(year, limit),
    )


def monthly_china_wages(
    assessment: Assessment,
    total_fen: np.ndarray,
    china_paid_fen: np.ndarray,
    *,
    executive: object = False,
    treaty_claim: object = False,
) -> np.ndarray:
    """China-taxable wages (fen) per person and month: ``total_fen`` and ``china_paid_fen`` are
    (P, 12) monthly wages of the month's work period (in and outside China; the China-paid part).
    The situation is the year's (MOF/STA 2019 No. 35 §2), work days those of each month."""
    p = assessment.work_halves.shape[0]
    situation = np.broadcast_to(assessment.status.situation[:, None], (p, 12))
    execs = np.broadcast_to(np.asarray(executive, dtype=bool).reshape(-1, 1) if np.ndim(executive) else executive, (p, 12))
    claim = np.broadcast_to(np.asarray(treaty_claim, dtype=bool).reshape(-1, 1) if np.ndim(treaty_claim) else treaty_claim, (p, 12))
    return apportion_wages(
        total_fen, china_paid_fen, assessment.work_halves, assessment.days.calendar_days[None, :],
        situation, assessment.rules, executive=execs, treaty_claim=claim,
    )


def period_work_halves(
    trips: Trips, start: dt.date, end: dt.date, *, law: Law, overseas_post: object = True
) -> tuple[np.ndarray, int]:
    """China work days (half days) per person from ``start`` to ``end`` inclusive, and the
    period's calendar days — for a bonus or equity income that relates to several months
    (MOF/STA 2019 No. 35 §1(2)). The half-day rule is the one in force at ``end``."""
    trips = check_trips(trips)
    edges = np.array([day_number(start), day_number(end) + 1])
    full, partial = count_days(trips, edges)
    full = full.astype(np.int64) + leave_days(trips, edges)
    rules = year_rules(end.year, law)
    weight = np.where(np.asarray(overseas_post, dtype=bool), rules.work_days.partial_day_halves, 2)
    return (2 * full[:, 0] + weight * partial[:, 0]).astype(np.int64), int(edges[1] - edges[0])
