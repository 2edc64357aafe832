"""Net → gross, exact to the fen, by inverting the tax schedules in closed form.

Compensation agreed "net" needs the gross that, after IIT and the employee's contributions,
pays exactly that net. The withholding rules are piecewise linear in the gross, so on each band
of the schedule the gross has a closed form; the band is the one whose solution falls inside it.
Rounding to the fen can make some nets unreachable, so the answer is the smallest gross (to the
fen) whose computed net is at least the target, found among the few fen around the closed form.

- residents, cumulative method (STA 2018 No. 61): month by month, because each month's gross
  moves the cumulative taxable income the next month starts from;
- non-residents and months before 2019: each month on its own (monthly table);
- a net annual bonus (separate method, Caishui [2018] No. 164) and a non-resident's net
  multi-month bonus (÷ 6 rule): on the bonus schedule, where a cliff can make two grosses give
  the same net — the smaller is chosen and the other reported.

The forward calculation is always the IIT engine's (:func:`expatcn.iit.person_year.compute_year`);
this module only inverts it, and every result is checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from expatcn.arrays import add_amounts, is_zero, zeros
from expatcn.errors import InputError
from expatcn.iit.allowances import exempt_allowances
from expatcn.iit.inputs import MONTHS, BonusMethod, YearInputs
from expatcn.iit.person_year import YearResult, compute_year
from expatcn.iit.schedule import progressive_tax
from expatcn.iit.withholding import cumulative_basic_deduction, monthly_deduction
from expatcn.iit.year_law import YearLaw
from expatcn.law import Law
from expatcn.law.schemas.common import TaxSchedule
from expatcn.law.tables import ANNUAL_BONUS, NONRESIDENT_MULTIMONTH_BONUS, WAGE_WITHHOLDING_METHOD
from expatcn.money import RATE_SCALE

WINDOW = 3  # fen checked on each side of the closed-form solution
SETTLE_FEN = 10  # at most this many fen added where contributions move with the gross


@dataclass
class GrossUp:
    """The grosses found, (N, 12) fen, the forward result that proves them, and where a net
    could not be hit exactly (the gross gives ``net_paid`` > target by a fen or two)."""

    gross_wages: np.ndarray
    target_net: np.ndarray
    net_paid: np.ndarray
    exact: np.ndarray
    result: YearResult


def net_pay(result: YearResult) -> np.ndarray:
    """Net pay of each month, (N, 12): wages + allowances + bonus − employee contributions − IIT.
    (Labour remuneration and equity are not pay of the month here.)"""
    inputs = result.inputs
    return (
        inputs.wages + inputs.allowances + inputs.bonus - inputs.employee_contributions
        - result.monthly["wage_tax"] - result.monthly["bonus_tax"]
    )


def _smallest_meeting(
    target: np.ndarray, base: np.ndarray, already: np.ndarray, schedule: TaxSchedule,
    spread: int = 1, quick_times: int = 1,
) -> np.ndarray:
    """The smallest g ≥ 0 (fen) with  φ(g) = g − max(tax(g + base) − already, 0) ≥ target, where
    tax is the schedule's progressive tax on ``g + base``. Vectorized over any shape.

    φ never falls as g rises (a fen more adds at most a fen of tax). Where φ(target) = target no
    tax is due and the target itself is the answer. Otherwise, with X = g + base, the condition
    reads ψ(X) = X − tax(X) ≥ Y = target + base − already, and ψ is the same rising function for
    everyone: its band is the number of band edges where ψ is below Y, and on band j
    X_j = ⌈(Y − q_j) / (1 − r_j)⌉. The tax is rounded to the fen, which moves ψ by at most half a
    fen, and ψ rises by at least 0.55 a fen on every band, so the answer is X_j − base − 1,
    X_j − base or X_j − base + 1.
    """
    bounds, rates, quick = schedule.arrays
    target = np.asarray(target, dtype=np.int64)
    base = np.asarray(base, dtype=np.int64)
    edges = bounds * spread
    psi_at_edges = edges - progressive_tax(edges, schedule, spread, quick_times)[0]
    needed = target + base - already
    band = np.zeros(needed.shape, dtype=np.uint8)
    above = np.empty(needed.shape, dtype=bool)
    for psi in psi_at_edges:
        np.greater(needed, psi, out=above)
        band += above.view(np.uint8)
    rate = rates[band]
    numerator = (needed - quick[band] * quick_times) * RATE_SCALE
    g = -(-numerator // (RATE_SCALE - rate)) - base  # ceiling division
    meets_before = (g - 1) - _tax_to_pay(g - 1, base, already, schedule, spread, quick_times) >= target
    meets_here = g - _tax_to_pay(g, base, already, schedule, spread, quick_times) >= target
    taxed_answer = np.where(meets_before, g - 1, np.where(meets_here, g, g + 1))
    untaxed = _tax_to_pay(target, base, already, schedule, spread, quick_times) == 0
    return np.maximum(np.where(untaxed, target, taxed_answer), 0)


def _tax_to_pay(g, base, already, schedule, spread, quick_times) -> np.ndarray:
    tax, _, _ = progressive_tax(g + base, schedule, spread, quick_times)
    return np.maximum(tax - already, 0)


def grossup_wages(
    target_net: np.ndarray,
    template: YearInputs,
    law: Law,
    *,
    contributions_paid: np.ndarray | None = None,
    taxable_not_paid: np.ndarray | None = None,
) -> GrossUp:
    """The monthly gross wages that pay ``target_net`` (N, 12, fen) each month.

    ``template`` gives everything but the wages: status, months employed, allowances (paid and,
    where exempt, untaxed), employee contributions, special additional and other deductions,
    bonuses and their method. Net pay = wages + allowances + bonus − contributions − IIT.
    Months not employed keep zero wages. Where the employee pays more than the deductible
    ``employee_contributions`` (housing fund above the tax-free cap), ``contributions_paid`` gives
    what is paid; ``taxable_not_paid`` is taxable income that is not paid out (the employer's
    housing fund above the cap).
    """
    if (template.bonus_method == BonusMethod.LOWER_TAX).any() and not is_zero(template.bonus):
        raise InputError("a gross-up needs each bonus method fixed: choose separate or combined, not lower_tax")
    year_law = YearLaw(law, template.year)
    if not is_zero(template.bonus) and template.bonus.any() and any(
        rule is not None and rule.shortfall_adjustment for rule in year_law.each_month_optional(ANNUAL_BONUS)
    ):
        raise InputError(
            f"a bonus in {template.year} is taxed with the salary-shortfall adjustment (Guoshuifa [2005] No. 9), "
            "which ties it to the wages: gross up the wages without the bonus, then the bonus with grossup_bonus"
        )
    target = np.asarray(target_net, dtype=np.int64)
    # The bonus and its tax do not depend on the wages (separate or ÷ 6 rules), except where
    # it is combined with wages: then it is part of the month's income, like an allowance.
    if is_zero(template.bonus) or not template.bonus.any():
        combined_bonus = bonus_net = zeros(target.shape)
    else:
        bonus_pass = compute_year(replace(template, wages=np.zeros_like(target)), law)
        combined_bonus = bonus_pass.monthly["bonus_combined"]
        bonus_net = template.bonus - bonus_pass.monthly["bonus_tax"]
    exempt = exempt_allowances(template, year_law)
    paid_extra = template.allowances + combined_bonus
    if taxable_not_paid is not None:
        paid_extra = paid_extra + taxable_not_paid
    paid = template.employee_contributions if contributions_paid is None else contributions_paid
    # What the wages must cover: target − allowances − bonus net + contributions.
    needed = target - template.allowances - bonus_net + paid
    methods = year_law.each_month(WAGE_WITHHOLDING_METHOD)
    gross = np.zeros_like(target)
    cumulative = template.resident & all(m.resident_method == "cumulative" for m in methods)
    for rows, solve in ((cumulative, _cumulative), (~cumulative, _monthly)):
        if not rows.any():
            continue
        if rows.all():
            gross = solve(needed, template, exempt, paid_extra, year_law)
            break
        index = np.flatnonzero(rows)
        gross[index] = solve(needed[index], template.take(index), exempt[index], paid_extra[index], year_law)
    gross = np.where(template.employed, gross, 0)
    result = compute_year(replace(template, wages=gross), law)
    net = net_pay(result) if contributions_paid is None else net_pay(result) + template.employee_contributions - paid
    return GrossUp(gross, target, net, net == target, result)


def _by_month(array: np.ndarray) -> np.ndarray:
    """(N, 12) → (12, N), each month contiguous (known-zero arrays stay free)."""
    return zeros(array.shape[::-1]) if is_zero(array) else np.ascontiguousarray(array.T)


def _cumulative(needed, inputs: YearInputs, exempt, paid_extra, year_law: YearLaw) -> np.ndarray:
    """Residents, month by month: each month's gross from the cumulative position it starts at."""
    schedule = year_law.value(year_law.value(WAGE_WITHHOLDING_METHOD, 0).resident_table, 0)
    basic = _by_month(np.asarray(cumulative_basic_deduction(
        inputs.employed, inputs.first_income_this_year, inputs.low_income_last_year, year_law
    )))
    deductions = _by_month(add_amounts(
        inputs.employee_contributions, inputs.special_additional_deductions, inputs.other_deductions
    ))
    extra = _by_month(add_amounts(paid_extra, exempt, sign=-1))  # income besides wages, less exempt
    reductions = _by_month(np.cumsum(inputs.tax_reductions, axis=1)) if not is_zero(inputs.tax_reductions) \
        else zeros((MONTHS, inputs.people))
    employed = _by_month(inputs.employed)
    needed = _by_month(needed)
    before = np.zeros(inputs.people, dtype=np.int64)  # Σ income − exempt − deductions so far
    withheld = np.zeros(inputs.people, dtype=np.int64)
    gross = np.zeros((MONTHS, inputs.people), dtype=np.int64)
    for month in range(MONTHS):
        base = before + extra[month] - deductions[month] - basic[month]
        already = withheld + reductions[month]
        g = _smallest_meeting(needed[month], base, already, schedule)
        gross[month] = np.where(employed[month], g, 0)
        before = base + basic[month] + gross[month]
        due, _, _ = progressive_tax(before - basic[month], schedule)
        withheld = np.maximum(withheld, due - reductions[month])
    return gross.T


