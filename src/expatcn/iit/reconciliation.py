"""Residents' annual reconciliation of comprehensive income (综合所得汇算清缴), tax years 2019 on.

Comprehensive income = wages and allowances (less exempt income) + combined bonus and equity +
80% of labour remuneration, from every payer of the year; taxable = income − 60,000 − special
deductions − special additional deductions − other deductions (those claimed at the
reconciliation included); tax on the annual table less reductions; balance = tax − the tax
prepaid by every withholding agent (IIT Law arts. 6, 11; Regulations art. 25; STA Announcement
2024 No. 2). Filing is not required where the receipts (年度综合所得收入, the table's
``income_basis``) are ≤ 120,000 or the payable amount ≤ 400, or where a refund is not claimed —
unless a withholding agent failed to withhold (MOF/STA 2019 No. 94, 2021 No. 42, 2023 No. 32).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from expatcn.iit.schedule import progressive_tax
from expatcn.iit.year_law import YearLaw
from expatcn.law.tables import BASIC_DEDUCTION, RECONCILIATION_EXEMPTION, WAGE_WITHHOLDING_METHOD
from expatcn.money import yuan_to_fen

LAST_MONTH = 11


class Filing(IntEnum):
    """What the reconciliation asks of the taxpayer."""

    NOT_APPLICABLE = 0  # non-resident, or a tax year before 2019
    SETTLED = 1  # prepaid equals tax due
    REFUND_OPTIONAL = 2  # a refund is due; filing only to claim it
    PAYABLE_EXEMPT = 3  # tax is payable but the exemption thresholds spare the filing
    PAYABLE_MUST_FILE = 4  # tax is payable and the return must be filed


def annual_reconciliation(
    resident: np.ndarray,
    comprehensive_income: np.ndarray,
    deductions_except_basic: np.ndarray,
    reductions: np.ndarray,
    prepaid: np.ndarray,
    year_law: YearLaw,
    gross_income: np.ndarray | None = None,
    not_withheld: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Per person (N,): ``income`` (the income amount), ``gross_income`` (the receipts),
    ``basic_deduction``, ``taxable``, ``rate``, ``quick_deduction``, ``tax_due``, ``prepaid``,
    ``balance`` (+ payable / − refund), ``filing``. ``gross_income`` defaults to ``income``;
    ``not_withheld``: a withholding agent failed to withhold, so no exemption applies."""
    people = resident.shape[0]
    method = year_law.value(WAGE_WITHHOLDING_METHOD, LAST_MONTH)
    if method.resident_method != "cumulative":
        zero = np.zeros(people, dtype=np.int64)
        return {
            "income": zero, "gross_income": zero, "basic_deduction": zero, "taxable": zero, "rate": zero, "quick_deduction": zero,
            "tax_due": zero, "prepaid": zero, "balance": zero,
            "filing": np.full(people, Filing.NOT_APPLICABLE, dtype=np.int8),
        }
    basic = year_law.value(BASIC_DEDUCTION, LAST_MONTH).annual_fen
    taxable = comprehensive_income - basic - deductions_except_basic
    tax, rate, quick = progressive_tax(taxable, year_law.value(method.resident_table, LAST_MONTH))
    tax_due = np.maximum(tax - reductions, 0)
    balance = tax_due - prepaid
    gross = comprehensive_income if gross_income is None else gross_income
    exemption = year_law.optional(RECONCILIATION_EXEMPTION, LAST_MONTH)
    if exemption is None:
        spared = np.zeros(people, dtype=bool)
    else:
        basis = gross if exemption.income_basis == "gross_income" else comprehensive_income
        spared = (basis <= yuan_to_fen(exemption.income_up_to)) | (balance <= yuan_to_fen(exemption.payable_up_to))
        if not_withheld is not None:
            spared &= ~np.asarray(not_withheld, dtype=bool)
    filing = np.select(
        [balance == 0, balance < 0, spared],
        [Filing.SETTLED, Filing.REFUND_OPTIONAL, Filing.PAYABLE_EXEMPT],
        Filing.PAYABLE_MUST_FILE,
    ).astype(np.int8)
    filing = np.where(resident, filing, Filing.NOT_APPLICABLE).astype(np.int8)
    keep = resident.astype(np.int64)
    return {
        "income": comprehensive_income * keep,
        "gross_income": gross * keep,
        "basic_deduction": np.full(people, basic) * keep,
        "taxable": taxable * keep,
        "rate": rate * keep,
        "quick_deduction": quick * keep,
        "tax_due": tax_due * keep,
        "prepaid": prepaid * keep,
        "balance": balance * keep,
        "filing": filing,
    }
