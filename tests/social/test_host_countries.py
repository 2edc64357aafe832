"""Host-country tables brought to today (issue 11): one contribution per country checked by hand
against a published figure (cited in each test), and the employer's class where a rate depends
on it (Korea's employment-security levy by size)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.law import load_law
from expatcn.social.host import host_contributions

LAW = load_law()
D = dt.date


def minor(amount: str, per_unit: int = 100) -> int:
    return int(Decimal(amount) * per_unit)


# ---------------------------------------------------------------- Korea
def test_korea_employment_insurance_by_employer_size():
    """Employment Insurance Premium Collection Act Enforcement Decree art. 12(1) (SAMILi table):
    unemployment benefits 0.9% each; employer employment-security levy 0.25% under 150 staff
    (employer total 1.15%), 0.65% for 150–999 staff (1.55%). KRW 3,000,000 a month."""
    wages = np.array([[3_000_000]] * 2, np.int64)
    r = host_contributions(LAW, "KR", wages, [D(2026, 3, 1)], employer_class=["under_150", "from_150_to_999"])
    employer = r.employer_total(["employment", "employment_security"])[:, 0]
    assert employer.tolist() == [34_500, 46_500]  # 1.15% and 1.55% × 3,000,000
    assert r.employee_total(["employment", "employment_security"])[:, 0].tolist() == [27_000, 27_000]
    assert [c.key for c in r.employer_class] == ["under_150", "from_150_to_999"]
    default = host_contributions(LAW, "KR", wages[:1], [D(2026, 3, 1)])
    assert default.employer_class[0].key == "under_150"  # the documented default, shown in results
    assert default.employer_total(["employment", "employment_security"])[0, 0] == 34_500
    big = host_contributions(LAW, "KR", wages[:1], [D(2026, 3, 1)], employer_class="from_1000")
    assert big.employer["employment_security"][0, 0] == 25_500  # 0.85%
    with pytest.raises(ValueError, match="under_150"):
        host_contributions(LAW, "KR", wages[:1], [D(2026, 3, 1)], employer_class="huge")
    with pytest.raises(ValueError, match="do not depend on the employer's class"):
        host_contributions(LAW, "US", wages[:1], [D(2026, 3, 1)], employer_class="under_150")


def test_korea_pension_cap_from_july_2026_and_2026_rates():
    """National Pension 9.5% (4.75% each) from 2026; standard monthly income capped at KRW 6,370,000
    until June 2026 and 6,590,000 from July 2026 (Seoul Times 2026-01-11); health 7.19%, long-term
    care 0.9448% of income in 2026 (NHIS, Kangwon Ilbo 2026-01-05)."""
    r = host_contributions(LAW, "KR", np.array([[8_000_000, 8_000_000]], np.int64), [D(2026, 6, 1), D(2026, 7, 1)])
    assert r.employee["national_pension"][0].tolist() == [302_575, 313_025]  # 4.75% × 6.37m; × 6.59m
    assert r.employee["health"][0, 1] == 287_600  # 3.595% × 8,000,000
    assert r.employee["long_term_care"][0, 1] == 37_792  # 0.4724% × 8,000,000


def test_korea_certificate_removes_both_parts_of_employment_insurance():
    """China–Korea agreement: a Chinese certificate removes National Pension and Employment Insurance."""
    wages = np.array([[3_000_000]], np.int64)
    r = host_contributions(LAW, "KR", wages, [D(2026, 3, 1)],
                           {"pension": np.array([[True]]), "unemployment": np.array([[True]])})
    assert r.employer_total()[0, 0] == r.employer["health"][0, 0] + r.employer["long_term_care"][0, 0]


def test_outbound_takes_the_employer_class(tmp_path):
    scenario = {"assignments": [{"name": "Seoul", "host_country": "KR", "start": "2026-03-01", "end": "2026-04-30",
                                 "host_wage_monthly": "3000000", "china_contributions_continue": False,
                                 "certificate": {"apply": False}, "host_employer_class": "from_150_to_999"}]}
    path = tmp_path / "o.yaml"
    path.write_text(yaml.safe_dump(scenario))
    out = CliRunner().invoke(app, ["outbound", str(path), "--json"])
    assert out.exit_code == 0, out.output
    a = json.loads(out.output)["assignments"][0]
    assert a["employer_class"]["key"] == "from_150_to_999" and not a["employer_class"]["assumed"]
    assert a["months"][0]["schemes"]["employment_security"]["employer"] == "19500"  # 0.65% × 3,000,000
    text = CliRunner().invoke(app, ["outbound", str(path)])
    assert "employer class: 150 to 999 employees" in text.output
    scenario["assignments"][0]["host_employer_class"] = "giant"
    path.write_text(yaml.safe_dump(scenario))
    bad = CliRunner().invoke(app, ["outbound", str(path)])
    assert bad.exit_code != 0 and "host_employer_class" in bad.output and "under_150" in bad.output


def test_planner_takes_the_foreign_employer_class():
    """The planner's abroad side: 150–999 staff pay 0.65% instead of 0.25% → 0.40% × KRW 3,000,000 ×
    4 months = KRW 48,000 more employer cost; the class is named in the year's notes."""
    from expatcn.io.assignment_file import parse_assignment
    from expatcn.planning import PlanError, plan

    base = dict(person={"name": "Y", "nationality": "CN"}, home_country="CN", host_country="KR", city="shanghai",
                start="2026-03-01", end="2026-06-30", fx={"KRW": "0.0052"}, structures=["double_contributions"],
                package={"salary_monthly": 30000, "host_wage_monthly": 3000000})

    def year(**extra):
        p = plan([parse_assignment({**base, **extra}, "a.yaml").to_assignment()], LAW)[0]
        return p.structure("double_contributions").years[0]

    small, large = year(), year(foreign_employer_class="from_150_to_999")
    assert large.abroad_employer - small.abroad_employer == 48_000
    assert any("fewer than 150 employees (assumed" in n for n in small.notes)
    assert any("150 to 999 employees" in n for n in large.notes)
    with pytest.raises(PlanError, match="foreign_employer_class"):
        year(foreign_employer_class="giant")