def _monthly(needed, inputs: YearInputs, exempt, paid_extra, year_law: YearLaw) -> np.ndarray:
    """Each month on its own: non-residents from 2019 (income − 5,000), everyone before 2019
    (income − contributions − deduction, with the foreigners' additional deduction)."""
    methods = year_law.each_month(WAGE_WITHHOLDING_METHOD)
    deduction = monthly_deduction(inputs.foreigner, year_law)
    gross = np.zeros_like(needed)
    for month, method in enumerate(methods):
        cumulative_year = method.resident_method == "cumulative"
        table = method.nonresident_table if cumulative_year else method.resident_table
        deductible = zeros(needed.shape[:1]) if cumulative_year else (
            inputs.employee_contributions[:, month] + inputs.other_deductions[:, month]
        )
        base = paid_extra[:, month] - exempt[:, month] - deductible - deduction[:, month]
        g = _smallest_meeting(needed[:, month], base, inputs.tax_reductions[:, month], year_law.value(table, month))
        gross[:, month] = np.maximum(g, 0)
    return gross


@dataclass
class BonusGrossUp:
    """Per person (N,): the smallest gross bonus paying the net target, the net it pays, and —
    where a cliff lets a larger bonus pay the same net — that larger bonus (else 0)."""

    gross_bonus: np.ndarray
    net_paid: np.ndarray
    larger_same_net: np.ndarray


