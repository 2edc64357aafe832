"""Japan: national income tax on salary (Income Tax Act arts. 28, 86, 89; Annex Table 5) with
the special income tax for reconstruction (Reconstruction Funding Act art. 13), and the
inhabitant tax on the same year's income, levied the next year (Local Tax Act arts. 35, 37,
314-3, 314-6; standard rates). A non-resident's Japan-source salary is taxed at a flat rate with
the surtax (arts. 161, 164, 212, 213) and no inhabitant tax.

Rounding: taxable income down to 1,000 yen and the national tax down to 100 yen (Act on
General Rules for National Taxes arts. 118, 119); inhabitant tax likewise (Local Tax Act art.
20-4-2).
"""

from __future__ import annotations

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import band_tax, piecewise, rate_of, round_exact, round_to, step_amount, units
from expatcn.law.schemas.host_tax import JapanIncomeTax
from expatcn.money import RATE_SCALE, rate_to_ppm

OPTIONS = {"inhabitant_tax": True}  # False: not resident in Japan on 1 January of the next year


def compute(table: JapanIncomeTax, result: HostTax, inputs: Inputs) -> None:
    minor, resident = table.minor_per_unit, inputs.resident
    salary = result.add("salary", inputs.income, "salary income (給与等の収入金額)", "工资收入")
    annex = table.annex_table_rounding
    in_annex = (salary >= units(annex.start, minor)) & (salary < units(annex.below, minor))
    step = units(annex.step, minor)
    rounded = np.where(in_annex, salary // step * step, salary)
    deduction = piecewise(rounded, table.employment_income_deduction, minor)
    income = result.add("employment_income", np.maximum(rounded - deduction, 0), "employment income (給与所得)",
                        "工资所得", f"salary − employment income deduction; salary rounded down to {annex.step:,} yen "
                        f"from {annex.start:,} to below {annex.below:,} (Annex Table 5)")
    result.add("social_insurance_deduction", inputs.deductible_contributions,
               "social insurance premiums deduction (社会保険料控除)", "社会保险费扣除", "art. 74")
    basic = result.add("basic_deduction", step_amount(income, table.basic_deduction, minor),
                       "basic deduction (基礎控除)", "基础扣除", "by total income, art. 86")
    taxable = np.maximum(income - inputs.deductible_contributions - basic, 0)
    taxable = result.add("taxable_income", np.where(resident, round_to(taxable, table.taxable_income_rounding, minor), 0),
                         "taxable income (課税総所得金額)", "应纳税所得额", table.taxable_income_rounding.rule)
    base = result.add("income_tax", band_tax(taxable, table.bands, minor), "income tax (算出税額)", "所得税", "art. 89")
    eligible = resident & (table.fixed_cut_income_limit is not None) & (
        income <= units(table.fixed_cut_income_limit or 0, minor))
    cut = result.add("fixed_cut", np.where(eligible, np.minimum(base, units(table.fixed_cut, minor)), 0),
                     "fixed-amount tax cut (定額減税)", "定额减税", "2024 only, taxpayer himself")
    surtax_factor = RATE_SCALE + rate_to_ppm(table.reconstruction_surtax_rate)
    national_resident = round_exact((base - cut) * surtax_factor, RATE_SCALE, table.tax_rounding, minor)
    national_non_resident = round_exact(rate_of(salary, table.non_resident_rate) * surtax_factor, RATE_SCALE,
                                        table.non_resident_rounding, minor)
    national = result.add("national_tax", np.where(resident, national_resident, national_non_resident),
                          "income tax with the reconstruction surtax", "所得税及复兴特别所得税",
                          f"(income tax − cut) × (1 + {table.reconstruction_surtax_rate:%}), "
                          f"{table.tax_rounding.rule}; non-resident: salary × {table.non_resident_rate:%} × "
                          f"(1 + {table.reconstruction_surtax_rate:%})")
    local = _inhabitant_tax(table, result, income, inputs)
    local = np.where(resident & bool(inputs.options["inhabitant_tax"]), local, 0)
    local = result.add("inhabitant_tax", local, "inhabitant tax (住民税), paid the next year", "住民税（次年缴纳）")
    result.add("total_tax", national + local, "national and inhabitant tax", "国税及住民税")


def _inhabitant_tax(table: JapanIncomeTax, result: HostTax, income: np.ndarray, inputs: Inputs) -> np.ndarray:
    rt, minor = table.resident_tax, table.minor_per_unit
    basic = step_amount(income, rt.basic_deduction, minor)
    taxable = round_to(np.maximum(income - inputs.deductible_contributions - basic, 0), rt.taxable_income_rounding, minor)
    taxable = result.add("inhabitant_taxable_income", taxable, "inhabitant-tax taxable income", "住民税应纳税所得额",
                         f"basic deduction {rt.basic_deduction[0].amount:,} (by total income)")
    threshold = units(rt.adjustment_threshold, minor)
    difference = units(rt.adjustment_difference, minor)
    base = np.where(taxable <= threshold, np.minimum(difference, taxable),
                    np.maximum(difference - (taxable - threshold), 0))
    allowed = income <= units(rt.adjustment_income_limit, minor)
    parts = []
    for rate, adjustment_rate, minimum in ((rt.prefectural_rate, rt.adjustment_rate_prefectural, rt.adjustment_minimum_prefectural),
                                           (rt.municipal_rate, rt.adjustment_rate_municipal, rt.adjustment_minimum_municipal)):
        adjustment = rate_of(base, adjustment_rate)
        adjustment = np.where(taxable > threshold, np.maximum(adjustment, units(minimum, minor)), adjustment)
        gross = rate_of(taxable, rate)
        parts.append(round_to(np.maximum(gross - np.where(allowed, adjustment, 0), 0), rt.tax_rounding, minor))
    prefectural = result.add("prefectural_tax", parts[0], "prefectural inhabitant tax on income", "道府县民税（所得割）",
                             f"{rt.prefectural_rate:%} less the adjustment credit; {rt.tax_rounding.rule}")
    municipal = result.add("municipal_tax", parts[1], "municipal inhabitant tax on income", "市町村民税（所得割）",
                           f"{rt.municipal_rate:%} less the adjustment credit")
    per_capita = result.add("per_capita_levy", np.full_like(income, units(rt.per_capita, minor)),
                            "per-capita levy and forest environment tax", "均等割及森林环境税")
    return prefectural + municipal + per_capita
