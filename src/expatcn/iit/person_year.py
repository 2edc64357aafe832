"""One tax year for N people: every month's withholding and the annual reconciliation.

:func:`compute_year` chooses, month by month from the law tables, the regime that applied
(monthly final tax before 2019; residents' cumulative method and non-residents' monthly tax from
2019), and applies the bonus, labour remuneration, equity and allowance rules around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expatcn.arrays import add_amounts, is_zero, zeros
from expatcn.errors import InputError
from expatcn.iit.allowances import exempt_allowances
from expatcn.iit.bonus import annual_bonus_separate, bonus_cliff, nonresident_multimonth_bonus, split_bonus
from expatcn.iit.equity import equity_incentive
from expatcn.iit.inputs import BonusMethod, YearInputs, people_list
from expatcn.iit import other_deductions
from expatcn.iit.exempt_income import exempt_kind_income, severance_tax
from expatcn.iit.labour import intern_labour, labour_income_amount, labour_remuneration
from expatcn.iit.reconciliation import annual_reconciliation
from expatcn.iit.withholding import (
    cumulative_basic_deduction,
    cumulative_withholding,
    monthly_deduction,
    monthly_withholding,
)
from expatcn.iit.windows import closed_windows
from expatcn.iit.year_law import YearLaw
from expatcn.law import Law
from expatcn.law.tables import WAGE_WITHHOLDING_METHOD
from expatcn.money import fen_to_str

CUMULATIVE, MONTHLY = 1, 2  # codes of the wage method used for a person's month
NOT_APPLIED = "special_additional_not_applied"  # annual: non-residents' declared deductions, not applied (fen)
ALERTS = (
    (NOT_APPLIED, "special additional deductions of {amount} not applied{who}: a non-resident deducts only the "
     "basic deduction from wages (IIT Law art. 6(1)(2)) / 非居民个人不适用专项附加扣除（《个人所得税法》第六条第一款第二项）"),
    (other_deductions.NOT_APPLIED, "other deductions of {amount} not applied{who}: no rule in force allowed them "
     "for the date or region (individual pension before 2024 and tax-deferred pension only in the pilot regions; "
     "see law/iit/individual_pension, commercial_health_insurance, tax_deferred_pension) / 其他扣除{amount}未扣除："
     "不在政策施行期间或试点地区"),
)


@dataclass
class YearResult:
    """The engine's answer for N people: (N, 12) monthly columns, (N,) annual columns, and the
    law entries used (``year_law.used``) — everything :mod:`expatcn.iit.explain` needs."""

    inputs: YearInputs
    monthly: dict[str, np.ndarray]
    annual: dict[str, np.ndarray]
    year_law: YearLaw

    @property
    def total_tax(self) -> np.ndarray:
        return self.monthly["total_tax"]

    def alerts(self, people: np.ndarray | list[int] | None = None) -> list[str]:
        """What of the inputs the law did not let the result apply, for people to read (all people,
        or ``people``): non-residents' special additional deductions (IIT Law art. 6(1)(2): a
        non-resident's wages less 5,000 a month, nothing else), and other deductions paid where or
        when no rule allowed them (a pilot's region, the dates of iit/individual_pension, …), and
        windows elected after they closed (:mod:`expatcn.iit.windows`)."""
        rows = np.arange(self.inputs.people) if people is None else np.asarray(people)
        out = []
        for key, message in ALERTS:
            amounts = self.annual[key][rows]
            hit = rows[amounts > 0]
            if not hit.size:
                continue
            names = [str(self.inputs.ids[r]) for r in hit[:5]] if self.inputs.ids else []
            more = f" … {hit.size} in all" if hit.size > 5 else ""
            who = f" ({', '.join(names)}{more})" if names else ""
            out.append(message.format(amount=fen_to_str(amounts.sum()), who=who))
        return out + closed_windows(self.inputs, self.year_law.law, rows)

    def take(self, rows: np.ndarray) -> YearResult:
        return YearResult(
            self.inputs.take(rows),
            {k: v[rows] for k, v in self.monthly.items()},
            {k: v[rows] for k, v in self.annual.items()},
            self.year_law,
        )


def compute_year(inputs: YearInputs, law: Law) -> YearResult:
    """Withholding for every month of ``inputs.year`` and the annual reconciliation.

    Where a person's bonus method is LOWER_TAX, the year is computed both ways (separate and
    combined) and the one with the lower tax for the year is kept, per person.
    """
    method = inputs.bonus_method
    by_default = _compute(inputs, law, separate_chosen=method != BonusMethod.COMBINED)
    lower = method == BonusMethod.LOWER_TAX
    if not (lower.any() and inputs.bonus.any()):
        return by_default
    combined = _compute(inputs, law, separate_chosen=method == BonusMethod.SEPARATE)
    pick = lower & (combined.annual["year_tax"] < by_default.annual["year_tax"])
    monthly = {k: np.where(pick[:, None], combined.monthly[k], v) for k, v in by_default.monthly.items()}
    annual = {k: np.where(pick, combined.annual[k], v) for k, v in by_default.annual.items()}
    return YearResult(inputs, monthly, annual, by_default.year_law)


def _compute(inputs: YearInputs, law: Law, separate_chosen: np.ndarray) -> YearResult:
    year_law = YearLaw(law, inputs.year)
    methods = year_law.each_month(WAGE_WITHHOLDING_METHOD)
    cumulative_month = np.array([m.resident_method == "cumulative" for m in methods])
    _check_deductions(inputs, cumulative_month, year_law)

    kinds = exempt_kind_income(inputs, year_law)
    exempt = add_amounts(exempt_allowances(inputs, year_law), kinds["exempt"])
    split = split_bonus(inputs, year_law, separate_chosen)
    equity = equity_incentive(inputs, year_law)
    income = add_amounts(inputs.wages, inputs.allowances, kinds["exempt"], split.combined, equity["combined"])
    priced = other_deductions.at_withholding(inputs, year_law)
    other = add_amounts(inputs.other_deductions, priced["total"])

    wage = _wage_tax(inputs, income, exempt, other, cumulative_month, methods, year_law)
    bonus = annual_bonus_separate(split.separate, wage["shortfall"], year_law)
    spread = nonresident_multimonth_bonus(split.spread, year_law)
    labour = _labour(inputs, year_law)
    severance = severance_tax(inputs, year_law)

    monthly = {
        "income": income,
        "exempt_income": exempt,
        "special_deductions": wage["special"],
        "special_additional_deductions": wage["special_additional"],
        "other_deductions": wage["other"],
        "basic_deduction": wage["basic"],
        "wage_taxable": wage["taxable"],
        "wage_rate": wage["rate"],
        "wage_quick_deduction": wage["quick_deduction"],
        "wage_tax_to_date": wage["tax_to_date"],
        "wage_withheld_to_date": wage["withheld_to_date"],
        "wage_tax": wage["tax"],
        "wage_method": wage["method"],
        "bonus_separate": split.separate,
        "bonus_spread": split.spread,
        "bonus_combined": split.combined,
        "bonus_base": bonus["base"],
        "bonus_rate": add_amounts(bonus["rate"], spread["rate"]),
        "bonus_quick_deduction": add_amounts(bonus["quick_deduction"], spread["quick_deduction"]),
        "bonus_tax": add_amounts(bonus["tax"], spread["tax"]),
        "labour_taxable": labour["taxable"],
        "labour_rate": labour["rate"],
        "labour_quick_deduction": labour["quick_deduction"],
        "labour_tax": labour["tax"],
        "labour_income_amount": labour["income_amount"],
        "equity_separate_to_date": equity["cumulative"],
        "equity_combined": equity["combined"],
        "equity_rate": equity["rate"],
        "equity_quick_deduction": equity["quick_deduction"],
        "equity_tax": equity["tax"],
        "equity_months": equity["months"],
        "labour_basic_deduction": labour.get("basic_deduction", zeros(inputs.wages.shape)),
        "not_taxable_income": kinds["not_taxable"],
        "severance_exempt": severance["exempt"],
        "severance_taxable": severance["taxable"],
        "severance_rate": severance["rate"],
        "severance_quick_deduction": severance["quick_deduction"],
        "severance_tax": severance["tax"],
        **{f"{item.name}_deducted": priced[item.name] for item in other_deductions.ITEMS},
    }
    monthly["total_tax"] = add_amounts(monthly["wage_tax"], monthly["bonus_tax"], monthly["labour_tax"],
                                       monthly["equity_tax"], monthly["severance_tax"])

    claims = other_deductions.at_reconciliation(inputs, priced, year_law)
    others = {
        "income": _year_sum(inputs.other_wages) + _year_sum(labour_income_amount(inputs.other_labour, year_law)),
        "receipts": _year_sum(inputs.other_wages, inputs.other_labour),
        "deductions": _year_sum(inputs.other_contributions, inputs.other_special_additional_deductions),
        "prepaid": _year_sum(inputs.other_tax_withheld),
    }
    this_prepaid = wage["withheld_to_date"][:, -1] + _year_sum(labour["tax"])
    reconciliation = annual_reconciliation(
        resident=inputs.resident,
        comprehensive_income=_year_sum(income, labour["income_amount"]) - _year_sum(exempt) + others["income"],
        gross_income=_year_sum(income, inputs.labour) + others["receipts"],
        deductions_except_basic=_year_sum(wage["special"], wage["special_additional"], wage["other"])
        + others["deductions"] + claims["total"],
        reductions=_year_sum(inputs.tax_reductions),
        prepaid=this_prepaid + others["prepaid"],
        not_withheld=inputs.not_withheld,
        year_law=year_law,
    )
    annual = {f"reconciliation_{k}": v for k, v in reconciliation.items()}
    keep = inputs.resident & (reconciliation["filing"] != 0)
    annual.update({f"reconciliation_{k}": np.where(keep, v, 0) for k, v in (
        ("prepaid_this_agent", this_prepaid), ("prepaid_others", others["prepaid"]),
        ("other_payers_income", others["income"]), ("other_payers_deductions", others["deductions"]),
        ("special_additional_claimed", claims["special_additional"]), ("serious_illness", claims["serious_illness"]),
        *((item.name, claims[item.name]) for item in other_deductions.ITEMS))})
    annual[other_deductions.NOT_APPLIED] = _year_sum(priced["not_applied"]) + np.where(
        inputs.resident, claims["not_applied"], 0)
    cliff = bonus_cliff(split.separate, year_law) if split.separate.any() else None
    annual["bonus_cliff_cheaper_bonus"] = cliff["cheaper_bonus"] if cliff else np.zeros(inputs.people, np.int64)
    annual["bonus_cliff_net_loss"] = cliff["net_loss"] if cliff else np.zeros(inputs.people, np.int64)
    annual["bonus_taxed_separately"] = (split.separate + split.spread).any(axis=1)
    withheld = wage["withheld_to_date"][:, -1] + _year_sum(monthly["bonus_tax"], labour["tax"], equity["tax"],
                                                           severance["tax"])
    annual["withheld"] = withheld
    annual[NOT_APPLIED] = np.where(inputs.resident, 0, _year_sum(inputs.special_additional_deductions))
    # The year's final tax: wages and labour settle at reconciliation for residents (2019 on).
    settles = reconciliation["filing"] != 0
    separate_final = _year_sum(monthly["bonus_tax"], monthly["equity_tax"], monthly["severance_tax"])
    annual["year_tax"] = np.where(settles, reconciliation["tax_due"] + separate_final, withheld)
    return YearResult(inputs, monthly, annual, year_law)


def _year_sum(*monthly: np.ndarray) -> np.ndarray:
    """Σ over the year of each (N, 12) array, added up; known-zero arrays cost nothing."""
    people = monthly[0].shape[0]
    total = np.zeros(people, dtype=np.int64)
    for array in monthly:
        if not is_zero(array):
            total += array.sum(axis=1)
    return total


def _labour(inputs: YearInputs, year_law: YearLaw) -> dict[str, np.ndarray]:
    """Labour remuneration of the year; resident interns' by the cumulative method."""
    labour = labour_remuneration(inputs.labour, inputs.resident, year_law)
    if is_zero(inputs.intern) or not inputs.intern.any():
        return labour
    interns = np.flatnonzero(inputs.intern)
    with_wages = interns[inputs.wages[interns].any(axis=1)]
    if with_wages.size:
        raise InputError("intern: the interns' cumulative method is for internship pay received as labour remuneration "
                         f"(STA 2020 No. 13 art. 2); people {people_list(with_wages)} also have wages")
    residents = interns[inputs.resident[interns]]
    if not residents.size:
        return labour
    return intern_labour(inputs.labour, residents, inputs.employed, labour, year_law)


