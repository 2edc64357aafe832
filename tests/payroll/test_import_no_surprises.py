"""Issue 12 item 3, imports: trips are added and updated by (employee, entry) and removed only on
--replace, with a list of what goes; every problem of a file (cells, unknown employees, duplicates,
closed months, overlapping trips) comes in one report."""

from __future__ import annotations

import pytest
from payroll_support import COMPANY_FILES
from sqlalchemy import select

from expatcn.errors import InputProblems
from expatcn.payroll.db import read_transaction
from expatcn.payroll.models import Employee, Trip
from expatcn.services.payroll import close, import_files, open_store, run, upgrade


@pytest.fixture
def store(tmp_path):
    engine = open_store(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    import_files(engine, COMPANY_FILES)
    return engine


def trips_of(store, code):
    with read_transaction(store) as conn:
        rows = conn.execute(select(Trip.entry, Trip.exit).join(Employee, Employee.id == Trip.employee_id)
                            .where(Employee.code == code).order_by(Trip.entry)).all()
    return [(f"{a:%Y-%m-%d}", None if b is None else f"{b:%Y-%m-%d}") for a, b in rows]


def test_trips_are_added_and_updated_without_losing_history(store, tmp_path):
    before = trips_of(store, "E012")
    assert len(before) >= 3
    new = tmp_path / "trips.csv"
    new.write_text(f"Employee ID,Entry,Exit\nE012,{before[0][0]},{before[0][1]}\nE012,2025-12-01,2025-12-10\n",
                   encoding="utf-8")
    done = import_files(store, [new])
    assert done.counts["trips"] == {"inserted": 1, "updated": 0, "unchanged": 1, "removed": 0}
    assert done.removed == []
    assert trips_of(store, "E012") == before + [("2025-12-01", "2025-12-10")]


def test_replace_removes_only_with_the_flag_and_says_what_went(store, tmp_path):
    before = trips_of(store, "E012")
    only = tmp_path / "trips.csv"
    only.write_text(f"Employee ID,Entry,Exit\nE012,{before[0][0]},{before[0][1]}\n", encoding="utf-8")
    done = import_files(store, [only], replace_trips=True)
    assert done.counts["trips"]["removed"] == len(before) - 1
    assert done.removed == [f"E012 trip {a} 00:00 – {'(open)' if b is None else b + ' 00:00'}" for a, b in before[1:]]
    assert trips_of(store, "E012") == before[:1]
    assert len(trips_of(store, "E011")) == 2  # an employee the file does not name keeps every trip


def test_a_trip_overlapping_a_stored_one_is_refused(store, tmp_path):
    first = trips_of(store, "E012")[0]
    clash = tmp_path / "trips.csv"
    clash.write_text(f"Employee ID,Entry,Exit\nE012,{first[0][:8]}{int(first[0][8:]) - 1:02d},{first[0]}\n",
                     encoding="utf-8")
    entry = f"{first[0][:8]}{int(first[0][8:]) - 1:02d}"
    # ends the day the stored trip begins (00:00 both): not an overlap
    import_files(store, [clash])
    clash.write_text(f"Employee ID,Entry,Exit\nE012,{entry} 00:00,{first[0]} 12:00\n", encoding="utf-8")
    with pytest.raises(InputProblems, match=rf"{clash}, row 2 and a stored trip: employee E012's trip entering {entry} 00:00 "
                                            rf"ends {first[0]} 12:00, after the next entry {first[0]} 00:00"):
        import_files(store, [clash])


def test_every_problem_of_a_file_in_one_report(store, tmp_path):
    run(store, 2025, 1)
    close(store, 2025, 1)
    pay = tmp_path / "pay.csv"
    pay.write_text("Employee ID,Month,Kind,Amount\n"
                   "E001,2025-02,salary,12a\n"       # row 2: a cell
                   "E999,2025-02,salary,100\n"       # row 3: not on the roster
                   "E002,2025-02,salary,100\n"
                   "E002,2025-02,salary,200\n"       # row 5: a duplicate of row 4
                   "E003,2025-01,salary,1\n",        # row 6: a closed month
                   encoding="utf-8")
    trips = tmp_path / "trips.csv"
    trips.write_text("Employee ID,Entry,Exit\nE888,2025-03-01,2025-03-02\n", encoding="utf-8")
    with pytest.raises(InputProblems) as caught:
        import_files(store, [pay, trips])
    problems = caught.value.problems
    assert any(p.startswith(f"{pay}, row 2, column 'Amount (CNY) / 金额（元）'") for p in problems)
    assert any(p.startswith(f"{pay}, row 3, column 'Employee ID / 工号': expected an employee of the roster, got 'E999'")
               for p in problems)
    assert any(p.startswith(f"{pay}, row 5: employee E002, 2025-02, kind salary already on row 4") for p in problems)
    assert any(p.startswith(f"{pay}, row 6: 2025-01 is closed") for p in problems)
    assert any(p.startswith(f"{trips}, row 2, column 'Employee ID / 工号'") for p in problems)
    assert len(problems) == 5


@pytest.mark.parametrize("id_type, number, message", [
    ("resident_id", "310101198503120021", "fails the check digit of a Resident identity card (居民身份证): the last character should be 2"),
    ("resident_id", "12345", "is not a number of a Resident identity card"),
    ("resident_id", "310101198502300021", "holds no valid birth date (19850230)"),
    ("hk_macau_permit", "H123", "is not a number of a Mainland Travel Permit for Hong Kong and Macao Residents"),
    ("taiwan_permit", "1234567", "is not a number of a Mainland Travel Permit for Taiwan Residents"),
    ("passport", "X-123/45", "is not a number of a Passport"),
])
def test_id_numbers_are_checked_naming_row_and_column(tmp_path, id_type, number, message):
    engine = open_store(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    roster = tmp_path / "roster.csv"
    roster.write_text("Employee ID,Name,ID type,ID number,Nationality,Hire date\n"
                      f"A1,Someone,passport,E12345678,DE,2025-01-01\nA2,Other,{id_type},{number},CN,2025-01-01\n",
                      encoding="utf-8")
    with pytest.raises(InputProblems) as caught:
        import_files(engine, [COMPANY_FILES[0], roster])
    assert caught.value.problems == [f"{roster}, row 3, column 'ID number / 证件号码': {number!r} {message}"
                                     + caught.value.problems[0].split(message, 1)[1]]
