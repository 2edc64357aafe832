"""Hong Kong, Macao and Taiwan residents (HRSS/NHSA Decree No. 41, from 2020-01-01): their own
social insurance rule rather than the foreigners'; the residency rules as they apply to them
(non-domiciled, the 24-hour day, the Hong Kong and Macao arrangements, no Taiwan agreement in
force); and the number formats of their permits."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from expatcn.errors import InputError
from expatcn.io.identity import check_id_number, gb11643_check_digit
from expatcn.law import load_law
from expatcn.residency import NONRESIDENT_LONG, NONRESIDENT_SHORT, Trips, assess_year
from expatcn.social.contributions import SocialDataGap
from expatcn.social.participation import hk_macao_taiwan_residents, one_employee, participation

LAW = load_law()
SCHEMES = ("pension", "medical", "maternity", "unemployment", "work_injury")
D = dt.date


def test_the_regions_are_hk_mo_tw():
    assert hk_macao_taiwan_residents(LAW, np.array(["HK", "mo", "TW", "CN", "DE"])).tolist() == [True, True, True,
                                                                                                  False, False]


def test_in_shanghai_2020_a_hong_kong_resident_joins_all_five_where_a_foreigner_could_stay_out():
    """Shanghai's 2009 notice let foreigners stay out until 2021-08-15 (``social/foreigners``);
    Decree No. 41 art. 2 makes the five schemes mandatory for an employed Hong Kong resident."""
    p = participation(LAW, "shanghai", D(2020, 6, 1), np.array([True, True]), hk_macao_taiwan=np.array([True, False]))
    for scheme in SCHEMES:
        assert p.schemes[scheme].tolist() == [True, False], scheme
    assert p.schemes["housing_fund"].tolist() == [False, False]  # "may deposit" (2017 Opinions): only by choice
    assert any(ref.table == "social/hk_macao_taiwan" for ref in p.refs)


def test_housing_fund_by_choice_and_home_coverage_keeps_pension_and_unemployment_out():
    """Macao Social Security Fund: a contributor to Macao's first-tier system may stay out of the
    mainland's basic pension and unemployment insurance; medical, maternity and work injury stay due."""
    p = participation(LAW, "shenzhen", D(2025, 3, 1), np.array([False, False]), housing_fund=np.array([True, False]),
                      hk_macao_taiwan=np.array([True, True]), home_coverage=np.array([True, False]))
    assert p.schemes["housing_fund"].tolist() == [True, False]
    assert p.schemes["pension"].tolist() == [False, True] and p.exempt["pension"].tolist() == [True, False]
    assert p.schemes["unemployment"].tolist() == [False, True]
    assert p.schemes["medical"].tolist() == [True, True] and p.schemes["work_injury"].tolist() == [True, True]


def test_before_decree_41_the_tables_hold_no_rule_and_say_so():
    with pytest.raises(SocialDataGap, match="Hong Kong, Macao and Taiwan residents before 2020-01-01"):
        participation(LAW, "shenzhen", D(2019, 12, 1), np.array([True]), hk_macao_taiwan=np.array([True]))


def test_one_employee_from_taiwan_pays_like_a_mainland_employee_without_the_housing_fund():
    wage = 2_000_000
    taiwan, p_tw = one_employee(LAW, "shanghai", D(2024, 9, 1), wage, "TW")
    mainland, _ = one_employee(LAW, "shanghai", D(2024, 9, 1), wage, "CN")
    assert all(p_tw.schemes[s][0] for s in SCHEMES) and not p_tw.schemes["housing_fund"][0]
    assert taiwan.employee_social[0] == mainland.employee_social[0] > 0
    assert taiwan.schemes["housing_fund"].employee[0] == 0 < mainland.schemes["housing_fund"].employee[0]
    with pytest.raises(InputError, match="certificate of coverage only matters for a foreign national"):
        one_employee(LAW, "shanghai", D(2024, 6, 1), wage, "HK", certificate_until="2026-12-31")
    with pytest.raises(InputError, match="home_coverage"):
        one_employee(LAW, "shanghai", D(2024, 6, 1), wage, "DE", home_coverage=True)