def _wage_tax(inputs, income, exempt, other, cumulative_month, methods, year_law) -> dict[str, np.ndarray]:
    """Wage withholding for everyone: the cumulative method for residents in cumulative months,
    the monthly method otherwise; results put back in the people's order."""
    shape = income.shape
    keys = ("special", "special_additional", "other", "basic", "taxable", "rate", "quick_deduction",
            "tax_to_date", "withheld_to_date", "tax", "shortfall", "method")
    if cumulative_month.any() and not cumulative_month.all():
        raise InputError(f"tax year {inputs.year} mixes the monthly and cumulative methods; not supported")
    cumulative_rows = inputs.resident & cumulative_month.all()

    def part(cumulative: bool, index) -> dict[str, np.ndarray]:
        if cumulative:
            return _cumulative_part(inputs, income, exempt, other, index, year_law)
        return _monthly_part(inputs, income, exempt, other, index, cumulative_month, methods, year_law)

    if cumulative_rows.all() or not cumulative_rows.any():
        return part(bool(cumulative_rows.all()), slice(None))
    out = {key: np.zeros(shape, dtype=np.int64) for key in keys}
    for rows, cumulative in ((cumulative_rows, True), (~cumulative_rows, False)):
        index = np.flatnonzero(rows)
        for key, value in part(cumulative, index).items():
            out[key][index] = value
    return out


