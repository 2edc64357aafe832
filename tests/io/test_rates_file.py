"""The employer's rates file (issue 11, item 2): YAML, Excel or CSV, checked in full; a bad file
gets every problem by row and column and yields nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from expatcn.errors import InputProblems
from expatcn.io.sheets import employer_rates, template
from expatcn.law import load_law

LAW = load_law()

CSV = """City / 城市,Scheme / 险种,From / 起始,To / 截止,Base floor (CNY) / 缴费基数下限（元）,Base ceiling (CNY) / 缴费基数上限（元）,Employer rate / 单位费率,Employee rate / 个人费率,Why / 依据
天津,失业保险,2026-01,,,,0.5%,0.5%,our 2026 declaration (the bureau's demand notice)
tianjin,work_injury,2026-01-01,,,,0.004,,class II
Shanghai,pension,2026-07,2027-06,8000,none,,,our floor
"""


def test_csv_rows_become_employer_figures():
    rates = employer_rates(CSV.encode("utf-8-sig"), law=LAW, name="rates.csv")
    unemployment, injury, pension = rates.rows
    assert (unemployment.city, unemployment.scheme, unemployment.start) == ("tianjin", "unemployment", dt.date(2026, 1, 1))
    assert unemployment.employer_rate == Decimal("0.005") and unemployment.end is None
    assert injury.employer_rate == Decimal("0.004") and injury.employee_rate is None
    assert pension.base_floor == Decimal("8000.00") and pension.base_ceiling == "none"
    assert pension.end == dt.date(2027, 6, 30)
    assert rates.on("tianjin", "unemployment", dt.date(2026, 12, 1)) is unemployment


def test_yaml_and_excel_give_the_same_rows(tmp_path):
    yaml_file = tmp_path / "rates.yaml"
    yaml_file.write_text(
        "rates:\n"
        "  - {city: 天津, scheme: 失业保险, from: 2026-01, employer_rate: 0.5%, employee_rate: 0.5%, why: our 2026 declaration (the bureau's demand notice)}\n"
        "  - {city: tianjin, scheme: work_injury, from: 2026-01-01, employer_rate: 0.004, why: class II}\n"
        "  - {city: Shanghai, scheme: pension, from: 2026-07, to: 2027-06, base_floor: 8000, base_ceiling: none, why: our floor}\n",
        encoding="utf-8")
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(template("rates")))
    sheet = book["Rates 社保费率"]
    for line in CSV.splitlines()[1:]:
        sheet.append([cell or None for cell in line.split(",")])
    xlsx = tmp_path / "rates.xlsx"
    book.save(xlsx)
    csv_rows = employer_rates(CSV.encode("utf-8-sig"), law=LAW, name="rates.csv").rows
    strip = lambda rows: [r.__dict__ | {"where": ""} for r in rows]  # noqa: E731
    assert strip(employer_rates(yaml_file, law=LAW).rows) == strip(csv_rows)
    assert strip(employer_rates(xlsx, law=LAW).rows) == strip(csv_rows)


def test_a_bad_file_names_every_row_and_column_and_yields_nothing():
    bad = CSV.replace("0.004,,class II", "16,,class II") + "tianjin,unemployment,2026-03,,,,0.6%,,,\n"  # no reason
    with pytest.raises(InputProblems) as caught:
        employer_rates(bad.encode(), law=LAW, name="rates.csv")
    assert caught.value.problems == [
        "rates.csv, row 3, column 'Employer rate / 单位费率': expected a rate such as 0.0016 or 0.16%, got '16'",
        "rates.csv, row 5, column 'Why / 依据': required (why the employer declares these figures (its notice, "
        "its class))"]
    # once every cell is well formed, the rows are checked against the law tables
    bad = CSV.replace("Shanghai,pension", "Atlantis,pension") + "tianjin,maternity,2026-07,,,,0.005,,x\n"
    with pytest.raises(InputProblems) as caught:
        employer_rates(bad.encode(), law=LAW, name="rates.csv")
    first, second = caught.value.problems
    assert first.startswith("rates.csv, row 4, column 'City / 城市': no social insurance table for city 'Atlantis'")
    assert second.startswith("rates.csv, row 5, column 'Scheme / 险种': tianjin has no separate maternity insurance")


def test_overlapping_rows_and_unknown_yaml_keys_are_refused(tmp_path):
    overlap = CSV + "tianjin,unemployment,2026-06,,,,0.6%,,later\n"
    with pytest.raises(InputProblems, match="row 5: tianjin unemployment from 2026-06-01 overlaps rates.csv, row 2"):
        employer_rates(overlap.encode(), law=LAW, name="rates.csv")
    yaml_file = tmp_path / "rates.yml"
    yaml_file.write_text("- {city: tianjin, scheme: pension, from: 2026-01, employer_rate: 0.16, why: x, rate: 1}\n")
    with pytest.raises(InputProblems, match=r"rates.yml, row 1, column 'rate': unknown column"):
        employer_rates(yaml_file, law=LAW)
