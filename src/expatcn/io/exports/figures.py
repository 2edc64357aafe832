"""The figures the exports lay out: column names, what each one is, and adapters that take
them from the engines' results (no figure is computed here; columns are copied or added up).

All amounts are **fen** (int). One row per employee; ``employee_id`` matches the records.
The names follow the payroll store's result columns (``expatcn.payroll.models.RESULT_COLUMNS``)
where they exist, so its rows can be passed as they are.

Month figures (:func:`month_figures`: :meth:`expatcn.gross_to_net.MonthResult.figures` with the keys):

=====================================  ==========================================================
employee_id                            the employee's key
resident                               bool: resident for the tax year (resident sheet or not)
gross                                  pay of the month: wages + allowances + bonus + labour + equity
wages, allowances, bonus, labour,      the month's pay items (allowances: the exempt-kind expat
equity                                 allowances; bonus: annual/multi-month bonus paid)
income                                 IIT wage income of the month (本期收入): wages, allowances,
                                       bonus or equity joining wages, employer housing fund above
                                       the tax-free cap
exempt_income                          exempt allowances of the month (本期免税收入)
bonus_separate                         bonus taxed on its own (全年一次性奖金额 / 数月奖金)
employee_pension, employee_medical,    the employee's contributions per scheme
employee_maternity, employee_unemployment,
employee_work_injury, employee_housing_fund
employer_<scheme>                      the employer's, same schemes
<scheme>_base                          contribution base per scheme (0 where not insured)
employee_social / employer_social      social insurance totals (five schemes)
employee_deduction                     IIT special deductions: employee social insurance + the
                                       tax-free part of the employee's housing fund (专项扣除)
housing_fund_employer_taxable          the employer's housing fund above the cap (taxable wages)
employee_contributions /               social insurance + housing fund, each side
employer_contributions
special_additional_deductions          SAD of the month; ``sad_ytd``: January to this month
sad_<kind>_ytd                         SAD by kind, January to this month (optional; kinds:
                                       children_education, continuing_education,
                                       housing_loan_interest, housing_rent, elderly_support,
                                       infant_care, personal_pension)
other_deductions, tax_reductions       other deductions (其他) and tax reductions (减免税额)
basic_deduction                        the engine's basic deduction (cumulative for residents)
wage_taxable, wage_rate (ppm),         the wage tax computation (cumulative for residents)
wage_quick_deduction, wage_tax_to_date,
wage_withheld_to_date, wage_tax,
wage_method                            (1 cumulative, 2 monthly)
bonus_tax, labour_tax, equity_tax      the month's tax on each
iit                                    all IIT withheld this month (total_tax)
net                                    gross − employee contributions − IIT
employer_cost                          gross + employer contributions
=====================================  ==========================================================

Optional columns the filing sheets use when given: ``annuity`` (企业(职业)年金),
``health_insurance`` (商业健康保险), ``tax_deferred_pension`` (税延养老保险) — all three are
part of ``other_deductions``; ``donations`` (准予扣除的捐赠额), ``treaty_relief`` (协定减免);
non-residents: ``china_work_days``, ``overseas_work_days`` (int), ``paid_in_china``,
``paid_abroad``, ``nr_formula`` (text of the client's 适用公式), ``remark`` (备注, text).

Year figures (:func:`year_figures`, for the reconciliation summary): ``employee_id``,
``resident``, ``income`` (comprehensive income), ``basic_deduction``, ``special_deductions``,
``special_additional_deductions``, ``other_deductions``, ``taxable``, ``rate`` (ppm),
``quick_deduction``, ``tax_due``, ``prepaid``, ``balance`` (+ payable / − refund), ``filing``
(a :class:`~expatcn.iit.reconciliation.Filing` code), ``withheld`` (all tax withheld in the year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from expatcn.iit.person_year import YearResult
from expatcn.social.contributions import ALL_SCHEMES

SAD_KINDS = (
    "children_education", "continuing_education", "housing_loan_interest", "housing_rent", "elderly_support",
    "infant_care", "personal_pension",
)
SCHEMES = ALL_SCHEMES  # pension, medical, maternity, unemployment, work_injury, housing_fund


def _ids(ids: Sequence[str] | None, inputs, people: int) -> list[str]:
    if ids is not None:
        if len(ids) != people:
            raise ValueError(f"ids has {len(ids)} entries for {people} people")
        return [str(i) for i in ids]
    return [str(i) for i in (inputs.ids if inputs.ids is not None else range(1, people + 1))]


def month_figures(result, month: int, *, ids: Sequence[str] | None = None,
                  sad_by_kind: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """The figures of ``month`` (1–12) from a full-month result (``gross_to_net``, with its
    trace kept): :meth:`~expatcn.gross_to_net.MonthResult.figures` with the employees' keys, as a
    dict of columns (pass it to ``polars.DataFrame`` or straight to the writers).

    sad_by_kind: kind (``SAD_KINDS``) → (N, 12) fen of the month's SAD of that kind, as declared;
    they must add up to the engine's SAD every month (checked)."""
    figures = result.figures(month)
    im, inputs = result.iit.monthly, result.iit.inputs
    n = inputs.people
    out: dict[str, np.ndarray] = {"employee_id": np.array(_ids(ids, inputs, n), dtype=object), **figures}
    if sad_by_kind:
        unknown = set(sad_by_kind) - set(SAD_KINDS)
        if unknown:
            raise ValueError(f"sad_by_kind: unknown kind(s) {', '.join(sorted(unknown))}; known: {', '.join(SAD_KINDS)}")
        total = np.zeros((n, 12), dtype=np.int64)
        for kind in SAD_KINDS:
            values = np.asarray(sad_by_kind.get(kind, np.zeros((n, 12))), dtype=np.int64)
            total += values
            out[f"sad_{kind}_ytd"] = values[:, :month].sum(axis=1)
        differs = np.flatnonzero((total[:, :month] != im["special_additional_deductions"][:, :month]).any(axis=1))
        if differs.size:
            raise ValueError(f"sad_by_kind does not add up to the engine's special additional deductions "
                             f"(employees {', '.join(out['employee_id'][differs[:5]])})")
    return out


def year_figures(result, *, ids: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """The reconciliation figures of the tax year from a :class:`YearResult` (or a full-month
    result, whose ``.iit`` is used)."""
    iit: YearResult = getattr(result, "iit", result)
    a, m, inputs = iit.annual, iit.monthly, iit.inputs
    return {
        "employee_id": np.array(_ids(ids, inputs, inputs.people), dtype=object),
        "resident": np.asarray(inputs.resident, dtype=bool).copy(),
        "income": a["reconciliation_income"].astype(np.int64),
        "basic_deduction": a["reconciliation_basic_deduction"].astype(np.int64),
        "special_deductions": m["special_deductions"].sum(axis=1).astype(np.int64),
        "special_additional_deductions": m["special_additional_deductions"].sum(axis=1).astype(np.int64),
        "other_deductions": m["other_deductions"].sum(axis=1).astype(np.int64),
        "taxable": np.maximum(a["reconciliation_taxable"], 0).astype(np.int64),
        "rate": a["reconciliation_rate"].astype(np.int64),
        "quick_deduction": a["reconciliation_quick_deduction"].astype(np.int64),
        "tax_due": a["reconciliation_tax_due"].astype(np.int64),
        "prepaid": a["reconciliation_prepaid"].astype(np.int64),
        "balance": a["reconciliation_balance"].astype(np.int64),
        "filing": a["reconciliation_filing"].astype(np.int64),
        "withheld": a["withheld"].astype(np.int64),
    }