def _cumulative_part(inputs, income, exempt, other, index, year_law) -> dict[str, np.ndarray]:
    basic = cumulative_basic_deduction(
        inputs.employed[index], inputs.first_income_this_year[index], inputs.low_income_last_year[index], year_law
    )
    special = inputs.employee_contributions[index]
    special_additional = inputs.special_additional_deductions[index]
    other = other[index]
    result = cumulative_withholding(
        income[index], exempt[index], basic, special, special_additional, other, inputs.tax_reductions[index], year_law,
        inputs.closed_months, inputs.wage_tax_withheld[index],
    )
    result.update(special=special, special_additional=special_additional, other=other, basic=basic,
                  shortfall=zeros(basic.shape), method=np.broadcast_to(np.int64(CUMULATIVE), basic.shape))
    return result


def _monthly_part(inputs, income, exempt, other, index, cumulative_month, methods, year_law) -> dict[str, np.ndarray]:
    """Non-residents from 2019 deduct only the basic amount; before 2019 everyone also deducted
    social insurance, housing fund and other allowed deductions from the month's wages."""
    deductible = ~cumulative_month[None, :]
    special = np.where(deductible, inputs.employee_contributions[index], 0)
    other = np.where(deductible, other[index], 0)
    net_income = income[index] - exempt[index] - special - other
    deduction = monthly_deduction(inputs.foreigner[index], year_law)
    tables = [m.resident_table if not c else m.nonresident_table for m, c in zip(methods, cumulative_month)]
    result = monthly_withholding(net_income, deduction, inputs.tax_reductions[index], tables, year_law)
    if inputs.closed_months:  # a closed month's monthly tax is final as filed; differences are reported
        result["tax"] = result["tax"].copy()
        result["tax"][:, : inputs.closed_months] = inputs.wage_tax_withheld[index][:, : inputs.closed_months]
    result.update(
        special=special,
        special_additional=zeros(special.shape),
        other=other,
        basic=deduction,
        tax_to_date=np.cumsum(result["tax"], axis=1),
        withheld_to_date=np.cumsum(result["tax"], axis=1),
        shortfall=np.maximum(deduction - net_income, 0),
        method=np.broadcast_to(np.int64(MONTHLY), special.shape),
    )
    return result


def _check_deductions(inputs: YearInputs, cumulative_month: np.ndarray, year_law: YearLaw) -> None:
    """Special additional deductions exist only from 2019. (A non-resident's are not applied: the
    monthly method deducts the basic deduction only, and :meth:`YearResult.alerts` says so.)"""
    if is_zero(inputs.special_additional_deductions):
        return
    claims = inputs.special_additional_deductions > 0
    early = np.flatnonzero((claims & ~cumulative_month[None, :]).any(axis=1)) if not cumulative_month.all() else []
    if len(early):
        raise InputError(
            f"special additional deductions start in 2019 (Guo Fa [2018] No. 41); {year_law.year} has none "
            f"(people {people_list(early)})"
        )
