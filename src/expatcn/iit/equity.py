"""Equity incentive income of listed companies (options, restricted shares, RSUs, SARs).

- Residents, 2019–2027 (Caishui [2018] No. 164 §2; MOF/STA 2021 No. 42, 2023 No. 2, 2023 No. 25):
  not in comprehensive income; the year's equity income is combined and taxed on the annual
  table, less the equity tax already withheld this year. Outside the window it joins wages.
- Non-residents, 2019 on (MOF/STA 2019 No. 35 formula 6): [(the year's equity income ÷ 6) × rate
  − QD] × 6 − equity tax already paid this year.
- Everyone before 2019 (Caishui [2005] No. 35 §4(1); Guoshuihan [2006] No. 902 art. 7; Caishui
  [2009] No. 5; Guoshuihan [2009] No. 461): (income ÷ months × rate − QD) × months on the monthly
  table, the months being those of China work the income relates to (at most 12); several in a
  year: months = Σ(income × months) ÷ Σ income (to the whole month, half up) on the year's total,
  less the equity tax already paid this year.
"""

from __future__ import annotations

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.errors import InputError
from expatcn.iit.inputs import MONTHS, YearInputs, people_list
from expatcn.iit.schedule import progressive_tax
from expatcn.iit.year_law import YearLaw
from expatcn.law.tables import EQUITY_INCENTIVE_PRE2019, EQUITY_INCENTIVE_SEPARATE, NONRESIDENT_EQUITY_INCENTIVE
from expatcn.money import div_half_up



def equity_incentive(inputs: YearInputs, year_law: YearLaw) -> dict[str, np.ndarray]:
    """Per month (N, 12): ``tax`` on equity taxed separately, ``cumulative`` separately taxed
    equity income, ``rate``, ``quick_deduction``, and ``combined`` (equity that joins wages)."""
    equity = inputs.equity
    keys = ("tax", "cumulative", "rate", "quick_deduction", "combined", "months")
    if is_zero(equity) or not equity.any():
        return {key: zeros(equity.shape) for key in keys}
    out = {key: np.zeros_like(equity) for key in keys}
    resident_rules = year_law.each_month_optional(EQUITY_INCENTIVE_SEPARATE)
    nonresident_rules = year_law.each_month_optional(NONRESIDENT_EQUITY_INCENTIVE)
    resident = inputs.resident
    separate = np.zeros_like(equity, dtype=bool)
    if any(rule is None for rule in nonresident_rules):
        return _before_2019(inputs, year_law, nonresident_rules)
    for month in range(MONTHS):
        separate[:, month] = np.where(resident, resident_rules[month] is not None, True)
    taxed = np.where(separate, equity, 0)
    cumulative = np.cumsum(taxed, axis=1)
    tax_to_date = np.zeros_like(equity)
    for month in range(MONTHS):
        if not taxed[:, month].any():
            tax_to_date[:, month] = tax_to_date[:, month - 1] if month else 0
            continue
        res_rule, non_rule = resident_rules[month], nonresident_rules[month]
        non_schedule = year_law.value(non_rule.table, month)
        non = progressive_tax(cumulative[:, month], non_schedule, non_rule.divisor, non_rule.divisor)
        if res_rule is not None:
            res = progressive_tax(cumulative[:, month], year_law.value(res_rule.table, month))
        else:
            res = non  # no resident in this month is taxed separately
        for key, index in (("rate", 1), ("quick_deduction", 2)):
            out[key][:, month] = np.where(taxed[:, month] > 0, np.where(resident, res[index], non[index]), 0)
        tax_to_date[:, month] = np.where(resident, res[0], non[0])
    out["tax"] = np.diff(tax_to_date, axis=1, prepend=0)
    out["cumulative"] = cumulative
    out["combined"] = np.where(separate, 0, equity)
    out["months"] = zeros(equity.shape)
    return out


def _before_2019(inputs: YearInputs, year_law: YearLaw, rules_2019: list) -> dict[str, np.ndarray]:
    """Caishui [2005] No. 35 §4(1) and Guoshuihan [2006] No. 902 art. 7, each month with equity:
    months = Σ(income × months) ÷ Σ income to date (half up, at most ``max_months``); tax to date
    = Σ income × rate − QD × months, the band from Σ income ÷ months on the month's table."""
    equity, months = inputs.equity, inputs.equity_months
    out = {key: np.zeros_like(equity) for key in ("tax", "cumulative", "rate", "quick_deduction", "months")}
    weighted = np.cumsum(equity * months, axis=1)
    cumulative = np.cumsum(equity, axis=1)
    tax_to_date = np.zeros(inputs.people, dtype=np.int64)
    for month in np.flatnonzero(equity.any(axis=0)):
        paid = equity[:, month] > 0
        rule = year_law.optional(EQUITY_INCENTIVE_PRE2019, month)
        if rules_2019[month] is not None or rule is None:
            raise InputError(f"equity income in {year_law.months[month]:%Y-%m}: no equity rule in force (the 2019 "
                             "rules and the earlier one meet at 2019-01-01; a tax year does not mix them) "
                             f"(people {people_list(np.flatnonzero(paid))})")
        missing = np.flatnonzero(paid & (months[:, month] <= 0))
        if missing.size:
            raise InputError(f"equity_months: equity income in {year_law.months[month]:%Y-%m} needs the months of China "
                             "work it relates to (Caishui [2005] No. 35 §4(1)) "
                             f"(people {people_list(missing)})")
        spread = np.minimum(div_half_up(weighted[:, month], np.maximum(cumulative[:, month], 1), non_negative=True),
                            rule.max_months)
        spread = np.maximum(spread, 1)
        schedule = year_law.value(rule.table, month)
        tax = np.zeros(inputs.people, dtype=np.int64)
        rate = np.zeros(inputs.people, dtype=np.int64)
        quick = np.zeros(inputs.people, dtype=np.int64)
        for divisor in np.unique(spread[paid]):
            rows = paid & (spread == divisor)
            tax[rows], rate[rows], quick[rows] = progressive_tax(cumulative[rows, month], schedule, int(divisor), int(divisor))
        out["tax"][:, month] = np.where(paid, np.maximum(tax - tax_to_date, 0), 0)
        tax_to_date = np.where(paid, np.maximum(tax, tax_to_date), tax_to_date)
        out["rate"][:, month], out["quick_deduction"][:, month] = rate, quick
        out["months"][:, month] = np.where(paid, spread, 0)
    out["cumulative"] = cumulative
    out["combined"] = zeros(equity.shape)
    return out
