"""German income tax of a single person on employment income (EStG; Grundtabelle):

wages − Arbeitnehmer-Pauschbetrag (§9a) − Sonderausgaben-Pauschbetrag (§10c) − deductible
contributions (Vorsorgeaufwendungen, §10, as the caller computes them) = zvE, rounded down to the
euro; income tax by the §32a(1) zones, rounded down to the euro; solidarity surcharge (SolZG
§§3, 4) and, optionally, church tax at the Land's rate, fractions of a cent dropped.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from expatcn.host_tax.result import HostTax, Inputs
from expatcn.host_tax.schedules import HostTaxError, rate_of, round_exact, round_to, units
from expatcn.law.schemas.host_tax import GermanIncomeTax, GermanZone, Rounding
from expatcn.money import RATE_SCALE, rate_to_ppm

OPTIONS = {"church": None}  # None: not a church member; else a Land code (BW, BY) or "other"

CENT = Rounding(step=Decimal("0.01"), mode="floor", rule="to the cent, before the law's own rounding")


def compute(table: GermanIncomeTax, result: HostTax, inputs: Inputs) -> None:
    minor = table.minor_per_unit
    wages = result.add("wages", inputs.income, "wages (Arbeitslohn)", "工资薪金")
    allowance = result.add("employee_allowance", np.minimum(wages, units(table.employee_allowance, minor)),
                           "employee lump sum (Arbeitnehmer-Pauschbetrag)", "雇员费用总额扣除", "§9a EStG")
    special = units(table.special_expenses_allowance, minor)
    result.add("special_expenses_allowance", np.full_like(wages, special),
               "special-expenses lump sum (Sonderausgaben-Pauschbetrag)", "特殊支出总额扣除", "§10c EStG")
    result.add("deductible_contributions", inputs.deductible_contributions,
               "deductible social contributions (Vorsorgeaufwendungen)", "可扣除社会保险费", "§10 EStG")
    zve = np.maximum(wages - allowance - special - inputs.deductible_contributions, 0)
    zve = result.add("taxable_income", round_to(zve, table.taxable_income_rounding, minor),
                     "taxable income (zvE)", "应纳税所得额", table.taxable_income_rounding.rule)
    tax = result.add("income_tax", round_to(_tariff(table.tariff, zve, minor), table.tax_rounding, minor),
                     "income tax (§32a EStG)", "所得税", table.tax_rounding.rule)
    sol = table.solidarity
    above = tax > units(sol.exemption_limit, minor)
    full = tax * rate_to_ppm(sol.rate)
    phased = (tax - units(sol.exemption_limit, minor)) * rate_to_ppm(sol.phase_in_rate)
    surcharge = np.where(above, round_exact(np.minimum(full, phased), RATE_SCALE, table.surcharge_rounding, minor), 0)
    surcharge = result.add("solidarity_surcharge", surcharge, "solidarity surcharge", "团结附加税",
                           f"{sol.rate:%} of income tax above {sol.exemption_limit:,}, at most "
                           f"{sol.phase_in_rate:%} of the excess; {table.surcharge_rounding.rule}")
    church = inputs.options["church"]
    if church is None:
        church_tax = np.zeros_like(tax)
    else:
        rate = table.church_tax_rates.get(str(church).upper(), table.church_tax_rates["other"])
        church_tax = round_exact(tax * rate_to_ppm(rate), RATE_SCALE, table.surcharge_rounding, minor)
    church_tax = result.add("church_tax", church_tax, "church tax", "教会税",
                            "none" if church is None else f"{church}: {rate:%} of income tax")
    result.add("total_tax", tax + surcharge + church_tax, "income tax, solidarity surcharge and church tax",
               "所得税、团结附加税及教会税")


def _tariff(zones: list[GermanZone], zve: np.ndarray, minor: int) -> np.ndarray:
    """§32a(1) EStG on whole euros, down to the cent (the caller rounds down to the euro)."""
    euros = zve // minor
    starts = np.array([int(z.start) for z in zones], dtype=np.int64)
    zone = np.searchsorted(starts, euros, side="right") - 1
    tax = np.zeros_like(zve)
    for index, z in enumerate(zones):
        here = zone == index
        if z.kind == "exempt" or not here.any():
            continue
        if z.kind == "quadratic":  # (a·d/10⁴ + b)·d/10⁴ + c, in units of 10⁻¹⁰ euro
            d = euros[here] - int(z.origin)
            exact = _int(z.a * 100) * d * d + _int(z.b) * 10**6 * d + _int(z.c * 100) * 10**8
            tax[here] = round_exact(exact, 10**10 // minor, CENT, minor)
        else:  # rate·x − minus, in units of 10⁻⁶ cent
            exact = rate_to_ppm(z.rate) * euros[here] * minor - _int(z.minus * minor) * RATE_SCALE
            tax[here] = round_exact(exact, RATE_SCALE, CENT, minor)
    return np.maximum(tax, 0)


def _int(value: Decimal) -> int:
    if value != value.to_integral_value():
        raise HostTaxError(f"DE tariff coefficient {value} has more decimals than the engine handles")
    return int(value)
