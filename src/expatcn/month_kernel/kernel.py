"""The full month, compiled (numba): one pass per employee over the twelve months, computing
participation, each scheme's base and amounts, the housing fund and its tax-free cap, the IIT
(cumulative or monthly wage method, bonus, labour remuneration, equity), net pay and employer
cost, and writing the results straight into preallocated output arrays.

The rules are those of the reference engines, function for function (named in each docstring);
the law's figures arrive as the arrays of :mod:`expatcn.month_kernel.law_arrays`, the rounding
rule is :func:`expatcn.money.rate_half_up`, compiled. Nothing here decides an error: a row the
reference would refuse (a figure not in the tables, a rate outside its legal range, inputs the
law does not allow) only gets a bit in ``status`` and the caller hands the batch to the reference.

Set ``NUMBA_DISABLE_JIT=1`` to run this module as plain Python (for debugging; slow).
"""

from __future__ import annotations

from numba import njit

from expatcn.iit.inputs import BonusMethod
from expatcn.month_kernel.law_arrays import (
    CEILING,
    CEILING_KIND,
    CEILING_UNCONFIRMED,
    CEILING_VALUE,
    CM_CAP,
    CM_CAP_RATE,
    CM_CARRIES,
    CM_DATA,
    CM_FOREIGNERS,
    CM_HF_MODE,
    CM_MANDATORY,
    CM_OPTIONAL,
    CM_SAME_AS_BEFORE,
    EE_KNOWN,
    EE_NL_KNOWN,
    EE_NL_RATE,
    EE_NL_SET,
    EE_RATE,
    ER_KIND,
    ER_KNOWN,
    ER_NL_KNOWN,
    ER_NL_RATE,
    ER_NL_SET,
    ER_RATE,
    FIXED,
    FLOOR,
    FLOOR_AT_MOST,
    FLOOR_AT_MOST_SET,
    FLOOR_KNOWN,
    HF,
    HF_KNOWN_END,
    HF_KNOWN_END_SET,
    HF_MANDATORY,
    HF_OPTIONAL,
    HF_PRESENT,
    HF_RANGED,
    M_AB,
    M_AB_CHOICE,
    M_AB_DIVISOR,
    M_AB_RESIDENTS_ONLY,
    M_AB_SHORTFALL,
    M_AB_TABLE,
    M_ALLOW_EITHER_OR,
    M_ALLOW_IN_FORCE,
    M_ALLOW_NONRES,
    M_BASIC,
    M_CUMULATIVE,
    M_EQ_NON,
    M_EQ_NON_DIVISOR,
    M_EQ_NON_TABLE,
    M_EQ_RES,
    M_EQ_RES_TABLE,
    M_FIRST_DAY,
    M_FOREIGN_ADD,
    M_LAB,
    M_LAB_FIXED,
    M_LAB_INCOME_RATE,
    M_LAB_RATE,
    M_LAB_TABLE,
    M_LAB_UP_TO,
    M_LAST_DAY,
    M_LOW_INCOME,
    M_MONTHLY_TABLE,
    M_NB,
    M_NB_DIVISOR,
    M_NB_TABLE,
    M_NEW_HIRE,
    MERGED,
    N_PARTS,
    PART0,
    PENSION,
    RANGE_HIGH,
    RANGE_LOW,
    RATE_FIXED,
    RATE_RANGE,
    Y_ANNUAL_BASIC,
    Y_ANNUAL_TABLE,
    Y_SETTLES,
)
from expatcn.money import rate_half_up as _rate_half_up

MONTHS = 12
rate_half_up = njit(cache=True, inline="always")(_rate_half_up)

# person[i, :] — one employee's flags and figures
P_CITY, P_FLAGS, P_INJURY_RATE, P_HF_RATE, P_CERTIFICATE, P_CERT_FROM, P_CERT_UNTIL, P_BONUS_METHOD = range(8)
PERSON_FIELDS = 8
(F_FOREIGN, F_LOCAL, F_OPT_IN, F_HF_OPT_IN, F_RESIDENT, F_FOREIGNER, F_ELECTION, F_FIRST_INCOME,
 F_LOW_INCOME) = (1 << k for k in range(9))
DEFAULT_RATE = -1

# amounts[k] — (N, 12) inputs in fen; an absent one is a (0, 12) array (read as zero, or as its default)
(A_WAGES, A_ALLOWANCES, A_BONUS, A_LABOUR, A_EQUITY, A_SAD, A_OTHER, A_REDUCTIONS, A_CONTRIBUTIONS,
 A_WITHHELD, A_PAY, A_BONUS_PAID, A_EQUITY_PAID, A_CONTRIBUTION_WAGE) = range(14)
