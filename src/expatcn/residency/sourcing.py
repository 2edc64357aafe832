"""Trips → China-taxable pay: the one wiring of MOF/STA Announcement 2019 No. 35 for ``expatcn
tax`` (a scenario with trips), the payroll (employees with trips) and the planner.

The year's trips are assessed once (status, sourcing situation, China work days:
:func:`~expatcn.residency.assessment.assess_year`); wages are apportioned month by month by the
formula of the year's situation (§2, :func:`~expatcn.residency.assessment.monthly_china_wages`);
bonuses and equity income by the China work days of the period they relate to, by default the
month paid (§1(2), :func:`~expatcn.residency.lump_sums.apportion_lump_sums`). An executive within
a treaty's 183 days whose treaty's director's-fee article does not cover senior management is
apportioned as an employee (§4(4), :func:`executive_articles`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from expatcn.law import Law
from expatcn.residency.assessment import Assessment, assess_year, monthly_china_wages
from expatcn.residency.lump_sums import LumpSums, apportion_lump_sums
from expatcn.residency.trips import Trips


@dataclass(frozen=True)
class LumpSum:
    """One kind of lump sum (bonus, equity) of each person (rows) and month paid (columns), in fen:
    ``amount``, the part paid or borne in China ``china_paid``, and the period each amount relates
    to (``datetime64[D]``; NaT or ``None``: the month it is paid)."""

    amount: np.ndarray
    china_paid: np.ndarray
    period_start: np.ndarray | None = None
    period_end: np.ndarray | None = None


@dataclass(frozen=True)
class ChinaTaxablePay:
    """The assessment of the year, the China-taxable wages (P, 12) and, per kind of lump sum that
    anyone has, its China-taxable part with the work days and calendar days it was apportioned by."""

    assessment: Assessment
    wages: np.ndarray
    lump_sums: dict[str, LumpSums]
    executive_article: np.ndarray  # per person: "" (not an executive), or which article decided (EXECUTIVE_ARTICLES)


EXECUTIVE_ARTICLES = ("directors_fee", "employment", "unverified")


def executive_articles(assessment: Assessment, executive: object) -> np.ndarray:
    """For each executive of a China resident enterprise within a treaty's 183 days: whether the
    treaty's director's-fee article covers senior management (MOF/STA 2019 No. 35 §2(3) applies),
    does not (§4(4): apportioned as an employee, under the employment article), or is not known
    (``unverified``: §2(3) is kept). "" for everyone else."""
    p = assessment.status.resident.shape[0]
    execs = np.broadcast_to(np.asarray(executive, dtype=bool), (p,))
    out = np.full(p, "", dtype=object)
    for i in np.flatnonzero(execs & assessment.status.treaty_relief):
        partner = assessment.treaty_partners[i]
        cover = "unverified" if partner is None else partner.directors_fee_covers_management
        out[i] = {True: "directors_fee", False: "employment"}.get(cover, "unverified")
    return out


def china_taxable_pay(
    trips: Trips,
    year: int,
    wages: np.ndarray,
    china_paid_wages: np.ndarray,
    lump_sums: Mapping[str, LumpSum] | None = None,
    *,
    law: Law,
    domiciled: object = None,
    overseas_post: object = True,
    treaty: object = None,
    history_from: int | None = None,
    prior_years: np.ndarray | int = 0,
    executive: object = False,
    treaty_claim: object = False,
    forecast: bool = True,
) -> ChinaTaxablePay:
    """China-taxable wages and lump sums of every person of ``trips`` in ``year``.

    ``wages`` / ``china_paid_wages``: (P, 12) wages of each month's work period and the part paid or
    borne in China; ``lump_sums``: by kind. The other arguments are per person, as for
    :func:`~expatcn.residency.assessment.assess_year` and
    :func:`~expatcn.residency.assessment.monthly_china_wages`.
    """
    assessment = assess_year(trips, year, law=law, domiciled=domiciled, overseas_post=overseas_post, treaty=treaty,
                             history_from=history_from, prior_years=prior_years, forecast=forecast)
    articles = executive_articles(assessment, executive)
    executive = np.broadcast_to(np.asarray(executive, dtype=bool), articles.shape) & (articles != "employment")
    china_wages = monthly_china_wages(assessment, wages, china_paid_wages, executive=executive,
                                      treaty_claim=treaty_claim)
    apportioned = {
        kind: apportion_lump_sums(assessment, trips, sums.amount, sums.china_paid, sums.period_start, sums.period_end,
                                  law=law, overseas_post=overseas_post, executive=executive, treaty_claim=treaty_claim)
        for kind, sums in (lump_sums or {}).items() if np.any(sums.amount)
    }
    return ChinaTaxablePay(assessment, china_wages, apportioned, articles)
