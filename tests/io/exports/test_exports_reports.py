"""Social insurance, employer cost and reconciliation reports: numbers as numbers, totals
equal to the engines' sums, and the whole month written in one call."""

from __future__ import annotations

import csv
import zipfile
from decimal import Decimal

import numpy as np
import pytest
from openpyxl import load_workbook

import exports_company as company
from expatcn.io.exports import (
    ExportError,
    mask_id,
    write_employer_cost_report,
    write_month_exports,
    write_reconciliation_summary,
    write_social_insurance_report,
)

COL = company.MONTH - 1


@pytest.fixture(scope="module")
def month():
    return company.compute()


def _rows(path):
    sheet = load_workbook(path).worksheets[0]
    return [list(row) for row in sheet.iter_rows()]


def _yuan(fen) -> Decimal:
    return Decimal(int(fen)) / 100


def _header_index(rows, start):
    for index, row in enumerate(rows):
        if row[0].value == "Employee ID 工号":
            return index
    raise AssertionError("no header row")


def _check_numbers(rows, first_amount_column):
    for row in rows:
        for cell in row[first_amount_column:]:
            if cell.number_format in ("0.00", "0%"):
                assert cell.value is None or isinstance(cell.value, (int, float)), cell.coordinate


def test_social_insurance_report(month, tmp_path):
    result, figures, _, _ = month
    path = write_social_insurance_report(company.RECORDS, figures, tmp_path / "si.xlsx", title="Acme — 2025-03")
    rows = _rows(path)
    assert rows[0][0].value == "Acme — 2025-03"
    at = _header_index(rows, 0)
    header = [c.value for c in rows[at]]
    assert "Maternity base 生育基数" not in header  # Shanghai merged maternity into medical
    assert header[-3:] == ["Employee total 个人合计", "Employer total 单位合计", "Total 合计"]
    body, totals = rows[at + 1:-1], rows[-1]
    assert totals[0].value == "Total 合计" and len(body) == 4
    _check_numbers(body + [totals], 3)
    m = result.monthly
    assert Decimal(str(totals[-3].value)) == _yuan(m["employee_contributions"][:, COL].sum())
    assert Decimal(str(totals[-2].value)) == _yuan(m["employer_contributions"][:, COL].sum())
    pension = header.index("Pension employee 养老个人")
    assert [Decimal(str(r[pension].value)) for r in body] == [_yuan(v) for v in m["employee_pension"][:, COL]]
    hf_base = header.index("Housing fund base 公积金基数")
    assert body[2][hf_base].value == 0  # not enrolled: no base shown
    for row in body:
        assert row[hf_base].number_format == "0.00"


def test_employer_cost_report(month, tmp_path):
    result, figures, _, _ = month
    rows = _rows(write_employer_cost_report(company.RECORDS, figures, tmp_path / "cost.xlsx"))
    assert [c.value for c in rows[0]][3:] == [
        "Gross pay 应发工资", "Employer social insurance 单位社保", "Employer housing fund 单位公积金",
        "Employer contributions 单位缴费合计", "Total employer cost 用工总成本"]
    totals = rows[-1]
    _check_numbers(rows[1:], 3)
    m = result.monthly
    for index, name in zip(range(3, 8), ("gross", "employer_social", "employer_housing_fund", "employer_contributions",
                                         "employer_cost")):
        assert Decimal(str(totals[index].value)) == _yuan(m[name][:, COL].sum()), name
    assert totals[7].value == pytest.approx(334745.33)
    broken = dict(figures, employer_cost=figures["employer_cost"] + 1)
    with pytest.raises(ExportError, match="cost"):
        write_employer_cost_report(company.RECORDS, broken, tmp_path / "bad.xlsx")


def test_employer_cost_csv_totals(month, tmp_path):
    result, figures, _, _ = month
    path = write_employer_cost_report(company.RECORDS, figures, tmp_path / "cost.csv")
    rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
    assert rows[-1][0] == "Total 合计"
    assert Decimal(rows[-1][-1]) == _yuan(result.monthly["employer_cost"][:, COL].sum())
    assert sum(Decimal(r[-1]) for r in rows[1:-1]) == Decimal(rows[-1][-1])


def test_reconciliation_summary(month, tmp_path):
    result, _, year, _ = month
    rows = _rows(write_reconciliation_summary(company.RECORDS, year, tmp_path / "rec.xlsx"))
    header = [c.value for c in rows[0]]
    body, totals = rows[1:-1], rows[-1]
    _check_numbers(rows[1:], 3)
    a = result.iit.annual
    for name, key in (("Tax due 应纳税额", "reconciliation_tax_due"), ("Tax prepaid 已预缴税额", "reconciliation_prepaid"),
                      ("Balance 应补(退)税额", "reconciliation_balance"), ("Tax withheld in the year 全年已扣缴税额", "withheld"),
                      ("Comprehensive income 综合所得收入额", "reconciliation_income")):
        index = header.index(name)
        assert Decimal(str(totals[index].value)) == _yuan(a[key].sum()), name
        assert [Decimal(str(r[index].value)) for r in body] == [_yuan(v) for v in a[key]], name
    filing = header.index("Filing 办理情况")
    assert body[3][filing].value.startswith("Not applicable")  # the non-resident
    rate = header.index("Rate 税率")
    assert body[0][rate].number_format == "0%" and body[0][rate].value == pytest.approx(0.2)


def test_all_exports_of_a_month(month, tmp_path):
    _, figures, _, traces = month
    paths = write_month_exports(company.RECORDS, figures, "2025-03", tmp_path, employer="Acme", traces=traces)
    names = sorted(p.name for p in paths)
    assert names == sorted(["2025-03-withholding-residents.xlsx", "2025-03-withholding-nonresidents.xlsx",
                            "2025-03-annual-bonus.xlsx", "2025-03-social-insurance.xlsx",
                            "2025-03-employer-cost.xlsx", "2025-03-payslips.zip"])
    with zipfile.ZipFile(tmp_path / "2025-03-payslips.zip") as archive:
        listed = archive.namelist()
    assert len(listed) == 4
    for record, name in zip(company.RECORDS, sorted(listed)):
        assert record["id_number"] not in name  # masked in file names
        assert mask_id(record["id_number"], mark="x") in name
    csvs = write_month_exports(company.RECORDS, figures, "2025-03", tmp_path / "csv", fmt="csv", payslips=False)
    assert all(p.suffix == ".csv" for p in csvs)
    assert not list(tmp_path.rglob("*.partial"))


def test_mask_id():
    assert mask_id("E12345678") == "*****5678"
    assert mask_id("310101199001011234", mark="x") == "x" * 14 + "1234"
    assert mask_id("123") == "***" and mask_id("") == ""


def test_month_figures_match_the_engine(month):
    result, figures, _, _ = month
    m = result.monthly
    social = sum(figures[f"employee_{s}"] for s in ("pension", "medical", "maternity", "unemployment", "work_injury"))
    assert np.array_equal(social, m["employee_social"][:, COL])
    employer = sum(figures[f"employer_{s}"] for s in ("pension", "medical", "maternity", "unemployment", "work_injury"))
    assert np.array_equal(employer, m["employer_social"][:, COL])
    assert np.array_equal(figures["employer_housing_fund"], m["employer_housing_fund"][:, COL])
    assert np.array_equal(figures["iit"], result.iit.total_tax[:, COL])
