"""The full month: gross → social insurance and housing fund → IIT → net pay and employer cost.

Hand-computed figures use Shanghai's 2024-25 table (bases 7,384–36,921; employee 8% + 2% + 0.5%,
employer 16% + 9% + 0.5% + 0.16%; housing fund 5%–7%), as published by Forvis Mazars China,
"Dec. 2024 — Social Insurance Base of 2024", and Beijing's 2024-25 table from the same source
(8% + 2% + RMB 3 + 0.5%); the IIT figures follow the annual table (3%, 10% − 2,520) for residents
and the monthly table (20% − 1,410) for non-residents.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.iit.inputs import YearInputs
from expatcn.law import load_law
from expatcn.social.contributions import HOUSING_FUND, SocialDataGap, contributions
from expatcn.gross_to_net import MonthInputs, explain_month, gross_to_net
from expatcn.social.participation import participation

LAW = load_law()
RUNNER = CliRunner()
NAT = np.datetime64("NaT", "D")


def fen(yuan) -> int:
    return int(Decimal(str(yuan)) * 100)


def yuan(amount) -> Decimal:
    return Decimal(int(amount)) / 100


def run(year, city, wages, **kw):
    """One or more employees; ``wages`` a list of yuan (same every month) or (N, 12) fen."""
    wages = np.asarray(wages)
    if wages.ndim == 1:
        wages = np.repeat(np.array([fen(w) for w in wages], dtype=np.int64)[:, None], 12, axis=1)
    n = wages.shape[0]
    income_kw = {k: kw.pop(k) for k in ("resident", "foreigner", "bonus", "allowances", "employed") if k in kw}
    income = YearInputs(year=year, wages=wages, **income_kw)
    city = np.array([city] * n) if isinstance(city, str) else np.asarray(city)
    partial = kw.pop("allow_partial", False)
    return gross_to_net(MonthInputs(income, city, **kw), LAW, allow_partial=partial)


# --- a German national with and without a certificate of coverage (the figures by hand are cases in
# tests/cases/month; here: both in one batch, and the trace) ---------------------------------------


def test_german_with_and_without_certificate_through_the_full_month():
    kw = dict(resident=np.array([True, True]), foreigner=np.array([True, True]), nationality=np.array(["DE", "DE"]),
              certificate_from=np.array(["2024-01-01", NAT], "datetime64[D]"),
              certificate_until=np.array(["2025-06-30", NAT], "datetime64[D]"))
    r = run(2025, "shanghai", [50_000, 50_000], **kw)
    ee = r.monthly["employee_social"]
    # with the certificate (to 2025-06-30): pension and unemployment exempt Jan–Jun, medical 2% × 36,921
    assert yuan(ee[0, 0]) == Decimal("738.42")
    assert yuan(ee[0, 6]) == Decimal("3916.71")  # July: 37,302 × 10.5% (2025-26 table), all schemes again
    # without: everything, 36,921 × 10.5% = 3,876.705 → 3,876.71
    assert yuan(ee[1, 0]) == Decimal("3876.71")
    assert (r.monthly["employee_housing_fund"] == 0).all()  # foreigners not enrolled by default
    assert r.monthly["net"][0, 0] > r.monthly["net"][1, 0]
    # less deducted for IIT with the certificate → more tax in January
    assert r.monthly["iit"][0, 0] > r.monthly["iit"][1, 0]
    assert (r.monthly["gross"] == r.monthly["employee_contributions"] + r.monthly["net"] + r.monthly["iit"]).all()
    labels = [s.label for s in explain_month(r, 0) if s.month == 1]
    assert "medical: employee" in labels and "pension: employee" not in labels


# --- grouping is only a speed-up: the same as one engine call per employee-month ------------


def test_grouped_equals_one_call_per_employee_month():
    rng = np.random.default_rng(7)
    n = 40
    wages = rng.integers(0, 6_000_000, size=(n, 1)) + np.where(rng.random((n, 12)) < 0.3,
                                                               rng.integers(0, 500_000, (n, 12)), 0)
    city = rng.choice(["beijing", "shanghai"], n)
    foreign = rng.random(n) < 0.5
    nat = np.where(foreign, rng.choice(["DE", "JP", "US"], n), "CN")
    until = np.where(foreign & (rng.random(n) < 0.6), np.datetime64("2025-04-30"), NAT).astype("datetime64[D]")
    start = np.where(~np.isnat(until), np.datetime64("2024-01-01"), NAT).astype("datetime64[D]")
    hf = rng.random(n) < 0.5
    employed = np.ones((n, 12), bool)
    employed[:5, :3] = False
    r = run(2025, city, wages, foreigner=foreign, employed=employed, nationality=nat, certificate_from=start,
            certificate_until=until, housing_fund=hf)
    for i in range(n):
        for m in range(12):
            day = dt.date(2025, m + 1, 1)
            if not employed[i, m]:
                assert r.monthly["employee_contributions"][i, m] == 0
                continue
            p = participation(LAW, city[i], day, foreign[i:i + 1], housing_fund=hf[i:i + 1], nationality=nat[i:i + 1],
                              certificate_from=start[i:i + 1], certificate_until=until[i:i + 1])
            c = contributions(LAW, city[i], day, wages[i:i + 1, m], participates=p.schemes)
            assert r.monthly["employee_social"][i, m] == c.employee_social[0]
            assert r.monthly["employer_social"][i, m] == c.employer_social[0]
            assert r.monthly["employee_housing_fund"][i, m] == c.schemes[HOUSING_FUND].employee[0]
            assert r.monthly["employee_deduction"][i, m] == c.employee_deduction[0]


# --- properties -----------------------------------------------------------------------------

people = st.lists(
    st.tuples(
        st.sampled_from(["beijing", "shanghai"]),
        st.integers(254_000, 20_000_000),  # wage, fen: from 2,540 (Beijing's July–August 2025 housing fund floor is a bound)
        st.integers(0, 30_000_000),  # December bonus
        st.integers(0, 2_000_000),  # exempt allowances
        st.booleans(),  # resident
        st.sampled_from(["CN", "DE", "JP", "US"]),
        st.booleans(),  # certificate
        st.booleans(),  # housing fund (foreigners)
    ),
    min_size=1, max_size=8,
)


def _inputs(rows):
    n = len(rows)
    wages = np.array([[r[1]] * 12 for r in rows], dtype=np.int64)
    bonus = np.zeros((n, 12), np.int64)
    bonus[:, 11] = [r[2] for r in rows]
    foreign = np.array([r[5] != "CN" for r in rows])
    income = YearInputs(year=2025, wages=wages, bonus=bonus,
                        allowances=np.array([[r[3]] * 12 for r in rows], np.int64) * foreign[:, None],
                        resident=np.array([r[4] for r in rows]), foreigner=foreign,
                        allowance_election=foreign)
    until = np.array([np.datetime64("2025-09-30") if r[6] and r[5] != "CN" else NAT for r in rows], "datetime64[D]")
    return MonthInputs(income, np.array([r[0] for r in rows]), nationality=np.array([r[5] for r in rows]),
                       certificate_from=np.where(np.isnat(until), NAT, np.datetime64("2024-01-01")).astype("datetime64[D]"),
                       certificate_until=until, housing_fund=np.array([r[7] for r in rows]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people)
def test_employee_contributions_plus_net_plus_iit_is_gross(rows):
    r = gross_to_net(_inputs(rows), LAW, keep_trace=False)
    m = r.monthly
    assert (m["employee_contributions"] + m["net"] + m["iit"] == m["gross"]).all()
    assert (m["employer_cost"] == m["gross"] + m["employer_social"] + m["employer_housing_fund"]).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people, st.integers(1, 3_000_000))
def test_contributions_never_decrease_as_wages_rise(rows, raise_by):
    low = _inputs(rows)
    high = _inputs(rows)
    high.contribution_wage = low.contribution_wage + raise_by
    a, b = gross_to_net(low, LAW, keep_trace=False), gross_to_net(high, LAW, keep_trace=False)
    for key in ("employee_contributions", "employer_contributions", "employee_deduction"):
        assert (b.monthly[key] >= a.monthly[key]).all(), key


# --- pension refund, errors, CLI ------------------------------------------------------------


def test_pension_refund_estimate_is_the_employees_pension_contributions():
    r = run(2025, "shanghai", [50_000, 50_000], foreigner=np.array([True, False]),
            nationality=np.array(["US", "CN"]), certificate_until=np.array([NAT, NAT]))
    refund = r.pension_refund(LAW)
    # 36,921 × 8% = 2,953.68 × 6 + 37,302 × 8% = 2,984.16 × 6
    assert yuan(refund.amount[0]) == Decimal("2953.68") * 6 + Decimal("2984.16") * 6
    assert refund.amount[1] == 0 and not refund.eligible[1]  # the lump sum is for foreigners
    assert not refund.interest_included and "excludes interest" in refund.note
    assert "Decree No. 16" in refund.ref.describe()


def test_a_month_without_law_data_names_city_and_month():
    with pytest.raises(SocialDataGap, match=r"guangzhou 2024-01"):
        run(2024, "guangzhou", [20_000])
    # months outside employment are not looked up: Guangzhou July–December 2024 is sourced
    employed = np.zeros((1, 12), bool)
    employed[0, 6:] = True
    r = run(2024, "guangzhou", [20_000], employed=employed)
    assert r.monthly["employee_social"][0, :6].sum() == 0 and r.monthly["employee_social"][0, 6] > 0


def test_cli_month_example_table_and_json():
    path = "src/expatcn/examples/month_german_engineer_shanghai_2025.yaml"
    table = RUNNER.invoke(app, ["month", path])
    assert table.exit_code == 0, table.output
    assert "employer cost" in table.stdout and "2025-12" in table.stdout
    out = RUNNER.invoke(app, ["month", path, "--json", "--explain"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    jan, jul = data["months"][0], data["months"][6]
    assert jan["employee_social"] == "738.42" and jul["employee_social"] == "3916.71"
    for row in data["months"]:
        assert Decimal(row["gross"]) == (Decimal(row["employee_social"]) + Decimal(row["employee_housing_fund"])
                                         + Decimal(row["iit"]) + Decimal(row["net"]))
    assert data["pension_refund_estimate"]["amount"] == "17904.96"  # 37,302 × 8% × 6
    assert any("social/shanghai" in line for line in data["law"])
    assert any(step["label"] == "medical: employee" for step in data["trace"])


def test_cli_month_nonresident_deductions_are_an_alert(tmp_path):
    """IIT Law art. 6(1)(2), one policy on every path: not applied, and `expatcn month` says so."""
    scenario = tmp_path / "month.yaml"
    scenario.write_text("year: 2025\ncity: shanghai\nperson: {resident: false, foreigner: true}\n"
                        "social: {nationality: DE}\nevery_month: {wages: 20000, special_additional_deductions: 1000}\n")
    out = RUNNER.invoke(app, ["month", str(scenario), "--json"])
    assert out.exit_code == 0, out.output
    [alert] = json.loads(out.stdout)["alerts"]
    assert "12,000.00 not applied" in alert and "IIT Law art. 6(1)(2)" in alert
    table = RUNNER.invoke(app, ["month", str(scenario)])
    assert table.exit_code == 0 and "not applied" in table.output


def test_cli_month_scenario_errors_name_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2025\ncity: shanghai\nevery_month: {wages: 20000, employee_contributions: 100}\n")
    out = RUNNER.invoke(app, ["month", str(bad)])
    assert out.exit_code == 2 and "employee_contributions" in out.output
    bad.write_text("year: 2025\ncity: shanghai\nperson: {foreigner: true}\nsocial: {housing_fund_rate: abc}\n"
                   "every_month: {wages: 20000}\n")
    out = RUNNER.invoke(app, ["month", str(bad)])
    assert out.exit_code == 2 and "social.housing_fund_rate" in out.output


def test_pay_differs_from_the_taxable_part_of_apportioned_wages():
    """A non-resident paid 30,000 by the China payroll whose China-source part (by work days,
    MOF/STA 2019 No. 35) is 20,000: gross and net are of the 30,000 paid, IIT of the 20,000
    (20,000 − 5,000 = 15,000 × 20% − 1,410 = 1,590); contributions follow the contribution wage."""
    income = YearInputs(year=2025, wages=np.full((1, 12), 2_000_000), resident=np.array([False]),
                        foreigner=np.array([True]))
    month = gross_to_net(MonthInputs(income=income, city=np.array(["beijing"]), pay=np.full((1, 12), 3_000_000),
                                     contribution_wage=np.full((1, 12), 3_000_000)), LAW)
    m = month.monthly
    assert m["gross"][0, 0] == 3_000_000
    assert m["iit"][0, 0] == 159_000
    assert m["net"][0, 0] == 3_000_000 - m["employee_contributions"][0, 0] - 159_000