AMOUNTS = 14

# out[k] — (N, 12) outputs in fen; an absent one is a (0, 12) array and is not written
OUTPUTS = (
    "gross", "employee_social", "employee_housing_fund", "employee_contributions", "employee_deduction",
    "housing_fund_employer_taxable", "iit", "net", "employer_social", "employer_housing_fund",
    "employer_contributions", "employer_cost", "employee_pension",
    "income", "exempt_income", "wage_taxable", "wage_tax", "bonus_tax", "labour_tax", "equity_tax",
)

# flags_out[i, m] — bits of each employee-month
FLAG_UNKNOWN, FLAG_EMPLOYEE_CARRIED, FLAG_EMPLOYER_CARRIED = 1, 2, 4

# status[i] — why the reference must decide this batch
(S_NO_DATA, S_FOREIGNERS, S_RATE_RANGE, S_UNKNOWN, S_CAP, S_INPUT, S_LABOUR, S_EQUITY) = (1 << k for k in range(8))


@njit(cache=True, inline="always")
def _at(a, i, m):
    return a[i, m] if a.shape[0] else 0


@njit(cache=True, inline="always")
def progressive_tax(amount, s, spread, quick_times, bounds, bound_count, rates, quick):
    """:func:`expatcn.iit.schedule.progressive_tax` for one amount on schedule ``s``: the band
    from amount ÷ spread (bounds × spread, exactly), tax = amount × rate − quick deduction × times;
    an amount ≤ 0 pays nothing."""
    if amount <= 0:
        return 0
    band = 0
    while band < bound_count[s] and amount > bounds[s, band] * spread:
        band += 1
    return rate_half_up(amount * rates[s, band]) - quick[s, band] * quick_times


@njit(cache=True, inline="always")
def contribution_base(wage, social, c, m, s):
    """:func:`expatcn.social.contributions.contribution_base`: (base, known) for one wage."""
    kind, floor, ceiling = social[c, m, s, CEILING_KIND], social[c, m, s, FLOOR], social[c, m, s, CEILING]
    if social[c, m, s, FLOOR_KNOWN]:
        base = max(wage, floor)
        if kind == CEILING_VALUE:
            base = min(base, ceiling)
        return base, (kind != CEILING_UNCONFIRMED) or wage <= floor
    base = min(wage, ceiling) if kind == CEILING_VALUE else wage
    if kind == CEILING_UNCONFIRMED:
        return base, False
    known = kind == CEILING_VALUE and wage >= ceiling
    if social[c, m, s, FLOOR_AT_MOST_SET] and wage >= social[c, m, s, FLOOR_AT_MOST]:
        known = True
    return base, known


@njit(cache=True, inline="always")
def _side_rate(social, c, m, s, rate, known, nl_set, nl_rate, nl_known, local):
    """``contributions._rates`` for one employee: (rate, unknown), the non-local rate where set."""
    if social[c, m, s, nl_set] and not local:
        return (social[c, m, s, nl_rate] if social[c, m, s, nl_known] else 0), not social[c, m, s, nl_known]
    return (social[c, m, s, rate] if social[c, m, s, known] else 0), not social[c, m, s, known]


@njit(cache=True, inline="always")
def decide(wage, social, c, m, s, local, injury_rate):
    """``contributions._decide`` for one employee and scheme ``s`` of the figures ``social``: the
    base, employer and employee rates, and whether each side's amount is undecided by them."""
    base, known = contribution_base(wage, social, c, m, s)
    kind = social[c, m, s, ER_KIND]
    if kind == RATE_FIXED:
        er_rate, er_unknown = _side_rate(social, c, m, s, ER_RATE, ER_KNOWN, ER_NL_SET, ER_NL_RATE, ER_NL_KNOWN, local)
    elif injury_rate != DEFAULT_RATE:
        er_rate, er_unknown = injury_rate, False
    else:  # the lowest class; an unconfirmed range has no default
        er_rate, er_unknown = social[c, m, s, RANGE_LOW], kind != RATE_RANGE
    ee_rate, ee_unknown = _side_rate(social, c, m, s, EE_RATE, EE_KNOWN, EE_NL_SET, EE_NL_RATE, EE_NL_KNOWN, local)
    return base, er_rate, ee_rate, er_unknown or not known, ee_unknown or (not known and ee_rate != 0)


