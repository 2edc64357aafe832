"""Australian income tax on taxable income (Income Tax Rates Act 1986 sch. 7 residents, sch. 8
foreign residents), the low income tax offset (ITAA 1997 s. 61-115, residents, not above the
tax) and the Medicare levy (Medicare Levy Act 1986 ss. 6–8: 2%, phased in above the low-income
threshold at 10% of the excess; residents only)."""

from __future__ import annotations

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import band_tax, piecewise, rate_of, units
from expatcn.law.schemas.host_tax import AustraliaIncomeTax

OPTIONS: dict = {}


def compute(table: AustraliaIncomeTax, result: HostTax, inputs: Inputs) -> None:
    minor, resident = table.minor_per_unit, inputs.resident
    taxable = result.add("taxable_income", inputs.income, "taxable income", "应纳税所得额")
    tax = result.add("income_tax", np.where(resident, band_tax(taxable, table.resident_bands, minor),
                                            band_tax(taxable, table.foreign_resident_bands, minor)),
                     "tax on taxable income", "按税率表计算的税额", "resident rates (foreign-resident rates for a foreign resident)")
    offset = np.where(resident, np.minimum(np.maximum(piecewise(taxable, table.low_income_offset, minor), 0), tax), 0)
    offset = result.add("low_income_tax_offset", offset, "low income tax offset", "低收入抵税额",
                        "residents; not more than the tax")
    medicare = table.medicare
    levy = np.minimum(rate_of(taxable, medicare.rate),
                      rate_of(np.maximum(taxable - units(medicare.low_income_threshold, minor), 0), medicare.phase_in_rate))
    levy = result.add("medicare_levy", np.where(resident, levy, 0), "Medicare levy", "医疗保险税",
                      f"{medicare.rate:%} of taxable income, at most {medicare.phase_in_rate:%} of the excess over "
                      f"{medicare.low_income_threshold:,}; residents only")
    result.add("total_tax", tax - offset + levy, "income tax and Medicare levy", "所得税及医疗保险税")
