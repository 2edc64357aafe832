"""The withholding report in the STA withholding client's import layouts.

Headers and their order are checked against the project's reference notes
STA_CLIENT_TEMPLATES.md (copied here, not imported from the module under test):
§2 "正常工资薪金所得 (sheet 正常工资薪金收入)", variants V5 (30 columns: the BIFF8 builder
"build_payroll_tax_import_xls", corroborated by the client-export parser's GENERAL_HEADERS)
and V4 (29 columns: wanghannew1/TaxGen templates_gen/normal_salary.py, commit 94538d1f…);
§4.1 "无住所个人正常工资薪金收入" (15 columns, client template file in ksmn1133/Travel-Tracker,
commit 1f84474a…); §3 "全年一次性奖金收入" current 11 columns (TaxGen annual_bonus.py).
"""

from __future__ import annotations

import csv
from decimal import Decimal

import numpy as np
import pytest
from openpyxl import load_workbook

import exports_company as company
from expatcn.io.exports import (
    ExportError,
    write_annual_bonus_report,
    write_nonresident_withholding_report,
    write_withholding_report,
)

REFERENCE_V5 = [
    "工号", "*姓名", "*证件类型", "*证件号码", "本期收入", "本期免税收入", "基本养老保险费", "基本医疗保险费", "失业保险费",
    "住房公积金", "累计子女教育", "累计继续教育", "累计住房贷款利息", "累计住房租金", "累计赡养老人",
    "累计3岁以下婴幼儿照护", "累计个人养老金", "企业(职业)年金", "商业健康保险", "税延养老保险", "公务交通费用", "通讯费用",
    "律师办案费用", "住房公积金调整", "西藏附加减除费用", "其他", "准予扣除的捐赠额", "减免税额", "协定减免", "备注",
]
REFERENCE_V4 = [h for h in REFERENCE_V5 if h != "住房公积金调整"]
REFERENCE_NONRESIDENT = ["工号", "*姓名", "*证件类型", "*证件号码", "适用公式", "收入", "境内工作天数", "境外工作天数",
                         "境内支付", "境外支付", "免税收入", "其他", "准予扣除的捐赠额", "减免税额", "备注"]
REFERENCE_BONUS = ["工号", "*姓名", "*证件类型", "*证件号码", "*全年一次性奖金额", "免税收入", "其他", "准予扣除的捐赠额",
                   "减免税额", "协定减免", "备注"]


@pytest.fixture(scope="module")
def month():
    return company.compute()


def _sheet(path, name=None):
    book = load_workbook(path)
    sheet = book[name] if name else book.worksheets[0]
    return book, sheet, [[c for c in row] for row in sheet.iter_rows()]


def _column(rows, header):
    index = [c.value for c in rows[0]].index(header)
    return [row[index] for row in rows[1:]]


def test_resident_sheet_headers_and_order_as_the_client_template(month, tmp_path):
    _, figures, _, _ = month
    path = write_withholding_report(company.RECORDS, figures, tmp_path / "iit.xlsx")
    book, sheet, rows = _sheet(path)
    assert book.sheetnames == ["正常工资薪金收入", "填表说明"]  # data sheet first, then the instructions
    assert [c.value for c in rows[0]] == REFERENCE_V5
    assert len(REFERENCE_V5) == 30
    for cell in rows[0]:  # the mandatory columns are red and starred, the others black
        red = cell.font.color is not None and cell.font.color.rgb == "FFFF0000"
        assert red == cell.value.startswith("*"), cell.value
    v4 = write_withholding_report(company.RECORDS, figures, tmp_path / "iit-v4.xlsx", variant="V4")
    assert [c.value for c in _sheet(v4)[2][0]] == REFERENCE_V4 and len(REFERENCE_V4) == 29
    with pytest.raises(ExportError):
        write_withholding_report(company.RECORDS, figures, tmp_path / "x.xlsx", variant="V9")