@njit(cache=True, inline="always")
def decide_housing_fund(wage, social, c, m, hf_rate):
    """``housing_fund._rate`` and the base for one employee: (base, rate, undecided)."""
    if not social[c, m, HF, HF_PRESENT]:
        return 0, 0, True
    base, known = contribution_base(wage, social, c, m, HF)
    if social[c, m, HF, HF_RANGED]:
        rate, rate_unknown = (social[c, m, HF, RANGE_HIGH] if hf_rate == DEFAULT_RATE else hf_rate), False
    elif hf_rate != DEFAULT_RATE:
        rate, rate_unknown = hf_rate, False
    else:
        rate, rate_unknown = social[c, m, HF, HF_KNOWN_END], not social[c, m, HF, HF_KNOWN_END_SET]
    return base, rate, rate_unknown or not known


@njit(cache=True, inline="always")
def contributions(wage, takes_part, c, m, social, published, city_month, local, injury_rate, hf_rate):
    """:func:`expatcn.social.contributions.contributions` for one employee and month, with
    ``takes_part`` the bits of the schemes (and housing fund) joined. Returns employee social
    insurance, employer social insurance, housing fund (each side), employee pension, the
    housing fund's tax-free part and its taxable employer part, whether an amount is undecided
    (a figure neither published nor carried), whether the employee's and the employer's amounts
    rest on a carried-forward figure, whether the tax-cap table is missing."""
    ee_social = er_social = housing_fund = pension = deductible = hf_taxable = 0
    undecided = ee_carried = er_carried = cap_missing = False
    carries = city_month[c, m, CM_CARRIES] != 0
    for s in range(HF):
        if social[c, m, s, MERGED] or not takes_part & (1 << s):
            continue
        base, er_rate, ee_rate, er_undecided, ee_undecided = decide(wage, social, c, m, s, local, injury_rate)
        if social[c, m, s, N_PARTS]:  # each part collected apart, each to the fen
            employer = 0
            for k in range(social[c, m, s, N_PARTS]):
                employer += rate_half_up(base * social[c, m, s, PART0 + k])
        else:
            employer = rate_half_up(base * er_rate)
        employee = rate_half_up(base * ee_rate) + social[c, m, s, FIXED]
        if er_undecided:
            employer, undecided = 0, True
        if ee_undecided:
            employee, undecided = 0, True
        if carries:  # undecided on the published figures, decided now: rests on a carried figure
            _, _, _, er_published, ee_published = decide(wage, published, c, m, s, local, injury_rate)
            er_carried |= er_published and not er_undecided
            ee_carried |= ee_published and not ee_undecided
        er_social += employer
        ee_social += employee
        if s == PENSION:
            pension = employee
    if takes_part & (1 << HF):
        if not city_month[c, m, CM_CAP]:
            cap_missing = True
        base, rate, hf_undecided = decide_housing_fund(wage, social, c, m, hf_rate)
        if hf_undecided:
            undecided = True
        elif social[c, m, HF, HF_PRESENT]:
            housing_fund = rate_half_up(base * rate)
            # Caishui [2006] No. 10: tax-free up to cap × wage (the wage up to the fund's ceiling)
            counted = min(wage, social[c, m, HF, CEILING]) if social[c, m, HF, CEILING_KIND] == CEILING_VALUE else wage
            cap = rate_half_up(counted * city_month[c, m, CM_CAP_RATE])
            deductible = min(housing_fund, cap)
            hf_taxable = max(housing_fund - cap, 0)
        if carries and social[c, m, HF, HF_PRESENT]:
            _, _, published_undecided = decide_housing_fund(wage, published, c, m, hf_rate)
            rests = published_undecided and not hf_undecided
            er_carried |= rests
            ee_carried |= rests
    return (ee_social, er_social, housing_fund, pension, deductible, hf_taxable, undecided, ee_carried, er_carried,
            cap_missing)