def grossup_bonus(target_net: np.ndarray, year: int, month: int, resident: np.ndarray | None = None, *,
                  law: Law) -> BonusGrossUp:
    """Gross of a net bonus paid in ``month`` (1–12) of ``year``: residents' annual one-off bonus
    taxed separately (rate from bonus ÷ 12), non-residents' multi-month bonus (÷ 6 rule).

    On the bonus schedule net = B − (B × r_j − q_j) is not monotone: just above each band edge
    (a "cliff") the net drops. Each band's closed form is a candidate; the smallest valid one is
    the answer, and a valid one in a higher band is reported as the larger gross with the same net.
    """
    year_law = YearLaw(law, year)
    target = np.asarray(target_net, dtype=np.int64)
    resident = np.ones(target.shape, dtype=bool) if resident is None else np.asarray(resident, dtype=bool)
    index = month - 1
    annual = year_law.value(ANNUAL_BONUS, index)
    spread = year_law.optional(NONRESIDENT_MULTIMONTH_BONUS, index)
    gross = np.zeros_like(target)
    larger = np.zeros_like(target)
    for rows, rule, times in ((resident, annual, 1), (~resident, spread, None)):
        if not rows.any():
            continue
        schedule = year_law.value(rule.table, index)
        divisor = rule.divisor
        times = times or divisor
        found = [
            _smallest_meeting_in_band(target[rows], schedule, band, divisor, times)
            for band in range(len(schedule.arrays[1]))
        ]
        stacked = np.stack(found)
        valid = stacked >= 0
        first = np.where(valid, stacked, np.iinfo(np.int64).max).min(axis=0)
        gross[rows] = first
        # A larger bonus "gives the same net" where its band's own solution pays the target
        # (not merely a band whose lowest bonus already pays more).
        tax, _, _ = progressive_tax(np.maximum(stacked, 0), schedule, divisor, times)
        same_net = valid & (stacked > first) & (stacked - tax - target[rows] <= WINDOW)
        later = np.where(same_net, stacked, np.iinfo(np.int64).max).min(axis=0)
        larger[rows] = np.where(later == np.iinfo(np.int64).max, 0, later)
    net = np.zeros_like(target)
    for rows, rule, times in ((resident, annual, 1), (~resident, spread, None)):
        if rows.any():
            tax, _, _ = progressive_tax(gross[rows], year_law.value(rule.table, index), rule.divisor, times or rule.divisor)
            net[rows] = gross[rows] - tax
    return BonusGrossUp(gross, net, larger)


