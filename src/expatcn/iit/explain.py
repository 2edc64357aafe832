"""Every figure explains itself: the steps behind one person's year, read from the engine's own
intermediate columns (no second computation), each with the law entries it used."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from expatcn.iit.person_year import CUMULATIVE, YearResult
from expatcn.iit.reconciliation import Filing
from expatcn.iit.year_law import YearLaw
from expatcn.law import tables as T
from expatcn.law.model import LawRef
from expatcn.money import fen_to_str, ppm_to_percent, rate_to_ppm

WAGE_TABLES = (T.WAGE_WITHHOLDING_METHOD, T.BASIC_DEDUCTION, T.EXPAT_ALLOWANCE_EXEMPTION)
CUMULATIVE_TABLES = (T.ANNUAL_TABLE, T.NEW_HIRE_DEDUCTION, T.LOW_INCOME_SIMPLIFICATION)
MONTHLY_TABLES = (T.MONTHLY_TABLE,)
BONUS_TABLES = (T.ANNUAL_BONUS, T.NONRESIDENT_MULTIMONTH_BONUS, T.MONTHLY_TABLE)
LABOUR_TABLES = (T.LABOUR_REMUNERATION, T.LABOUR_PREPAYMENT_TABLE, T.MONTHLY_TABLE)
EQUITY_TABLES = (T.EQUITY_INCENTIVE_SEPARATE, T.NONRESIDENT_EQUITY_INCENTIVE, T.ANNUAL_TABLE)
RECONCILIATION_TABLES = (T.BASIC_DEDUCTION, T.ANNUAL_TABLE, T.RECONCILIATION_EXEMPTION)


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

    def law(month: int, tables: tuple[T.TableRef, ...]) -> list[LawRef]:
        return [used[(str(t), month)] for t in tables if (str(t), month) in used]

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
            monthly_basic = result.year_law.value(T.BASIC_DEDUCTION, month).monthly_fen
            add(Step("cumulative basic deduction", row("basic_deduction")[month],
                     f"{fen_to_str(monthly_basic)} × months employed here (or from January where the law allows)",
                     number))
            add(Step("cumulative special deductions (social insurance, housing fund)",
                     row("special_deductions")[to].sum(), "", number))
            add(Step("cumulative special additional deductions", row("special_additional_deductions")[to].sum(), "", number))
            if row("other_deductions")[to].any():
                add(Step("cumulative other deductions", row("other_deductions")[to].sum(), "", number))
            add(Step("cumulative taxable income", max(row("wage_taxable")[month], 0),
                     "income − exempt − basic − special − special additional − other", number))
            add(Step("tax to date", row("wage_tax_to_date")[month],
                     f"taxable × {ppm_to_percent(row('wage_rate')[month])} − {fen_to_str(row('wage_quick_deduction')[month])}"
                     f" ({_wage_table(result.year_law, month, cumulative=True)}) − tax reductions", number))
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
                     f" ({_wage_table(result.year_law, month, cumulative=False)}), final for the month", number))
        if row("bonus_tax")[month] or row("bonus_separate")[month] or row("bonus_spread")[month]:
            if row("bonus_spread")[month]:
                months = result.year_law.value(T.NONRESIDENT_MULTIMONTH_BONUS, month).divisor
                how = (f"non-resident: [(bonus ÷ {months}) × {ppm_to_percent(row('bonus_rate')[month])} − QD] × {months}, "
                       f"QD × {months} = {fen_to_str(row('bonus_quick_deduction')[month])}")
                amount = row("bonus_spread")[month]
            else:
                divisor = result.year_law.value(T.ANNUAL_BONUS, month).divisor
                how = (f"bonus {fen_to_str(row('bonus_base')[month])}: rate from bonus ÷ {divisor} → "
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
        rec_law = law(11, RECONCILIATION_TABLES + (T.LABOUR_REMUNERATION,))
        labour = result.year_law.optional(T.LABOUR_REMUNERATION, 11)
        counted = "" if labour is None else f", {ppm_to_percent(rate_to_ppm(labour.income_rate))} of labour remuneration"
        basic = a["reconciliation_basic_deduction"][person]
        steps += [
            Step("annual comprehensive income", a["reconciliation_income"][person],
                 f"wages and allowances less exempt income, combined bonus{counted}", law=rec_law),
            Step("annual basic deduction", basic),
            Step("annual taxable income", max(a["reconciliation_taxable"][person], 0),
                 f"income − {fen_to_str(basic)} − special − special additional − other deductions"),
            Step("annual tax due", a["reconciliation_tax_due"][person],
                 f"taxable × {ppm_to_percent(a['reconciliation_rate'][person])} − "
                 f"{fen_to_str(a['reconciliation_quick_deduction'][person])} "
                 f"({_table_name(result.year_law, result.year_law.value(T.WAGE_WITHHOLDING_METHOD, 11).resident_table)})"
                 " − reductions"),
            Step("tax prepaid on wages and labour remuneration", a["reconciliation_prepaid"][person]),
            Step("balance (+ payable, − refund)", a["reconciliation_balance"][person], filing.name.lower().replace("_", " ")),
        ]
    return steps


def _table_name(year_law: YearLaw, name: str) -> str:
    """A rate table as a person reads it: its title, up to the first dash."""
    return year_law.law.table(name).title.split(" — ")[0]


def _wage_table(year_law: YearLaw, month: int, cumulative: bool) -> str:
    """The rate table of the month's wage tax (the wage-withholding method's: residents', or the
    one the monthly method uses)."""
    method = year_law.value(T.WAGE_WITHHOLDING_METHOD, month)
    monthly = method.nonresident_table if method.resident_method == "cumulative" else method.resident_table
    return _table_name(year_law, method.resident_table if cumulative else monthly)