def test_one_row_per_resident_with_full_identity(month, tmp_path):
    _, figures, _, _ = month
    _, _, rows = _sheet(write_withholding_report(company.RECORDS, figures, tmp_path / "iit.xlsx"))
    values = [[c.value for c in row[:4]] for row in rows[1:]]
    assert values == [
        ["E001", "王小明", "居民身份证", "310101199001011234"],
        ["E002", "Anna Schmidt", "外国护照", "C01X00T47"],
        ["E003", "John Smith", "外国护照", "0012345678"],  # leading zeros kept: a text cell
    ]
    for row in rows[1:]:
        for cell in row[:4]:
            assert isinstance(cell.value, str) and cell.number_format == "@"


def test_amounts_are_numbers_with_two_decimals(month, tmp_path):
    _, figures, _, _ = month
    _, _, rows = _sheet(write_withholding_report(company.RECORDS, figures, tmp_path / "iit.xlsx"))
    numeric = 0
    for row in rows[1:]:
        for cell in row[4:-1]:  # amounts (备注 is text)
            assert cell.value is None or isinstance(cell.value, (int, float)), (cell.coordinate, cell.value)
            assert cell.number_format == "0.00"
            numeric += cell.value is not None
    assert numeric == 3 * 15  # income … SAD (13), 其他, 减免税额; the columns without a figure stay empty


def test_totals_equal_the_engine(month, tmp_path):
    result, figures, _, _ = month
    _, _, rows = _sheet(write_withholding_report(company.RECORDS, figures, tmp_path / "iit.xlsx"))
    residents = result.iit.inputs.resident
    col = company.MONTH - 1
    iit = result.iit.monthly

    def total(header):
        return sum(Decimal(str(c.value or 0)) for c in _column(rows, header))

    def engine(values):
        return Decimal(int(np.asarray(values)[residents].sum())) / 100

    assert total("本期收入") == engine(iit["income"][:, col])
    assert total("本期免税收入") == engine(iit["exempt_income"][:, col]) == Decimal("12000.00")
    social = sum(total(h) for h in ("基本养老保险费", "基本医疗保险费", "失业保险费", "住房公积金"))
    assert social == engine(iit["special_deductions"][:, col])  # the IIT special deductions, item by item
    assert total("基本养老保险费") == engine(result.monthly["employee_pension"][:, col])
    sad = sum(total(h) for h in REFERENCE_V5 if h.startswith("累计"))
    assert sad == engine(iit["special_additional_deductions"][:, : company.MONTH].sum(axis=1)) == Decimal("9000.00")
    assert total("累计住房租金") == Decimal("4500.00")
    assert total("减免税额") == 0
    # the housing fund column is the tax-free part, not the whole contribution
    hf = result.monthly["employee_deduction"][:, col] - result.monthly["employee_social"][:, col]
    assert total("住房公积金") == engine(hf)


def test_the_check_sheet_carries_the_engine_tax(month, tmp_path):
    result, figures, _, _ = month
    path = write_withholding_report(company.RECORDS, figures, tmp_path / "iit.xlsx", check=True)
    book = load_workbook(path)
    assert book.sheetnames == ["正常工资薪金收入", "填表说明", "核对 Check"]  # the template's sheets stay first
    rows = list(book["核对 Check"].iter_rows(values_only=True))
    wage_tax = [Decimal(str(r[7])) for r in rows[1:]]
    engine = result.iit.monthly["wage_tax"][result.iit.inputs.resident, company.MONTH - 1]
    assert wage_tax == [Decimal(int(v)) / 100 for v in engine]


