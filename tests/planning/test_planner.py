"""The assignment planner (issue 5 items 3–6): structures × years through the engines, the
certificate saving, the 2028 law change, what-if overlays, outputs and bad files."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from expatcn.planning import COMPONENTS, PlanError, compare, plan
from expatcn.cli import app
from expatcn.iit.inputs import YearInputs
from expatcn.io.assignment_file import AssignmentFileError, load_assignment, load_assignments, parse_assignment
from expatcn.law import load_law
from expatcn.law_overlays import overlay_path
from expatcn.gross_to_net import MonthInputs, gross_to_net

EXAMPLES = Path(__file__).parents[2] / "src" / "expatcn" / "examples"
GERMAN = EXAMPLES / "assignment_german_engineer_shanghai.yaml"
US_VS_DE = EXAMPLES / "assignment_chinese_engineer_us_vs_de.yaml"
NAT = np.datetime64("NaT", "D")


def domain(raw: dict):
    """An assignment given as data, as the planner takes it."""
    return parse_assignment(raw, "a.yaml").to_assignment()


def law_for(*names: str):
    return load_law(tuple(str(overlay_path(n)) for n in names))


@pytest.fixture(scope="module")
def german():
    f = load_assignment(GERMAN).to_assignment()
    law = law_for(*f.projections)
    return f, law, plan([f], law)[0]


@pytest.fixture(scope="module")
def outbound():
    files = [f.to_assignment() for f in load_assignments(US_VS_DE)]
    law = law_for(*files[0].projections)
    return files, law, plan(files, law)


# --- a German engineer seconded to Shanghai, with and without a certificate ------------------


def test_certificate_removes_pension_and_unemployment_but_not_medical_hand_checked(german):
    """January 2026 (Shanghai 2025-26 table, ceiling 37,302; wage 60,000 above it): with the
    Sino-German certificate only medical (2%) is due from the employee and medical 9% + work
    injury 0.16% from the employer; without it pension 8%/16% and unemployment 0.5%/0.5% too."""
    _, _, p = german
    with_cert = p.structure("secondment_certificate").years[0]
    without = p.structure("secondment_no_certificate").years[0]
    assert with_cert.year == 2026 and with_cert.complete and without.complete
    assert with_cert.china_monthly["employee_social"][0] == 746_04            # 2% × 37,302
    assert without.china_monthly["employee_social"][0] == 3_916_71            # 10.5% × 37,302 = 3,916.71
    assert with_cert.china_monthly["employer_social"][0] == 3_416_86          # 9.16% × 37,302 = 3,416.8632
    assert without.china_monthly["employer_social"][0] == 9_571_69            # 25.66% × 37,302 = 9,571.6932
    # pension 8% (2,984.16) + unemployment 0.5% (186.51) saved by the employee each month
    assert without.china_monthly["employee_social"][0] - with_cert.china_monthly["employee_social"][0] == 2_984_16 + 186_51
    # the home (German) contributions continue in both: the certificate changes only the China side
    assert with_cert.abroad_employer == without.abroad_employer > 0
    # less deducted, so more IIT with the certificate — but more net and a lower employer cost
    assert with_cert.china_iit > without.china_iit
    assert with_cert.employee_net_cny > without.employee_net_cny
    assert with_cert.employer_cost_cny < without.employer_cost_cny
    assert p.certificate_saving and "saves the employer" in p.certificate_saving


def test_year_figures_are_the_engines_own(german):
    """The planner's 2026 secondment-with-certificate year equals one direct gross_to_net call."""
    f, law, p = german
    y = p.structure("secondment_certificate").years[0]
    wages = np.full((1, 12), 60_000_00, np.int64)
    bonus = np.zeros((1, 12), np.int64)
    bonus[0, 11] = 120_000_00
    income = YearInputs(year=2026, wages=wages, allowances=np.full((1, 12), 23_000_00, np.int64), bonus=bonus,
                        foreigner=np.array([True]), allowance_election=np.array([True]))
    r = gross_to_net(MonthInputs(income=income, city=np.array(["shanghai"]), nationality=np.array(["DE"]),
                                 certificate_from=np.array(["2026-01-01"], "datetime64[D]"),
                                 certificate_until=np.array(["2029-12-31"], "datetime64[D]"),
                                 housing_fund=np.array([False])), law)
    assert y.china_iit == int(r.monthly["iit"].sum())
    assert y.china_employee == int(r.monthly["employee_contributions"].sum())
    assert y.china_employer == int(r.monthly["employer_contributions"].sum())
    assert y.gross_cny == int(r.monthly["gross"].sum())
    # German contributions (EUR) on 60,000 / 7.80 = 7,692.31 a month, December with the bonus:
    # employee RV 9.3% + ALV 1.3% of the wage, KV 8.75% + PV 1.8% of 5,812.50; ceilings 8,450 / 5,812.50
    month = 71538 + 10000 + 50859 + 10463            # 715.38 + 100.00 + 508.59 + 104.63 (cents)
    december = 78585 + 10985 + 50859 + 10463         # at the 8,450 ceiling
    assert y.abroad_currency == "EUR" and y.abroad_employee == 11 * month + december