@njit(cache=True, inline="always")
def _row(i, separate_chosen, write, person, employed, amounts, social, published, city_month, active, agreements, iit,
         annual, bounds, bound_count, rates, quick, closed, allow_partial, out, flags_out, status):
    """One employee's year (one variant of the bonus choice); returns the year's tax
    (``annual['year_tax']`` of :func:`expatcn.iit.person_year.compute_year`)."""
    c = person[i, P_CITY]
    flags = person[i, P_FLAGS]
    foreign, local = flags & F_FOREIGN != 0, flags & F_LOCAL != 0
    resident, foreigner, election = flags & F_RESIDENT != 0, flags & F_FOREIGNER != 0, flags & F_ELECTION != 0
    injury_rate, hf_rate = person[i, P_INJURY_RATE], person[i, P_HF_RATE]
    certificate = person[i, P_CERTIFICATE]
    cumulative = resident and iit[0, M_CUMULATIVE] != 0
    wages_in, bonus_in, equity_in = amounts[A_WAGES], amounts[A_BONUS], amounts[A_EQUITY]
    has_employed = employed.shape[0] > 0
    bad = 0
    if election and not foreigner:
        bad |= S_INPUT
    earlier = False
    cum_net = cum_reductions = withheld_to_date = basic_employed = basic_from_january = basic_kept = 0
    equity_to_date = equity_tax_to_date = 0
    computed, last_wage, last_part = -2, 0, 0
    last = (0, 0, 0, 0, 0, 0, False, False, False, False)
    sum_income = sum_exempt = sum_labour_income = sum_deductions = sum_reductions = 0
    sum_wage_tax = sum_bonus_tax = sum_labour_tax = sum_equity_tax = 0
    for m in range(MONTHS):
        works = employed[i, m] if has_employed else True
        # --- social insurance and housing fund (social.participation, social.contributions) ---
        ee_social = er_social = housing_fund = pension = deductible = hf_taxable = 0
        undecided = ee_carried = er_carried = False
        if c >= 0 and active[c, m]:
            if not city_month[c, m, CM_DATA]:
                bad |= S_NO_DATA
            elif injury_rate != DEFAULT_RATE or hf_rate != DEFAULT_RATE:
                for s in range(HF + 1):  # a rate the employer chose outside the legal range
                    given = hf_rate if s == HF else injury_rate
                    ranged = social[c, m, s, HF_RANGED] != 0 if s == HF else social[c, m, s, ER_KIND] == RATE_RANGE
                    if ranged and (s != HF or social[c, m, s, HF_PRESENT]) and given != DEFAULT_RATE and (
                            given < social[c, m, s, RANGE_LOW] or given > social[c, m, s, RANGE_HIGH]):
                        bad |= S_RATE_RANGE
            if works and city_month[c, m, CM_DATA]:
                takes_part = (1 << (HF + 1)) - 1
                if foreign:
                    if not city_month[c, m, CM_FOREIGNERS]:
                        bad |= S_FOREIGNERS
                    takes_part = city_month[c, m, CM_MANDATORY] | (city_month[c, m, CM_OPTIONAL] if flags & F_OPT_IN else 0)
                    mode = city_month[c, m, CM_HF_MODE]
                    if mode == HF_MANDATORY or (mode == HF_OPTIONAL and flags & F_HF_OPT_IN):
                        takes_part |= 1 << HF
                    if certificate >= 0 and person[i, P_CERT_FROM] <= iit[m, M_FIRST_DAY] \
                            and person[i, P_CERT_UNTIL] >= iit[m, M_LAST_DAY]:
                        takes_part &= ~agreements[m, certificate]
                wage = amounts[A_CONTRIBUTION_WAGE][i, m] if amounts[A_CONTRIBUTION_WAGE].shape[0] else wages_in[i, m]
                # a month under the same law, wage and participation as the one before: the same amounts
                if not (computed == m - 1 and city_month[c, m, CM_SAME_AS_BEFORE] and wage == last_wage
                        and takes_part == last_part):
                    last = contributions(wage, takes_part, c, m, social, published, city_month, local, injury_rate,
                                         hf_rate)
                    last_wage, last_part = wage, takes_part
                computed = m
                (ee_social, er_social, housing_fund, pension, deductible, hf_taxable, undecided, ee_carried, er_carried,
                 cap_missing) = last
                if cap_missing:
                    bad |= S_CAP
            if undecided and not allow_partial:
                bad |= S_UNKNOWN
        employee_deduction = ee_social + deductible

        # --- IIT (iit.person_year.compute_year) ---
        wages = wages_in[i, m] + hf_taxable
        allowances = _at(amounts[A_ALLOWANCES], i, m)
        sad, other = _at(amounts[A_SAD], i, m), _at(amounts[A_OTHER], i, m)
        reductions = _at(amounts[A_REDUCTIONS], i, m)
        special = employee_deduction + _at(amounts[A_CONTRIBUTIONS], i, m)
        # allowances (iit.allowances.exempt_allowances)
        exempt = 0
        if iit[m, M_ALLOW_IN_FORCE]:
            if election and resident and iit[m, M_ALLOW_EITHER_OR] and sad > 0:
                bad |= S_INPUT
            if foreigner and (resident or iit[m, M_ALLOW_NONRES]) and (election or not iit[m, M_ALLOW_EITHER_OR]):
                exempt = allowances
        if sad > 0 and not iit[m, M_CUMULATIVE]:
            bad |= S_INPUT
        # bonus (iit.bonus.split_bonus)
        bonus = _at(bonus_in, i, m)
        separate = spread = combined = 0
        if bonus > 0:
            first, alone = not earlier, False
            earlier = True
            if iit[m, M_AB] and first and (resident or not iit[m, M_AB_RESIDENTS_ONLY]) and (
                    separate_chosen or not iit[m, M_AB_CHOICE]):
                separate, alone = bonus, True
            if iit[m, M_NB] and first and not resident and not alone:
                spread, alone = bonus, True
            if not alone:
                combined = bonus
        # equity (iit.equity.equity_incentive)
        equity = _at(equity_in, i, m)
        equity_combined = equity_tax = 0
        if equity > 0:
            if not iit[m, M_EQ_NON]:
                bad |= S_EQUITY
            elif resident and not iit[m, M_EQ_RES]:
                equity_combined = equity
            else:
                equity_to_date += equity
                if resident:
                    to_date = progressive_tax(equity_to_date, iit[m, M_EQ_RES_TABLE], 1, 1, bounds, bound_count, rates, quick)
                else:
                    d = iit[m, M_EQ_NON_DIVISOR]
                    to_date = progressive_tax(equity_to_date, iit[m, M_EQ_NON_TABLE], d, d, bounds, bound_count, rates, quick)
                equity_tax = to_date - equity_tax_to_date
                equity_tax_to_date = to_date
        income = wages + allowances + combined + equity_combined
        # labour remuneration (iit.labour.labour_remuneration)
        receipts = _at(amounts[A_LABOUR], i, m)
        labour_tax = labour_income = 0
        if receipts > 0:
            if not iit[m, M_LAB]:
                bad |= S_LABOUR
            else:
                labour_income = rate_half_up(receipts * iit[m, M_LAB_INCOME_RATE])
                if receipts <= iit[m, M_LAB_UP_TO]:
                    expenses = min(receipts, iit[m, M_LAB_FIXED])
                else:
                    expenses = rate_half_up(receipts * iit[m, M_LAB_RATE])
                if resident or not iit[m, M_CUMULATIVE]:
                    labour_tax = progressive_tax(receipts - expenses, iit[m, M_LAB_TABLE], 1, 1, bounds, bound_count, rates, quick)
                else:
                    labour_tax = progressive_tax(labour_income, iit[m, M_MONTHLY_TABLE], 1, 1, bounds, bound_count, rates, quick)
        # wages (iit.withholding)
        shortfall = 0
        if cumulative:
            cum_net += income - exempt - special - sad - other
            basic_from_january += iit[m, M_BASIC]
            if works:
                basic_employed += iit[m, M_BASIC]
            basic = basic_employed
            if flags & F_FIRST_INCOME and iit[m, M_NEW_HIRE] and works:
                basic = max(basic, basic_from_january)
            if flags & F_LOW_INCOME and iit[m, M_LOW_INCOME] > 0 and works:
                basic = max(basic, iit[m, M_LOW_INCOME])
            basic_kept = max(basic_kept, basic)
            taxable = max(cum_net - basic_kept, 0)
            cum_reductions += reductions
            due = max(progressive_tax(taxable, annual[Y_ANNUAL_TABLE], 1, 1, bounds, bound_count, rates, quick)
                      - cum_reductions, 0)
            to_date = withheld_to_date + amounts[A_WITHHELD][i, m] if m < closed else max(withheld_to_date, due)
            wage_tax = to_date - withheld_to_date
            withheld_to_date = to_date
            sum_deductions += special + sad + other
        else:
            deducts = not iit[m, M_CUMULATIVE]  # before 2019 everyone deducted contributions and other deductions
            net_income = income - exempt - (special + other if deducts else 0)
            deduction = iit[m, M_BASIC] + (iit[m, M_FOREIGN_ADD] if foreigner else 0)
            taxable = net_income - deduction
            wage_tax = max(progressive_tax(taxable, iit[m, M_MONTHLY_TABLE], 1, 1, bounds, bound_count, rates, quick)
                           - reductions, 0)
            if m < closed:
                wage_tax = amounts[A_WITHHELD][i, m]
            shortfall = max(deduction - net_income, 0)
        # bonus tax (iit.bonus.annual_bonus_separate, nonresident_multimonth_bonus)
        bonus_tax = 0
        if separate > 0:
            base = max(separate - shortfall, 0) if iit[m, M_AB_SHORTFALL] else separate
            bonus_tax += progressive_tax(base, iit[m, M_AB_TABLE], iit[m, M_AB_DIVISOR], 1, bounds, bound_count, rates, quick)
        if spread > 0:
            d = iit[m, M_NB_DIVISOR]
            bonus_tax += progressive_tax(spread, iit[m, M_NB_TABLE], d, d, bounds, bound_count, rates, quick)
        total_tax = wage_tax + bonus_tax + labour_tax + equity_tax
        sum_income += income
        sum_exempt += exempt
        sum_labour_income += labour_income
        sum_reductions += reductions
        sum_wage_tax += wage_tax
        sum_bonus_tax += bonus_tax
        sum_labour_tax += labour_tax
        sum_equity_tax += equity_tax

        if write:  # --- the month's columns (gross_to_net) ---
            gross = (amounts[A_PAY][i, m] if amounts[A_PAY].shape[0] else wages_in[i, m]) + allowances + receipts
            gross += amounts[A_BONUS_PAID][i, m] if amounts[A_BONUS_PAID].shape[0] else bonus
            gross += amounts[A_EQUITY_PAID][i, m] if amounts[A_EQUITY_PAID].shape[0] else equity
            ee_contributions = ee_social + housing_fund
            er_contributions = er_social + housing_fund
            month = (gross, ee_social, housing_fund, ee_contributions, employee_deduction, hf_taxable, total_tax,
                     gross - ee_contributions - total_tax, er_social, housing_fund, er_contributions,
                     gross + er_contributions, pension, income, exempt, taxable, wage_tax, bonus_tax, labour_tax,
                     equity_tax)  # in the order of OUTPUTS
            for k in range(len(OUTPUTS)):
                if out[k].shape[0]:
                    out[k][i, m] = month[k]
            if flags_out.shape[0]:
                flags_out[i, m] = (FLAG_UNKNOWN if undecided else 0) | (FLAG_EMPLOYEE_CARRIED if ee_carried else 0) | (
                    FLAG_EMPLOYER_CARRIED if er_carried else 0)
    status[i] |= bad
    # the year's tax (iit.reconciliation.annual_reconciliation; person_year's year_tax)
    if cumulative and annual[Y_SETTLES]:
        taxable = sum_income + sum_labour_income - sum_exempt - annual[Y_ANNUAL_BASIC] - sum_deductions
        due = max(progressive_tax(taxable, annual[Y_ANNUAL_TABLE], 1, 1, bounds, bound_count, rates, quick)
                  - sum_reductions, 0)
        return due + sum_bonus_tax + sum_equity_tax
    withheld = withheld_to_date if cumulative else sum_wage_tax
    return withheld + sum_bonus_tax + sum_labour_tax + sum_equity_tax


