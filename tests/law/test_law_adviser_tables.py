"""Law tables for issue 13 (deduction caps, exempt income kinds, filing deadlines, equity
instalments, the pre-2019 five-year clock, the reconciliation exemption's basis): the values the
sources state, by date, and the loader's refusal of tables that break the schemas' rules."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

import pytest

from expatcn.law import LawError, LawNotInForce, parse_table

D = dt.date
SOURCE = "sources: [{title: test source, document: No. 1, url: 'https://example.org/a'}]"


def table(value: str, schema: str) -> str:
    period = f"- from: 2019-01-01\n  confidence: high\n  {SOURCE}\n  value:\n" + textwrap.indent(textwrap.dedent(value), "    ")
    return f"title: test\nschema: {schema}\nperiods:\n" + textwrap.indent(period, "  ")


def test_individual_pension_pilot_then_nationwide(law):
    # MOF/STA 2022 No. 34 (pilot cities, from 2022-01-01) and 2024 No. 21 (nationwide from 2024-01-01)
    with pytest.raises(LawNotInForce):
        law.value("iit/individual_pension", D(2021, 12, 31))
    pilot = law.value("iit/individual_pension", D(2023, 12, 31))
    assert (pilot.yearly_cap, pilot.scope, pilot.withdrawal_rate) == (Decimal(12_000), "pilot_regions", Decimal("0.03"))
    assert law.value("iit/individual_pension", D(2024, 1, 1)).scope == "nationwide"


def test_commercial_health_insurance_2400_a_year_200_a_month(law):
    # Caishui [2015] No. 126 (pilot from 2016), [2017] No. 39 (nationwide from 2017-07-01)
    assert law.value("iit/commercial_health_insurance", D(2016, 6, 1)).scope == "pilot_regions"
    cap = law.value("iit/commercial_health_insurance", D(2017, 7, 1))
    assert (cap.yearly_cap, cap.monthly_cap, cap.scope) == (Decimal(2_400), Decimal(200), "nationwide")


def test_tax_deferred_pension_and_annuity_caps(law):
    deferred = law.value("iit/tax_deferred_pension", D(2019, 1, 1))  # Caishui [2018] No. 22
    assert (deferred.monthly_cap, deferred.wage_rate_cap) == (Decimal(1_000), Decimal("0.06"))
    annuity = law.value("iit/enterprise_annuity", D(2020, 1, 1))  # Caishui [2013] No. 103
    assert (annuity.wage_rate_cap, annuity.base_cap_multiple) == (Decimal("0.04"), Decimal(3))


def test_exempt_kinds_each_name_their_law(law):
    kinds = {k.kind: k for k in law.value("iit/exempt_income", D(2025, 1, 1)).kinds}
    severance = kinds["severance"]  # Caishui [2018] No. 164 §5(1)
    assert (severance.cap_multiple, severance.cap_base, severance.excess) == (
        Decimal(3), "local_average_wage_previous_year", "separate_annual_table")
    assert kinds["welfare_hardship_subsidy"].law.endswith("Implementation Regulations art. 11")
    assert kinds["missed_meal_allowance"].treatment == "not_taxable"
    assert all(k.en and k.zh for k in kinds.values())


def test_interns_and_equity_instalments(law):
    assert law.value("iit/intern_cumulative_withholding", D(2020, 7, 1)).in_force  # STA 2020 No. 13 art. 2
    with pytest.raises(LawNotInForce):
        law.value("iit/intern_cumulative_withholding", D(2020, 6, 30))
    assert law.value("iit/equity_instalments", D(2020, 5, 1)).months == 12  # Caishui [2016] No. 101
    recent = law.value("iit/equity_instalments", D(2023, 3, 1))  # MOF/STA 2024 No. 2 §3
    assert (recent.months, recent.settle_on_leaving) == (36, True)


def test_filing_deadlines(law):
    deadlines = {d.obligation: d for d in law.value("calendar/filing_deadlines", D(2025, 1, 1)).deadlines}
    window = deadlines["annual_reconciliation"]  # IIT Law art. 11
    assert (window.window_from, window.window_to) == ("03-01", "06-30")
    assert deadlines["self_filing_no_withholding_agent"].days_after == 15  # art. 13 ¶1
    assert deadlines["reconciliation_before_departure"].optional
    reports = {d.obligation: d for d in law.value("calendar/status_change_reports", D(2025, 1, 1)).deadlines}
    assert reports["resident_estimate_not_met"].days_after == 15


def test_reconciliation_exemption_compares_gross_income(law):
    # MOF/STA 2019 No. 94 and 2023 No. 32: "年度综合所得收入不超过12万元"
    for day in (D(2019, 12, 31), D(2022, 6, 1), D(2027, 12, 31)):
        assert law.value("iit/reconciliation_exemption", day).income_basis == "gross_income"


def test_the_five_year_clock_restarts_below_90_days(law):
    # Caishui Zi [1995] No. 98 §2; gone from 2019 (MOF/STA 2019 No. 34)
    assert law.value("residency/six_year_rule", D(2010, 1, 1)).restart_below_days == 90
    assert law.value("residency/six_year_rule", D(2020, 1, 1)).restart_below_days is None


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        ("other_deduction_cap", "{scope: nationwide, claimed: [withholding]}", "needs at least one cap"),
        ("other_deduction_cap", "{yearly_cap: 1, scope: pilot_regions, claimed: [withholding]}", "scope_note"),
        ("other_deduction_cap", "{yearly_cap: 1, scope: nationwide, claimed: []}", "claimed"),
        ("exempt_income", "{kinds: [{kind: a, en: A, zh: 甲, law: x, treatment: exempt, cap_base: local_average_wage_previous_year, cap_multiple: 3}]}",
         "says how its excess is taxed"),
        ("exempt_income", "{kinds: [{kind: a, en: A, zh: 甲, law: x, treatment: exempt}, {kind: a, en: B, zh: 乙, law: y, treatment: exempt}]}",
         "kind listed twice"),
        ("filing_deadlines", "{deadlines: [{obligation: a, en: A, zh: 甲, party: taxpayer, law: x, anchor: event, days_after: 15, before: departure}]}",
         "exactly one of"),
        ("filing_deadlines", "{deadlines: [{obligation: a, en: A, zh: 甲, party: taxpayer, law: x, anchor: tax_year_end, window_to: '13-01'}]}",
         "window_to"),
    ],
)
def test_bad_tables_are_load_errors(schema, value, message):
    with pytest.raises(LawError, match=message):
        parse_table("test/bad", table(value, schema), "bad.yaml")


@pytest.mark.parametrize("name", ["calendar/filing_deadlines", "iit/exempt_income", "residency/treaty_183"])
def test_law_show_prints_tables_of_entries(name):
    from typer.testing import CliRunner

    from expatcn.cli import app

    result = CliRunner().invoke(app, ["law", "show", name, "--on", "2025-01-01"])
    assert result.exit_code == 0, result.output
    assert "sources:" in result.output and " 1 " in result.output


def test_equity_before_2019_divides_by_at_most_12_months(law):
    # Caishui [2005] No. 35 §4(1); Guoshuihan [2006] No. 902 art. 7
    rule = law.value("iit/equity_incentive_pre2019", D(2010, 5, 1))
    assert (rule.max_months, rule.combine_within_year, rule.table) == (12, True, "iit/monthly_table")
    with pytest.raises(LawNotInForce):
        law.value("iit/equity_incentive_pre2019", D(2019, 1, 1))
