"""Payroll: bonuses and equity of employees with trips apportioned by China work days like their
wages (MOF/STA 2019 No. 35 §1(2)), checked against the `expatcn tax` scenario path for the same
person-year; the roster flags of STA 2020 No. 13 (first income of the year) and No. 19 (low
income last year) reach the IIT engine."""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest
from payroll_support import db_url  # noqa: F401 — fixture
from sqlalchemy import select

from expatcn.iit.person_year import compute_year
from expatcn.io.scenario import Scenario
from expatcn.law import load_law
from expatcn.errors import InputProblems as ImportFileError
from expatcn.payroll.db import PayrollError, get_engine, read_transaction, upgrade
from expatcn.payroll.models import Employee, PayItem, Run, RunResult
from expatcn.payroll.runs import close_month, run_month, verify_month
from expatcn.services.payroll import import_files

EMPLOYER = [["Employer name / 扣缴义务人名称", "Tax number / 纳税人识别号", "City / 城市"],
            ["Test Co 测试公司", "91310000TEST00001X", "shanghai"]]
ROSTER = [
    ["Employee ID / 工号", "Name / 姓名", "ID type / 证件类型", "ID number / 证件号码", "Nationality / 国籍",
     "Hire date / 任职受雇日期", "年度首次取得工资薪金", "Low income last year / 上年收入不超过6万元"],
    ["N1", "Nora Becker", "passport", "C01X00T47", "DE", "2024-01-01", "", ""],
    ["H1", "Li Wei 李伟", "resident_id", "110101199001010015", "CN", "2025-07-01", "是", ""],
    ["H0", "Liu Yang 刘洋", "resident_id", "110101199202020025", "CN", "2025-07-01", "", ""],
    ["L1", "Chen Jing 陈静", "resident_id", "110101199303030038", "CN", "2020-03-01", "", "yes"],
]
# N1: 2024-10-01..11-30 and 2025 trips of 120 days in all — a non-resident for 2025, 90–183 days
TRIPS = [["Employee ID / 工号", "Entry / 入境", "Exit / 出境"],
         ["N1", "2024-10-01", "2024-11-30"], ["N1", "2025-01-06", "2025-02-14"], ["N1", "2025-03-03", "2025-05-22"]]
PAY_HEADER = ["Employee ID / 工号", "Month / 所属期", "Kind / 项目", "Amount (CNY) / 金额（元）", "归属期间起",
              "Period to / 归属期间止"]
N1_BONUS_PERIOD = ("2024-04", "2025-03")


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _company(tmp: Path, months: int) -> list[Path]:
    pay = [PAY_HEADER]
    for m in range(1, months + 1):
        month = f"2025-{m:02d}"
        pay += [["N1", month, "salary", "50000", "", ""], ["N1", month, "paid_abroad", "10000", "", ""],
                ["L1", month, "salary", "4000", "", ""]]
        if m >= 7:
            pay += [["H1", month, "salary", "20000", "", ""], ["H0", month, "salary", "20000", "", ""]]
    pay += [["N1", "2025-02", "equity", "30000", "", ""],
            ["N1", "2025-03", "bonus", "60000", *N1_BONUS_PERIOD], ["N1", "2025-03", "bonus_paid_abroad", "20000", "", ""]]
    return [_write(tmp / "employer.csv", EMPLOYER), _write(tmp / "roster.csv", ROSTER),
            _write(tmp / "trips.csv", TRIPS), _write(tmp / "pay.csv", pay)]


def _results(engine, month: int) -> dict[str, SimpleNamespace]:
    with read_transaction(engine) as conn:
        rows = conn.execute(select(Employee.code.label("code"), *RunResult.__table__.columns)
                            .join(RunResult, RunResult.employee_id == Employee.id)
                            .join(Run, Run.id == RunResult.run_id).where(Run.month == month)).all()
    return {r.code: SimpleNamespace(**r._mapping) for r in rows}


def _run_through(engine, last: int) -> dict[int, dict[str, SimpleNamespace]]:
    out = {}
    for m in range(1, last + 1):
        run_month(engine, 2025, m, law=load_law())
        out[m] = _results(engine, m)
        if m < last:
            close_month(engine, 2025, m, law=load_law())
    return out


