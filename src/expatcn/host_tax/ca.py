"""Canada: federal income tax (ITA s. 117 rates; s. 118 basic personal amount, reduced between
the 4th and 5th brackets, and the Canada employment amount, s. 118(10)) and the tax of one
province (Ontario: Taxation Act, 2007 — rates, basic personal amount, surtax, Ontario Health
Premium). Non-refundable credits are at the lowest rate. ``credit_contributions``: CPP base
contributions and EI premiums the person paid (credited federally and provincially, ss. 118.7),
given by the caller; the enhanced CPP part is a deduction (``deductible_contributions``).
"""

from __future__ import annotations

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import band_tax, piecewise, rate_of, units
from expatcn.law.schemas.host_tax import CanadaIncomeTax
from expatcn.money import share

OPTIONS = {"credit_contributions": 0}


def compute(table: CanadaIncomeTax, result: HostTax, inputs: Inputs) -> None:
    minor = table.minor_per_unit
    contributions = np.broadcast_to(np.asarray(inputs.options["credit_contributions"], dtype=np.int64),
                                    inputs.income.shape)
    taxable = result.add("taxable_income", np.maximum(inputs.income - inputs.deductible_contributions, 0),
                         "taxable income", "应纳税所得额", "employment income − deductions")
    federal_gross = result.add("federal_tax_on_income", band_tax(taxable, table.bands, minor),
                               "federal tax on taxable income", "联邦税率表税额")
    top, low = units(table.basic_personal_amount, minor), units(table.basic_personal_amount_min, minor)
    start, end = units(table.bands[2].up_to, minor), units(table.bands[3].up_to, minor)
    reduction = share(np.full_like(taxable, top - low), np.clip(taxable - start, 0, end - start), np.int64(end - start))
    bpa = result.add("basic_personal_amount", top - reduction, "basic personal amount", "基本个人免税额",
                     f"{table.basic_personal_amount:,}, reduced to {table.basic_personal_amount_min:,} across the 29% bracket")
    employment = np.minimum(units(table.employment_amount, minor), inputs.income)
    amounts = result.add("federal_credit_amounts", bpa + employment + contributions,
                         "federal credit amounts", "联邦抵免基数",
                         "basic personal amount + Canada employment amount + CPP/EI contributions")
    federal = result.add("federal_tax", np.maximum(federal_gross - rate_of(amounts, table.credit_rate), 0),
                         "basic federal tax", "联邦税", f"less {table.credit_rate:%} of the credit amounts")
    province = table.province
    provincial_gross = band_tax(taxable, province.bands, minor)
    credit = rate_of(units(province.basic_personal_amount, minor) + contributions, province.credit_rate)
    basic = result.add("provincial_basic_tax", np.maximum(provincial_gross - credit, 0),
                       f"{table.province_name} basic tax", "省基本税",
                       f"rates less {province.credit_rate:%} of the basic personal amount and contributions")
    surtax = sum((rate_of(np.maximum(basic - units(s.above, minor), 0), s.rate) for s in province.surtax),
                 np.zeros_like(basic))
    surtax = result.add("provincial_surtax", surtax, f"{table.province_name} surtax", "省附加税")
    premium = (piecewise(taxable, province.health_premium, minor) if province.health_premium
               else np.zeros_like(taxable))
    premium = result.add("health_premium", np.maximum(premium, 0), f"{table.province_name} health premium", "省医疗保健费")
    result.add("total_tax", federal + basic + surtax + premium, "federal and provincial tax", "联邦及省所得税")
