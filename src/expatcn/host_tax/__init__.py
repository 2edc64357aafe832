"""Host-country income tax on employment income, for the host countries with law tables
(``law/host_tax/<iso2>.yaml``): one function per country, vectorized over people, in the host
currency's minor unit, each result with its trace (:meth:`HostTax.explain`).

This engine uses only the law tables, ``expatcn.money`` and ``expatcn.errors``; the planner converts currencies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from expatcn.host_tax import au, ca, de, fr, gb, jp, kr, nl, us
from expatcn.host_tax.residence import NON_RESIDENT, RESIDENT, UNDETERMINED, host_residence
from expatcn.host_tax.result import HostTax, Inputs, Step
from expatcn.host_tax.schedules import HostTaxError
from expatcn.law import Law

COUNTRIES: dict[str, Any] = {"US": us, "DE": de, "JP": jp, "KR": kr, "GB": gb, "FR": fr, "CA": ca, "NL": nl, "AU": au}


def host_tax_table(country: str) -> str:
    return f"host_tax/{country.lower()}"


def host_income_tax(law: Law, country: str, on: dt.date, income: np.ndarray, *,
                    deductible_contributions: np.ndarray | None = None, resident: np.ndarray | None = None,
                    **options: Any) -> HostTax:
    """The host-country income tax of the tax year containing ``on`` (UK: 6 April –; Australia:
    1 July –; the others the calendar year), for each person."""
    module = COUNTRIES.get(country.upper())
    if module is None:
        raise HostTaxError(f"no host income tax for {country!r}; expected one of {', '.join(COUNTRIES)}")
    unknown = set(options) - set(module.OPTIONS)
    if unknown:
        raise HostTaxError(f"{country.upper()}: unknown option(s) {', '.join(sorted(unknown))}; "
                           f"expected {', '.join(module.OPTIONS) or 'none'}")
    income = np.atleast_1d(np.asarray(income, dtype=np.int64))
    if (income < 0).any():
        raise HostTaxError(f"{country.upper()}: income must not be negative")
    contributions = (np.zeros_like(income) if deductible_contributions is None
                     else np.broadcast_to(np.asarray(deductible_contributions, dtype=np.int64), income.shape))
    status = (np.ones(income.shape, dtype=bool) if resident is None
              else np.broadcast_to(np.asarray(resident, dtype=bool), income.shape))
    entry = law.on(host_tax_table(country), on)
    table = entry.value
    result = HostTax(table.country, table.currency, table.minor_per_unit, table.tax_year_start(on), entry.ref)
    compute: Callable[..., None] = module.compute
    compute(table, result, Inputs(income, contributions, status, {**module.OPTIONS, **options}))
    return result


__all__ = ["COUNTRIES", "HostTax", "HostTaxError", "Inputs", "NON_RESIDENT", "RESIDENT", "Step", "UNDETERMINED",
           "host_income_tax", "host_residence", "host_tax_table"]
