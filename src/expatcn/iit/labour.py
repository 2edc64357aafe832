"""Labour remuneration and director fees (劳务报酬所得), per payment.

- Residents, 2019 on (STA Announcement 2018 No. 61 art. 8): prepayment taxable amount = receipts −
  800 (receipts ≤ 4,000) or × (1 − 20%); prepaid on the 20/30/40% labour table; 80% of receipts
  enters annual comprehensive income.
- Non-residents, 2019 on (IIT Law art. 6(1)(2)): 80% of receipts on the monthly table, final.
- Everyone before 2019 (IIT Law 2011 art. 6(1)(4), art. 3(4)): receipts − 800 / 20% on the
  20% table with surcharges (the same bands), final.
"""

from __future__ import annotations

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.iit.schedule import progressive_tax
from expatcn.iit.year_law import YearLaw
from expatcn.law.tables import LABOUR_REMUNERATION, WAGE_WITHHOLDING_METHOD
from expatcn.money import apply_rate



def labour_remuneration(labour: np.ndarray, resident: np.ndarray, year_law: YearLaw) -> dict[str, np.ndarray]:
    """Per month (N, 12): ``taxable`` amount, ``tax`` withheld, ``rate``, ``quick_deduction``, and
    ``income_amount`` (the 80% that counts in residents' annual comprehensive income)."""
    keys = ("taxable", "tax", "rate", "quick_deduction", "income_amount")
    if is_zero(labour) or not labour.any():
        return {key: zeros(labour.shape) for key in keys}
    out = {key: np.zeros_like(labour) for key in keys}
    for month in np.flatnonzero(labour.any(axis=0)):
        receipts = labour[:, month]
        rule = year_law.value(LABOUR_REMUNERATION, month)
        fixed, fixed_up_to, deduction_rate, income_rate = rule.arrays
        income_amount = apply_rate(receipts, income_rate)
        expenses = np.where(receipts <= fixed_up_to, np.minimum(receipts, fixed), apply_rate(receipts, deduction_rate))
        prepayment_base = receipts - expenses
        prepayment_table = year_law.value(rule.resident_prepayment_table, month)
        prepaid = progressive_tax(prepayment_base, prepayment_table)
        if year_law.value(WAGE_WITHHOLDING_METHOD, month).resident_method == "cumulative":
            monthly_table = year_law.value(year_law.value(WAGE_WITHHOLDING_METHOD, month).nonresident_table, month)
            final = progressive_tax(income_amount, monthly_table)
            is_resident = resident
        else:  # before 2019 everyone's labour income was taxed finally on the labour table
            final, is_resident = prepaid, np.ones_like(resident)
        out["taxable"][:, month] = np.where(is_resident, prepayment_base, income_amount)
        for key, index in (("tax", 0), ("rate", 1), ("quick_deduction", 2)):
            out[key][:, month] = np.where(is_resident, prepaid[index], final[index]) * (receipts > 0)
        out["income_amount"][:, month] = income_amount
    return out