def test_a_cross_boundary_commuter_gathers_no_residence_day():
    """MOF/STA 2019 No. 34: only a full 24-hour day in the mainland counts; a Hong Kong resident
    who goes home every evening stays a non-resident however many days he works in Shenzhen."""
    days = [D(2026, 1, 5) + dt.timedelta(days=k) for k in range(0, 300)]
    t = Trips.from_dates([0] * len(days), days, days)
    a = assess_year(t, 2026, law=LAW, treaty=["HK"])
    assert a.residence_days[0].sum() == 0 and not a.status.resident[0]


def test_the_hong_kong_arrangement_protects_183_days_taiwan_has_only_the_90_day_rule():
    """Treaty table: the Mainland–Hong Kong Arrangement (183 days in any 12 months) is in force;
    the 2015 cross-strait agreement is not, so a Taiwan resident with 150 days is taxed on
    China-source pay from day 91 (situation: non-resident over 90 days)."""
    rows = [(D(2026, 2, 2), D(2026, 7, 1))]
    t = Trips.from_dates([0, 1], [rows[0][0]] * 2, [rows[0][1]] * 2)
    a = assess_year(t, 2026, law=LAW, treaty=["HK", "TW"])
    assert a.status.situation.tolist() == [NONRESIDENT_SHORT, NONRESIDENT_LONG]


@pytest.mark.parametrize("id_type, number", [
    ("resident_id", "11010519491231002X"),          # the example of GB 11643-1999
    ("hk_macau_residence", "810000199001010012"[:17] + gb11643_check_digit("81000019900101001")),
    ("taiwan_residence", "83000019850505002" + gb11643_check_digit("83000019850505002")),
    ("hk_macau_permit", "H1234567800"),
    ("hk_macau_permit", "m12345678"),
    ("hk_macau_permit_foreign", "HA1234567"),
    ("taiwan_permit", "12345678"),
    ("passport", "C01X00T47"),                        # no published format: taken as given
])
def test_well_formed_numbers_pass(id_type, number):
    assert check_id_number(LAW, id_type, number, "roster row 2: id_number") == number.upper()


@pytest.mark.parametrize("id_type, number, message", [
    ("resident_id", "110105194912310021", "check digit"),
    ("resident_id", "110105194913310021", "check digit|birth date"),
    ("hk_macau_residence", "310105194912310021", "expected the form"),
    ("taiwan_residence", "810000199001010012", "expected the form"),
    ("hk_macau_permit", "X1234567800", "expected the form"),
    ("taiwan_permit", "1234567", "expected the form"),
])
def test_malformed_numbers_name_the_place_and_the_form(id_type, number, message):
    with pytest.raises(InputError, match=message) as error:
        check_id_number(LAW, id_type, number, "roster row 2: id_number")
    assert str(error.value).startswith("roster row 2: id_number")


def test_the_full_month_of_a_hong_kong_resident_keeping_his_own_insurance(tmp_path):
    """``expatcn month`` scenario: a Hong Kong resident in Beijing 2025 (non-domiciled, so
    ``person.foreigner``), keeping Hong Kong coverage: no mainland pension or unemployment, medical
    due; a Chinese employee of the same pay pays all of them."""
    from expatcn.gross_to_net import gross_to_net
    from expatcn.io.month_scenario import load_month_scenario

    def month(nationality: str, foreigner: bool, home: bool):
        path = tmp_path / f"{nationality}.yaml"
        path.write_text(f"year: 2025\ncity: beijing\nperson: {{foreigner: {str(foreigner).lower()}}}\n"
                        f"every_month: {{wages: 30000}}\nsocial: {{nationality: {nationality}, home_coverage: {str(home).lower()}}}\n",
                        encoding="utf-8")
        return gross_to_net(load_month_scenario(path).to_month_inputs(LAW), LAW).monthly

    hk, cn = month("HK", True, True), month("CN", False, False)
    assert hk["employee_pension"][0, 0] == 0 < cn["employee_pension"][0, 0]
    assert 0 < hk["employee_social"][0, 0] < cn["employee_social"][0, 0] - cn["employee_pension"][0, 0]  # medical due
