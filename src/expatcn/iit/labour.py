"""Labour remuneration and director fees (劳务报酬所得), per payment.

- Residents, 2019 on (STA Announcement 2018 No. 61 art. 8): prepayment taxable amount = receipts −
  800 (receipts ≤ 4,000) or × (1 − 20%); prepaid on the 20/30/40% labour table; 80% of receipts
  enters annual comprehensive income.
- Non-residents, 2019 on (IIT Law art. 6(1)(2)): 80% of receipts on the monthly table, final.
- Everyone before 2019 (IIT Law 2011 art. 6(1)(4), art. 3(4)): receipts − 800 / 20% on the
  20% table with surcharges (the same bands), final.
- Students' internship pay, from 2020-07 (STA 2020 No. 13 art. 2): by the cumulative method with
  5,000 a month deducted, if the agent so withholds (:func:`intern_labour`).
"""

from __future__ import annotations

import numpy as np

from expatcn.arrays import is_zero, zeros
from expatcn.errors import InputError
from expatcn.iit.inputs import MONTHS, people_list
from expatcn.iit.schedule import progressive_tax
from expatcn.iit.withholding import cumulative_withholding
from expatcn.iit.year_law import YearLaw
from expatcn.law.tables import BASIC_DEDUCTION, INTERN_CUMULATIVE_WITHHOLDING, LABOUR_REMUNERATION, WAGE_WITHHOLDING_METHOD
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


def intern_labour(labour: np.ndarray, people: np.ndarray, employed: np.ndarray, result: dict[str, np.ndarray],
                  year_law: YearLaw) -> dict[str, np.ndarray]:
    """Students' internship pay withheld by the cumulative method (STA 2020 No. 13 art. 2): for
    ``people`` (resident interns), tax to date = (Σ receipts − 5,000 × months of the internship
    with this agent) on the annual table, less what was withheld before; the months of the
    internship run from the first month paid, in months employed. ``result`` (from
    :func:`labour_remuneration`) is returned with those rows replaced; the 80 % income amount of
    the reconciliation is unchanged."""
    window = np.array([year_law.entry(INTERN_CUMULATIVE_WITHHOLDING, m) is not None for m in range(MONTHS)])
    paid = labour[people] > 0
    early = np.flatnonzero((paid & ~window[None, :]).any(axis=1))
    if early.size:
        first = year_law.law.table(INTERN_CUMULATIVE_WITHHOLDING).periods[0].start
        raise InputError(f"interns' cumulative method applies from {first} (STA 2020 No. 13 art. 2); "
                         f"internship pay before it (people {people_list(people[early])})")
    started = np.maximum.accumulate(paid, axis=1)
    months = np.cumsum(started & employed[people], axis=1)
    monthly = np.array([year_law.value(BASIC_DEDUCTION, m).monthly_fen for m in range(MONTHS)], dtype=np.int64)
    basic = np.maximum.accumulate(months * monthly[None, :], axis=1)
    none = zeros(paid.shape)
    cumulative = cumulative_withholding(labour[people], none, basic, none, none, none, none, year_law)
    out = {key: np.array(value, copy=True) for key, value in result.items()}
    out["taxable"][people] = cumulative["taxable"]
    out["tax"][people] = cumulative["tax"]
    out["rate"][people] = cumulative["rate"] * paid
    out["quick_deduction"][people] = cumulative["quick_deduction"] * paid
    out["basic_deduction"] = np.zeros_like(labour)
    out["basic_deduction"][people] = basic
    return out


def labour_income_amount(receipts: np.ndarray, year_law: YearLaw) -> np.ndarray:
    """The income amount (收入额) of each month's labour receipts, (N, 12): receipts × (1 − 20 %)
    (IIT Law art. 6 ¶3), by the law of the month; zero before the comprehensive income of 2019."""
    if is_zero(receipts) or not receipts.any():
        return zeros(receipts.shape)
    out = np.zeros_like(receipts)
    for month in np.flatnonzero(receipts.any(axis=0)):
        rule = year_law.value(LABOUR_REMUNERATION, month)
        out[:, month] = apply_rate(receipts[:, month], rule.arrays[3])
    return out