def test_multi_year_2028_is_computed_under_current_law(german):
    """The allowance exemption and the bonus window close on 2027-12-31: 2028 IIT jumps."""
    _, _, p = german
    local = p.structure("local_hire")
    assert [y.year for y in local.years] == [2026, 2027, 2028]
    iit = {y.year: y.china_iit for y in local.years}
    assert iit[2028] - iit[2027] > 100_000_00
    assert all(y.complete for y in local.years)
    # the bonus is taxed separately in 2027 (its tax sits in December alone) and with wages in 2028
    dec_2027 = local.years[1].china_monthly["iit"][11]
    dec_2028 = local.years[2].china_monthly["iit"][11]
    assert dec_2027 > 20_000_00 and dec_2028 > dec_2027
    # elected for 2028, both windows are said to have closed under current law (issue 11)
    assert any(n.startswith("the expat allowance exemption ended on 2027-12-31") for n in local.years[2].notes)
    assert any(n.startswith("separate taxation of the annual one-off bonus ended on 2027-12-31")
               for n in local.years[2].notes)
    assert not any("ended on 2027-12-31" in n for n in local.years[1].notes)


def test_cheapest_compliant_with_reason_and_alternatives_left_out(german):
    _, _, p = german
    assert p.cheapest == "local_hire"  # the secondments also pay German contributions
    assert "Local hire" in p.reason and "less than" in p.reason
    stbt = p.structure("short_term_business_traveller")
    assert not stbt.comparable and "short_term_business_traveller" in p.reason
    assert all(y.china_iit == 0 for y in stbt.years)  # 48 days a year, treaty relief: no China tax
    assert stbt.years[0].residency["situation"] == "nonresident_short"
    assert any("183-day crossing" in r for r in p.structure("local_hire").risks)


def test_split_payroll_apportions_by_the_residency_engine(german):
    """Resident under six years with days abroad: the part paid abroad for days abroad is exempt
    (MOF/STA 2019 No. 35 formula 3), so IIT is lower than a secondment paid in full in China."""
    _, _, p = german
    split = p.structure("split_payroll").years[0]
    second = p.structure("secondment_certificate").years[0]
    assert split.residency["situation"] == "resident"
    assert split.china_iit < second.china_iit
    assert split.employer_cost_cny == second.employer_cost_cny  # same pay, same contributions above the ceiling


# --- a Chinese engineer to the US vs Germany ---------------------------------------------------


def test_chinese_engineer_us_vs_germany_shows_the_ssa_saving(outbound):
    files, _, (us, de) = outbound
    assert [f.host_country for f in files] == ["US", "DE"]
    assert not us.structure("ssa_certificate").applicable  # no agreement with the United States
    assert us.certificate_saving is None
    ssa, double = de.structure("ssa_certificate"), de.structure("double_contributions")
    jan_with, jan_without = ssa.years[0], double.years[0]
    # January: 50,000 / 7.80 = 6,410.26 EUR; RV 9.3% = 596.15 and ALV 1.3% = 83.33 on each side
    removed = (double.total("abroad_employee") + double.total("abroad_employer")
               - ssa.total("abroad_employee") - ssa.total("abroad_employer"))
    assert removed == 24 * 2 * (596_15 + 83_33) + 2 * 2 * ((785_85 + 109_85) - (596_15 + 83_33))  # December at the ceiling
    assert ssa.total("china_employer") == double.total("china_employer")  # China contributions continue in both
    assert jan_with.employer_cost_cny < jan_without.employer_cost_cny
    saving = double.total("employer_cost_cny") - ssa.total("employer_cost_cny")
    assert saving == 130_571_70
    assert "130,571.70" in de.certificate_saving
    # the US secondment pays both countries in full (double contributions)
    us_double = us.structure("double_contributions").years[0]
    assert us_double.abroad_currency == "USD" and us_double.abroad_employer > 0 and us_double.china_employer > 0


