"""Apportionment of a non-domiciled individual's wages to China (MOF/STA 2019 No. 35 §2; before 2019
Guoshuifa [1994] No. 148 / [2004] No. 97). Which formula applies in each situation is law data
(``law/residency/wage_sourcing.yaml``); the arithmetic of each formula is here.

With W the total wages of the period (paid in and outside China), C the part paid or borne by a
China employer, d the China work days and D the calendar days of the period:

- ``china_paid_x_china_days`` (formula 1): W × C/W × d/D
- ``china_days`` (formula 2): W × d/D
- ``exclude_overseas_paid_overseas_days`` (formula 3): W × [1 − (W−C)/W × (D−d)/D]
- ``china_paid``: C (executives, non-resident ≤ 90 days)
- ``all``: W

Each result is rounded once, half up to the fen (``expatcn.money``). Work days come in half days.
"""

from __future__ import annotations

import numpy as np

from expatcn.money import div_half_up, share
from expatcn.residency.rules import YearRules
from expatcn.residency.status import RESIDENT_WORLDWIDE, SITUATION_NAMES

FORMULAS = ("china_paid_x_china_days", "china_days", "exclude_overseas_paid_overseas_days", "china_paid", "all")


def formula_ids(rules: YearRules) -> np.ndarray:
    """(situation, executive) -> formula index, from the year's ``wage_sourcing`` table."""
    table = rules.wage_sourcing
    ids = np.zeros((len(SITUATION_NAMES), 2), dtype=np.int8)
    for s, name in enumerate(SITUATION_NAMES):
        formulas = getattr(table, name)
        ids[s, 0] = FORMULAS.index(formulas.employee)
        ids[s, 1] = FORMULAS.index(formulas.executive)
    return ids


def apportion_wages(
    total_fen: np.ndarray,
    china_paid_fen: np.ndarray,
    china_work_halves: np.ndarray,
    calendar_days: np.ndarray,
    situation: np.ndarray,
    rules: YearRules,
    executive: object = False,
    treaty_claim: object = False,
) -> np.ndarray:
    """China-taxable wage income (fen) of each period.

    ``total_fen``: wages of the period paid in and outside China; ``china_paid_fen``: the part
    paid or borne by a China employer; ``china_work_halves``: China work days of the period in
    half days; ``calendar_days``: calendar days of the period; ``situation``: the year's
    sourcing situation (``status``); ``executive``: director, supervisor or senior executive of a
    China resident enterprise; ``treaty_claim``: a resident on worldwide income who claims the
    treaty for work abroad. All arrays broadcast together.
    """
    total, paid, halves, cal, sit = np.broadcast_arrays(
        np.asarray(total_fen, dtype=np.int64),
        np.asarray(china_paid_fen, dtype=np.int64),
        np.asarray(china_work_halves, dtype=np.int64),
        np.asarray(calendar_days, dtype=np.int64),
        np.asarray(situation, dtype=np.int64),
    )
    if np.any(total < 0) or np.any(paid < 0) or np.any(paid > total):
        raise ValueError("wages: need 0 <= China-paid part <= total wages")
    if np.any(cal <= 0) or np.any(halves < 0) or np.any(halves > 2 * cal):
        raise ValueError("work days: need 0 <= China work days <= calendar days of the period")
    d2 = 2 * cal
    results = np.stack(
        [
            share(paid, halves, d2),
            share(total, halves, d2),
            div_half_up(total * d2 - (total - paid) * (d2 - halves), d2),
            paid,
            total,
        ]
    )
    ids = formula_choice(rules, sit, executive, treaty_claim)
    return np.take_along_axis(results, ids[None, ...], axis=0)[0]


def formula_choice(rules: YearRules, situation: np.ndarray, executive: object = False, treaty_claim: object = False) -> np.ndarray:
    """Index into ``FORMULAS`` of the formula for each element: by situation and executive from
    the ``wage_sourcing`` table, or its treaty formula for a resident on worldwide income who
    claims the treaty."""
    sit = np.asarray(situation, dtype=np.int64)
    execs = np.broadcast_to(np.asarray(executive, dtype=bool), sit.shape).astype(np.int64)
    ids = formula_ids(rules)[sit, execs].astype(np.int64)
    treaty_formula = rules.wage_sourcing.treaty_resident_worldwide
    if treaty_formula is not None:
        claim = np.broadcast_to(np.asarray(treaty_claim, dtype=bool), sit.shape)
        ids = np.where(claim & (sit == RESIDENT_WORLDWIDE), FORMULAS.index(treaty_formula), ids)
    return ids
