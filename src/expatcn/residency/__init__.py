"""Residency and sourcing from travel records (issue 3): days in China, status, the six-year
clock, the treaty 183-day rule, apportioned wages and forecasts — arrays in, arrays out.

The entry points the rest of expatcn calls (this module only re-exports them):

- :func:`china_taxable_pay` — trips → assessment → China-taxable wages and lump sums, the one
  wiring of MOF/STA 2019 No. 35 (``residency.sourcing``);
- :func:`assess_year` — trips → per person per month residence / presence / work days, the
  year's status and sourcing situation, the worldwide clock and forecasts (:class:`Assessment`,
  ``residency.assessment``);
- :func:`monthly_china_wages` — an assessment plus monthly wages (fen) → China-taxable wages;
- :func:`apportion_wages` — the formulas alone, for any period (bonuses, equity);
- :func:`period_work_halves` — China work days (half days) over any period;
- :func:`apportion_lump_sums` — bonuses and equity over the period they relate to.
"""

from expatcn.residency.apportionment import FORMULAS, apportion_wages
from expatcn.residency.assessment import Assessment, assess_year, monthly_china_wages, period_work_halves
from expatcn.residency.forecast import NOT_REACHED
from expatcn.residency.lump_sums import LumpSums, apportion_lump_sums
from expatcn.residency.rules import year_rules
from expatcn.residency.sourcing import ChinaTaxablePay, LumpSum, china_taxable_pay
from expatcn.residency.status import (
    NONRESIDENT_LONG,
    NONRESIDENT_SHORT,
    RESIDENT,
    RESIDENT_WORLDWIDE,
    SITUATION_NAMES,
)
from expatcn.residency.treaty import NO_TREATY
from expatcn.residency.trips import OPEN, TripError, Trips, check_trips, day_number, to_date

__all__ = [
    "Assessment", "Trips", "TripError", "assess_year", "monthly_china_wages", "apportion_wages",
    "period_work_halves", "year_rules", "check_trips", "FORMULAS", "SITUATION_NAMES",
    "NONRESIDENT_SHORT", "NONRESIDENT_LONG", "RESIDENT", "RESIDENT_WORLDWIDE", "NOT_REACHED", "NO_TREATY",
    "OPEN", "day_number", "to_date", "apportion_lump_sums", "LumpSums", "china_taxable_pay", "ChinaTaxablePay",
    "LumpSum",
]
