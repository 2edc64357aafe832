"""Annual one-off bonus and non-residents' multi-month bonus.

- Residents, 2019–2027 (Caishui [2018] No. 164 §1; MOF/STA 2021 No. 42, 2023 No. 30): taxed
  separately — rate and quick deduction from bonus ÷ 12 on the monthly table, tax = bonus × rate −
  quick deduction — or combined with wages; separately once a year.
- Everyone before 2019 (Guoshuifa [2005] No. 9): separately, once a year; a salary below the
  monthly deduction first reduces the bonus by the shortfall.
- Non-residents, 2019 on (MOF/STA 2019 No. 35 formula 5): [(bonus ÷ 6) × rate − QD] × 6, once a
  year, no deduction.
A bonus that cannot be taxed separately (a second one, or after the window closes) joins wages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.iit.inputs import YearInputs
from expatcn.iit.schedule import band_index, progressive_tax
from expatcn.iit.year_law import YearLaw
from expatcn.law.tables import ANNUAL_BONUS, NONRESIDENT_MULTIMONTH_BONUS



@dataclass
class BonusSplit:
    """Each month's bonus by treatment, (N, 12) fen each."""

    separate: np.ndarray  # annual one-off bonus taxed on its own
    spread: np.ndarray  # non-residents' multi-month bonus, ÷ 6 rule
    combined: np.ndarray  # joins that month's wages


def split_bonus(inputs: YearInputs, year_law: YearLaw, separate_chosen: np.ndarray) -> BonusSplit:
    """Decide the treatment of every bonus: the first bonus of the year may be taxed on its own
    where the law of its month allows it for the person's status (and, for residents from 2019,
    where the person chose it); everything else joins wages. Only months in which someone is
    paid a bonus are looked at."""
    bonus = inputs.bonus
    paid_months = np.flatnonzero(bonus.any(axis=0)) if not is_zero(bonus) else []
    if not len(paid_months):
        return BonusSplit(zeros(bonus.shape), zeros(bonus.shape), zeros(bonus.shape))
    resident = inputs.resident
    separate, spread = np.zeros_like(bonus), np.zeros_like(bonus)
    combined = bonus.copy()
    earlier = np.zeros(inputs.people, dtype=bool)  # a bonus already paid this year
    for month in paid_months:
        column = bonus[:, month]
        first = (column > 0) & ~earlier
        earlier |= column > 0
        annual = year_law.optional(ANNUAL_BONUS, month)
        nonresident = year_law.optional(NONRESIDENT_MULTIMONTH_BONUS, month)
        alone = np.zeros(inputs.people, dtype=bool)
        if annual is not None:
            allowed = resident if annual.residents_only else True
            chosen = separate_chosen if annual.method == "separate_or_combined" else True
            alone = first & allowed & chosen
            separate[:, month] = np.where(alone, column, 0)
        if nonresident is not None:
            by_six = first & ~resident & ~alone
            spread[:, month] = np.where(by_six, column, 0)
            alone |= by_six
        combined[:, month] = np.where(alone, 0, column)
    return BonusSplit(separate=separate, spread=spread, combined=combined if combined.any() else zeros(bonus.shape))


def annual_bonus_separate(
    separate: np.ndarray, wage_shortfall: np.ndarray, year_law: YearLaw
) -> dict[str, np.ndarray]:
    """Tax on bonuses taxed separately, (N, 12): ``tax``, ``base`` (after any shortfall), ``rate``,
    ``quick_deduction``. ``wage_shortfall`` is how far the month's wages fall short of the
    deduction (used only where the law's method has the shortfall adjustment)."""
    def base(column, month, rule):
        return np.maximum(column - wage_shortfall[:, month], 0) if rule.shortfall_adjustment else column

    return _bonus_tax(separate, year_law, ANNUAL_BONUS, base, quick_times=lambda rule: 1)


def nonresident_multimonth_bonus(spread: np.ndarray, year_law: YearLaw) -> dict[str, np.ndarray]:
    """MOF/STA 2019 No. 35 formula 5 on each month's spread bonus, (N, 12): [(B ÷ 6) × r − QD] × 6."""
    return _bonus_tax(spread, year_law, NONRESIDENT_MULTIMONTH_BONUS, lambda column, month, rule: column,
                      quick_times=lambda rule: rule.divisor)


def _bonus_tax(amounts, year_law: YearLaw, table: str, base, quick_times) -> dict[str, np.ndarray]:
    """Each month with a bonus, on the rule of ``table`` for that month: the band from
    base ÷ divisor, the quick deduction × ``quick_times(rule)``."""
    keys = ("tax", "base", "rate", "quick_deduction")
    if is_zero(amounts) or not amounts.any():
        return {key: zeros(amounts.shape) for key in keys}
    out = {key: np.zeros_like(amounts) for key in keys}
    for month in np.flatnonzero(amounts.any(axis=0)):
        rule = year_law.value(table, month)
        taxed = base(amounts[:, month], month, rule)
        tax, rate, quick = progressive_tax(taxed, year_law.value(rule.table, month), rule.divisor, quick_times(rule))
        paid = taxed > 0
        out["tax"][:, month], out["base"][:, month] = tax, taxed
        out["rate"][:, month], out["quick_deduction"][:, month] = rate * paid, quick * paid
    return out


def bonus_cliff(separate: np.ndarray, year_law: YearLaw) -> dict[str, np.ndarray]:
    """Bonuses just above a band edge ("cliff") that leave the employee less than the edge itself.

    For each separately taxed bonus B above the edge E = 12 × (upper bound of the band below):
    if B − tax(B) < E − tax(E), paying E instead costs the employer less and nets the employee
    more. Returns per person (N,): ``cheaper_bonus`` (E, or 0 where no cliff) and ``net_loss``.
    """
    cheaper = np.zeros(separate.shape[0], dtype=np.int64)
    loss = np.zeros(separate.shape[0], dtype=np.int64)
    for month in np.flatnonzero(separate.any(axis=0)):
        amount = separate[:, month]
        rule = year_law.value(ANNUAL_BONUS, month)
        schedule = year_law.value(rule.table, month)
        bounds, _, _ = schedule.arrays
        band = band_index(amount, schedule, spread=rule.divisor)
        edge = np.where(band > 0, np.concatenate(([0], bounds))[band] * rule.divisor, 0)
        net_here = amount - progressive_tax(amount, schedule, spread=rule.divisor)[0]
        net_edge = edge - progressive_tax(edge, schedule, spread=rule.divisor)[0]
        flagged = (amount > 0) & (band > 0) & (net_here < net_edge)
        cheaper = np.where(flagged, edge, cheaper)
        loss = np.where(flagged, net_edge - net_here, loss)
    return {"cheaper_bonus": cheaper, "net_loss": loss}