def test_localization_reports_lost_contribution_months(outbound):
    _, _, (us, de) = outbound
    loc = de.structure("localization")
    assert sum(y.lost_contribution_months for y in loc.years) == 24
    assert all(y.china_employer == 0 and y.china_iit == 0 for y in loc.years)
    assert "24 months of China contributions are lost" in de.reason


# --- what-if overlays ----------------------------------------------------------------------------


def test_overlay_difference_only_on_its_dates(german):
    f, law, base = german
    modified = plan([f], law_for(*f.projections, "allowance_exemption_extended_2030"))[0]
    diffs = {(d.structure, d.year): d for d in compare(base, modified)}
    assert diffs["local_hire", 2026].china_iit == 0 and diffs["local_hire", 2027].china_iit == 0
    assert diffs["local_hire", 2028].china_iit < -100_000_00  # 23,000 a month exempt again
    assert diffs["local_hire", 2028].employee_net_cny == -diffs["local_hire", 2028].china_iit
    assert diffs["local_hire", 2028].employer_cost_cny == 0  # a gross package: the employee gains


def test_bonus_window_ends_early_overlay(outbound):
    files, _, plans = outbound
    modified = plan(files, law_for(*files[0].projections, "bonus_window_ends_2026"))
    diffs = {(d.structure, d.year): d for d in compare(plans[1], modified[1])}
    assert diffs["ssa_certificate", 2026].china_iit == 0
    assert diffs["ssa_certificate", 2027].china_iit == 20_210_00
    assert diffs["localization", 2027].china_iit == 0


# --- no guessing where the law tables stop -------------------------------------------------------


def test_months_without_data_are_reported_not_guessed(german):
    f, _, _ = german
    p = plan([f], load_law())[0]  # no projections
    y2027 = p.structure("secondment_certificate").years[1]
    assert any("no DE social security data for 2027-01" in n for n in y2027.notes)
    assert not y2027.complete and "2027-01" in y2027.unknown_months  # Germany 2027: not published
    assert p.structure("secondment_certificate").years[0].complete  # 2026-27 rates from the notices (issue 11)
    # Shanghai from 2027-03 (employer medical after 沪医保规〔2026〕2号) and 2027-07 (pending) is
    # costed on the last published figures, carried forward (issue 11); 2028 has no table at all
    carried = [n for n in y2027.notes if n.startswith("shanghai 2027: social insurance figures not yet published")]
    assert carried == ["shanghai 2027: social insurance figures not yet published, carried forward from the last "
                       "published period (months 3, 4, 5, 6, 7, 8, 9, 10, 11, 12; to be trued up)"]
    y2028 = p.structure("secondment_certificate").years[2]
    assert any("no social insurance data for shanghai in 2028-01" in n for n in y2028.notes)
    assert p.cheapest is None and "cannot be costed in full" in p.reason


def test_a_batch_equals_one_assignment_at_a_time(german, outbound):
    f, _, _ = german
    files, _, _ = outbound
    law = law_for("projections/shanghai_held_to_2028", "projections/de_held_to_2028", "projections/us_held_to_2028")
    together = plan([f, *files], law)
    for one, p in zip([f, *files], together):
        alone = plan([one], law)[0]
        for a, b in zip(alone.structures, p.structures):
            for ya, yb in zip(a.years, b.years):
                assert (ya.china_iit, ya.china_employer, ya.abroad_employer, ya.employer_cost_cny) == \
                       (yb.china_iit, yb.china_employer, yb.abroad_employer, yb.employer_cost_cny)


# --- outputs ---------------------------------------------------------------------------------------


