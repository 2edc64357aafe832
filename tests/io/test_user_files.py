"""The one reader of user files (issue 17, item 4): encodings Excel writes on a Chinese Windows,
strict dates and months, one amount parser inside int64, duplicate keys, empty files, stale Excel
dimensions, formulas without values, deep nesting and huge numbers — each a clear error naming
the file and where, never a traceback and never a silent acceptance."""

from __future__ import annotations

import json
import os
import re

import pytest
from openpyxl import Workbook
from payroll_support import COMPANY, COMPANY_FILES

from expatcn.dates import parse_day, parse_moment
from expatcn.errors import InputError
from expatcn.io.files import MAX_DEPTH, decode, parse_mapping, read_mapping
from expatcn.io.scenario import ScenarioError, load_scenario
from expatcn.io.trips import read_trip_records
from expatcn.law import load_law
from expatcn.money import MAX_ABS_FEN, MoneyError, rate_to_ppm, yuan_to_fen
from expatcn.services.payroll import import_bytes, import_files, open_store, upgrade

ROSTER = (COMPANY / "roster.csv").read_text(encoding="utf-8")


@pytest.fixture
def store(tmp_path):
    engine = open_store(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    import_files(engine, COMPANY_FILES[:1])
    return engine


@pytest.mark.parametrize("encoding, label", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("utf-16", "UTF-16"),
                                             ("gbk", "GB18030"), ("gb18030", "GB18030")])
def test_the_roster_in_every_encoding_excel_writes_imports_the_same(store, encoding, label):
    """Excel on a Chinese Windows saves "CSV" in GBK and "Unicode text" in UTF-16; the names
    (王芳) arrive intact and the answer says which encoding was read."""
    done = import_bytes(store, [("roster.csv", ROSTER.encode(encoding))])
    assert done.encodings == {"roster.csv": label}
    assert done.counts["employees"]["inserted" if encoding == "utf-8" else "unchanged"] >= 0
    text = decode(ROSTER.encode(encoding), "roster.csv")
    assert text.text.lstrip("\ufeff") == ROSTER and text.encoding == label


def test_utf16_without_bom_and_binary_files():
    assert decode("名字,a\n".encode("utf-16-le"), "x.csv").encoding == "UTF-16"
    with pytest.raises(InputError, match="x.csv: holds NUL characters"):
        decode(b"PK\x03\x04\x00\x00garbage", "x.csv")
    with pytest.raises(InputError, match="x.csv: not a text file"):
        decode(b"ab\x80cd\xff", "x.csv")


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("   \n", "the file is empty"),
    (ROSTER.splitlines()[0] + "\n", "no rows under the headers"),
])
def test_empty_files_are_errors(store, text, message):
    with pytest.raises(InputError, match=message):
        import_bytes(store, [("roster.csv", text.encode())])


def test_a_huge_csv_field_names_the_row(store):
    lines = ROSTER.splitlines()
    lines[2] = lines[2].replace("Li Wei", "x" * 200_000)
    with pytest.raises(InputError) as caught:
        import_bytes(store, [("roster.csv", "\n".join(lines).encode())])
    assert "roster.csv, row 3" in str(caught.value)


def _roster_book(path, rows, *, dimension: str | None = None, formula: bool = False):
    book = Workbook()
    sheet = book.active
    sheet.title = "Employees 员工"
    header, *data = [line.split(",") for line in ROSTER.splitlines()[: rows + 1]]
    sheet.append(header)
    for values in data:
        sheet.append(values)
    if formula:
        sheet["B3"] = '=UPPER("li wei")'  # openpyxl writes no cached value: Excel never computed it
    book.save(path)
    if dimension:  # a stale <dimension> as some programs leave it: fewer rows than the sheet holds
        import zipfile

        with zipfile.ZipFile(path) as zin:
            parts = {n: zin.read(n) for n in zin.namelist()}
        name = "xl/worksheets/sheet1.xml"
        parts[name] = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), parts[name])
        with zipfile.ZipFile(path, "w") as zout:
            for n, data_ in parts.items():
                zout.writestr(n, data_)
    return path


def test_a_stale_excel_dimension_drops_no_row(store, tmp_path):
    path = _roster_book(tmp_path / "roster.xlsx", 5, dimension="A1:B2")
    done = import_files(store, [path])
    assert sum(done.counts["employees"].values()) == 5


