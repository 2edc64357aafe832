"""Equity incentive income of listed companies (options, restricted shares, RSUs, SARs).

- Residents, 2019–2027 (Caishui [2018] No. 164 §2; MOF/STA 2021 No. 42, 2023 No. 2, 2023 No. 25):
  not in comprehensive income; the year's equity income is combined and taxed on the annual
  table, less the equity tax already withheld this year. Outside the window it joins wages.
- Non-residents, 2019 on (MOF/STA 2019 No. 35 formula 6): [(the year's equity income ÷ 6) × rate
  − QD] × 6 − equity tax already paid this year.
Equity income before 2019 (Caishui [2005] No. 35) is not modelled: it is an input error.
"""

from __future__ import annotations

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.errors import InputError
from expatcn.iit.inputs import MONTHS, YearInputs, people_list
from expatcn.iit.schedule import progressive_tax
from expatcn.iit.year_law import YearLaw
from expatcn.law.tables import EQUITY_INCENTIVE_SEPARATE, NONRESIDENT_EQUITY_INCENTIVE



def equity_incentive(inputs: YearInputs, year_law: YearLaw) -> dict[str, np.ndarray]:
    """Per month (N, 12): ``tax`` on equity taxed separately, ``cumulative`` separately taxed
    equity income, ``rate``, ``quick_deduction``, and ``combined`` (equity that joins wages)."""
    equity = inputs.equity
    keys = ("tax", "cumulative", "rate", "quick_deduction", "combined")
    if is_zero(equity) or not equity.any():
        return {key: zeros(equity.shape) for key in keys}
    out = {key: np.zeros_like(equity) for key in keys}
    resident_rules = year_law.each_month_optional(EQUITY_INCENTIVE_SEPARATE)
    nonresident_rules = year_law.each_month_optional(NONRESIDENT_EQUITY_INCENTIVE)
    resident = inputs.resident
    separate = np.zeros_like(equity, dtype=bool)
    for month in range(MONTHS):
        if nonresident_rules[month] is None and equity[:, month].any():
            raise InputError(
                f"equity income in {year_law.months[month]:%Y-%m} is before the 2019 rules; the earlier "
                f"method (Caishui [2005] No. 35) is not modelled (people {people_list(np.flatnonzero(equity[:, month]))})"
            )
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
    return out
