"""A tax-equalized assignment (``expatcn equalize``): the China gross that keeps the assignee's
stay-at-home net, the actual IIT and contributions, and what it costs the employer, month by month
and at year end."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from expatcn.equalization import equalize as equalize_engine
from expatcn.io.equalization_file import EqualizationFile, to_arrays
from expatcn.io.equalization_file import load_equalization as load_equalization  # the file the use case reads
from expatcn.law import Law, load_law
from expatcn.money import yuan_str
from expatcn.social.cities import city_key

Yuan = str
COLUMNS = ("home_gross", "hypothetical_tax", "hypothetical_contributions", "guaranteed_net", "china_gross",
           "china_iit", "china_employee_contributions", "china_net", "cost")


class EqualizedMonth(BaseModel):
    month: int
    home_gross: Yuan
    hypothetical_tax: Yuan
    hypothetical_contributions: Yuan
    guaranteed_net: Yuan
    china_gross: Yuan
    china_iit: Yuan
    china_employee_contributions: Yuan
    china_net: Yuan
    cost: Yuan


class YearEnd(BaseModel):
    equalization_cost_months: Yuan
    china_reconciliation_balance: Yuan
    hypothetical_true_up: Yuan
    equalization_cost_year: Yuan


class Equalization(BaseModel):
    name: str
    year: int
    months: list[EqualizedMonth]
    year_end: YearEnd


def equalize(plan: EqualizationFile, *, law: Law | None = None) -> Equalization:
    """The equalized year of ``plan`` (its China ``city`` by key or name)."""
    law = law or load_law()
    home, hypothetical, contributions, china, city = to_arrays(plan, law)
    if city is not None:
        city = np.array([city_key(law, plan.china.city)])
    r = equalize_engine(home, hypothetical, contributions, china, city, law=law)
    return Equalization(
        name=plan.name, year=plan.year,
        months=[EqualizedMonth(month=m + 1, **{k: yuan_str(getattr(r, k)[0, m]) for k in COLUMNS})
                for m in range(12) if china.employed[0, m]],
        year_end=YearEnd(equalization_cost_months=yuan_str(r.cost[0].sum()),
                         china_reconciliation_balance=yuan_str(r.china_reconciliation_balance[0]),
                         hypothetical_true_up=yuan_str(r.hypothetical_true_up[0]),
                         equalization_cost_year=yuan_str(r.cost_for_year[0])))
