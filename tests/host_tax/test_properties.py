"""What must hold for every host country and year (Hypothesis): tax never falls as income rises,
the average rate stays under the top statutory rate, a batch equals its people one by one, the
trace ends on the total; the residence day rule; bad input is refused by name."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host_support import LAW, MINOR
from expatcn.host_tax.result import minor_to_str
from expatcn.host_tax import COUNTRIES, NON_RESIDENT, RESIDENT, UNDETERMINED, HostTaxError, host_income_tax, host_residence

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAYS = {"US": [dt.date(2024, 6, 1), dt.date(2025, 6, 1), dt.date(2026, 6, 1)],
        "GB": [dt.date(2024, 6, 1), dt.date(2025, 6, 1), dt.date(2026, 6, 1)],
        "FR": [dt.date(2024, 6, 1), dt.date(2025, 6, 1)],  # income 2026: barème of the finance law for 2027
        "AU": [dt.date(2024, 3, 1), dt.date(2024, 9, 1), dt.date(2025, 9, 1), dt.date(2026, 9, 1)]}
# Top combined statutory rate (national × surcharges + local) and a fixed amount (per-capita levies,
# health premium) in currency units: the average rate can never exceed them.
TOP = {"US": ("0.37", 0), "GB": ("0.45", 0), "DE": ("0.4950", 0), "JP": ("0.55945", 5_000),
       "KR": ("0.495", 0), "FR": ("0.45", 1), "CA": ("0.5353", 900), "NL": ("0.495", 0), "AU": ("0.47", 0)}
cases = st.sampled_from([(c, d) for c in COUNTRIES for d in DAYS.get(c, [dt.date(2024, 6, 1), dt.date(2025, 6, 1),
                                                                         dt.date(2026, 6, 1)])])
units = st.integers(min_value=0, max_value=3_000_000)


def tax(country, on, incomes, resident=True):
    scale = MINOR.get(country, 100)
    array = np.array(incomes, dtype=np.int64) * (1 if scale == 1 else scale)
    if scale == 1:
        array = array * 100  # yen and won: a wider range
    return host_income_tax(LAW, country, on, array, resident=np.full(len(incomes), resident)), array


@SETTINGS
@given(cases, st.lists(units, min_size=2, max_size=8), st.booleans())
def test_tax_never_falls_as_income_rises(case, incomes, resident):
    country, on = case
    result, income = tax(country, on, sorted(incomes), resident)
    assert (np.diff(result.total) >= 0).all(), (income, result.total)
    assert (result.total >= 0).all()


@SETTINGS
@given(cases, st.lists(units, min_size=1, max_size=8))
def test_average_rate_below_the_top_rate_and_batch_equals_one_by_one(case, incomes):
    country, on = case
    result, income = tax(country, on, incomes)
    rate, fixed = TOP[country]
    bound = income * Decimal(rate) + fixed * result.minor_per_unit + 1
    assert all(int(t) <= b for t, b in zip(result.total, bound))
    for i, one in enumerate(income):
        single = host_income_tax(LAW, country, on, np.array([one]))
        assert single.total[0] == result.total[i]
    steps = result.explain(0)
    assert steps[-1].amount == minor_to_str(result.total[0], result.minor_per_unit) and steps[0].law


def test_trace_names_each_step_in_english_and_chinese():
    """Wages 60,000 (2025): zvE 58,734; z = 4.1291; (176.64 z + 2,397) z + 1,015.13 = 13,924.5… → 13,924."""
    result = host_income_tax(LAW, "DE", dt.date(2025, 6, 1), np.array([6_000_000]))
    steps = [s.as_dict() for s in result.explain(0)]
    assert steps[-1]["amount"] == "13,924.00" and steps[-1]["label_zh"]
    assert "host_tax/de" in steps[0]["law"][0]


def test_residence_by_the_host_day_rules():
    """US substantial presence (IRC §7701(b)(3)): 120 + 120/3 + 120/6 = 180 < 183 → non-resident;
    122 + 40 + 21 = 183 → resident; 30 days this year never. UK: 183 resident, 10 non-resident, 100
    left to the other tests. Germany: facts, never days alone."""
    us = host_residence(LAW, "US", dt.date(2025, 6, 1), np.array([[120, 120, 120], [122, 120, 126], [30, 365, 365]]))
    assert list(us) == [NON_RESIDENT, RESIDENT, NON_RESIDENT]
    uk = host_residence(LAW, "GB", dt.date(2025, 6, 1), np.array([[183], [10], [100]]))
    assert list(uk) == [RESIDENT, NON_RESIDENT, UNDETERMINED]
    assert list(host_residence(LAW, "DE", dt.date(2025, 6, 1), np.array([[300]]))) == [UNDETERMINED]


def test_bad_input_is_refused_by_name():
    with pytest.raises(HostTaxError, match="no host income tax for 'BR'"):
        host_income_tax(LAW, "BR", dt.date(2025, 1, 1), np.array([1]))
    with pytest.raises(HostTaxError, match="unknown option"):
        host_income_tax(LAW, "US", dt.date(2025, 1, 1), np.array([1]), ruling=True)
    with pytest.raises(HostTaxError, match="must not be negative"):
        host_income_tax(LAW, "GB", dt.date(2025, 1, 1), np.array([-1]))