def test_a_formula_without_a_computed_value_is_an_error(store, tmp_path):
    path = _roster_book(tmp_path / "roster.xlsx", 3, formula=True)
    with pytest.raises(InputError, match=r"roster.xlsx, sheet 'Employees 员工', cell B3: a formula without a value"):
        import_files(store, [path])


def test_an_xlsx_that_is_not_a_zip(store, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match="roster.xlsx: cannot read the file as an Excel workbook"):
        import_files(store, [path])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_path_that_never_ends_is_refused(tmp_path):
    link = tmp_path / "trips.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        read_trip_records(link)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("year: 2026\nperson: {trips: trips.csv}\nevery_month: {wages: 1000}\n")
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_scenario(scenario).prepare(load_law())


@pytest.mark.parametrize("text, name, message", [
    ("a: 1\nb: 2\na: 3\n", "s.yaml", "line 3: key 'a' given twice (first on line 1)"),
    ('{"a": 1, "a": 2}', "s.json", "key 'a' given twice"),
    ("[" * 5000 + "]" * 5000, "s.json", "nested too deeply"),
    ("[" * 200 + "]" * 200, "s.yaml", "nested too deeply"),
    ("a: " + "9" * 5000, "s.yaml", "a number of more than 4,300 digits"),
    ('{"a": NaN}', "s.json", "NaN is not a number"),
])
def test_mappings_refuse_what_would_be_read_silently_or_crash(text, name, message):
    with pytest.raises(InputError) as caught:
        parse_mapping(text, name, InputError)
    assert message in str(caught.value) and name in str(caught.value)
    assert MAX_DEPTH < 200


def test_dates_stay_text_in_yaml_and_are_checked_by_field(tmp_path):
    """Unquoted 2026-02-30 made YAML itself raise; now the field says it."""
    path = tmp_path / "s.yaml"
    path.write_text("year: 2026\nperson: {departure: 2026-02-30}\n")
    with pytest.raises(ScenarioError, match=r"person.departure: .*no such day"):
        load_scenario(path)
    assert read_mapping(path, InputError) == {"year": 2026, "person": {"departure": "2026-02-30"}}


@pytest.mark.parametrize("months, message", [
    ({"2019-03": {"wages": 1}}, "month '2019-03': not in the year 2026"),
    ({3: {"wages": 1}, "2026-03": {"wages": 2}}, "month 3 given twice"),
])
def test_month_keys_of_another_year_or_given_twice(tmp_path, months, message):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"year": 2026, "months": months}))
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


@pytest.mark.parametrize("text", ["2025-03-01garbage", "2025-02-30", "0001-01-01", "9999-12-31", "20250301",
                                  "2025-03-01 25:00", "2025-03-01T10:00+08:00", "2025-3-1"])
def test_days_are_whole_real_and_in_range(text):
    with pytest.raises(InputError):
        parse_moment(text)
    with pytest.raises(InputError):
        parse_day(text)


def test_moments():
    assert str(parse_moment("2025-03-01 24:00")) == "2025-03-02 00:00:00"
    assert str(parse_moment("2025-03-01T08:30")) == "2025-03-01 08:30:00"
    assert str(parse_day("2025-03-01")) == "2025-03-01"


@pytest.mark.parametrize("value", ["1e999999999999999999", "1e-9999999999999", float("inf"), "inf", "NaN",
                                   "12,34", "12.345", str(MAX_ABS_FEN // 100 + 1), 10**400, True, None, "1" * 100])
def test_the_amount_parser_refuses(value):
    with pytest.raises(MoneyError):
        yuan_to_fen(value)


@pytest.mark.parametrize("value", ["inf", float("nan"), "1e5", "0.0000001", 10**30])
def test_the_rate_parser_refuses(value):
    with pytest.raises(MoneyError):
        rate_to_ppm(value)


def test_amounts_in_every_spelling():
    assert yuan_to_fen("12,345.67") == yuan_to_fen(" 12345.67 ") == yuan_to_fen(12345.67) == 1234567
    assert yuan_to_fen("0.10000000000000000000") == 10 and yuan_to_fen(MAX_ABS_FEN // 100) == MAX_ABS_FEN
