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
    from expatcn.assignment import PlanError, plan
    from expatcn.io.assignment_file import parse_assignment

    base = dict(person={"name": "Y", "nationality": "CN"}, home_country="CN", host_country="KR", city="shanghai",
                start="2026-03-01", end="2026-06-30", fx={"KRW": "0.0052"}, structures=["double_contributions"],
                package={"salary_monthly": 30000, "host_wage_monthly": 3000000})

    def year(**extra):
        p = plan([parse_assignment({**base, **extra}, "a.yaml")], LAW)[0]
        return p.structure("double_contributions").years[0]

    small, large = year(), year(foreign_employer_class="from_150_to_999")
    assert large.abroad_employer - small.abroad_employer == 48_000
    assert any("fewer than 150 employees (assumed" in n for n in small.notes)
    assert any("150 to 999 employees" in n for n in large.notes)
    with pytest.raises(PlanError, match="foreign_employer_class"):
        year(foreign_employer_class="giant")
