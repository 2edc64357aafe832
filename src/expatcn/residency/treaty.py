"""Days in China within each person's treaty period, for the treaty 183-day rule
(MOF/STA 2019 No. 35 §4(1); each treaty's counting period in ``law/residency/treaty_183.yaml``).

``calendar_year``: days of presence in the tax year. ``twelve_months_in_year``: the most days of
presence in any 12-month period commencing or ending in the tax year (the window may reach into
the years before and after: give those trips too). ``unverified``: the stricter of the two, which
is the 12-month count (the calendar year is one of the windows).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from expatcn.residency.days import YearDays
from expatcn.residency.rules import YearRules
from expatcn.residency.trips import OPEN, Trips, day_number, full_days

NO_TREATY = -1
CHUNK_PERSONS = 20_000


def _next_year_same_day(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return dt.date(day.year + 1, 3, 1)


def twelve_month_max(trips: Trips, year: int, persons: np.ndarray, day_count: str = "any_presence") -> np.ndarray:
    """Most days in China in any 12-month period commencing or ending in ``year``, for ``persons``."""
    g0 = day_number(dt.date(year - 1, 1, 1))
    g1 = day_number(dt.date(year + 2, 1, 1))
    length = g1 - g0
    first = dt.date(year - 1, 1, 2)
    starts = [first + dt.timedelta(days=i) for i in range((dt.date(year, 12, 31) - first).days + 1)]
    s_idx = np.array([day_number(s) - g0 for s in starts])
    e_idx = np.array([day_number(_next_year_same_day(s)) - g0 for s in starts])
    out = np.zeros(persons.size, dtype=np.int64)
    for c0 in range(0, persons.size, CHUNK_PERSONS):
        chunk = persons[c0 : c0 + CHUNK_PERSONS]
        pos = np.full(trips.n_persons, -1, dtype=np.int64)
        pos[chunk] = np.arange(chunk.size)
        mine = pos[trips.person] >= 0
        local = pos[trips.person[mine]]
        entry, exit_ = trips.entry[mine], trips.exit[mine]
        if day_count == "full_24_hours":
            a, b = full_days(trips, entry, exit_, mine)  # [a, b)
        else:
            a, b = entry, np.where(exit_ == OPEN, OPEN, exit_ + 1)
        a = np.clip(a, g0, g1) - g0
        b = np.clip(np.maximum(a + g0, b), g0, g1) - g0
        width = length + 1
        diff = np.bincount(local * width + a, minlength=chunk.size * width).astype(np.int64)
        diff -= np.bincount(local * width + b, minlength=chunk.size * width)
        present = np.minimum(np.cumsum(diff.reshape(chunk.size, width), axis=1)[:, :length], 1)
        cs = np.zeros((chunk.size, length + 1), dtype=np.int64)
        np.cumsum(present, axis=1, out=cs[:, 1:])
        out[c0 : c0 + chunk.size] = (cs[:, e_idx] - cs[:, s_idx]).max(axis=1)
    return out


def treaty_period_days(trips: Trips, days: YearDays, rules: YearRules, partners: object) -> tuple[np.ndarray, list]:
    """Per person: days in China within the treaty period (``NO_TREATY`` where no treaty applies),
    and the partner entries used (``None`` where none). ``partners``: a code per person ('' = none)."""
    n = days.full.shape[0]
    out = np.full(n, NO_TREATY, dtype=np.int64)
    if partners is None:
        return out, [None] * n
    codes = np.broadcast_to(np.asarray(partners if partners is not None else "", dtype=object), (n,))
    table = rules.treaty_183
    on = dt.date(days.year, 1, 1)
    used: list = [None] * n
    calendar = days.presence.sum(axis=1) if table.day_count == "any_presence" else days.full.sum(axis=1)
    window_people = []
    for code in {c for c in codes if c}:
        partner = table.partner_on(str(code).upper(), on)
        who = np.flatnonzero(codes == code)
        for i in who:
            used[i] = partner
        if partner is None or partner.counting_period == "not_in_force":
            continue
        if partner.counting_period == "calendar_year":
            out[who] = calendar[who]
        else:
            window_people.append(who)
    if window_people:
        who = np.concatenate(window_people)
        out[who] = twelve_month_max(trips, days.year, who, table.day_count)
    return out, used
