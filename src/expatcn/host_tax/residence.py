"""Host-country tax residence by the host's own day count, where its law states a number
(``residence`` in ``law/host_tax/<iso2>.yaml``): the US substantial presence test (IRC
§7701(b)(3)), the 183-day tests of Korea, the UK (automatic tests), Canada (sojourning) and
Australia. Where the law decides on facts (home, family, intention), the answer is
``UNDETERMINED`` and the caller must say."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from math import lcm

import numpy as np

from expatcn.errors import InputError
from expatcn.law import Law

RESIDENT, NON_RESIDENT, UNDETERMINED = 1, 0, -1


def host_residence(law: Law, country: str, on: dt.date, days: np.ndarray) -> np.ndarray:
    """Residence codes (RESIDENT, NON_RESIDENT, UNDETERMINED) for N people from ``days``, an
    (N, K) array of days present in the host country in this tax year (column 0) and the K − 1
    tax years before it (needed only where the rule weights earlier years)."""
    rule = law.value(f"host_tax/{country.lower()}", on).residence
    days = np.atleast_2d(np.asarray(days, dtype=np.int64))
    weights = [Fraction(1)] + [Fraction(w) for w in rule.prior_year_weights]
    if days.shape[1] < len(weights):
        raise InputError(f"{country.upper()}: the day test needs days for {len(weights)} tax years, got {days.shape[1]}")
    scale = lcm(*(w.denominator for w in weights))
    weighted = sum(days[:, k] * int(w * scale) for k, w in enumerate(weights))
    status = np.full(days.shape[0], UNDETERMINED, dtype=np.int64)
    if rule.non_resident_below_days is not None:
        status[days[:, 0] < rule.non_resident_below_days] = NON_RESIDENT
    if rule.day_count_decides:
        status[:] = NON_RESIDENT
    if rule.resident_from_days is not None:
        meets = (weighted >= rule.resident_from_days * scale) & (days[:, 0] >= rule.minimum_current_days)
        status[meets] = RESIDENT
    return status
