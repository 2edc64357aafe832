"""Host-country contributions (law/social/host/*.yaml), the certificate timeline and
``expatcn outbound``. Figures: SSA / Bloomberg Tax (OASDI maximum 2025 = 6.2% × 176,100 =
USD 10,918.20; 2026 = 6.2% × 184,500 = 11,439.00); IRS Additional Medicare 0.9% above USD 200,000;
German 2025 ceilings RV/ALV 8,050 and KV/PV 5,512.50 per month (WISTA, GMB)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.dates import add_months
from expatcn.law import LawError, load_law
from expatcn.social.host import host_contributions
from expatcn.io.outbound_file import Assignment
from expatcn.social.outbound import certificate_timeline, outbound_assignment

LAW = load_law()
YEAR_2025 = [dt.date(2025, m, 1) for m in range(1, 13)]
EXAMPLE = Path(__file__).parents[2] / "src/expatcn/examples/outbound_engineer_us_de.yaml"


def cents(usd: str) -> int:
    return int(Decimal(usd) * 100)


def test_us_fica_below_the_wage_base():
    wages = np.full((1, 12), cents("10000"), dtype=np.int64)  # 120,000 a year < 176,100
    r = host_contributions(LAW, "US", wages, YEAR_2025)
    assert r.employee["oasdi"].sum() == cents("7440.00")  # 6.2% × 120,000
    assert r.employer["medicare"].sum() == cents("1740.00")  # 1.45% × 120,000
    assert r.employee["additional_medicare"].sum() == 0


def test_us_fica_above_the_wage_base_is_cumulative():
    wages = np.full((1, 12), cents("20000"), dtype=np.int64)  # 240,000 a year
    r = host_contributions(LAW, "US", wages, YEAR_2025)
    assert r.employee["oasdi"].sum() == cents("10918.20")  # SSA 2025 maximum
    assert r.employer["oasdi"].sum() == cents("10918.20")
    assert r.base["oasdi"][0, 8] == cents("16100")  # September: 176,100 − 160,000
    assert r.employee["oasdi"][0, 9:].sum() == 0
    assert r.employee["additional_medicare"].sum() == cents("360.00")  # 0.9% × (240,000 − 200,000)
    assert r.employer["additional_medicare"].sum() == 0  # no employer match
    # the wage base restarts in January
    r26 = host_contributions(LAW, "US", np.full((1, 13), cents("20000"), np.int64),
                             YEAR_2025 + [dt.date(2026, 1, 1)])
    assert r26.employee["oasdi"][0, 12] == cents("1240.00")


def test_us_2026_maximum():
    wages = np.full((1, 12), cents("20000"), dtype=np.int64)
    r = host_contributions(LAW, "US", wages, [dt.date(2026, m, 1) for m in range(1, 13)])
    assert r.employee["oasdi"].sum() == cents("11439.00")  # 6.2% × 184,500


def test_germany_ceilings_2025():
    wages = np.array([[cents("9000")], [cents("3000")]], dtype=np.int64)
    r = host_contributions(LAW, "DE", wages, [dt.date(2025, 3, 1)])
    assert r.employee["rv"][:, 0].tolist() == [cents("748.65"), cents("279.00")]  # 9.3% × min(wage, 8,050)
    assert r.employee["kv"][0, 0] == cents("471.32")  # 8.55% × 5,512.50 = 471.31875, half up


def test_uk_monthly_thresholds_and_tax_year():
    wages = np.array([[cents("5000"), cents("5000")]], dtype=np.int64)
    r = host_contributions(LAW, "GB", wages, [dt.date(2025, 3, 1), dt.date(2025, 4, 1)])
    # employee: 8% × (4,189 − 1,048) + 2% × (5,000 − 4,189) = 251.28 + 16.22
    assert (r.employee["nic_employee_main"] + r.employee["nic_employee_additional"])[0].tolist() == [26750, 26750]
    # employer: March 2025 (2024/25) 13.8% × (5,000 − 758); April 2025 (2025/26) 15% × (5,000 − 417)
    assert r.employer["nic_employer"][0].tolist() == [cents("585.40"), cents("687.45")]


def test_canada_cpp_exemption_and_maximum():
    r = host_contributions(LAW, "CA", np.full((1, 12), cents("10000"), np.int64), YEAR_2025)
    assert r.employee["cpp"].sum() == cents("4034.10")  # 5.95% × (71,300 − 3,500), CRA 2025 maximum
    assert r.employee["ei"].sum() == cents("1077.48")  # 1.64% × 65,700
    assert r.employee["cpp2"].sum() == cents("396.00")  # 4% × (81,200 − 71,300)


def test_japan_and_korea_whole_units():
    r = host_contributions(LAW, "JP", np.array([[800_000]], np.int64), [dt.date(2025, 5, 1)])
    assert r.currency == "JPY" and r.employee["kosei_nenkin"][0, 0] == 59_475  # 9.15% × 650,000
    assert r.employee["koyo_hoken"][0, 0] == 4_400  # 5.5/1,000 × 800,000 (MHLW FY2025)
    k = host_contributions(LAW, "KR", np.array([[300_000]], np.int64), [dt.date(2025, 8, 1)])
    assert k.employee["national_pension"][0, 0] == 18_000  # floor 400,000 × 4.5%


def test_australia_quarterly_base():
    r = host_contributions(LAW, "AU", np.full((1, 3), cents("30000"), np.int64),
                           [dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)])
    assert r.employer["super_guarantee"].sum() == cents("7500.00")  # 12% × 62,500


def test_missing_month_is_a_clear_error():
    with pytest.raises(LawError, match="FR in 2027-01"):
        host_contributions(LAW, "FR", np.zeros((1, 1), np.int64), [dt.date(2027, 1, 1)])


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["US", "DE", "GB", "CA", "NL"]), st.lists(st.integers(0, 5_000_000), min_size=12, max_size=12),
       st.integers(0, 12), st.integers(1, 3_000_000))
def test_contributions_never_decrease_as_wages_rise(country, wages, month, raise_by):
    base = np.array([wages], dtype=np.int64)
    higher = base.copy()
    higher[0, month % 12] += raise_by
    lo = host_contributions(LAW, country, base, YEAR_2025)
    hi = host_contributions(LAW, country, higher, YEAR_2025)
    assert (hi.employer_total().sum() >= lo.employer_total().sum())
    assert (hi.employee_total().sum() >= lo.employee_total().sum())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3_000_000), min_size=12, max_size=12))
def test_us_oasdi_oracle(wages):
    """Plain Decimal oracle: the running total of wages, capped at the annual base; each month's
    tax is 6.2% of the capped total to date, half up, less what was already withheld."""
    r = host_contributions(LAW, "US", np.array([wages], np.int64), YEAR_2025)
    cumulative, withheld = 0, Decimal(0)
    for m, w in enumerate(wages):
        cumulative += w
        due = (Decimal(min(cumulative, 17_610_000)) * Decimal("0.062")).quantize(Decimal(1), ROUND_HALF_UP)
        assert r.employee["oasdi"][0, m] == int(due - withheld)
        withheld = due
    assert withheld <= Decimal("1091820")


# ------------------------------------------------------------------ outbound and certificates


def _assignment(**kw) -> Assignment:
    base = dict(name="t", host_country="DE", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31),
                host_wage_monthly=Decimal("7000"))
    base.update(kw)
    return Assignment(**base)


def test_certificate_expiry_from_the_agreement_maximum():
    t = certificate_timeline(LAW, "DE", dt.date(2025, 4, 1), dt.date(2029, 9, 30))
    assert t.expiry == dt.date(2029, 3, 31)  # 48 months (Sino-German agreement)
    assert t.renewal_alert == dt.date(2028, 12, 31)
    assert any("after the certificate expires" in a for a in t.alerts)
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)


def test_certificate_expiring_mid_year_brings_pension_back():
    r = outbound_assignment(LAW, _assignment(certificate={"until": "2025-06-30"}))
    assert r.certificate_month.tolist() == [True] * 6 + [False] * 6
    assert (r.host.employee["rv"][0, :6] == 0).all() and (r.host.employee["rv"][0, 6:] == cents("651.00")).all()
    assert (r.host.employee["kv"][0] > 0).all()  # health is not covered by the agreement
    assert r.removed_by_agreement[:6].tolist() == [cents("1484.00")] * 6  # (9.3% + 1.3%) × 7,000 × 2
    assert r.removed_by_agreement[6:].sum() == 0


def test_no_certificate_no_exemption_and_us_has_no_agreement():
    r = outbound_assignment(LAW, _assignment(certificate={"apply": False}))
    assert r.removed_by_agreement.sum() == 0 and not r.certificate_month.any()
    us = outbound_assignment(LAW, _assignment(host_country="US", host_wage_monthly=Decimal("10000")))
    assert us.timeline.agreement is None and "no social security agreement" in us.timeline.alerts[0]
    assert us.double_exposure.sum() == cents("18360.00")  # (6.2% + 1.45%) × 2 × 120,000


def test_france_signed_but_not_in_force_exempts_nothing():
    r = outbound_assignment(LAW, _assignment(host_country="FR", host_wage_monthly=Decimal("5000")))
    assert r.removed_by_agreement.sum() == 0
    assert any("not (known to be) in force" in a for a in r.timeline.alerts)


def test_scenario_errors_name_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("assignments:\n  - name: x\n    host_country: XX\n    start: 2025-01-01\n    end: 2025-02-01\n"
                   "    host_wage_monthly: abc\n")
    out = CliRunner().invoke(app, ["outbound", str(bad)])
    assert out.exit_code == 2
    assert "assignments.0.host_country" in out.output and "assignments.0.host_wage_monthly" in out.output


def test_cli_example_json_and_fx():
    out = CliRunner().invoke(app, ["outbound", str(EXAMPLE), "--json", "--fx", "7.10"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    us, de = data["assignments"]
    assert us["totals"]["fx_cny_per_unit"] == "7.10"
    dec = next(m for m in us["months"] if m["month"] == "2025-12")
    assert dec["schemes"]["oasdi"]["employee"] == "6.20"  # only 100 of the 176,100 base left
    assert de["certificate"]["expiry"] == "2026-06-30" and de["certificate"]["renewal_alert"] == "2026-03-30"
    assert de["law"] and de["alerts"]


def test_china_side_continues_in_the_home_city():
    r = outbound_assignment(LAW, _assignment(host_country="US", host_wage_monthly=Decimal("10000"),
                                             start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31),
                                             home_city="shanghai", china_base_monthly=Decimal("20000")))
    assert r.china is not None, r.china_note
    assert (r.china.employee > 0).all() and r.china.employer.shape == (3,)
    assert "pension" in r.china.by_scheme


def test_host_countries_are_the_host_tables():
    """A host country is one with a table in law/social/host/ (a new table is a new country)."""
    from pathlib import Path

    from expatcn.social.host import host_countries

    files = Path(__file__).parents[2] / "src" / "expatcn" / "law" / "social" / "host"
    assert host_countries(LAW) == tuple(sorted(p.stem.upper() for p in files.glob("*.yaml")))
    assert {"DE", "US", "JP"} <= set(host_countries(LAW))