def test_csv_has_the_same_layout(month, tmp_path):
    _, figures, _, _ = month
    path = write_withholding_report(company.RECORDS, figures, tmp_path / "iit.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == REFERENCE_V5
    assert rows[1][3] == "310101199001011234" and rows[1][4] == "30000.00"
    assert len(rows) == 4


def test_nonresident_sheet(month, tmp_path):
    result, figures, _, _ = month
    path = write_nonresident_withholding_report(company.RECORDS, figures, tmp_path / "nr.xlsx")
    book, _, rows = _sheet(path)
    assert book.sheetnames == ["无住所个人正常工资薪金收入", "填表说明"]
    assert [c.value for c in rows[0]] == REFERENCE_NONRESIDENT
    assert [[c.value for c in row[:4]] for row in rows[1:]] == [["E004", "Jean Dupont", "外国护照", "18AB12345"]]
    income = _column(rows, "收入")[0]
    assert isinstance(income.value, (int, float)) and income.number_format == "0.00"
    assert Decimal(str(income.value)) == Decimal(int(result.iit.monthly["income"][3, company.MONTH - 1])) / 100
    assert _column(rows, "适用公式")[0].value is None  # not given: the client's option strings are unconfirmed


def test_annual_bonus_sheet(month, tmp_path):
    result, figures, _, _ = month
    book, _, rows = _sheet(write_annual_bonus_report(company.RECORDS, figures, tmp_path / "bonus.xlsx"))
    assert book.sheetnames == ["全年一次性奖金收入", "填表说明"]
    assert [c.value for c in rows[0]] == REFERENCE_BONUS
    assert [(r[0].value, r[4].value) for r in rows[1:]] == [("E002", 100000)]


def test_sad_must_be_split_by_kind_or_left_blank(month, tmp_path):
    _, figures, _, _ = month
    unsplit = {k: v for k, v in figures.items() if not (k.startswith("sad_") and k != "sad_ytd")}
    with pytest.raises(ExportError, match="E001.*special additional deductions"):
        write_withholding_report(company.RECORDS, unsplit, tmp_path / "iit.xlsx")
    path = write_withholding_report(company.RECORDS, unsplit, tmp_path / "iit.xlsx", sad="blank")
    _, _, rows = _sheet(path)
    assert all(c.value is None for c in _column(rows, "累计住房租金"))


def test_bad_inputs_are_named(month, tmp_path):
    _, figures, _, _ = month
    records = [dict(r) for r in company.RECORDS]
    records[2]["id_type"] = "driving licence"
    with pytest.raises(ExportError, match="E003.*id_type"):
        write_withholding_report(records, figures, tmp_path / "iit.xlsx")
    with pytest.raises(ExportError, match="no row for employee"):
        write_withholding_report(company.RECORDS + [{"employee_id": "E009", "name": "X"}], figures, tmp_path / "a.xlsx")
    broken = dict(figures)
    broken["employee_pension"] = figures["employee_pension"] + 1
    with pytest.raises(ExportError, match="special deductions"):
        write_withholding_report(company.RECORDS, broken, tmp_path / "iit.xlsx")
    floats = dict(figures, income=figures["income"] / 100)
    with pytest.raises(ExportError, match="integer fen"):
        write_withholding_report(company.RECORDS, floats, tmp_path / "iit.xlsx")


def test_figures_as_a_polars_frame_in_another_order(month, tmp_path):
    import polars as pl

    _, figures, _, _ = month
    frame = pl.DataFrame({k: list(v) if v.dtype == object else v for k, v in figures.items()}).reverse()
    a = write_withholding_report(company.RECORDS, frame, tmp_path / "a.csv").read_text("utf-8-sig")
    b = write_withholding_report(company.RECORDS, figures, tmp_path / "b.csv").read_text("utf-8-sig")
    assert a == b


def test_id_types_from_payroll_codes():
    from expatcn.io.exports.common import as_records
    from expatcn.io.exports.withholding import id_type_label

    def label(**kw):
        return id_type_label(as_records([{"employee_id": "1", "name": "x", **kw}])[0])

    assert label(id_type="passport", nationality="DE") == "外国护照"
    assert label(id_type="passport", nationality="CN") == "中国护照"
    assert label(id_type="护照", nationality="US") == "外国护照"
    assert label(id_type="foreigner_permanent_residence") == "外国人永久居留身份证（外国人永久居留证）"
    assert label(id_type="work_permit_b") == "中华人民共和国外国人工作许可证（B类）"
    # a payroll Employee row as a dict: its code is the employee_id
    assert as_records([{"id": 7, "code": "E7", "name": "y"}])[0].employee_id == "E7"
