"""Net → gross: the engine run forward on the gross found pays at least the target net, and one
fen less does not — across bands, months and statuses (Hypothesis); bonus cliffs; full month."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import fen
from expatcn.grossup import grossup_bonus, grossup_full_month, grossup_wages, net_pay
from expatcn.iit.inputs import BonusMethod, InputError, YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import load_law

LAW = load_law()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def templates(draw):
    n = draw(st.integers(1, 4))
    year = draw(st.sampled_from([2016, 2018, 2019, 2023, 2026]))
    row = lambda hi: np.array([[draw(st.integers(0, hi))] * 12 for _ in range(n)], dtype=np.int64)  # noqa: E731
    resident = np.array([draw(st.booleans()) for _ in range(n)])
    foreigner = np.array([draw(st.booleans()) for _ in range(n)])
    election = foreigner & np.array([draw(st.booleans()) for _ in range(n)])
    sad = row(300_000) if year >= 2019 else np.zeros((n, 12), dtype=np.int64)
    sad[~resident | election] = 0
    bonus = np.zeros((n, 12), dtype=np.int64)
    if year >= 2019 and draw(st.booleans()):
        bonus[:, draw(st.integers(0, 11))] = draw(st.integers(0, 50_000_000))
    employed = np.ones((n, 12), dtype=bool)
    if draw(st.booleans()):
        employed[:, : draw(st.integers(0, 6))] = False
    template = YearInputs(
        year=year, wages=np.zeros((n, 12)), allowances=row(2_000_000), employee_contributions=row(500_000),
        special_additional_deductions=sad, bonus=bonus, resident=resident, foreigner=foreigner,
        allowance_election=election, employed=employed,
        bonus_method=np.array([draw(st.sampled_from([BonusMethod.SEPARATE, BonusMethod.COMBINED])) for _ in range(n)],
                              dtype=np.int8),
    )
    targets = np.array([[draw(st.integers(0, 30_000_000)) for _ in range(12)] for _ in range(n)], dtype=np.int64)
    return template, targets


@SETTINGS
@given(templates(), st.integers(0, 11))
def test_grossup_meets_the_target_and_one_fen_less_does_not(case, month):
    template, targets = case
    found = grossup_wages(targets, template, LAW)
    forward = net_pay(compute_year(replace(template, wages=found.gross_wages), LAW))
    employed = template.employed
    # Where the target is below what the month pays without any wages, no wages are needed.
    bad = ~((forward >= targets) | ~employed | (found.gross_wages == 0))
    assert not bad.any(), (np.argwhere(bad), found.gross_wages[bad], forward[bad], targets[bad])
    rows = np.flatnonzero(employed[:, month] & (found.gross_wages[:, month] > 0))
    if rows.size:
        less = found.gross_wages.copy()
        less[rows, month] -= 1
        fewer = net_pay(compute_year(replace(template, wages=less), LAW))
        assert (fewer[rows, month] < targets[rows, month]).all()


def test_each_month_of_a_resident_differs_as_the_cumulative_band_rises():
    """A steady net of 40,000 needs a rising gross as the cumulative income climbs the bands."""
    template = YearInputs(year=2026, wages=np.zeros((1, 12)), employee_contributions=np.full((1, 12), fen(3916.71)))
    found = grossup_wages(np.full((1, 12), fen(40000)), template, LAW)
    assert found.exact.all()
    assert (np.diff(found.gross_wages[0]) >= 0).all() and found.gross_wages[0, 11] > found.gross_wages[0, 0]
    # January's 45,005.60 by hand: tests/cases/grossup/caishui_2018_164.yaml


def test_nonresident_gross_is_the_same_every_month():
    template = YearInputs(year=2026, wages=np.zeros((1, 12)), resident=np.array([False]))
    found = grossup_wages(np.full((1, 12), fen(40000)), template, LAW)
    # g − ((g − 5,000) × 30% − 4,410) = 40,000 → g = 52,985.71…; 30% band holds (47,985.72 ≤ 55,000).
    assert (found.gross_wages == found.gross_wages[0, 0]).all()
    assert found.exact.all()


def test_lower_tax_bonus_method_is_refused():
    template = YearInputs(year=2026, wages=np.zeros((1, 12)), bonus=np.full((1, 12), 100),
                          bonus_method=np.array([BonusMethod.LOWER_TAX], dtype=np.int8))
    with pytest.raises(InputError, match="lower_tax"):
        grossup_wages(np.full((1, 12), fen(10000)), template, LAW)


@pytest.mark.parametrize("net", [5000, 8000, 15000, 40000])
def test_full_month_grossup_in_beijing_meets_the_target(net):
    from expatcn.gross_to_net import MonthInputs

    template = MonthInputs(income=YearInputs(year=2025, wages=np.zeros((1, 12))), city=np.array(["beijing"]))
    gross, month = grossup_full_month(np.full((1, 12), fen(net)), template, LAW)
    assert (month.monthly["net"] >= fen(net)).all()
    assert (month.monthly["net"] - fen(net) <= 2).all()


@pytest.mark.parametrize("edge_monthly", [3_000, 12_000, 25_000, 35_000, 55_000, 80_000])
def test_net_bonus_at_every_cliff_takes_the_edge_not_the_larger_bonus(edge_monthly):
    """At each band edge E = 12 × monthly bound, the net of E is also paid by a larger bonus past the
    cliff (Caishui [2018] No. 164 method); the gross-up returns E and reports the larger one."""
    import oracle

    edge = Decimal(edge_monthly * 12)
    net = edge - oracle.annual_bonus(edge)
    found = grossup_bonus(np.array([fen(net)]), 2026, 12, law=LAW)
    assert found.gross_bonus[0] == fen(edge)
    larger = Decimal(int(found.larger_same_net[0])) / 100
    assert larger > edge
    assert abs((larger - oracle.annual_bonus(larger)) - net) <= Decimal("0.03")


def test_nonresident_deductions_in_a_grossup_are_not_applied_and_said():
    """IIT Law art. 6(1)(2), one policy on every path: the gross-up of a non-resident declaring
    special additional deductions is the gross-up without them, with an alert (no error)."""
    from expatcn.grossup import grossup_package

    claimed = grossup_package(fen(20000), 2026, resident=False, special_additional_deductions=fen(1000), law=LAW)
    plain = grossup_package(fen(20000), 2026, resident=False, law=LAW)
    assert (claimed.gross_wages == plain.gross_wages).all() and plain.alerts == []
    [alert] = claimed.alerts
    assert "12,000.00 not applied" in alert and "IIT Law art. 6(1)(2)" in alert