def test_chart_png_and_svg_have_the_bars(tmp_path, outbound, german):
    from expatcn.io.plan_outputs import render_chart

    _, _, plans = outbound
    svg = tmp_path / "plan.svg"
    bars = render_chart(svg, plans)
    # US: 3 applicable structures × 2 years; DE: 4 × 2
    assert bars == 3 * 2 + 4 * 2
    text = svg.read_text()
    ids = set(re.findall(r'id="bar-(\d)-([a-z_]+)-(\d{4})-([a-z_]+)"', text))
    assert len({i[:3] for i in ids}) == bars and len(ids) == len(COMPONENTS) * bars
    marks = set(re.findall(r'id="mark-(\d)-([a-z_]+)-(\d{4})-([a-z_]+)"', text))
    for a, p in enumerate(plans):  # the cheapest compliant structure is marked in every year, and only it
        assert {(m[1], m[2]) for m in marks if m[0] == str(a) and m[3] == "cheapest"} == {
            (p.cheapest, str(y)) for y in p.assignment.years}
    assert svg.stat().st_size > 20_000
    png = tmp_path / "plan.png"
    assert render_chart(png, [german[2]]) == 5 * 3
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 30_000


def test_workbook_sheets_and_numbers(tmp_path, german):
    from openpyxl import load_workbook

    from expatcn.io.plan_outputs import write_workbook

    f, law, p = german
    modified = plan([f], law_for(*f.projections, "allowance_exemption_extended_2030"))[0]
    path = tmp_path / "plan.xlsx"
    write_workbook(path, [p], [compare(p, modified)], ["allowance_exemption_extended_2030"])
    wb = load_workbook(path)
    assert wb.sheetnames == ["Comparison", "Local hire", "Secondment + certificate", "Secondment no certificate",
                             "Split payroll", "Business traveller", "What-if difference"]
    sheet = wb["Secondment + certificate"]
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "Year")
    row = [c.value for c in sheet[header + 1]]
    assert row[0] == 2026 and isinstance(row[2], (int, float))
    assert Decimal(str(row[2])) == Decimal(p.structure("secondment_certificate").years[0].china_iit) / 100
    total = next(r for r in range(header, header + 10) if sheet.cell(r, 1).value == "Total")
    assert isinstance(sheet.cell(total, 13).value, (int, float))
    whatif = wb["What-if difference"]
    values = [[c.value for c in r] for r in whatif.iter_rows(min_row=3)]
    assert any(v[1] == "local_hire" and v[2] == 2028 and v[3] < -100_000 for v in values)


def test_cli_plan_table_json_and_files(tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["plan", str(US_VS_DE), "--law-overlay", "bonus_window_ends_2026",
                              "--xlsx", str(tmp_path / "p.xlsx"), "--chart", str(tmp_path / "p.png")])
    assert out.exit_code == 0, out.output
    assert "Cheapest compliant" in out.output and "What-if" in out.output and "Across the alternatives" in out.output
    assert (tmp_path / "p.xlsx").stat().st_size > 5_000 and (tmp_path / "p.png").stat().st_size > 20_000
    out = runner.invoke(app, ["plan", str(GERMAN), "--json"])
    data = json.loads(out.output)
    p = data["plans"][0]
    assert p["cheapest_compliant"] == "local_hire"
    assert [y["year"] for y in p["structures"][0]["years"]] == [2026, 2027, 2028]
    assert p["structures"][1]["years"][0]["abroad"]["currency"] == "EUR"


# --- bad files name the field ----------------------------------------------------------------------

GOOD = dict(person={"name": "X", "nationality": "DE"}, home_country="DE", host_country="CN", city="shanghai",
            start="2026-01-01", end="2026-12-31", package={"salary_monthly": 50000})


@pytest.mark.parametrize("change, field", [
    ({"host_country": "Germany"}, "host_country"),
    ({"start": "2026-13-01"}, "start"),
    ({"end": "2025-01-01"}, "end"),
    ({"package": {"salary_monthly": "50000.001"}}, "package.salary_monthly"),
    ({"package": {}}, "package.salary_monthly"),
    ({"structures": ["localization"]}, "structures"),
    ({"person": {"nationality": "CN"}}, "person.nationality"),
    ({"home_country": "CN"}, "home_country / host_country"),
    ({"fx": {"USD": "-1"}}, "fx"),
    ({"split_payroll": {"paid_abroad_share": 1.5}}, "split_payroll.paid_abroad_share"),
    ({"salary": 5}, "salary"),
    ({"person": {"nationality": "DE", "special_additional_deductions": 3000}}, "person.special_additional_deductions"),
])
def test_bad_assignment_names_the_field(change, field):
    with pytest.raises(AssignmentFileError) as err:
        parse_assignment({**GOOD, **change}, "a.yaml")
    assert str(err.value).startswith("a.yaml: ") and field in str(err.value)


