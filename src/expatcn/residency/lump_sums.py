"""China-taxable part of lump sums (bonuses, equity income) of people with travel records.

A bonus or equity income relates to a period — by default the month it is paid, or the period
it was earned over (MOF/STA 2019 No. 35 §1(2)) — and is apportioned like wages by the China work
days of that period, with the formula of the year's sourcing situation. This module only picks
the work days and calendar days of each amount's period and calls the engine
(:func:`expatcn.residency.period_work_halves`, :func:`expatcn.residency.apportion_wages`), through
:func:`expatcn.residency.sourcing.china_taxable_pay`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expatcn.law import Law
from expatcn.residency.apportionment import apportion_wages
from expatcn.residency.assessment import Assessment, period_work_halves
from expatcn.residency.trips import Trips


@dataclass(frozen=True)
class LumpSums:
    """(P, 12) each: the China-taxable part (fen), and the China work days (half days) and
    calendar days of the period each amount was apportioned over."""

    china: np.ndarray
    work_halves: np.ndarray
    calendar_days: np.ndarray


def _per_person(value: object, p: int) -> np.ndarray:
    if np.ndim(value):
        return np.broadcast_to(np.asarray(value, dtype=bool).reshape(-1, 1), (p, 12))
    return np.broadcast_to(np.asarray(bool(value)), (p, 12))


def apportion_lump_sums(
    assessment: Assessment,
    trips: Trips,
    amount_fen: np.ndarray,
    china_paid_fen: np.ndarray,
    period_start: np.ndarray | None = None,
    period_end: np.ndarray | None = None,
    *,
    law: Law,
    overseas_post: object = True,
    executive: object = False,
    treaty_claim: object = False,
) -> LumpSums:
    """China-taxable part of lump sums paid in each month.

    ``assessment``: :func:`expatcn.residency.assess_year` of ``trips`` (P persons) for the tax
    year; ``amount_fen`` / ``china_paid_fen``: (P, 12) amounts paid in each month and the part
    paid or borne in China; ``period_start`` / ``period_end``: (P, 12) ``datetime64[D]``, the
    period each amount relates to (NaT: the month it is paid, whose work days the assessment
    holds); ``overseas_post`` / ``executive`` / ``treaty_claim``: per person, as for
    :func:`expatcn.residency.monthly_china_wages`.
    """
    amount = np.asarray(amount_fen, dtype=np.int64)
    p = amount.shape[0]
    halves = np.array(assessment.work_halves, dtype=np.int64, copy=True)
    days = np.broadcast_to(np.asarray(assessment.days.calendar_days, dtype=np.int64)[None, :], (p, 12)).copy()
    if period_start is not None and period_end is not None:
        start = np.asarray(period_start, dtype="datetime64[D]")
        end = np.asarray(period_end, dtype="datetime64[D]")
        given = ~np.isnat(start) & (amount != 0)
        if given.any():
            keys = np.stack([start[given].astype(np.int64), end[given].astype(np.int64)], axis=1)
            rows, cols = np.nonzero(given)
            posts = np.broadcast_to(np.asarray(overseas_post, dtype=bool), (p,)) if np.ndim(overseas_post) \
                else np.full(p, bool(overseas_post))
            for key in np.unique(keys, axis=0):
                pick = (keys == key).all(axis=1)
                first, last = (np.datetime64(int(k), "D").astype(object) for k in key)
                h, d = period_work_halves(trips, first, last, law=law, overseas_post=posts)
                halves[rows[pick], cols[pick]] = h[rows[pick]]
                days[rows[pick], cols[pick]] = d
    situation = np.broadcast_to(assessment.status.situation[:, None], (p, 12))
    china = apportion_wages(amount, china_paid_fen, halves, days, situation, assessment.rules,
                            executive=_per_person(executive, p), treaty_claim=_per_person(treaty_claim, p))
    return LumpSums(china, halves, days)


__all__ = ["LumpSums", "apportion_lump_sums"]
