"""Netherlands: box 1 income tax and national insurance premiums on wages (Wet IB 2001 art.
2.10; rates below state-pension age), less the general tax credit (art. 8.10) and the labour
credit (art. 8.11), not below zero. Option ``ruling``: the 30% ruling's tax-free allowance (Wet
LB 1964 art. 31a; Uitvoeringsbesluit LB art. 10e–10ed): rate × wage, on at most the salary cap,
and only so far as the taxable wage stays at the minimum (``ruling_young``: the reduced minimum
for an under-30 with a master's degree)."""

from __future__ import annotations

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import NO_LIMIT, band_tax, piecewise, rate_of, units
from expatcn.law.schemas.host_tax import NetherlandsIncomeTax

OPTIONS = {"ruling": False, "ruling_young": False}


def compute(table: NetherlandsIncomeTax, result: HostTax, inputs: Inputs) -> None:
    minor, ruling = table.minor_per_unit, table.ruling
    wages = result.add("wages", inputs.income, "wages", "工资")
    cap = NO_LIMIT if ruling.salary_cap is None else units(ruling.salary_cap, minor)
    minimum = units(ruling.minimum_taxable_young if inputs.options["ruling_young"] else ruling.minimum_taxable, minor)
    allowance = np.maximum(np.minimum(rate_of(np.minimum(wages, cap), ruling.rate), wages - minimum), 0)
    allowance = result.add("ruling_allowance", allowance if inputs.options["ruling"] else np.zeros_like(wages),
                           "30% ruling tax-free allowance", "30% 免税津贴",
                           f"{ruling.rate:%} of wages up to {ruling.salary_cap or 'no cap'}, taxable wage kept at "
                           f"least {minimum // minor:,}" if inputs.options["ruling"] else "not applied")
    taxable = result.add("taxable_income", np.maximum(wages - allowance - inputs.deductible_contributions, 0),
                         "box 1 taxable income", "第一类应税所得")
    tax = result.add("box1_tax", band_tax(taxable, table.bands, minor), "income tax and national insurance premiums",
                     "所得税及国民保险费")
    general = table.general_credit
    general_credit = np.maximum(units(general.maximum, minor) - rate_of(
        np.maximum(taxable - units(general.phase_out_from, minor), 0), general.phase_out_rate), 0)
    general_credit = result.add("general_credit", general_credit, "general tax credit", "一般税收抵免",
                                f"{general.maximum:,} less {general.phase_out_rate:%} above {general.phase_out_from:,}")
    labour = result.add("labour_credit", np.maximum(piecewise(taxable, table.labour_credit, minor), 0),
                        "labour tax credit", "劳动税收抵免")
    result.add("total_tax", np.maximum(tax - general_credit - labour, 0), "box 1 tax after credits", "抵免后税额")
