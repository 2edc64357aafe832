"""French income tax on salaries (CGI): net taxable salary (wages − deductible contributions)
− the 10% deduction for professional expenses, within its floor and ceiling (art. 83 3°) =
taxable income, rounded down to the euro; the barème applied by part (quotient familial, arts.
193, 194, 197 I), the advantage of parts beyond the base (1, or 2 for a couple) capped per half
part (art. 197 I 2), the décote (art. 197 I 4), the tax rounded to the nearest euro (art. 1657
1 bis). A non-resident pays at least the minimum rates (art. 197 A) and gets no décote.

Income of year N is taxed with the barème of the finance law for N+1: the table's periods are
dated by income year.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import HostTaxError, band_tax, rate_of, round_to, units
from expatcn.law.schemas.host_tax import Band, FranceIncomeTax

OPTIONS = {"parts": Decimal(1), "couple": False}


def compute(table: FranceIncomeTax, result: HostTax, inputs: Inputs) -> None:
    minor = table.minor_per_unit
    parts, couple = Decimal(str(inputs.options["parts"])), bool(inputs.options["couple"])
    base_parts = Decimal(2) if couple else Decimal(1)
    if parts < base_parts or (parts * 4) % 1:
        raise HostTaxError(f"FR: parts must be at least {base_parts} in quarter parts, got {parts}")
    net = result.add("net_taxable_salary", np.maximum(inputs.income - inputs.deductible_contributions, 0),
                     "net taxable salary", "应税净工资", "wages − deductible contributions")
    deduction = np.clip(rate_of(net, table.expense_deduction_rate), units(table.expense_deduction_min, minor),
                        units(table.expense_deduction_max, minor))
    deduction = result.add("expense_deduction", np.minimum(deduction, net), "10% deduction for professional expenses",
                           "10% 职业费用扣除", f"at least {table.expense_deduction_min:,}, at most {table.expense_deduction_max:,}")
    taxable = result.add("taxable_income", round_to(net - deduction, table.taxable_income_rounding, minor),
                         "net taxable income (revenu net imposable)", "应纳税净所得", table.taxable_income_rounding.rule)
    by_parts = result.add("tax_by_parts", band_tax(taxable, _scaled(table.bands, parts), minor),
                          "tax by the quotient familial", "按家庭份额计算的税额", f"{parts} part(s) × barème(income ÷ parts)")
    extra_halves = int((parts - base_parts) * 2)
    capped = band_tax(taxable, _scaled(table.bands, base_parts), minor) - extra_halves * units(table.half_part_cap, minor)
    gross = result.add("gross_tax", np.maximum(by_parts, capped), "tax after the cap on the family quotient",
                       "家庭商数优惠封顶后税额", f"advantage capped at {table.half_part_cap:,} per extra half part")
    amount = units(table.decote.couple if couple else table.decote.single, minor)
    decote = np.where(inputs.resident, np.clip(amount - rate_of(gross, table.decote.rate), 0, gross), 0)
    decote = result.add("decote", decote, "décote", "低税额减免",
                        f"{amount // minor:,} − {table.decote.rate:%} × tax; residents")
    minimum = np.where(inputs.resident, 0, band_tax(taxable, table.non_resident_minimum, minor))
    minimum = result.add("non_resident_minimum", minimum, "minimum tax of a non-resident", "非居民最低税额", "art. 197 A")
    result.add("total_tax", round_to(np.maximum(gross - decote, minimum), table.tax_rounding, minor),
               "income tax", "所得税", table.tax_rounding.rule)


def _scaled(bands: list[Band], parts: Decimal) -> list[Band]:
    return [Band(up_to=None if b.up_to is None else b.up_to * parts, rate=b.rate) for b in bands]
