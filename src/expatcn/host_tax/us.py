"""United States federal income tax on wages (IRC §1(j), §63), one filing status for the batch.

Taxable income = wages − the standard deduction (none for a non-resident alien, IRC
§63(c)(6)(B)). Below the Tax Table limit the tax is the Tax Table's: the formula at the middle of
the income's row, rounded to whole dollars (Form 1040 instructions); from the limit, the Tax Rate
Schedule to the cent. No state income tax (the table's ``state`` says which state is modelled).
"""

from __future__ import annotations

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import HostTaxError, band_tax, round_to, units
from expatcn.law.schemas.host_tax import USIncomeTax

OPTIONS = {"filing_status": "single"}


def compute(table: USIncomeTax, result: HostTax, inputs: Inputs) -> None:
    status = inputs.options["filing_status"]
    if status not in table.filing_status:
        raise HostTaxError(f"US: filing_status must be one of {', '.join(table.filing_status)}, got {status!r}")
    schedule, minor = table.filing_status[status], table.minor_per_unit
    result.add("wages", inputs.income, "wages", "工资薪金")
    standard = units(schedule.standard_deduction, minor)
    allowed = inputs.resident | table.non_resident_standard_deduction
    deduction = result.add("standard_deduction", np.where(allowed, standard, 0), "standard deduction", "标准扣除",
                           f"{status}; none for a non-resident alien")
    taxable = result.add("taxable_income", np.maximum(inputs.income - deduction, 0), "taxable income", "应纳税所得额",
                         "wages − standard deduction")
    result.add("total_tax", _tax(table, schedule.bands, taxable), "federal income tax", "联邦所得税",
               f"Tax Table (middle of the row, whole dollars) below {table.tax_table.below:,}; "
               "Tax Rate Schedule above")


def _tax(table: USIncomeTax, bands, taxable: np.ndarray) -> np.ndarray:
    minor = table.minor_per_unit
    rows = table.tax_table.rows
    starts = np.array([units(r.start, minor) for r in rows], dtype=np.int64)
    widths = np.array([units(r.width, minor) for r in rows], dtype=np.int64)
    index = np.maximum(np.searchsorted(starts, taxable, side="right") - 1, 0)
    row_start = starts[index] + (taxable - starts[index]) // widths[index] * widths[index]
    middle = row_start + widths[index] // 2
    from_table = round_to(band_tax(middle, bands, minor), table.tax_table.rounding, minor)
    return np.where(taxable < units(table.tax_table.below, minor), from_table, band_tax(taxable, bands, minor))