def test_nonresident_bonus_and_equity_apportioned_like_expatcn_tax(db_url, tmp_path):  # noqa: F811
    engine = get_engine(db_url)
    upgrade(engine)
    import_files(engine, _company(tmp_path, 3))
    with read_transaction(engine) as conn:
        bonus = conn.execute(select(PayItem).where(PayItem.kind == "bonus")).one()
    assert (str(bonus.period_from), str(bonus.period_to)) == ("2024-04-01", "2025-03-31")
    runs = _run_through(engine, 3)
    n1 = {m: runs[m]["N1"] for m in runs}
    assert not n1[3].resident

    # the same person-year through the scenario path of `expatcn tax` (employee contributions as the payroll computed)
    law = load_law()
    scenario = Scenario.model_validate({
        "name": "N1", "year": 2025,
        "person": {"foreigner": True, "trips": [{"entry": e, "exit": x} for _, e, x in TRIPS[1:]]},
        "employment": {"from": 1, "to": 3},
        "every_month": {"wages": 50000, "paid_abroad": 10000},
        "months": {m: {"employee_contributions": str(n1[m].employee_deduction / 100)} for m in (1, 2, 3)}
        | {2: {"equity": 30000, "employee_contributions": str(n1[2].employee_deduction / 100)},
           3: {"bonus": 60000, "bonus_paid_abroad": 20000,
               "bonus_period": {"from": N1_BONUS_PERIOD[0], "to": N1_BONUS_PERIOD[1]},
               "employee_contributions": str(n1[3].employee_deduction / 100)}},
    })
    prepared = scenario.prepare(law)
    expected = compute_year(prepared.inputs, law)
    lump = {s["kind"]: s for s in prepared.residency.lump_sums}
    assert lump["bonus"]["period"] == {"from": "2024-04-01", "to": "2025-03-31"}
    for m in (1, 2, 3):
        c = m - 1
        assert n1[m].wages == prepared.inputs.wages[0, c]
        assert n1[m].bonus == prepared.inputs.bonus[0, c]
        assert n1[m].equity == prepared.inputs.equity[0, c]
        for name in ("wage_tax", "bonus_tax", "equity_tax"):
            assert getattr(n1[m], name) == expected.monthly[name][0, c], (m, name)
        assert n1[m].gross == n1[m].employee_contributions + n1[m].iit + n1[m].net
    # taxable parts: apportioned, below what is paid; payslip gross = what this payroll pays
    assert 0 < n1[3].bonus < 6_000_000 and n1[3].bonus == round(float(lump["bonus"]["china_taxable"]) * 100)
    assert lump["bonus"]["calendar_days"] == 365 and lump["equity"]["period"] is None
    assert 0 < n1[2].equity < 3_000_000
    assert n1[1].gross == 4_000_000
    assert n1[2].gross == 4_000_000 + 3_000_000
    assert n1[3].gross == 4_000_000 + 4_000_000
    assert n1[3].bonus_tax > 0 and n1[2].equity_tax > 0
    # the stored inputs reproduce the run
    assert verify_month(engine, 2025, 3, law=load_law()).identical


def test_roster_flags_no13_no19(db_url, tmp_path):  # noqa: F811
    engine = get_engine(db_url)
    upgrade(engine)
    import_files(engine, _company(tmp_path, 7))
    with read_transaction(engine) as conn:
        flags = {r.code: (r.first_income_this_year, r.low_income_last_year) for r in conn.execute(select(Employee)).all()}
    assert flags == {"N1": (False, False), "H1": (True, False), "H0": (False, False), "L1": (False, True)}
    runs = _run_through(engine, 7)
    # STA 2020 No. 13: first wage income of the year in July → basic deduction 5,000 × 7 = 35,000 in July
    assert runs[7]["H1"].basic_deduction == 3_500_000
    assert runs[7]["H0"].basic_deduction == 500_000
    assert runs[7]["H1"].wage_tax == 0 < runs[7]["H0"].wage_tax
    # STA 2020 No. 19: income last year ≤ 60,000 → 60,000 deducted from January
    assert runs[1]["L1"].basic_deduction == 6_000_000
    assert all(runs[m]["L1"].wage_tax == 0 for m in runs)
    assert verify_month(engine, 2025, 7, law=load_law()).identical


def test_period_errors_name_file_row_column(tmp_path):
    engine = get_engine(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    files = _company(tmp_path, 1)
    import_files(engine, files)
    bad = _write(tmp_path / "bad.csv", [PAY_HEADER, ["N1", "2025-01", "salary", "50000", "2024-04", "2025-01"],
                                        ["N1", "2025-01", "bonus", "1000", "2025-01", ""],
                                        ["N1", "2025-01", "equity", "1000", "2025-02", "2025-01"],
                                        ["N1", "2025-01", "labour", "1000", "", ""],
                                        ["L1", "2025-01", "bonus", "1000", "2025-01", "2026-01"]])
    with pytest.raises(ImportFileError) as caught:
        import_files(engine, [bad])
    text = str(caught.value)
    assert f"{bad}, row 2, column 'Period from / 归属期间起': a period is for bonus or equity items, not salary" in text
    assert f"{bad}, row 3, column 'Period to / 归属期间止': required with the other end" in text
    assert f"{bad}, row 4, column 'Period to / 归属期间止': expected a day on or after the period start 2025-02-01" in text
    assert f"{bad}, row 6, column 'Period to / 归属期间止': expected a day in or before the pay year 2025" in text
    month = _write(tmp_path / "month.csv", [PAY_HEADER, ["N1", "2025-01", "bonus", "1000", "2025-13", ""]])
    with pytest.raises(ImportFileError, match=r"row 2, column 'Period from / 归属期间起': expected a date YYYY-MM-DD or a month"):
        import_files(engine, [month])
    with read_transaction(engine) as conn:  # nothing written
        assert conn.execute(select(PayItem).where(PayItem.month == 1, PayItem.kind.in_(["bonus", "equity", "labour"]))).all() == []
    # bonus paid abroad above the bonus: the run refuses and names the employee
    _write(tmp_path / "abroad.csv", [PAY_HEADER, ["N1", "2025-01", "bonus_paid_abroad", "1000", "", ""]])
    import_files(engine, [tmp_path / "abroad.csv"])
    with pytest.raises(PayrollError, match="bonus_paid_abroad is more than the bonus for employees N1"):
        run_month(engine, 2025, 1, law=load_law())
    # a re-import without the period columns keeps the stored period
    _write(tmp_path / "b1.csv", [PAY_HEADER, ["N1", "2025-01", "bonus", "1000", "2024-07", "2024-12"]])
    import_files(engine, [tmp_path / "b1.csv"])
    _write(tmp_path / "b2.csv", [PAY_HEADER[:4], ["N1", "2025-01", "bonus", "2000"]])
    import_files(engine, [tmp_path / "b2.csv"])
    with read_transaction(engine) as conn:
        item = conn.execute(select(PayItem).where(PayItem.kind == "bonus", PayItem.month == 1)).one()
    assert (item.amount_fen, str(item.period_from), str(item.period_to)) == (200_000, "2024-07-01", "2024-12-31")
