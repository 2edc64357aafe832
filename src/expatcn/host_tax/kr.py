"""Korea: income tax on earned income (Income Tax Act arts. 47 earned income deduction, 50
basic deduction, 51-3 pension contributions, 55 rates, 59 earned income tax credit, 59-2 child
credit, 59-4(9) standard credit) and the local income tax (Local Tax Act art. 103-3), for a
taxpayer with ``dependants`` further persons and ``children`` children for the child credit.

Option ``flat_rate_from`` (the day work in Korea began): a foreign worker who began by the
table's date elects the flat rate on total salary with no deductions or credits (Restriction of Special Taxation Act art.
18-2(2)). A non-resident gets no standard credit (art. 122) where the table says so.
"""

from __future__ import annotations

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import HostTaxError, band_tax, piecewise, rate_of, units
from expatcn.law.schemas.host_tax import KoreaIncomeTax

OPTIONS = {"dependants": 0, "children": 0, "flat_rate_from": None}


def compute(table: KoreaIncomeTax, result: HostTax, inputs: Inputs) -> None:
    minor, options = table.minor_per_unit, inputs.options
    salary = result.add("total_salary", inputs.income, "total salary (총급여액)", "工资总额")
    earned = result.add("earned_income_deduction", piecewise(salary, table.earned_income_deduction, minor),
                        "earned income deduction (근로소득공제)", "工资所得扣除", "art. 47")
    persons = 1 + int(options["dependants"])
    personal = result.add("basic_deduction", np.full_like(salary, persons * units(table.personal_deduction, minor)),
                          "basic deduction (기본공제)", "基本扣除", f"{table.personal_deduction:,} × {persons} person(s)")
    result.add("pension_deduction", inputs.deductible_contributions, "pension contributions deduction (연금보험료공제)",
               "养老保险费扣除", "art. 51-3")
    base = result.add("tax_base", np.maximum(salary - earned - personal - inputs.deductible_contributions, 0),
                      "tax base (과세표준)", "税基")
    computed = result.add("computed_tax", band_tax(base, table.bands, minor), "computed tax (산출세액)", "计算税额", "art. 55")
    credit = np.minimum(piecewise(computed, table.earned_income_credit, minor),
                        piecewise(salary, table.earned_income_credit_limit, minor))
    credit = result.add("earned_income_credit", credit, "earned income tax credit (근로소득세액공제)", "工资所得税额抵免",
                        "art. 59, limited by total salary")
    children = int(options["children"])
    steps = [units(c, minor) for c in table.child_credit]
    child = 0 if children == 0 else (steps[children - 1] if children <= len(steps)
                                     else steps[-1] + (children - len(steps)) * units(table.child_credit_further, minor))
    child = result.add("child_credit", np.full_like(salary, child), "child tax credit (자녀세액공제)", "子女税额抵免",
                       f"{children} child(ren)")
    standard = np.where(inputs.resident | table.non_resident_standard_credit, units(table.standard_credit, minor), 0)
    standard = result.add("standard_credit", standard, "standard tax credit (표준세액공제)", "标准税额抵免", "art. 59-4(9)")
    determined = np.maximum(computed - credit - child - standard, 0)
    flat = options["flat_rate_from"] is not None
    if flat and options["flat_rate_from"] > table.flat_rate_start_by:
        raise HostTaxError(f"KR: the flat rate is for work begun by {table.flat_rate_start_by}, "
                           f"not {options['flat_rate_from']}")
    if flat:
        determined = rate_of(salary, table.flat_rate)
    national = result.add("national_tax", determined, "determined tax (결정세액)", "决定税额",
                          f"flat {table.flat_rate:%} of total salary, elected" if flat
                          else "computed tax − credits")
    local = result.add("local_income_tax", rate_of(national, table.local_income_tax_rate), "local income tax (지방소득세)",
                       "地方所得税", f"{table.local_income_tax_rate:%} of the national tax")
    result.add("total_tax", national + local, "income tax and local income tax", "所得税及地方所得税")
