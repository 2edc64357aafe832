"""`expatcn tax` from travel records: the scenario's trips decide resident / non-resident and the
sourcing situation, and total wages become China-taxable wages by MOF/STA 2019 No. 35 before the
IIT engine computes the month (issue 3 items 4 and 6).

Expected China-taxable wages are computed here independently, day by day and in Decimal, from the
published formulas (No. 35 §2; days of residence: No. 34 art. 2, only days with 24 hours in
China; China work days: No. 35 §1(1), a day of less than 24 hours counts as half a day):

- formula 1, non-resident ≤ 90 days: W × C/W × d/D  (only the China-paid part, by China days);
- formula 2, non-resident 90–183 days: W × d/D;
- formula 3, resident < 6 years: W × [1 − (W − C)/W × (D − d)/D];
each rounded once, half up to the fen.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.examples import EXAMPLES
from expatcn.iit.inputs import YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.io.scenario import ScenarioError, load_scenario
from expatcn.services.tax import ScenarioResidency
from expatcn.law import load_law

LAW = load_law()
D = dt.date
runner = CliRunner()


# ---------------------------------------------------------------- independent helpers
def day_kinds(trips, start, end):
    """{day: 'full'|'partial'} for days from start to end inclusive, one day at a time."""
    kinds = {}
    for entry, exit_ in trips:
        day = entry
        while day <= exit_:
            if start <= day <= end:
                edge = day in (entry, exit_)
                kinds[day] = "partial" if edge or kinds.get(day) == "partial" else "full"
            day += dt.timedelta(days=1)
    return kinds


def china_work_days(trips, start, end) -> Decimal:
    """No. 35 §1(1) for a person who also holds a post abroad: a partial day is half a day."""
    kinds = day_kinds(trips, start, end)
    return sum((Decimal(1) if k == "full" else Decimal("0.5") for k in kinds.values()), Decimal(0))


def residence_days(trips, year) -> int:
    return sum(1 for k in day_kinds(trips, D(year, 1, 1), D(year, 12, 31)).values() if k == "full")


def month_span(year, month):
    start = D(year, month, 1)
    end = (D(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


def fen(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def formula(kind: int, total: Decimal, china_paid: Decimal, d: Decimal, days: int) -> int:
    big_d = Decimal(days)
    if kind == 1:
        return fen(total * (china_paid / total) * (d / big_d)) if total else 0
    if kind == 2:
        return fen(total * d / big_d)
    return fen(total * (1 - (total - china_paid) / total * (big_d - d) / big_d)) if total else 0


def write(tmp_path, data, name="s.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def prepare(tmp_path, data):
    return load_scenario(write(tmp_path, data)).prepare(LAW)


# ---------------------------------------------------------------- from trips = by hand (the situations themselves are cases: tests/cases/residency)
def test_from_trips_equals_hand_assembled_inputs(tmp_path):
    """The same person-year from trips and from YearInputs built by hand (wages and a bonus
    apportioned over its period here, day by day): identical results, fen for fen."""
    trips = [(D(2025, 7, 1), D(2025, 8, 29)), (D(2026, 1, 5), D(2026, 3, 13)), (D(2026, 5, 4), D(2026, 6, 30))]
    days = residence_days(trips, 2026)
    assert 90 < days < 183  # formula 2 for wages and the bonus
    trips_csv = tmp_path / "trips.csv"
    trips_csv.write_text("entry,exit\n" + "".join(f"{e},{x}\n" for e, x in reversed(trips)))  # any order
    scenario = {
        "name": "hand vs trips", "year": 2026,
        "person": {"foreigner": True, "trips": "trips.csv"},
        "employment": {"from": 1, "to": 10},
        "every_month": {"wages": 45000, "paid_abroad": 30000, "employee_contributions": 0},
        "months": {3: {"bonus": 72000, "bonus_paid_abroad": 72000, "bonus_period": {"from": "2025-07", "to": "2026-02"}}},
    }
    p = prepare(tmp_path, scenario)
    from_trips = compute_year(p.inputs, LAW)

    wages = np.zeros((1, 12), dtype=np.int64)
    for m in range(1, 11):
        start, end = month_span(2026, m)
        wages[0, m - 1] = formula(2, Decimal(45000), Decimal(15000), china_work_days(trips, start, end), (end - start).days + 1)
    period = (D(2025, 7, 1), D(2026, 2, 28))
    bonus = np.zeros((1, 12), dtype=np.int64)
    bonus[0, 2] = formula(2, Decimal(72000), Decimal(0), china_work_days(trips, *period), (period[1] - period[0]).days + 1)
    employed = np.zeros((1, 12), dtype=bool)
    employed[0, :10] = True
    by_hand = compute_year(YearInputs(year=2026, wages=wages, bonus=bonus, employed=employed,
                                      resident=np.array([False]), foreigner=np.array([True]), ids=["hand vs trips"]), LAW)

    assert p.inputs.wages.tolist() == wages.tolist()
    assert p.inputs.bonus.tolist() == bonus.tolist()
    for key in ("income", "wage_taxable", "wage_tax", "bonus_tax", "total_tax"):
        assert np.array_equal(from_trips.monthly[key], by_hand.monthly[key]), key
    for key, value in by_hand.annual.items():
        assert np.array_equal(from_trips.annual[key], value), key
    lump = ScenarioResidency.of(p.residency).model_dump()["lump_sums"][0]
    assert lump["period"] == {"from": "2025-07-01", "to": "2026-02-28"}
    assert Decimal(str(lump["china_work_days"])) == china_work_days(trips, *period)


# ---------------------------------------------------------------- CLI and shipped example
def test_cli_prints_residency_above_the_table_and_json_has_it():
    path = EXAMPLES / "nonresident_from_trips_2026.yaml"
    result = runner.invoke(app, ["tax", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("Residency from trips") < out.index("2026, non-resident")
    assert "134 days of residence" in out and "nonresident_short" in out
    data = json.loads(runner.invoke(app, ["tax", str(path), "--json"]).output)
    assert data["residency"]["residence_days"] == 134
    assert data["residency"]["treaty"]["partner"] == "Germany"
    assert data["resident"] is False
    assert data["months"][0]["income"] == "5032.26"  # 8,000 China-paid × 19.5 / 31 China work days
    example = runner.invoke(app, ["example", "nonresident_from_trips_2026"])
    assert example.exit_code == 0 and "Residency from trips" in example.output


def test_scenario_without_trips_is_unchanged(tmp_path):
    p = prepare(tmp_path, {"year": 2026, "person": {"resident": False}, "every_month": {"wages": 30000}})
    assert p.residency is None and not p.inputs.resident[0] and p.inputs.wages[0, 0] == 3000000


# ---------------------------------------------------------------- errors name the field
TRIPS = [{"entry": "2026-03-01", "exit": "2026-03-10"}]


@pytest.mark.parametrize(
    "person, every_month, months, expected",
    [
        ({"resident": True, "trips": TRIPS}, {"wages": 1000}, {}, "person.resident"),
        ({"treaty": "DE"}, {"wages": 1000}, {}, "person.treaty needs person.trips"),
        ({}, {"wages": 1000, "paid_abroad": 10}, {}, "months.1.paid_abroad: needs person.trips"),
        ({"trips": TRIPS}, {"wages": 1000, "paid_abroad": 2000}, {}, "months.1.paid_abroad"),
        ({"trips": TRIPS}, {"wages": 1000}, {5: {"bonus_period": {"from": "2026-01", "to": "2026-04"}}}, "months.5.bonus_period"),
        ({"trips": TRIPS}, {"wages": 1000}, {12: {"bonus": 5, "bonus_period": {"from": "2026-01", "to": "2027-01"}}}, "months.12.bonus_period"),
        ({"trips": TRIPS}, {"wages": 1000}, {12: {"bonus": 5, "bonus_period": {"from": "2026-13", "to": "2026-12"}}}, "bonus_period.from"),
        ({"trips": TRIPS, "treaty": "XQ"}, {"wages": 1000}, {}, "person.treaty: no treaty"),
        ({"trips": [{"entry": "2026-03-10", "exit": "2026-03-01"}]}, {"wages": 1000}, {}, "person.trips, row 1, field 'exit'"),
        ({"trips": [{"entry": "2026-03-10", "exit": "2026-03-12", "flight": "LH"}]}, {}, {}, "unknown column 'flight'"),
        ({"trips": "missing.csv"}, {}, {}, "missing.csv: cannot read the file"),
        ({"trips": TRIPS, "history_from": 2027}, {}, {}, "person.history_from 2027"),
    ],
)
def test_errors_name_the_field(tmp_path, person, every_month, months, expected):
    path = write(tmp_path, {"year": 2026, "person": person, "every_month": every_month, "months": months})
    with pytest.raises(ScenarioError) as err:
        load_scenario(path).prepare(LAW)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_several_persons_in_the_trips_file(tmp_path):
    (tmp_path / "t.csv").write_text("person,entry,exit\nanna,2026-01-05,2026-02-01\nben,2026-03-01,2026-03-05\n")
    path = write(tmp_path, {"year": 2026, "person": {"trips": "t.csv"}, "every_month": {"wages": 1000}})
    with pytest.raises(ScenarioError, match="person.trips_person"):
        load_scenario(path).prepare(LAW)
    ok = write(tmp_path, {"year": 2026, "person": {"trips": "t.csv", "trips_person": "ben"}}, "ok.yaml")
    assert load_scenario(ok).prepare(LAW).residency.assessment.status.days[0] == 3
    bad = write(tmp_path, {"year": 2026, "person": {"trips": "t.csv", "trips_person": "carl"}}, "bad.yaml")
    with pytest.raises(ScenarioError, match="person.trips_person: no trips of 'carl'"):
        load_scenario(bad).prepare(LAW)


def test_cli_error_exit_code(tmp_path):
    path = write(tmp_path, {"year": 2026, "person": {"trips": [{"entry": "2026-03-10", "exit": "x"}]}})
    result = runner.invoke(app, ["tax", str(path)])
    assert result.exit_code == 2
    assert "person.trips, row 1, field 'exit'" in result.output
