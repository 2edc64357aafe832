"""Residence status and the sourcing situation of a tax year, per person.

Resident: domiciled, or (2019 on) at least 183 days of residence (IIT Law art. 1; MOF/STA 2019
No. 34), or (before 2019) in China the whole year save temporary departures. The sourcing
situation (MOF/STA 2019 No. 35 §2; before 2019 Guoshuifa [1994] No. 148 / [2004] No. 97):

- ``NONRESIDENT_SHORT`` — non-resident, at most 90 days (or within a treaty's 183 days);
- ``NONRESIDENT_LONG`` — non-resident, more than 90 days;
- ``RESIDENT`` — resident before the worldwide clock runs out (six years; five before 2019);
- ``RESIDENT_WORLDWIDE`` — resident on worldwide income (domiciled, or the clock has run out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expatcn.residency.days import YearDays
from expatcn.residency.rules import YearRules

NONRESIDENT_SHORT, NONRESIDENT_LONG, RESIDENT, RESIDENT_WORLDWIDE = 0, 1, 2, 3
SITUATION_NAMES = ("nonresident_short", "nonresident_long", "resident", "resident_worldwide")


def _flags(value: object, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(False if value is None else value, dtype=bool), (n,))


def residence_days(days: YearDays, rules: YearRules) -> np.ndarray:
    """Days of residence per person for the year under the year's counting rule."""
    return days.residence_total(rules.residence_days.day_count)


def is_resident_by_days(days: YearDays, rules: YearRules) -> np.ndarray:
    """Resident by time in China alone (domicile aside)."""
    law = rules.residence_days
    if law.resident_test == "days":
        return residence_days(days, rules) >= law.resident_min_days
    a = days.absences
    return (
        a.covers_year
        & (a.longest <= law.temporary_absence_max_single_days)
        & (a.total <= law.temporary_absence_max_total_days)
    )


def qualifies_for_clock(days: YearDays, rules: YearRules) -> np.ndarray:
    """Does the year count towards the worldwide clock (resident by days, no absence too long)?"""
    ok = is_resident_by_days(days, rules)
    limit = rules.six_year_rule.max_single_absence_days
    if limit is not None:
        ok = ok & (days.absences.longest <= limit)
    return ok


@dataclass(frozen=True)
class YearStatus:
    """The year's status per person: ``resident``, ``days`` (of residence), ``ninety_day_days``
    (the days the 90-day rule counts), ``treaty_relief`` (within a treaty's 183 days),
    ``clock`` (qualifying years before this one), ``situation`` (see module doc)."""

    resident: np.ndarray
    days: np.ndarray
    ninety_day_days: np.ndarray
    treaty_relief: np.ndarray
    clock: np.ndarray
    worldwide: np.ndarray
    situation: np.ndarray


def year_status(
    days: YearDays,
    rules: YearRules,
    *,
    domiciled: object = None,
    clock: np.ndarray | int = 0,
    treaty_days: np.ndarray | None = None,
) -> YearStatus:
    """Status and sourcing situation for every person of ``days``.

    ``clock``: qualifying years immediately before this one (``six_year_clock``);
    ``treaty_days``: days in China within each person's treaty period (``treaty_period_days``),
    -1 where no treaty applies.
    """
    n = days.full.shape[0]
    dom = _flags(domiciled, n)
    res_days = residence_days(days, rules)
    resident = dom | is_resident_by_days(days, rules)
    ninety = rules.ninety_day_rule
    ninety_days = days.residence_total(ninety.day_count)
    if treaty_days is None:
        relief = np.zeros(n, dtype=bool)
    else:
        relief = (treaty_days >= 0) & (treaty_days <= rules.treaty_183.max_days)
    short = (ninety_days <= ninety.max_days) | relief
    clock = np.broadcast_to(np.asarray(clock, dtype=np.int64), (n,))
    worldwide = resident & (dom | (clock >= rules.six_year_rule.years))
    situation = np.where(
        resident,
        np.where(worldwide, RESIDENT_WORLDWIDE, RESIDENT),
        np.where(short, NONRESIDENT_SHORT, NONRESIDENT_LONG),
    ).astype(np.int8)
    return YearStatus(resident, res_days, ninety_days, relief & ~resident, clock, worldwide, situation)