def test_missing_rate_and_unknown_city_are_plan_errors():
    law = load_law()
    f = domain({**GOOD, "package": {"currency": "EUR", "salary_monthly": 7000}})
    with pytest.raises(PlanError, match="fx.EUR"):
        plan([f], law)
    f = domain({**GOOD, "city": "atlantis"})
    with pytest.raises(PlanError, match="city: no social insurance table for 'atlantis'"):
        plan([f], law)


def test_cli_bad_file_exit_2_with_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent("""
        home_country: CN
        city: shanghai
        start: 2026-01-01
        end: 2026-12-31
        package: {salary_monthly: 50000}
        alternatives:
          - host_country: US
          - host_country: XX1
    """))
    out = CliRunner().invoke(app, ["plan", str(bad)])
    assert out.exit_code == 2
    assert "alternatives.1.host_country" in out.output
    out = CliRunner().invoke(app, ["plan", str(GERMAN), "--fx", "EUR:7.8"])
    assert out.exit_code == 2 and "--fx expects CODE=RMB-per-unit" in out.output
    out = CliRunner().invoke(app, ["plan", str(GERMAN), "--law-overlay", "no_such_overlay"])
    assert out.exit_code == 2 and "shipped overlays" in out.output


def test_unknown_allowance_kind_is_refused_by_plan_as_by_tax(tmp_path):
    """A company car is not an exempt allowance (Caishui Zi [1994] No. 20 art. 2 lists the kinds):
    `expatcn plan` refused it as `expatcn tax` does, with the same message — it used to exempt it."""
    kinds = "expected one of business_travel, children_education, home_leave, housing, language_training, " \
            "laundry, meals, relocation (put other cash allowances in wages)"
    assignment = tmp_path / "car.yaml"
    assignment.write_text(textwrap.dedent("""
        person: {name: X, nationality: DE}
        home_country: DE
        host_country: CN
        city: shanghai
        start: 2026-01-01
        end: 2026-12-31
        structures: [local_hire]
        package: {salary_monthly: 50000, allowances: {company_car: 10000}}
    """))
    out = CliRunner().invoke(app, ["plan", str(assignment), "--json"])
    assert out.exit_code == 2, out.output
    assert f"package.allowances.company_car: unknown allowance kind; {kinds}" in out.output
    scenario = tmp_path / "car_tax.yaml"
    scenario.write_text("year: 2026\nperson: {foreigner: true}\nevery_month: {wages: 50000, allowances: {company_car: 10000}}\n")
    out = CliRunner().invoke(app, ["tax", str(scenario)])
    assert out.exit_code == 2
    assert f"allowances.company_car: unknown allowance kind; {kinds}" in out.output


def test_nonresident_deductions_in_a_plan_are_not_applied_and_noted():
    """One policy on every path (IIT Law art. 6(1)(2)): a three-month stay (non-resident) claiming
    special additional deductions gets them not applied and a note — the planner dropped them silently."""
    person = {"name": "X", "nationality": "DE", "allowance_exemption": False, "special_additional_deductions": 3000}
    f = domain({**GOOD, "person": person, "end": "2026-03-31", "structures": ["local_hire"]})
    without = domain({**GOOD, "person": {**person, "special_additional_deductions": 0}, "end": "2026-03-31",
                    "structures": ["local_hire"]})
    law = load_law()
    year = plan([f], law)[0].structure("local_hire").years[0]
    plain = plan([without], law)[0].structure("local_hire").years[0]
    assert year.residency["resident"] is False and year.residency["residence_days"] < 183
    assert year.china_iit == plain.china_iit
    [note] = [n for n in year.notes if "not applied" in n]
    assert "special additional deductions of 9,000.00 not applied" in note and "IIT Law art. 6(1)(2)" in note
    assert not any("not applied" in n for n in plain.notes)


def test_planned_dates_inside_the_year_only_count_their_months():
    f = domain({**GOOD, "start": "2026-04-15", "end": "2027-02-10"})
    p = plan([f], load_law())[0]
    years = p.structure("local_hire").years
    assert [(y.year, y.months) for y in years] == [(2026, 9), (2027, 2)]
    assert dt.date(2026, 4, 15) == f.start
