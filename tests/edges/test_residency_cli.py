"""Trips files (CSV, Excel, JSON), their errors, and ``expatcn residency``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.io.trips import TripFileError, read_trips

EXAMPLE = Path(__file__).parents[2] / "src/expatcn/examples/trips_example.csv"
runner = CliRunner()


def write(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_json_example():
    result = runner.invoke(app, ["residency", str(EXAMPLE), "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    people = {p["person"]: p for p in data["persons"]}
    assert people["anna"]["resident"] and people["anna"]["situation"] == "resident"
    assert people["ben"]["months"][2]["residence_days"] == 3  # 10–12 March; 2 March day visit 0
    assert people["ben"]["months"][2]["china_work_days"] == 4.5
    assert people["chen"]["situation"] == "nonresident_short"
    assert sum(m["residence_days"] for m in people["anna"]["months"]) == people["anna"]["residence_days"]


def test_cli_table_and_planned(tmp_path):
    planned = write(tmp_path, "person,entry,exit\nchen,2026-05-04,2026-09-30\n", "planned.csv")
    result = runner.invoke(app, ["residency", str(EXAMPLE), "--year", "2026", "--planned", str(planned)])
    assert result.exit_code == 0, result.output
    assert "chen — 2026" in result.output and "becomes resident" in result.output


def test_planned_row_closes_open_trip(tmp_path):
    actual = write(tmp_path, "entry,exit\n2026-01-10,\n")
    planned = write(tmp_path, "entry,exit\n,2026-03-01\n2026-04-01,2026-04-05\n", "p.csv")
    book = read_trips(actual, 2026, planned=planned)
    assert len(book.trips) == 2


def test_json_and_excel(tmp_path):
    from openpyxl import Workbook

    j = write(tmp_path, json.dumps({"trips": [{"person": "x", "entry": "2026-01-01", "exit": "2026-01-05"}]}), "t.json")
    assert len(read_trips(j, 2026).trips) == 1
    wb = Workbook()
    wb.active.append(["person", "entry", "exit"])
    wb.active.append(["x", "2026-02-01", "2026-02-03"])
    wb.active.append(["x", "2026-01-01", "2026-01-05"])
    wb.save(tmp_path / "t.xlsx")
    assert len(read_trips(tmp_path / "t.xlsx", 2026).trips) == 2


@pytest.mark.parametrize(
    "text,message",
    [
        ("entry,exit\n2026-03-05,2026-03-01\n", "row 2, field 'exit': exit 2026-03-01 00:00 is before entry"),
        ("entry,exit\n2026-03-01,2026-03-10\n2026-03-05,2026-03-20\n", "row 3, field 'entry': trip overlaps"),
        ("entry,exit\n2026-03-01,\n2026-05-01,2026-05-10\n", "row 2, field 'exit': missing exit"),
        ("entry,exit\n2025-03-01,2025-03-10\n", "before the year asked for (2026)"),
        ("entry,exit,city\n2026-03-01,2026-03-10,SH\n", "unknown column 'city'"),
        ("entry,exit\n2026-13-01,2026-03-10\n", "row 2, field 'entry': Value error, expected a date"),
        ("entry,exit\n2026-03-01 18:00,2026-03-01 09:00\n", "before entry"),
    ],
)
def test_file_errors_name_row_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(TripFileError, match=None) as info:
        read_trips(path, 2026)
    assert message in str(info.value) and str(path) in str(info.value)
    result = runner.invoke(app, ["residency", str(path), "--year", "2026"])
    assert result.exit_code == 2


def test_same_day_exit_and_return_is_allowed(tmp_path):
    path = write(tmp_path, "entry,exit\n2026-03-01 08:00,2026-03-05 10:00\n2026-03-05 18:00,2026-03-09\n")
    assert len(read_trips(path, 2026).trips) == 2
