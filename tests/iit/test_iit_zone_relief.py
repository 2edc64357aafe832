"""Regional IIT reliefs (``iit/zone_relief.py``, ``law/iit/zones/*``): the Greater Bay Area
subsidy, Hainan, Hengqin, Qianhai, Hetao and Nansha. The cases are derived (arithmetic written out,
from the rule each notice states) or checked against the break-even Xinhua published for Hainan."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import fen, months, one_person
from expatcn.errors import InputError
from expatcn.iit.person_year import compute_year
from expatcn.iit.zone_relief import ZoneClaims, zone_relief, zones
from expatcn.law import load_law

LAW = load_law()


def relief_of(year, zone, qualification, city="", other=-1, share=1_000_000, **inputs):
    result = compute_year(one_person(year, **inputs), LAW)
    claims = ZoneClaims(np.array([zone]), np.array([qualification]), np.array([city]),
                        np.array([other if other < 0 else fen(other)]), np.array([share]))
    return zone_relief(result, LAW, claims)


def test_the_six_zones_have_tables():
    assert zones(LAW) == ["gba", "hainan", "hengqin", "hetao", "nansha", "qianhai"]


def test_gba_guangzhou_2024_subsidy_of_118080():
    """Derived (CROSS_BORDER_TAX.md SR-1; Caishui [2019] No. 31 §1, Guangzhou's formula): all income
    in Guangzhou, wages 1,060,000 and nothing else deducted: taxable 1,060,000 − 60,000 = 1,000,000;
    IIT 1,000,000 × 45% − 181,920 = 268,080; 15% × 1,000,000 = 150,000; subsidy 118,080, paid by the
    city after an application in 2025, the tax withheld unchanged."""
    r = relief_of(2024, "gba", "talent", "guangzhou", wages=months(90_000, m12=70_000))
    assert r.taxable[0] == fen(1_000_000)
    assert r.tax[0] == fen(268_080) == r.withheld[0]
    assert r.burden[0] == fen(150_000)
    assert r.relief[0] == fen(118_080)
    assert r.tax_after[0] == fen(150_000)
    assert r.window[0] is None and "2025" in r.when[0][0]  # Guangzhou's 2025 window is not in the table


def test_gba_shenzhen_2024_is_applied_for_in_the_published_window():
    """Shenzhen's round for tax year 2024: applications 2025-06-01 to 2025-07-31 (Kaizen relay)."""
    r = relief_of(2024, "gba", "talent", "shenzhen", wages=months(90_000, m12=70_000))
    assert r.window[0] == (dt.date(2025, 6, 1), dt.date(2025, 7, 31))


def test_gba_subsidy_is_capped_at_five_million_from_2024():
    """Derived: wages 20,000,000; taxable 19,940,000; IIT × 45% − 181,920 = 8,791,080; 15% = 2,991,000;
    above 5,800,080 → the RMB 5 million cap of the Guangdong measures."""
    r = relief_of(2024, "gba", "talent", "shenzhen", wages=months(1_666_000, m12=1_674_000))
    assert r.tax[0] == fen(8_791_080)
    assert r.relief[0] == fen(5_000_000)
    assert any("capped" in a for a in r.alerts[0])


def test_hainan_2025_exempts_37080():
    """Derived (SR-3; Caishui [2020] No. 32 §1, continued by Caishui [2025] No. 4): Hainan income
    660,000; taxable 600,000; IIT 600,000 × 30% − 52,920 = 127,080; 15% = 90,000; exempt 37,080,
    claimed in the reconciliation filed 2026-03-01..2026-06-30."""
    r = relief_of(2025, "hainan", "talent", wages=55_000)
    assert (r.tax[0], r.burden[0], r.relief[0]) == (fen(127_080), fen(90_000), fen(37_080))
    assert r.window[0] == (dt.date(2026, 3, 1), dt.date(2026, 6, 30))


def test_hainan_break_even_is_319200_as_xinhua_said_about_319_thousand():
    """Xinhua (2020-08-27) put the start of the relief at about RMB 319,000 of taxable comprehensive
    income: 319,200 × 25% − 31,920 = 47,880 = 15% × 319,200 (derived); one yuan more gives 0.10."""
    at = relief_of(2021, "hainan", "talent", wages=31_600)
    assert at.taxable[0] == fen(319_200) and at.tax[0] == at.burden[0] == fen(47_880) and at.relief[0] == 0
    above = relief_of(2021, "hainan", "talent", wages=months(31_600, m12=31_601))
    assert above.relief[0] == fen("0.10")


def test_hengqin_talent_and_macao_resident():
    """Derived (Caishui [2022] No. 3 §§1–2): Hengqin income 400,000, taxable 340,000, IIT 340,000 ×
    25% − 31,920 = 53,080. Talent: 15% = 51,000 → exempt 2,080. Macao resident whose Macao tax on the
    same income is 20,000 (given): exempt 53,080 − 20,000 = 33,080."""
    talent = relief_of(2024, "hengqin", "talent", wages=months(33_000, m12=37_000))
    assert (talent.tax[0], talent.relief[0]) == (fen(53_080), fen(2_080))
    macao = relief_of(2024, "hengqin", "macao_resident", other=20_000, wages=months(33_000, m12=37_000))
    assert (macao.burden[0], macao.relief[0], macao.tax_after[0]) == (fen(20_000), fen(33_080), fen(20_000))


def test_qianhai_hong_kong_resident_must_choose_against_the_gba():
    """Derived (Caishui [2024] No. 12; Qianhai measures art. 3, 5): IIT 53,080 on the same income;
    Hong Kong tax 30,000 → exempt 23,080; the result says it excludes the GBA subsidy."""
    r = relief_of(2024, "qianhai", "hong_kong_resident", other=30_000, wages=months(33_000, m12=37_000))
    assert r.relief[0] == fen(23_080)
    assert any("choose one" in a for a in r.alerts[0])


def test_bonus_taxed_separately_is_its_own_item():
    """Hainan 2025, wages 30,000 a month (taxable 300,000, IIT 300,000 × 20% − 16,920 = 43,080 < 45,000:
    no relief on that item) and a separate bonus of 600,000 (600,000 ÷ 12 = 50,000 → 30%, − 4,410:
    175,590; 15% = 90,000): relief 85,590 — on the bonus only; the items are not netted."""
    r = relief_of(2025, "hainan", "talent", wages=30_000, bonus=months(0, m12=600_000))
    assert r.tax[0] == fen(43_080 + 175_590)
    assert r.relief[0] == fen(85_590)


def test_part_of_the_income_outside_the_zone():
    """A zone share of 60%: the Hainan case above gives 37,080 × 60% = 22,248."""
    assert relief_of(2025, "hainan", "talent", share=600_000, wages=55_000).relief[0] == fen(22_248)


def test_non_resident_wages_month_by_month():
    """Derived: a non-resident paid 60,000 a month in Hainan 2025: taxable 55,000 a month (monthly
    table: 55,000 × 30% − 4,410 = 12,090); 15% = 8,250 → 3,840 a month, 46,080 a year."""
    r = relief_of(2025, "hainan", "talent", wages=60_000, resident=False)
    assert r.tax[0] == fen(12 * 12_090) and r.relief[0] == fen(12 * 3_840)


def test_a_year_outside_the_zone_period_gives_no_relief_and_says_so():
    r = relief_of(2028, "hainan", "talent", wages=55_000)
    assert r.relief[0] == 0 and "2028" in r.alerts[0][0]


@pytest.mark.parametrize("zone, qualification, message", [
    ("atlantis", "talent", "no relief table"),
    ("hainan", "macao_resident", "no relief for qualification"),
    ("nansha", "hong_kong_resident", "Hong Kong tax on the same income is needed"),
])
def test_bad_claims_are_input_errors(zone, qualification, message):
    with pytest.raises(InputError, match=message):
        relief_of(2024, zone, qualification, wages=50_000)


def test_trace_cites_the_zone_table_and_says_when():
    r = relief_of(2025, "hainan", "talent", wages=55_000)
    steps = r.explain(0)
    assert steps[0].law[0].table == "iit/zones/hainan"
    assert steps[4].amount == fen(37_080)
    assert "2026-03-01" in steps[-1].label


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 400_000), st.integers(0, 2_000_000), st.sampled_from(["gba", "hainan", "hengqin"]),
       st.integers(0, 1_000_000))