# ---------------------------------------------------------------- updated tables
def test_japan_fy2026_child_support_levy_and_new_rates():
    """Kyokai Kenpo Tokyo 9.85% and nursing care 1.62% from the March 2026 premium; child-support
    levy 0.23% split equally from April 2026 (Kyokai committee papers via PSR Network); employment
    insurance 8.5/1,000 employer, 5/1,000 employee from April 2026 (MHLW). Wage JPY 500,000."""
    r = host_contributions(LAW, "JP", np.array([[500_000] * 3], np.int64), [D(2026, 2, 1), D(2026, 3, 1), D(2026, 5, 1)])
    assert r.employee["kenko_hoken"][0].tolist() == [24_775, 24_625, 24_625]  # 4.955% → 4.925%
    assert r.employee["kodomo_shienkin"][0].tolist() == [0, 0, 575]  # 0.115% × 500,000 from April
    assert r.employer["kodomo_shienkin"][0, 2] == 575
    assert r.employee["koyo_hoken"][0].tolist() == [2_750, 2_750, 2_500]
    assert r.employer["koyo_hoken"][0, 2] == 4_250
    assert r.employee["kaigo_hoken"][0, 2] == 4_050  # 0.81% × 500,000


def test_australia_payday_super_annual_base_from_july_2026():
    """From 1 July 2026 the maximum contributions base is annual (July–June): AUD 270,830 for
    2026-27 (Rest), so an employer pays at most 12% × 270,830 = 32,499.60 (Rest: 'stop when
    they have contributed $32,500'). AUD 30,000 a month: 9 × 3,600, then 12% × 830 in April."""
    months = [D(2026, m, 1) for m in range(7, 13)] + [D(2027, m, 1) for m in range(1, 7)]
    r = host_contributions(LAW, "AU", np.full((1, 12), minor("30000"), np.int64), months)
    sg = r.employer["super_guarantee"][0]
    assert sg.sum() == minor("32499.60")
    assert sg[:9].tolist() == [minor("3600")] * 9 and sg[9] == minor("99.60") and not sg[10:].any()
    june = host_contributions(LAW, "AU", np.full((1, 1), minor("30000"), np.int64), [D(2026, 6, 1)])
    assert june.employer["super_guarantee"][0, 0] == minor("3600")  # quarterly base 62,500 not yet reached


def test_france_2025_unemployment_cut_and_2026_rates():
    """Unemployment 4.05% → 4.00% from 1 May 2025 (Batt); 2026: PMSS 4,005, uncapped old-age
    employer 2.11% (CSS art. D242-4). Wage EUR 5,000."""
    r = host_contributions(LAW, "FR", np.full((1, 3), minor("5000"), np.int64), [D(2025, 4, 1), D(2025, 5, 1), D(2026, 1, 1)])
    assert r.employer["chomage"][0].tolist() == [minor("202.50"), minor("200.00"), minor("200.00")]
    assert r.employee["vieillesse_plafonnee"][0, 2] == minor("276.35")  # 6.9% × 4,005 = 276.345
    assert r.employer["vieillesse_deplafonnee"][0, 2] == minor("105.50")  # 2.11% × 5,000


def test_netherlands_2026_zvw_employer_levy():
    """Zvw werkgeversheffing 6.10% on at most EUR 79,409 a year (stcrt-2025-38055) = 6,617.42 a month."""
    r = host_contributions(LAW, "NL", np.array([[minor("8000")]], np.int64), [D(2026, 3, 1)])
    assert r.employer["zvw"][0, 0] == minor("403.66")  # 6.10% × 6,617.42 = 403.6626