def _smallest_meeting_in_band(target, schedule: TaxSchedule, band: int, divisor: int, times: int) -> np.ndarray:
    """The smallest bonus B inside ``band`` (judged by B ÷ divisor) with B − tax(B) ≥ target,
    or −1 where the band holds none."""
    bounds, rates, quick = schedule.arrays
    rate, deduction = int(rates[band]), int(quick[band]) * times
    low = 0 if band == 0 else int(bounds[band - 1]) * divisor + 1
    high = np.iinfo(np.int64).max if band == len(bounds) else int(bounds[band]) * divisor
    numerator = target * RATE_SCALE - deduction * RATE_SCALE
    guess = np.maximum(-(-numerator // (RATE_SCALE - rate)), low)
    answer = np.full(target.shape, -1, dtype=np.int64)
    for step in range(-WINDOW, WINDOW + 1):
        b = np.clip(guess + step, low, high)
        tax, _, _ = progressive_tax(b, schedule, divisor, times)
        meets = (b - tax >= target) & (answer < 0)
        answer = np.where(meets, b, answer)
    return answer


def grossup_full_month(target_net: np.ndarray, month_template, law: Law, rounds: int = 20,
                       base_follows_gross: bool = True):
    """Gross wages for a target net pay when the employee's contributions follow the gross
    (``expatcn.gross_to_net``): the contributions of the gross found so far feed the next
    closed-form solution until the gross no longer moves, then the fen are settled against the
    full forward calculation. Where the contribution base sits at the city's ceiling or floor
    (contributions do not move with the gross) this is exact in one round; in between, the base
    moves with the gross and the answer meets the target and is checked against the forward
    calculation. ``base_follows_gross=False`` keeps the template's ``contribution_wage`` (e.g.
    last year's average wage, declared once a year). Returns ``(gross (N, 12), MonthResult)``.
    """
    from expatcn.gross_to_net import gross_to_net

    target = np.asarray(target_net, dtype=np.int64)
    income = month_template.income
    follows = base_follows_gross

    def forward(wages: np.ndarray):
        inputs = replace(month_template, income=replace(income, wages=wages), pay=None,
                         contribution_wage=None if follows else month_template.contribution_wage)
        return gross_to_net(inputs, law, keep_trace=False)

    gross = target.copy()
    for _ in range(rounds):
        month = forward(gross)
        found = grossup_wages(
            target, replace(income, employee_contributions=month.monthly["employee_deduction"]), law,
            contributions_paid=month.monthly["employee_contributions"],
            taxable_not_paid=month.monthly["housing_fund_employer_taxable"],
        ).gross_wages
        if np.array_equal(found, gross):
            break
        gross = found
    month = forward(gross)
    for _ in range(SETTLE_FEN):  # settle the last fen against the full calculation
        short = (month.monthly["net"] < target) & income.employed
        if not short.any():
            break
        gross = gross + short
        month = forward(gross)
    return gross, month


@dataclass
class PackageGrossUp:
    """One person's monthly package grossed up, (12,) fen each; months not employed are zero.
    ``result``: the engine's answer for the gross found (a ``YearResult``, or with a city a
    ``MonthResult``), which the figures are read from and a trace can explain."""

    employed: np.ndarray
    target: np.ndarray
    gross_wages: np.ndarray
    allowances: np.ndarray
    employee_contributions: np.ndarray
    iit: np.ndarray
    net: np.ndarray
    alerts: list[str]
    result: object


def grossup_package(
    net: int, year: int, *, city: str | None = None, contributions: int = 0, resident: bool = True,
    foreigner: bool = False, allowances: int = 0, special_additional_deductions: int = 0,
    first_month: int = 1, last_month: int = 12, law: Law, rates=None, carry_forward: bool = True,
) -> PackageGrossUp:
    """The same net (fen) every month employed, for one person: fixed ``contributions``, or the
    ``city``'s contributions following the gross (the employer's own figures ``rates`` where it
    gives them; figures not yet published carried forward unless ``carry_forward`` is False);
    tax-free ``allowances`` elect the exemption."""
    employed = np.zeros((1, MONTHS), dtype=bool)
    employed[0, first_month - 1 : last_month] = True

    def monthly(fen: int) -> np.ndarray:
        return np.where(employed, fen, 0).astype(np.int64)

    template = YearInputs(
        year=year, wages=np.zeros((1, MONTHS)), allowances=monthly(allowances),
        employee_contributions=None if city else monthly(contributions),
        special_additional_deductions=monthly(special_additional_deductions), employed=employed,
        resident=np.array([resident]), foreigner=np.array([foreigner or allowances > 0]),
        allowance_election=np.array([allowances > 0]),
    )
    target = monthly(net)
    if city:
        from expatcn.gross_to_net import MonthInputs

        month_inputs = MonthInputs(income=template, city=np.array([city.lower()]), rates=rates,
                                   carry_forward=carry_forward)
        gross, month = grossup_full_month(target, month_inputs, law)
        paid_contributions, iit, paid = (month.monthly[k][0] for k in ("employee_contributions", "iit", "net"))
        alerts, result = month.iit.alerts(), month
    else:
        found = grossup_wages(target, template, law)
        gross, paid = found.gross_wages, found.net_paid[0]
        paid_contributions, iit = template.employee_contributions[0], found.result.monthly["wage_tax"][0]
        alerts, result = found.result.alerts(), found.result
    return PackageGrossUp(employed[0], target[0], gross[0], template.allowances[0], np.asarray(paid_contributions),
                          iit, paid, alerts, result)
