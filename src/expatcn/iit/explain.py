"""Every figure explains itself: the steps behind one person's year, read from the engine's own
intermediate columns (no second computation), each with the law entries it used."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from expatcn.iit.person_year import CUMULATIVE, YearResult
from expatcn.iit.reconciliation import Filing
from expatcn.law.model import LawRef
from expatcn.money import fen_to_str, ppm_to_percent

WAGE_TABLES = ("iit/wage_withholding_method", "iit/basic_deduction", "iit/expat_allowance_exemption")
CUMULATIVE_TABLES = ("iit/annual_table", "iit/new_hire_deduction_from_january", "iit/low_income_simplification")
MONTHLY_TABLES = ("iit/monthly_table",)
BONUS_TABLES = ("iit/annual_bonus", "iit/nonresident_multimonth_bonus", "iit/monthly_table")
LABOUR_TABLES = ("iit/labour_remuneration", "iit/labour_prepayment_table", "iit/monthly_table")
EQUITY_TABLES = ("iit/equity_incentive_separate", "iit/nonresident_equity_incentive", "iit/annual_table")
RECONCILIATION_TABLES = ("iit/basic_deduction", "iit/annual_table", "iit/reconciliation_exemption")


@dataclass
class Step:
    """One line of a calculation: what it is, the amount, how it was reached, and the law."""

    label: str
    amount: int | None  # fen
    how: str = ""
    month: int | None = None  # 1–12, or None for the year
    law: list[LawRef] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "month": self.month,
            "label": self.label,
            "amount": None if self.amount is None else fen_to_str(self.amount).replace(",", ""),
            "how": self.how,
            "law": [ref.describe() for ref in self.law],
        }


def explain_person(result: YearResult, person: int) -> list[Step]:
    """The trace of one person's year: each month's wage, bonus, labour and equity tax, then the
    annual reconciliation."""
    m, a = result.monthly, result.annual
    used = result.year_law.used
    steps: list[Step] = []

    def law(month: int, tables: tuple[str, ...]) -> list[LawRef]:
        return [used[(t, month)] for t in tables if (t, month) in used]

    def row(key: str) -> np.ndarray:
        return m[key][person]

    for month in range(12):
        number = month + 1
        if not row("total_tax")[month] and not row("income")[month] and not result.inputs.labour[person, month]:
            continue
        cumulative = row("wage_method")[month] == CUMULATIVE
        wage_law = law(month, WAGE_TABLES + (CUMULATIVE_TABLES if cumulative else MONTHLY_TABLES))
        add = steps.append
        add(Step("income of the month (wages, allowances, bonus or equity joining wages)", row("income")[month],
                 month=number, law=wage_law))
        if row("exempt_income")[month]:
            add(Step("exempt expat allowances", row("exempt_income")[month], month=number))
        if cumulative:
            to = slice(0, month + 1)
            add(Step("cumulative income", row("income")[to].sum(), "Σ income, January to this month", number))
            add(Step("cumulative exempt income", row("exempt_income")[to].sum(), "", number))
            add(Step("cumulative basic deduction", row("basic_deduction")[month],
                     "5,000 × months employed here (or from January where the law allows)", number))
            add(Step("cumulative special deductions (social insurance, housing fund)",
                     row("special_deductions")[to].sum(), "", number))
            add(Step("cumulative special additional deductions", row("special_additional_deductions")[to].sum(), "", number))
            if row("other_deductions")[to].any():
                add(Step("cumulative other deductions", row("other_deductions")[to].sum(), "", number))
            add(Step("cumulative taxable income", max(row("wage_taxable")[month], 0),
                     "income − exempt − basic − special − special additional − other", number))
            add(Step("tax to date", row("wage_tax_to_date")[month],
                     f"taxable × {ppm_to_percent(row('wage_rate')[month])} − {fen_to_str(row('wage_quick_deduction')[month])}"
                     " (annual table) − tax reductions", number))
            before = row("wage_withheld_to_date")[month - 1] if month else 0
            add(Step("withheld in earlier months", before, "", number))
            add(Step("wage tax this month", row("wage_tax")[month], "tax to date − withheld before, not below zero", number))
        else:
            if row("special_deductions")[month] or row("other_deductions")[month]:
                add(Step("deductible contributions and other deductions",
                         row("special_deductions")[month] + row("other_deductions")[month], "", number))
            add(Step("basic deduction", row("basic_deduction")[month],
                     "the month's standard deduction (plus foreigners' additional deduction where it applied)", number))
            add(Step("taxable income of the month", max(row("wage_taxable")[month], 0), "", number))
            add(Step("wage tax this month", row("wage_tax")[month],
                     f"taxable × {ppm_to_percent(row('wage_rate')[month])} − {fen_to_str(row('wage_quick_deduction')[month])}"
                     " (monthly table), final for the month", number))
        if row("bonus_tax")[month] or row("bonus_separate")[month] or row("bonus_spread")[month]:
            if row("bonus_spread")[month]:
                how = (f"non-resident: [(bonus ÷ 6) × {ppm_to_percent(row('bonus_rate')[month])} − QD] × 6, "
                       f"QD × 6 = {fen_to_str(row('bonus_quick_deduction')[month])}")
                amount = row("bonus_spread")[month]
            else:
                how = (f"bonus {fen_to_str(row('bonus_base')[month])}: rate from bonus ÷ 12 → "
                       f"{ppm_to_percent(row('bonus_rate')[month])} − {fen_to_str(row('bonus_quick_deduction')[month])}")
                amount = row("bonus_separate")[month]
            steps.append(Step("bonus taxed separately", amount, "", number, law(month, BONUS_TABLES)))
            steps.append(Step("bonus tax", row("bonus_tax")[month], how, number))
        if row("bonus_combined")[month]:
            steps.append(Step("bonus joined with wages", row("bonus_combined")[month], "", number, law(month, BONUS_TABLES)))
        if result.inputs.labour[person, month]:
            steps.append(Step("labour remuneration received", result.inputs.labour[person, month], "", number,
                              law(month, LABOUR_TABLES)))
            steps.append(Step("labour tax", row("labour_tax")[month],
                              f"taxable {fen_to_str(row('labour_taxable')[month])} × {ppm_to_percent(row('labour_rate')[month])}"
                              f" − {fen_to_str(row('labour_quick_deduction')[month])}", number))
        if row("equity_tax")[month] or result.inputs.equity[person, month]:
            steps.append(Step("equity income taxed separately, year to date", row("equity_separate_to_date")[month],
                              "", number, law(month, EQUITY_TABLES)))
            steps.append(Step("equity tax this month", row("equity_tax")[month],
                              f"tax on the year's equity at {ppm_to_percent(row('equity_rate')[month])} − "
                              f"{fen_to_str(row('equity_quick_deduction')[month])}, less equity tax already withheld",
                              number))
    if a["bonus_cliff_cheaper_bonus"][person]:
        steps.append(Step("bonus cliff: a smaller bonus nets the employee more", a["bonus_cliff_cheaper_bonus"][person],
                          f"pay this instead; the employee would net {fen_to_str(a['bonus_cliff_net_loss'][person])} more"))
    filing = Filing(a["reconciliation_filing"][person])
    if filing != Filing.NOT_APPLICABLE:
        rec_law = law(11, RECONCILIATION_TABLES)
        steps += [
            Step("annual comprehensive income", a["reconciliation_income"][person],
                 "wages and allowances less exempt income, combined bonus, 80% of labour remuneration", law=rec_law),
            Step("annual basic deduction", a["reconciliation_basic_deduction"][person]),
            Step("annual taxable income", max(a["reconciliation_taxable"][person], 0),
                 "income − 60,000 − special − special additional − other deductions"),
            Step("annual tax due", a["reconciliation_tax_due"][person],
                 f"taxable × {ppm_to_percent(a['reconciliation_rate'][person])} − "
                 f"{fen_to_str(a['reconciliation_quick_deduction'][person])} (annual table) − reductions"),
            Step("tax prepaid on wages and labour remuneration", a["reconciliation_prepaid"][person]),
            Step("balance (+ payable, − refund)", a["reconciliation_balance"][person], filing.name.lower().replace("_", " ")),
        ]
    return steps
