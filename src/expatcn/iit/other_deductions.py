"""The other deductions of Implementation Regulations art. 13 that the law caps, priced from what
was paid: the individual pension (MOF/STA 2022 No. 34, 2024 No. 21: 12,000 a year), commercial
health insurance (Caishui [2017] No. 39: 200 a month, 2,400 a year), tax-deferred commercial
pension (Caishui [2018] No. 22: the lower of 6 % of the month's wages and 1,000), and the
deductions claimed only at the reconciliation: serious-illness medical expenses above 15,000
borne by the person, up to 80,000 (Guo Fa [2018] No. 41 art. 11), and special additional
deductions not given to the withholding agent (Regulations art. 28).

Each item is capped by the table in force in the month paid (at withholding) or in December (at
the reconciliation, within what the year's cap leaves after withholding). Outside its dates or,
for a pilot, outside the pilot regions (``pilot_region``), nothing is deducted and the amount is
reported as not applied (:data:`NOT_APPLIED`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.iit.inputs import MONTHS, YearInputs
from expatcn.iit.year_law import YearLaw
from expatcn.law.schemas.iit_deductions import OtherDeductionCap
from expatcn.law.tables import (
    COMMERCIAL_HEALTH_INSURANCE,
    INDIVIDUAL_PENSION,
    SPECIAL_ADDITIONAL_DEDUCTIONS,
    TAX_DEFERRED_PENSION,
    TableRef,
)
from expatcn.money import apply_rate, rate_to_ppm, yuan_to_fen

DECEMBER = 11
NOT_APPLIED = "other_deductions_not_applied"  # annual: paid but not deductible (dates, pilot scope), fen


@dataclass(frozen=True)
class CappedItem:
    """One capped deduction: its input columns (at withholding, at reconciliation) and table."""

    name: str
    table: TableRef[OtherDeductionCap]
    en: str
    zh: str


ITEMS = (
    CappedItem("individual_pension", INDIVIDUAL_PENSION, "individual pension contributions", "个人养老金"),
    CappedItem("commercial_health_insurance", COMMERCIAL_HEALTH_INSURANCE,
               "commercial health insurance premiums", "商业健康保险"),
    CappedItem("tax_deferred_pension", TAX_DEFERRED_PENSION,
               "tax-deferred commercial pension premiums", "税收递延型商业养老保险"),
)


def _applies(rule: OtherDeductionCap | None, pilot: np.ndarray) -> np.ndarray:
    """Who may deduct under ``rule`` (N,): nobody where it is not in force; a pilot's people only."""
    if rule is None:
        return np.zeros(pilot.shape, dtype=bool)
    return np.ones(pilot.shape, dtype=bool) if rule.scope == "nationwide" else np.asarray(pilot, dtype=bool)


def _month_cap(rule: OtherDeductionCap, wages: np.ndarray) -> np.ndarray | None:
    """The month's cap (N,) from ``monthly_cap`` and ``wage_rate_cap`` × the month's wages, or None."""
    caps = []
    if rule.monthly_cap is not None:
        caps.append(np.full(wages.shape, yuan_to_fen(rule.monthly_cap)))
    if rule.wage_rate_cap is not None:
        caps.append(apply_rate(wages, rate_to_ppm(rule.wage_rate_cap), non_negative=True))
    return None if not caps else np.minimum.reduce(caps)


def _year_cap(rule: OtherDeductionCap) -> int | None:
    return None if rule.yearly_cap is None else yuan_to_fen(rule.yearly_cap)


