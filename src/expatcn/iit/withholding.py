"""Wage withholding: residents' cumulative method (2019 on) and the monthly method (non-residents
from 2019; everyone before 2019, when the monthly tax was final)."""

from __future__ import annotations

import numpy as np

from expatcn.arrays import add_amounts, is_zero
from expatcn.iit.inputs import MONTHS
from expatcn.iit.schedule import progressive_tax
from expatcn.iit.year_law import YearLaw
from expatcn.law.tables import BASIC_DEDUCTION, LOW_INCOME_SIMPLIFICATION, NEW_HIRE_DEDUCTION, WAGE_WITHHOLDING_METHOD
from expatcn.money import yuan_to_fen



def cumulative_basic_deduction(
    employed: np.ndarray,
    first_income_this_year: np.ndarray,
    low_income_last_year: np.ndarray,
    year_law: YearLaw,
) -> np.ndarray:
    """Cumulative basic deduction for residents, (N, 12) fen.

    5,000 × months employed by this withholding agent (STA 2018 No. 61 art. 6); for a first wage
    income of the year, 5,000 × months from January (STA 2020 No. 13); for last year's low
    earners, the year's 60,000 from January (STA 2020 No. 19). What a month reached is kept in
    later months not employed: the deduction to date never falls within the year.
    """
    monthly = np.array([year_law.value(BASIC_DEDUCTION, m).monthly_fen for m in range(MONTHS)], dtype=np.int64)
    if employed.all():
        deduction = np.broadcast_to(np.cumsum(monthly), employed.shape)
    else:
        deduction = np.cumsum(employed * monthly, axis=1)
    if first_income_this_year.any():
        from_january = np.cumsum(monthly)
        window = np.array([year_law.entry(NEW_HIRE_DEDUCTION, m) is not None for m in range(MONTHS)])
        applies = first_income_this_year[:, None] & window[None, :] & employed
        deduction = np.where(applies, np.maximum(deduction, from_january[None, :]), deduction)
    if low_income_last_year.any():
        rules = year_law.each_month_optional(LOW_INCOME_SIMPLIFICATION)
        full_year = np.array([0 if r is None else yuan_to_fen(r.deduction_from_january) for r in rules])
        applies = low_income_last_year[:, None] & (full_year > 0)[None, :] & employed
        deduction = np.where(applies, np.maximum(deduction, full_year[None, :]), deduction)
    if first_income_this_year.any() or low_income_last_year.any():
        deduction = np.maximum.accumulate(deduction, axis=1)  # kept in months not employed
    return deduction


def cumulative_withholding(
    income: np.ndarray,
    exempt: np.ndarray,
    basic: np.ndarray,
    special: np.ndarray,
    special_additional: np.ndarray,
    other: np.ndarray,
    reductions: np.ndarray,
    year_law: YearLaw,
    closed_months: int = 0,
    withheld_in_closed: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Residents' cumulative withholding (STA Announcement 2018 No. 61 art. 6), (N, 12) each.

    taxable to date = Σ income − Σ exempt income − cumulative basic deduction − Σ special
    deductions − Σ special additional deductions − Σ other deductions; tax to date = taxable ×
    rate − quick deduction (annual table) − Σ tax reductions; this month = tax to date − tax
    already withheld, never below zero within the year. ``basic`` is already cumulative.
    In the first ``closed_months`` months the tax is what was actually withheld
    (``withheld_in_closed``); later months deduct that actual amount.
    """
    schedule = year_law.value(year_law.value(WAGE_WITHHOLDING_METHOD, 0).resident_table, 0)
    for month in range(1, MONTHS):
        if year_law.value(year_law.value(WAGE_WITHHOLDING_METHOD, month).resident_table, month) != schedule:
            raise ValueError("the cumulative table changes within the year; not supported")
    net = add_amounts(income, exempt, special, special_additional, other, sign=-1)
    taxable = np.cumsum(net, axis=1)
    taxable -= basic
    np.maximum(taxable, 0, out=taxable)  # nothing is taxed below zero; the trace shows it as 0
    tax_to_date, rate, quick = progressive_tax(taxable, schedule, non_negative=True)
    due_to_date = tax_to_date if is_zero(reductions) else np.maximum(tax_to_date - np.cumsum(reductions, axis=1), 0)
    if closed_months:
        actual = np.cumsum(withheld_in_closed[:, :closed_months], axis=1)
        running = np.concatenate([actual[:, -1:], due_to_date[:, closed_months:]], axis=1)
        withheld_to_date = np.concatenate([actual, np.maximum.accumulate(running, axis=1)[:, 1:]], axis=1)
    else:
        withheld_to_date = np.maximum.accumulate(due_to_date, axis=1)
    withheld = np.empty_like(withheld_to_date)
    withheld[:, 0] = withheld_to_date[:, 0]
    np.subtract(withheld_to_date[:, 1:], withheld_to_date[:, :-1], out=withheld[:, 1:])
    return {
        "taxable": taxable,
        "rate": rate,
        "quick_deduction": quick,
        "tax_to_date": due_to_date,
        "withheld_to_date": withheld_to_date,
        "tax": withheld,
    }


def monthly_deduction(foreigner: np.ndarray, year_law: YearLaw) -> np.ndarray:
    """The month's basic deduction, (N, 12): the standard amount, plus the foreigners' additional
    deduction where the law of the month has one (before 2018-10-01)."""
    rules = year_law.each_month(BASIC_DEDUCTION)
    standard = np.array([r.monthly_fen for r in rules], dtype=np.int64)
    additional = np.array([r.foreigner_additional_fen for r in rules], dtype=np.int64)
    return standard[None, :] + foreigner[:, None] * additional[None, :]


def monthly_withholding(
    net_income: np.ndarray, deduction: np.ndarray, reductions: np.ndarray, table_names: list[str], year_law: YearLaw
) -> dict[str, np.ndarray]:
    """Tax on each month's wages alone, (N, 12): taxable = net income − deduction on the month's
    table (named per month in ``table_names``), less tax reductions; never below zero.

    Non-residents from 2019 (IIT Law art. 6(1)(2): income − 5,000, monthly table); everyone
    before 2019 (monthly final tax)."""
    taxable = net_income - deduction
    schedules = [year_law.value(table_names[month], month) for month in range(MONTHS)]
    if all(schedule is schedules[0] for schedule in schedules):
        tax, rate, quick = progressive_tax(taxable, schedules[0])
    else:
        tax, rate, quick = (np.zeros_like(taxable) for _ in range(3))
        for month, schedule in enumerate(schedules):
            tax[:, month], rate[:, month], quick[:, month] = progressive_tax(taxable[:, month], schedule)
    if not is_zero(reductions):
        tax = np.maximum(tax - reductions, 0)
    return {"tax": tax, "rate": rate, "quick_deduction": quick, "taxable": taxable}
