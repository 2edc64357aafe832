"""The command line on figures carried forward, employer-supplied or never published (issue 11):
every city answers for this month, the Shanghai example of this month runs, carried figures are
labelled in text, JSON and the trace, --strict refuses, and the employer's rates file is imported
with who and when (a bad one refused whole)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from expatcn.cli import app

RUNNER = CliRunner()
EXAMPLE = Path("src/expatcn/examples/month_shanghai_staff_2026.yaml")
CITIES = ("beijing", "shanghai", "guangzhou", "shenzhen", "hangzhou", "nanjing", "suzhou", "chengdu", "tianjin",
          "wuhan", "chongqing", "xian", "qingdao", "dalian", "xiamen", "ningbo")


@pytest.mark.parametrize("city", CITIES)
def test_social_for_this_month_answers_in_every_city(city):
    result = RUNNER.invoke(app, ["social", "--city", city, "--month", "2026-12", "--wage", "20000"])
    assert result.exit_code == 0, result.output
    assert "pension" in result.stdout
    data = json.loads(RUNNER.invoke(app, ["social", "--city", city, "--month", "2026-12", "--wage", "20000",
                                          "--json"]).stdout)
    for row in data["schemes"]:  # a rate never published is none, never 0 %
        if "employer_rate" in row["not_published"]:
            assert row["employer_rate"] is None and row["employer"] is None
    if any(row["not_published"] for row in data["schemes"] if row["participates"]):
        assert "not published" in result.stdout and "totals not available" in result.stdout


def test_the_shanghai_example_of_this_month_runs():
    result = RUNNER.invoke(app, ["month", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "2026-12" in result.stdout and "unemployment: low confidence" in result.stdout


def test_month_labels_carried_figures_in_text_json_and_trace(tmp_path):
    scenario = tmp_path / "2027.yaml"
    scenario.write_text(EXAMPLE.read_text(encoding="utf-8").replace("year: 2026", "year: 2027"), encoding="utf-8")
    text = RUNNER.invoke(app, ["month", str(scenario), "--explain"])
    assert text.exit_code == 0, text.output
    assert "2027-03 †" in text.stdout and "2027-02 †" not in text.stdout
    assert "medical: carried forward from 2026-07..2027-02: employer rate (months 03, 04, 05, 06)" in text.stdout
    assert "contains figures carried forward" in text.stdout  # the trace's totals
    data = json.loads(RUNNER.invoke(app, ["month", str(scenario), "--json"]).stdout)
    march = next(m for m in data["months"] if m["month"] == "2027-03")
    assert march["employer_carried"] and not march["employee_carried"] and data["carried"]
    assert march["figure_notes"]["medical"]["zh"] == "沿用2026-07..2027-02已公布的数据：单位费率"
    strict = RUNNER.invoke(app, ["month", str(scenario), "--strict"])
    assert strict.exit_code == 2 and "shanghai 2027-03" in strict.output and "strict" in strict.output


def test_social_json_says_not_published_and_rates_fill_it(tmp_path):
    data = json.loads(RUNNER.invoke(app, ["social", "--city", "tianjin", "--month", "2026-12", "--wage", "10000",
                                          "--json"]).stdout)
    unemployment = next(r for r in data["schemes"] if r["scheme"] == "unemployment")
    assert unemployment["employer_rate"] is None and unemployment["not_published"] == ["employer_rate", "employee_rate"]
    assert data["totals"]["complete"] is False
    rates = tmp_path / "rates.csv"
    rates.write_text("city,scheme,from,employer_rate,employee_rate,why\n"
                     "天津,unemployment,2026-01,0.5%,0.5%,our declaration\n"
                     "天津,work_injury,2026-01,0.2%,,class I\n", encoding="utf-8")
    filled = json.loads(RUNNER.invoke(app, ["social", "--city", "tianjin", "--month", "2026-12", "--wage", "10000",
                                            "--json", "--rates", str(rates)]).stdout)
    assert filled["totals"]["complete"] and filled["totals"]["employer_social_insurance"] == "2720.00"
    strict = RUNNER.invoke(app, ["social", "--city", "tianjin", "--month", "2026-12", "--wage", "10000", "--strict"])
    assert strict.exit_code == 2


def test_grossup_and_plan_take_the_rates_file(tmp_path):
    rates = tmp_path / "rates.yaml"
    rates.write_text("- {city: shanghai, scheme: pension, from: 2027-07, employer_rate: 15%, why: our notice}\n",
                     encoding="utf-8")
    result = RUNNER.invoke(app, ["grossup", "--net", "20000", "--year", "2027", "--city", "上海", "--rates", str(rates)])
    assert result.exit_code == 0, result.output
    assert "2027-07 †" in result.stdout and "pension: employer-supplied (our notice): employer rate" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {city: shanghai, scheme: pension, from: 2027-07, employer_rate: 150%, why: typo}\n", encoding="utf-8")
    refused = RUNNER.invoke(app, ["grossup", "--net", "20000", "--year", "2027", "--city", "上海", "--rates", str(bad)])
    assert refused.exit_code == 2 and "bad.yaml, row 1, column 'Employer rate / 单位费率'" in refused.output
    plan = RUNNER.invoke(app, ["plan", "src/expatcn/examples/assignment_german_engineer_shanghai.yaml", "--json",
                               "--rates", str(rates)])
    assert plan.exit_code == 0, plan.output


def test_rates_import_records_who_and_a_bad_file_changes_nothing(tmp_path):
    db = str(tmp_path / "payroll.sqlite")
    assert RUNNER.invoke(app, ["init", "--db", db]).exit_code == 0
    assert RUNNER.invoke(app, ["import", "--example", "--db", db]).exit_code == 0
    good = tmp_path / "rates.csv"
    good.write_text("city,scheme,from,to,employer_rate,why\nshanghai,work_injury,2025-01,,0.26%,class II notice\n",
                    encoding="utf-8")
    done = RUNNER.invoke(app, ["rates", "import", str(good), "--who", "hr.lead", "--db", db])
    assert done.exit_code == 0, done.output
    assert "1 rows imported by hr.lead" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("city,scheme,from,employer_rate,why\nshanghai,pension,2026-13,16%,x\n", encoding="utf-8")
    refused = RUNNER.invoke(app, ["rates", "import", str(bad), "--db", db])
    assert refused.exit_code == 2 and "bad.csv, row 2, column 'From / 起始'" in refused.output
    listed = json.loads(RUNNER.invoke(app, ["rates", "list", "--db", db, "--json"]).stdout)
    assert [(r["scheme"], r["employer_rate"], r["imported_by"]) for r in listed] == [("work_injury", "0.26%", "hr.lead")]


def test_law_status_lists_what_ends_and_what_is_carried():
    result = RUNNER.invoke(app, ["law", "status", "--on", "2026-12-02"])
    assert result.exit_code == 0, result.output
    assert "social/shanghai" in result.stdout and "2027-02-28" in result.stdout
    assert "nanjing: low confidence" in result.stdout and "carried forward: unemployment base floor" in result.stdout
    data = json.loads(RUNNER.invoke(app, ["law", "status", "--on", "2026-12-02", "--json"]).stdout)
    assert data["horizon_days"] == 90 and any(t["table"] == "host_tax/us" and t["ends_soon"] == "2026-12-31"
                                               for t in data["tables"])