def test_relief_is_between_zero_and_the_tax(monthly_wage, bonus, zone, share):
    r = relief_of(2024, zone, "talent", "shenzhen", share=share, wages=monthly_wage, bonus=months(0, m12=bonus))
    assert 0 <= r.relief[0] <= r.tax[0]
    assert r.tax_after[0] == r.tax[0] - r.relief[0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2_000_000), st.sampled_from(["gba", "hainan", "hengqin"]))
def test_one_item_all_in_the_zone_keeps_exactly_the_burden(monthly_wage, zone):
    """With comprehensive income only and all of it in the zone, the person bears the lesser of the
    tax and the burden (up to the GBA cap)."""
    r = relief_of(2024, zone, "talent", "shenzhen", wages=monthly_wage)
    cap = LAW.value(f"iit/zones/{zone}", dt.date(2024, 12, 31)).cap_fen
    expected = max(r.tax[0] - r.burden[0], 0)
    assert r.relief[0] == (expected if cap is None else min(expected, cap))


def test_expatcn_tax_shows_the_zone_relief(tmp_path):
    """The scenario's ``person.zone`` flag reaches ``expatcn tax`` (table and JSON)."""
    import json

    from typer.testing import CliRunner

    from expatcn.cli import app

    path = tmp_path / "hengqin.yaml"
    path.write_text("year: 2024\nperson: {zone: {name: hengqin, qualification: macao_resident, other_side_tax: 20000}}\n"
                    "every_month: {wages: 33000}\nmonths: {12: {wages: 37000}}\n", encoding="utf-8")
    runner = CliRunner()
    table = runner.invoke(app, ["tax", str(path)])
    assert table.exit_code == 0, table.output
    assert "exempt / 免征 33,080.00" in table.output and "2025-03-01" in table.output
    data = json.loads(runner.invoke(app, ["tax", str(path), "--json", "--explain"]).output)
    assert data["zone_relief"]["relief"] == "33080.00" and data["zone_relief"]["trace"]
    path.write_text("year: 2024\nperson: {zone: {name: hengqin, qualification: hong_kong_resident}}\n"
                    "every_month: {wages: 33000}\n", encoding="utf-8")
    bad = runner.invoke(app, ["tax", str(path)])
    assert bad.exit_code != 0 and "person.zone" in bad.output and "hong_kong_resident" in bad.output
