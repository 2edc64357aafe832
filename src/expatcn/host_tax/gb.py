"""UK income tax on employment income, rest-of-UK rates (ITA 2007 ss. 6, 10, 35): the personal
allowance, less £1 for every £2 of adjusted net income above £100,000 (a reduced allowance is
rounded up to the pound, s. 35(3)), then the bands on taxable income."""

from __future__ import annotations

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import band_tax, rate_of, round_to, units
from expatcn.law.schemas.host_tax import UKIncomeTax

OPTIONS: dict = {}


def compute(table: UKIncomeTax, result: HostTax, inputs: Inputs) -> None:
    minor = table.minor_per_unit
    income = result.add("employment_income", inputs.income, "employment income", "受雇所得")
    excess = np.maximum(income - units(table.taper_threshold, minor), 0)
    reduction = round_to(rate_of(excess, table.taper_rate), table.allowance_rounding, minor)
    allowance = result.add("personal_allowance",
                           np.maximum(units(table.personal_allowance, minor) - reduction, 0),
                           "personal allowance", "个人免税额",
                           f"{table.personal_allowance:,} less 1 for every 2 above {table.taper_threshold:,}")
    taxable = result.add("taxable_income", np.maximum(income - allowance, 0), "taxable income", "应纳税所得额")
    result.add("total_tax", band_tax(taxable, table.bands, minor), "income tax", "所得税",
               "basic, higher and additional rates on taxable income")