def at_withholding(inputs: YearInputs, year_law: YearLaw) -> dict[str, np.ndarray]:
    """Each item's deductible part of the premiums paid in each month, (N, 12) fen: the month's
    cap, and the year's cap on the running total (``<item>``); ``total`` of all items, and
    ``not_applied`` (N, 12): what no rule in force allowed."""
    shape = inputs.wages.shape
    out: dict[str, np.ndarray] = {"total": zeros(shape), "not_applied": zeros(shape)}
    for item in ITEMS:
        paid = getattr(inputs, item.name)
        if is_zero(paid) or not paid.any():
            out[item.name] = zeros(shape)
            continue
        allowed = np.zeros_like(paid)
        refused = paid.copy()
        running = np.zeros(shape[0], dtype=np.int64)
        for month in range(MONTHS):
            rule = year_law.optional(item.table, month)
            if rule is None or not paid[:, month].any():
                continue
            applies = _applies(rule, inputs.pilot_region)
            refused[:, month] = np.where(applies, 0, paid[:, month])
            month_cap = _month_cap(rule, inputs.wages[:, month])
            amount = paid[:, month] if month_cap is None else np.minimum(paid[:, month], month_cap)
            year_cap = _year_cap(rule)
            if year_cap is not None:
                amount = np.minimum(amount, np.maximum(year_cap - running, 0))
            amount = np.where(applies, amount, 0)
            allowed[:, month] = amount
            running += amount
        out[item.name] = allowed
        out["total"] = allowed + out["total"]
        out["not_applied"] = refused + out["not_applied"]
    return out


def at_reconciliation(inputs: YearInputs, withheld: dict[str, np.ndarray], year_law: YearLaw) -> dict[str, np.ndarray]:
    """What the reconciliation adds (N,) fen: each capped item claimed there, within what the
    year's cap (December's rule) leaves after the withholding months — for the tax-deferred
    pension also within Σ months min(1,000, 6 % of the month's wages, here and from other
    payers); ``serious_illness`` (the part above the threshold, capped); ``special_additional``
    as priced; ``total``; ``not_applied``: what the law of the year did not allow."""
    people = inputs.people
    out: dict[str, np.ndarray] = {}
    total = np.zeros(people, dtype=np.int64)
    not_applied = np.zeros(people, dtype=np.int64)
    for item in ITEMS:
        claimed = getattr(inputs, f"reconciliation_{item.name}")
        if is_zero(claimed) or not claimed.any():
            out[item.name] = zeros((people,))
            continue
        rule = year_law.optional(item.table, DECEMBER)
        room = np.full(people, np.iinfo(np.int64).max // 4)
        if rule is not None:
            year_cap = _year_cap(rule)
            if year_cap is not None:
                room = np.minimum(room, year_cap - withheld[item.name].sum(axis=1))
            if rule.wage_rate_cap is not None or rule.monthly_cap is not None:
                wages = inputs.wages + inputs.other_wages
                months_cap = np.stack([_month_cap(rule, wages[:, m]) for m in range(MONTHS)], axis=1).sum(axis=1)
                room = np.minimum(room, months_cap - withheld[item.name].sum(axis=1))
        applies = _applies(rule, inputs.pilot_region)
        allowed = np.where(applies, np.minimum(claimed, np.maximum(room, 0)), 0)
        out[item.name] = allowed
        total += allowed
        not_applied += np.where(applies, 0, claimed)
    illness = inputs.serious_illness_self_paid
    sad_rule = year_law.optional(SPECIAL_ADDITIONAL_DEDUCTIONS, DECEMBER)
    if is_zero(illness) or not illness.any():
        out["serious_illness"] = zeros((people,))
    elif sad_rule is None:
        out["serious_illness"] = zeros((people,))
        not_applied += illness
    else:
        above = np.maximum(illness - yuan_to_fen(sad_rule.serious_illness_threshold_yearly), 0)
        out["serious_illness"] = np.minimum(above, yuan_to_fen(sad_rule.serious_illness_cap_yearly))
        total += out["serious_illness"]
    special = inputs.reconciliation_special_additional_deductions
    if sad_rule is None and not is_zero(special):
        not_applied += special
        special = zeros((people,))
    out["special_additional"] = special
    out["total"] = total + special
    out["not_applied"] = not_applied
    return out