# ---------------------------------------------------------------- agreement countries
def test_spain_2026_cap_and_solidarity_bands():
    """RDL of 3 Feb 2026 (Egarsat, Glasof): cap EUR 5,101.20; common contingencies 4.70% employee;
    solidarity 0.19/0.21/0.24% employee and 0.96/1.04/1.22% employer on the bands above the cap.
    Wage EUR 8,000."""
    r = host_contributions(LAW, "ES", np.array([[minor("8000")]], np.int64), [D(2026, 3, 1)])
    assert r.employee["contingencias_comunes"][0, 0] == minor("239.76")  # 4.70% × 5,101.20
    solidarity = ["solidaridad_1", "solidaridad_2", "solidaridad_3"]
    assert [int(r.employee[k][0, 0]) for k in solidarity] == [97, 429, 84]  # on 510.12, 2,040.48, 348.20
    assert [int(r.employer[k][0, 0]) for k in solidarity] == [490, 2122, 425]


def test_switzerland_ahv_and_alv_ceiling():
    """AHV 4.35% each; ALV 1.1% each up to CHF 148,200 a year (12,350 a month) (Gubser & Kalt 2026)."""
    r = host_contributions(LAW, "CH", np.array([[minor("15000")]], np.int64), [D(2026, 3, 1)])
    assert r.employee["ahv"][0, 0] == minor("652.50")
    assert r.employee["alv"][0, 0] == minor("135.85")  # 1.1% × 12,350


def test_denmark_atp_flat_amounts():
    """ATP for full-time monthly-paid staff: DKK 297.00 a month, 198.00 employer, 99.00 employee (virk.dk, Dataløn)."""
    r = host_contributions(LAW, "DK", np.array([[minor("40000")], [minor("25000")]], np.int64), [D(2026, 3, 1)])
    assert r.employer["atp"][:, 0].tolist() == [minor("198.00")] * 2
    assert r.employee["atp"][:, 0].tolist() == [minor("99.00")] * 2


def test_finland_tyel_2026():
    """TyEL 2026: employee 7.30% at every age; employer on average 17.10% (Eläketurvakeskus / STT)."""
    r = host_contributions(LAW, "FI", np.array([[minor("5000")]], np.int64), [D(2026, 3, 1)])
    assert (r.employee["tyel"][0, 0], r.employer["tyel"][0, 0]) == (minor("365.00"), minor("855.00"))


def test_luxembourg_pension_rise_in_2026():
    """Pension 8% → 8.5% each from 2026: EUR 4,000 a month pays 320 → 340 (RTL's table); ceiling
    5 × SSM 2,703.74 = 13,518.70; dependency 1.4% on the whole wage."""
    r = host_contributions(LAW, "LU", np.array([[minor("4000"), minor("4000")]], np.int64), [D(2025, 12, 1), D(2026, 1, 1)])
    assert r.employee["pension"][0].tolist() == [minor("320"), minor("340")]
    high = host_contributions(LAW, "LU", np.array([[minor("15000")]], np.int64), [D(2026, 1, 1)])
    assert high.employee["pension"][0, 0] == minor("1149.09")  # 8.5% × 13,518.70
    assert high.employee["dependance"][0, 0] == minor("210.00")


def test_serbia_2026_highest_base():
    """PIO Fund 2026: highest base RSD 732,820; PIO 24% of it = 175,876.80 (the Fund's maximum)."""
    r = host_contributions(LAW, "RS", np.array([[minor("1000000")]], np.int64), [D(2026, 3, 1)])
    assert r.employee["pio"][0, 0] + r.employer["pio"][0, 0] == minor("175876.80")
    assert r.employee["pio"][0, 0] == minor("102594.80")  # 14%
    low = host_contributions(LAW, "RS", np.array([[minor("40000")]], np.int64), [D(2026, 3, 1)])
    assert low.base["pio"][0, 0] == minor("51297")  # raised to the lowest base


def test_kyrgyzstan_2026_cap():
    """Basic tariff 27.25% (employer 17.25%, employee 10%; Social Fund); 2026 cap 20 × KGS 31,604:
    the maximum contribution is KGS 172,242 (24.kg) = 27.25% × 632,080 = 172,241.80."""
    r = host_contributions(LAW, "KG", np.array([[minor("1000000")], [minor("50000")]], np.int64), [D(2026, 3, 1)])
    total = r.employer_total()[:, 0] + r.employee_total()[:, 0]
    assert total[0] == minor("172241.80")
    assert (r.employer_total()[1, 0], r.employee_total()[1, 0]) == (minor("8625.00"), minor("5000.00"))


@pytest.mark.parametrize("country, wage", [("ES", "6000"), ("CH", "12000"), ("DK", "50000"), ("FI", "5000"),
                                           ("LU", "7000"), ("RS", "300000"), ("KG", "100000")])
def test_outbound_to_every_agreement_country_runs(tmp_path, country, wage):
    scenario = {"assignments": [{"name": country, "host_country": country, "start": "2026-02-01",
                                 "end": "2026-07-31", "host_wage_monthly": wage, "china_contributions_continue": False,
                                 "certificate": {"until": "2026-07-31"}}]}
    path = tmp_path / "o.yaml"
    path.write_text(yaml.safe_dump(scenario))
    out = CliRunner().invoke(app, ["outbound", str(path), "--json"])
    assert out.exit_code == 0, out.output
    a = json.loads(out.output)["assignments"][0]
    assert a["currency"] and Decimal(a["totals"]["removed_by_agreement"]) > 0  # the certificate removes pension
