"""Templates and import (files, uploads, JSON rows — one set of checks): bilingual headers, errors
that name file, sheet, row and column, all-or-nothing writes, idempotent re-import."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from payroll_support import COMPANY_FILES
from sqlalchemy import func, select

from expatcn.errors import InputProblems as ImportFileError
from expatcn.payroll.db import read_transaction
from expatcn.payroll.models import Employee, PayItem
from expatcn.services.payroll import import_bytes, import_files, import_rows, open_store, pay_kinds, template, upgrade

PAY_KINDS = pay_kinds()


def write_template(kind, path):
    path.write_bytes(template(kind, path.suffix.lstrip(".")))
    return path


@pytest.fixture
def engine(tmp_path):
    engine = open_store(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    return engine


def count(engine, model) -> int:
    with read_transaction(engine) as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar()


def test_template_workbook_round_trip(engine, tmp_path):
    """Fill the roster template (Employer and Employees sheets) and import it."""
    path = write_template("roster", tmp_path / "roster.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Employer 扣缴义务人", "Employees 员工", "Help 说明"]
    employees = book["Employees 员工"]
    assert employees.cell(1, 1).value == "Employee ID / 工号"
    book["Employer 扣缴义务人"].append(["Acme Beijing 北京某公司", "91110000XXXXXXXX1A", "beijing", 0.002, None])
    headers = [c.value for c in employees[1]]
    row = dict.fromkeys(headers)
    row.update({"Employee ID / 工号": "A1", "Name / 姓名": "Test Person", "ID type / 证件类型": "护照",
                "ID number / 证件号码": "X1234567", "Nationality / 国籍": "de", "Hire date / 任职受雇日期": "2025-01-01",
                "Resident / 居民个人": "是"})
    employees.append([row[h] for h in headers])
    book.save(path)
    summary = import_files(engine, [path])
    assert summary.counts["employers"]["inserted"] == 1 and summary.counts["employees"]["inserted"] == 1
    with read_transaction(engine) as conn:
        person = conn.execute(select(Employee)).one()
    assert (person.id_type, person.nationality, person.resident, person.domiciled) == ("passport", "DE", True, False)


def test_chinese_headers_and_kind_labels(engine, tmp_path):
    import_files(engine, COMPANY_FILES[:2])
    pay = tmp_path / "pay.csv"
    pay.write_text("工号,所属期,项目,金额（元）\nE001,2025-04,工资薪金,25000\nE001,2025-04,住房补贴,1000.50\n", encoding="utf-8")
    import_files(engine, [pay])
    with read_transaction(engine) as conn:
        items = dict(conn.execute(select(PayItem.kind, PayItem.amount_fen).where(PayItem.month == 4)).all())
    assert items == {"salary": 2_500_000, "housing": 100_050}
    assert PAY_KINDS["bonus"] == "全年一次性奖金"


def test_errors_name_file_row_and_column_and_write_nothing(engine, tmp_path):
    roster = tmp_path / "roster.csv"
    text = COMPANY_FILES[1].read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace("2015-01-05", "05/01/2015")  # row 4: a date in the wrong form
    roster.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_files(engine, [COMPANY_FILES[0], roster])
    message = str(caught.value)
    assert f"{roster}, row 4, column 'Hire date / 任职受雇日期': expected a date YYYY-MM-DD in 1950–2100, got '05/01/2015'" in message
    assert message.startswith("nothing was imported")
    assert count(engine, Employee) == 0  # the valid employer file in the same command was not written either


def test_errors_name_the_sheet(engine, tmp_path):
    path = write_template("pay", tmp_path / "pay.xlsx")
    book = load_workbook(path)
    book["Pay 工资"].append(["E001", "2025-13", "salary", "abc"])
    book.save(path)
    import_files(engine, COMPANY_FILES[:2])
    with pytest.raises(ImportFileError) as caught:
        import_files(engine, [path])
    message = str(caught.value)
    assert f"{path}, sheet 'Pay 工资', row 2, column 'Month / 所属期': expected a month YYYY-MM, got '2025-13'" in message
    assert f"{path}, sheet 'Pay 工资', row 2, column 'Amount (CNY) / 金额（元）': expected an amount in yuan" in message


def test_reference_and_rule_errors(engine, tmp_path):
    import_files(engine, COMPANY_FILES[:2])
    pay = tmp_path / "pay.csv"
    pay.write_text("Employee ID,Month,Kind,Amount\nE001,2025-01,salary,1\nE999,2025-01,salary,1\nE001,2025-01,salary,2\n",
                   encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"row 3, column 'Employee ID / 工号': expected an employee of the roster, got 'E999'"):
        import_files(engine, [pay])
    trips = tmp_path / "trips.csv"
    trips.write_text("Employee ID,Entry,Exit\nE011,2025-01-01,2025-02-01\nE011,2025-01-15,2025-03-01\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="overlaps"):
        import_files(engine, [trips])
    unknown = tmp_path / "odd.csv"
    unknown.write_text("Employee ID,Month,Kind,Amount,Colour\nE001,2025-01,salary,1,red\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"row 1, column 'Colour': unknown column"):
        import_files(engine, [unknown])
    assert count(engine, PayItem) == 0


def test_reimport_is_idempotent_and_updates_by_natural_key(engine, tmp_path):
    import_files(engine, COMPANY_FILES)
    items = count(engine, PayItem)
    second = import_files(engine, COMPANY_FILES)
    assert all(c["inserted"] == 0 and c["updated"] == 0 for c in second.counts.values())
    assert count(engine, PayItem) == items
    pay = tmp_path / "pay.csv"
    pay.write_text("Employee ID,Month,Kind,Amount\nE001,2025-03,salary,26000\n", encoding="utf-8")
    third = import_files(engine, [pay])
    assert third.counts["pay_items"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    assert count(engine, PayItem) == items


def test_uploads_and_json_rows_get_the_checks_of_files(engine, tmp_path):
    """The same sheet, as a file, as uploaded bytes and as JSON rows: the same problems (only the
    place named differs), and nothing goes through a temporary folder."""
    import_files(engine, COMPANY_FILES[:2])
    text = "Employee ID,Month,Kind,Amount\nE001,2025-13,salary,1\nE999,2025-01,yacht,1\n"
    path = tmp_path / "pay.csv"
    path.write_text(text, encoding="utf-8")
    rows = [{"code": "E001", "month": "2025-13", "kind": "salary", "amount": "1"},
            {"code": "E999", "month": "2025-01", "kind": "yacht", "amount": "1"}]
    found = []
    for attempt in (lambda: import_files(engine, [path]), lambda: import_bytes(engine, [("up.csv", text.encode())]),
                    lambda: import_rows(engine, "pay", rows)):
        with pytest.raises(ImportFileError) as caught:
            attempt()
        found.append([p.split(", row ")[1] for p in caught.value.problems])
    assert found[0] == found[1] == [
        "2, column 'Month / 所属期': expected a month YYYY-MM, got '2025-13'",
        "3, column 'Kind / 项目': expected " + " or ".join(PAY_KINDS) + ", got 'yacht'"]
    assert [p.split(": ", 1)[1] for p in found[2]] == [p.split(": ", 1)[1] for p in found[0]]
    assert import_rows(engine, "pay", [{**rows[0], "month": "2025-04"}]).counts["pay_items"]["inserted"] == 1
    assert import_bytes(engine, [("up.csv", text.replace("2025-13", "2025-05").split("E999")[0].encode())]
                        ).counts["pay_items"]["inserted"] == 1
    assert count(engine, PayItem) == 2  # the employer and roster files hold no pay items


def test_pay_sheet_kinds_cover_the_law_allowance_kinds():
    """The payroll sheet accepts (with a Chinese label) every allowance kind of the law table."""
    from expatcn.iit.allowances import exempt_kinds
    from expatcn.law import load_law

    assert exempt_kinds(load_law()) <= set(PAY_KINDS)
