"""Every figure explains itself: the steps behind one person's year, read from the engine's own
intermediate columns (no second computation), each with the law entries it used."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from expatcn.iit.other_deductions import ITEMS
from expatcn.iit.person_year import CUMULATIVE, YearResult
from expatcn.iit.reconciliation import Filing
from expatcn.iit.schedule import band_index
from expatcn.iit.year_law import YearLaw
from expatcn.law import tables as T
from expatcn.law.model import LawRef
from expatcn.money import apply_rate, div_half_up, fen_to_str, ppm_to_percent, rate_to_ppm, yuan_to_fen

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
        inputs = result.inputs
        if not (row("total_tax")[month] or row("income")[month] or inputs.labour[person, month]
                or inputs.severance[person, month] or inputs.equity[person, month] or row("not_taxable_income")[month]):
            continue
        cumulative = row("wage_method")[month] == CUMULATIVE
        wage_law = law(month, WAGE_TABLES + (CUMULATIVE_TABLES if cumulative else MONTHLY_TABLES))
        add = steps.append
        add(Step("income of the month (wages, allowances, bonus or equity joining wages)", row("income")[month],
                 month=number, law=wage_law))
        steps += _exempt_steps(result, person, month, law(month, (T.EXEMPT_INCOME,)))
        steps += _priced_deduction_steps(result, person, month, law)
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
        steps += _bonus_steps(result, person, month, law(month, BONUS_TABLES))
        steps += _labour_steps(result, person, month, law(month, LABOUR_TABLES))
        steps += _equity_steps(result, person, month, law(month, EQUITY_TABLES))
        steps += _severance_steps(result, person, month, law(month, (T.EXEMPT_INCOME, T.ANNUAL_TABLE)))
    if a["bonus_cliff_cheaper_bonus"][person]:
        steps.append(Step("bonus cliff: a smaller bonus nets the employee more", a["bonus_cliff_cheaper_bonus"][person],
                          f"pay this instead; the employee would net {fen_to_str(a['bonus_cliff_net_loss'][person])} more"))
    steps += _reconciliation_steps(result, person, law(11, RECONCILIATION_TABLES + (T.LABOUR_REMUNERATION,)))
    return steps


def _exempt_steps(result: YearResult, person: int, month: int, exempt_law: list[LawRef]) -> list[Step]:
    """Exempt income of the month: the expat allowances, and each kind of iit/exempt_income with
    its law entry; non-taxable kinds are shown as not income."""
    inputs, number = result.inputs, month + 1
    kinds_paid = {}
    if inputs.exempt_kinds is not None:
        kinds_paid = {name: int(inputs.exempt_kinds[person, k, month]) for k, name in enumerate(inputs.exempt_kind_names)
                      if inputs.exempt_kinds[person, k, month]}
    listed = {} if not kinds_paid else {k.kind: k for k in result.year_law.value(T.EXEMPT_INCOME, month).kinds}
    steps = []
    allowances = int(result.monthly["exempt_income"][person, month]) - sum(
        amount for name, amount in kinds_paid.items() if listed[name].treatment == "exempt")
    if allowances:
        steps.append(Step("exempt expat allowances", allowances, month=number))
    for name, amount in kinds_paid.items():
        kind = listed[name]
        what = "exempt income" if kind.treatment == "exempt" else "not taxable (not income)"
        steps.append(Step(f"{what}: {kind.en} / {kind.zh}", amount, kind.law, number, exempt_law))
    return steps


def _priced_deduction_steps(result: YearResult, person: int, month: int, law) -> list[Step]:
    """Other deductions paid this month and allowed within their caps (Regulations art. 13)."""
    steps = []
    for item in ITEMS:
        paid = int(getattr(result.inputs, item.name)[person, month])
        if not paid:
            continue
        rule = result.year_law.optional(item.table, month)
        caps = [] if rule is None else [f"{fen_to_str(yuan_to_fen(v))} a {n}" for v, n in
                                         ((rule.monthly_cap, "month"), (rule.yearly_cap, "year")) if v is not None]
        if rule is not None and rule.wage_rate_cap is not None:
            caps.append(f"{ppm_to_percent(rate_to_ppm(rule.wage_rate_cap))} of the month's wages")
        how = f"paid {fen_to_str(paid)}; " + ("cap " + ", ".join(caps) if rule else "no rule in force")
        steps.append(Step(f"{item.en} deducted", result.monthly[f"{item.name}_deducted"][person, month], how,
                          month + 1, law(month, (item.table,))))
    return steps


def _divided(amount: int, divisor: int) -> str:
    """``amount ÷ divisor`` as a reader checks it: to the fen, marked ≈ where it is not exact."""
    quotient = int(div_half_up(amount, divisor))
    return ("" if quotient * divisor == amount else "≈ ") + fen_to_str(quotient)


def _band(result: YearResult, amount: int, table: str, month: int, divisor: int) -> str:
    schedule = result.year_law.value(table, month)
    return f"band {int(band_index(np.array([amount]), schedule, spread=divisor)[0]) + 1} of {_table_name(result.year_law, table)}"


def _bonus_steps(result: YearResult, person: int, month: int, bonus_law: list[LawRef]) -> list[Step]:
    """The bonus taxed on its own: the ÷ 12 (residents, Caishui [2018] No. 164 §1(1)) or ÷ 6
    (non-residents, MOF/STA 2019 No. 35) figure that picks the band, then the tax."""
    m, number = result.monthly, month + 1
    row = {key: int(m[key][person, month]) for key in
           ("bonus_tax", "bonus_separate", "bonus_spread", "bonus_base", "bonus_rate", "bonus_quick_deduction",
            "bonus_combined")}
    steps = []
    rate = ppm_to_percent(row["bonus_rate"])
    if row["bonus_spread"]:
        rule = result.year_law.value(T.NONRESIDENT_MULTIMONTH_BONUS, month)
        amount, quick = row["bonus_spread"], row["bonus_quick_deduction"] // rule.divisor
        share = int(div_half_up(amount, rule.divisor))
        steps += [
            Step("bonus taxed separately", amount, "", number, bonus_law),
            Step(f"bonus ÷ {rule.divisor}", share,
                 f"{fen_to_str(amount)} ÷ {rule.divisor} = {_divided(amount, rule.divisor)} → "
                 f"{_band(result, amount, rule.table, month, rule.divisor)}: {rate}, quick deduction {fen_to_str(quick)}; "
                 f"{fen_to_str(share)} × {rate} − {fen_to_str(quick)} = {fen_to_str(int(apply_rate(share, row['bonus_rate'])) - quick)}",
                 number),
            Step("bonus tax", row["bonus_tax"],
                 f"[(bonus ÷ {rule.divisor}) × {rate} − {fen_to_str(quick)}] × {rule.divisor} = bonus × {rate} − "
                 f"{fen_to_str(row['bonus_quick_deduction'])}", number),
        ]
    elif row["bonus_separate"] or row["bonus_tax"]:
        rule = result.year_law.value(T.ANNUAL_BONUS, month)
        base = row["bonus_base"]
        steps += [
            Step("bonus taxed separately", row["bonus_separate"], "", number, bonus_law),
            Step(f"bonus ÷ {rule.divisor}", int(div_half_up(base, rule.divisor)),
                 f"{fen_to_str(base)} ÷ {rule.divisor} = {_divided(base, rule.divisor)} → "
                 f"{_band(result, base, rule.table, month, rule.divisor)}: {rate}, quick deduction "
                 f"{fen_to_str(row['bonus_quick_deduction'])}", number),
            Step("bonus tax", row["bonus_tax"],
                 f"{fen_to_str(base)} × {rate} − {fen_to_str(row['bonus_quick_deduction'])}", number),
        ]
    if row["bonus_combined"]:
        steps.append(Step("bonus joined with wages", row["bonus_combined"], "", number, bonus_law))
    return steps


def _labour_steps(result: YearResult, person: int, month: int, labour_law: list[LawRef]) -> list[Step]:
    m, number = result.monthly, month + 1
    received = int(result.inputs.labour[person, month])
    if not received:
        return []
    how = (f"taxable {fen_to_str(m['labour_taxable'][person, month])} × {ppm_to_percent(m['labour_rate'][person, month])}"
           f" − {fen_to_str(m['labour_quick_deduction'][person, month])}")
    basic = int(m["labour_basic_deduction"][person, month])
    if basic:
        labour_law = labour_law + [result.year_law.used[key] for key in [(str(T.INTERN_CUMULATIVE_WITHHOLDING), month)]
                                   if key in result.year_law.used]
        how = (f"intern, cumulative method (STA 2020 No. 13 art. 2): Σ receipts "
               f"{fen_to_str(result.inputs.labour[person, :month + 1].sum())} − {fen_to_str(basic)} "
               f"(5,000 × months of the internship) = {fen_to_str(m['labour_taxable'][person, month])} × "
               f"{ppm_to_percent(m['labour_rate'][person, month])} − {fen_to_str(m['labour_quick_deduction'][person, month])}"
               " − withheld before")
    return [Step("labour remuneration received", received, "", number, labour_law),
            Step("labour tax", m["labour_tax"][person, month], how, number)]


def _equity_steps(result: YearResult, person: int, month: int, equity_law: list[LawRef]) -> list[Step]:
    """Equity taxed apart: residents on the annual table; non-residents ÷ 6 (MOF/STA 2019 No. 35
    formula 6); before 2019 ÷ the months of China work, at most 12 (Caishui [2005] No. 35)."""
    m, number = result.monthly, month + 1
    if not (m["equity_tax"][person, month] or result.inputs.equity[person, month]):
        return []
    to_date = int(m["equity_separate_to_date"][person, month])
    rate, quick = int(m["equity_rate"][person, month]), int(m["equity_quick_deduction"][person, month])
    divisor = int(m["equity_months"][person, month])
    table = T.MONTHLY_TABLE
    if not divisor and not result.inputs.resident[person]:
        rule = result.year_law.value(T.NONRESIDENT_EQUITY_INCENTIVE, month)
        divisor, table = rule.divisor, rule.table
    steps = [Step("equity income taxed separately, year to date", to_date, "", number,
                  equity_law + [ref for key, ref in result.year_law.used.items()
                                if key == (str(T.EQUITY_INCENTIVE_PRE2019), month)])]
    if divisor:
        per = quick // divisor
        share = int(div_half_up(to_date, divisor))
        steps.append(Step(f"year's equity ÷ {divisor}", share,
                          f"{fen_to_str(to_date)} ÷ {divisor} = {_divided(to_date, divisor)} → "
                          f"{_band(result, to_date, str(table), month, divisor)}: {ppm_to_percent(rate)}, quick deduction "
                          f"{fen_to_str(per)}; × {divisor}: equity × {ppm_to_percent(rate)} − {fen_to_str(quick)}", number))
    steps.append(Step("equity tax this month", m["equity_tax"][person, month],
                      f"tax on the year's equity at {ppm_to_percent(rate)} − {fen_to_str(quick)}, "
                      "less equity tax already withheld", number))
    return steps


def _severance_steps(result: YearResult, person: int, month: int, severance_law: list[LawRef]) -> list[Step]:
    """Severance: exempt up to 3 × the local average wage, the excess alone on the annual table
    (Caishui [2018] No. 164 §5(1))."""
    m, number = result.monthly, month + 1
    paid = int(result.inputs.severance[person, month])
    if not paid:
        return []
    rule = next(k for k in result.year_law.value(T.EXEMPT_INCOME, month).kinds if k.kind == "severance")
    average = int(result.inputs.local_average_wage[person])
    return [
        Step("severance (one-off compensation on termination)", paid, "", number, severance_law),
        Step("severance exempt", m["severance_exempt"][person, month],
             f"up to {rule.cap_multiple} × the local average wage of the previous year {fen_to_str(average)} = "
             f"{fen_to_str(int(apply_rate(average, rate_to_ppm(rule.cap_multiple))))} ({rule.law})", number),
        Step("severance tax", m["severance_tax"][person, month],
             f"excess {fen_to_str(m['severance_taxable'][person, month])} alone on the annual table × "
             f"{ppm_to_percent(m['severance_rate'][person, month])} − "
             f"{fen_to_str(m['severance_quick_deduction'][person, month])}, not in the year's comprehensive income",
             number),
    ]


def _reconciliation_steps(result: YearResult, person: int, rec_law: list[LawRef]) -> list[Step]:
    a = {key: value[person] for key, value in result.annual.items()}
    filing = Filing(a["reconciliation_filing"])
    if filing == Filing.NOT_APPLICABLE:
        return []
    labour = result.year_law.optional(T.LABOUR_REMUNERATION, 11)
    counted = "" if labour is None else f", {ppm_to_percent(rate_to_ppm(labour.income_rate))} of labour remuneration"
    basic = a["reconciliation_basic_deduction"]
    steps = []
    if a["reconciliation_other_payers_income"] or a["reconciliation_prepaid_others"]:
        steps += [
            Step("income from other payers (other withholding agents this year)", a["reconciliation_other_payers_income"],
                 f"their wages and {ppm_to_percent(rate_to_ppm(labour.income_rate))} of their labour remuneration "
                 "(IIT Law art. 11; Regulations art. 25)"),
            Step("deductions taken by other payers", a["reconciliation_other_payers_deductions"],
                 "their special and special additional deductions"),
        ]
    steps.append(Step("annual comprehensive income", a["reconciliation_income"],
                      f"wages and allowances less exempt income, combined bonus{counted}, from every payer", law=rec_law))
    steps += _claim_steps(result, person)
    steps += [
        Step("annual basic deduction", basic),
        Step("annual taxable income", max(a["reconciliation_taxable"], 0),
             f"income − {fen_to_str(basic)} − special − special additional − other deductions"),
        Step("annual tax due", a["reconciliation_tax_due"],
             f"taxable × {ppm_to_percent(a['reconciliation_rate'])} − {fen_to_str(a['reconciliation_quick_deduction'])} "
             f"({_table_name(result.year_law, result.year_law.value(T.WAGE_WITHHOLDING_METHOD, 11).resident_table)})"
             " − reductions"),
        Step("tax prepaid on wages and labour remuneration", a["reconciliation_prepaid"],
             f"this withholding agent {fen_to_str(a['reconciliation_prepaid_this_agent'])} + other payers "
             f"{fen_to_str(a['reconciliation_prepaid_others'])}"),
        Step("balance (+ payable, − refund)", a["reconciliation_balance"], filing.name.lower().replace("_", " ")),
    ]
    exemption = result.year_law.optional(T.RECONCILIATION_EXEMPTION, 11)
    if exemption is not None and a["reconciliation_balance"] > 0:
        basis = "receipts (年度综合所得收入)" if exemption.income_basis == "gross_income" else "income amount"
        spared = "" if not result.inputs.not_withheld[person] else (
            "; a withholding agent failed to withhold, so the exemption does not apply")
        steps.append(Step("receipts of comprehensive income for the filing exemption", a["reconciliation_gross_income"],
                          f"filing spared where the {basis} ≤ {fen_to_str(yuan_to_fen(exemption.income_up_to))} or the "
                          f"balance ≤ {fen_to_str(yuan_to_fen(exemption.payable_up_to))}{spared}",
                          law=[ref for key, ref in result.year_law.used.items()
                               if key == (str(T.RECONCILIATION_EXEMPTION), 11)]))
    return steps


def _claim_steps(result: YearResult, person: int) -> list[Step]:
    """The deductions claimed at the reconciliation, each against its cap of the year."""
    a, inputs = result.annual, result.inputs
    steps = []
    claimed = int(inputs.reconciliation_special_additional_deductions[person])
    if claimed:
        steps.append(Step("special additional deductions claimed at the reconciliation",
                          a["reconciliation_special_additional_claimed"][person],
                          "items not given to the withholding agent during the year (Regulations art. 28)"))
    paid = int(inputs.serious_illness_self_paid[person])
    if paid:
        rule = result.year_law.optional(T.SPECIAL_ADDITIONAL_DEDUCTIONS, 11)
        how = "" if rule is None else (f"self-paid {fen_to_str(paid)} − {fen_to_str(yuan_to_fen(rule.serious_illness_threshold_yearly))}"
                                       f", at most {fen_to_str(yuan_to_fen(rule.serious_illness_cap_yearly))} "
                                       "(Guo Fa [2018] No. 41 art. 11)")
        steps.append(Step("serious illness medical expenses", a["reconciliation_serious_illness"][person], how))
    for item in ITEMS:
        paid = int(getattr(inputs, f"reconciliation_{item.name}")[person])
        if not paid:
            continue
        entry = result.year_law.entry(item.table, 11)
        rule = None if entry is None else entry.value
        during = int(result.monthly[f"{item.name}_deducted"][person].sum())
        cap = "" if rule is None or rule.yearly_cap is None else f", cap {fen_to_str(yuan_to_fen(rule.yearly_cap))} a year"
        scope = "" if rule is None or rule.scope == "nationwide" else f", only in {rule.scope_note}"
        steps.append(Step(f"{item.en} claimed at the reconciliation", a[f"reconciliation_{item.name}"][person],
                          f"paid {fen_to_str(paid)}; {fen_to_str(during)} deducted at withholding{cap}{scope}"
                          + ("" if rule else "; no rule in force in this year"),
                          law=[] if entry is None else [entry.ref]))
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