@njit(cache=True, inline="always")
def _any_bonus(bonus, i):
    if bonus.shape[0]:
        for m in range(MONTHS):
            if bonus[i, m]:
                return True
    return False


@njit(cache=True, nogil=True)
def month_kernel(start, stop, person, employed, amounts, social, published, city_month, active, agreements, iit, annual, bounds,
                 bound_count, rates, quick, closed, allow_partial, out, flags_out, status):
    """Employees ``start`` to ``stop`` of the batch (the GIL released: threads run slices of one
    batch side by side). A LOWER_TAX employee with a bonus is computed both ways (separate,
    combined) and the cheaper year written (:func:`expatcn.iit.person_year.compute_year`)."""
    bonus = amounts[A_BONUS]
    for i in range(start, stop):
        chosen = person[i, P_BONUS_METHOD] != BonusMethod.COMBINED
        both_ways = person[i, P_BONUS_METHOD] == BonusMethod.LOWER_TAX and _any_bonus(bonus, i)
        by_default = 0
        for variant in range(3 if both_ways else 1):  # both ways measured, then the cheaper written
            last = variant == 2 or not both_ways
            separate = (variant == 0) if not last else chosen
            year_tax = _row(i, separate, last, person, employed, amounts, social, published, city_month, active, agreements,
                            iit, annual, bounds, bound_count, rates, quick, closed, allow_partial, out, flags_out, status)
            if variant == 0:
                by_default = year_tax
            elif variant == 1:
                chosen = not year_tax < by_default
