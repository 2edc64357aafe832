"""The whole payroll flow through the services, on SQLite and on the local PostgreSQL: import the
example company, run and close three months, correct a closed month, verify, export — figures
checked against the engines called directly (the full-month scenario path), not against the
payroll's own code."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from payroll_support import COMPANY_FILES, db_url  # noqa: F401 — fixture
from sqlalchemy import func, select

from expatcn.io.month_scenario import MonthScenario
from expatcn.law import load_law
from expatcn.errors import InputProblems
from expatcn.payroll.db import PayrollError, read_transaction
from expatcn.payroll.models import Correction, Employee, Run, RunResult
from expatcn.services import exports, people
from expatcn.services.payroll import close, correct, import_files, open_store, run, upgrade, verify
from expatcn.gross_to_net import gross_to_net

LAW = load_law()


def results(engine, month: int) -> dict[str, dict]:
    with read_transaction(engine) as conn:
        rows = conn.execute(select(Employee.code, RunResult).join(RunResult, RunResult.employee_id == Employee.id)
                            .join(Run, Run.id == RunResult.run_id).where(Run.year == 2025, Run.month == month)).all()
    return {r[0]: dict(r._mapping) for r in rows}


def scenario_year(data: dict):
    """The engines on a full-month scenario (the ``expatcn month`` path): the year's columns."""
    scenario = MonthScenario.model_validate(data)
    return gross_to_net(scenario.to_month_inputs(LAW), LAW).monthly


# E001: Shanghai hukou, 25,000 a month, one child in education, only child supporting parents.
E001 = {"name": "E001", "year": 2025, "city": "shanghai", "employment": {"from": 1, "to": 3},
        "every_month": {"wages": 25000, "special_additional_deductions": {"children_education": 1, "elderly_support": "only_child"}},
        "social": {"local_hukou": True, "work_injury_rate": "0.0026", "housing_fund_rate": "0.07", "housing_fund": True}}
# E014: Japanese resident (in China since 2023), certificate of coverage, allowance exemption, bonus in March.
E014 = {"name": "E014", "year": 2025, "city": "shanghai", "employment": {"from": 1, "to": 3},
        "person": {"resident": True, "foreigner": True, "allowance_exemption": True},
        "every_month": {"wages": 65000, "allowances": {"housing": 18000}}, "months": {3: {"bonus": 200000}},
        "social": {"nationality": "JP", "certificate": {"from": "2023-09-01", "until": "2028-08-31"},
                   "housing_fund": False, "work_injury_rate": "0.0026", "housing_fund_rate": "0.07"}}


def test_whole_flow(db_url, tmp_path):  # noqa: F811
    engine = open_store(db_url)
    head = upgrade(engine)
    assert head and upgrade(engine) == head  # at the newest migration, and idempotent
    first = import_files(engine, COMPANY_FILES)
    assert first.counts["employees"]["inserted"] == 22
    again = import_files(engine, COMPANY_FILES)  # idempotent
    assert again.counts["employees"] == {"inserted": 0, "updated": 0, "unchanged": 22}
    assert again.counts["pay_items"]["inserted"] == again.counts["pay_items"]["updated"] == 0

    # January, run twice (the second replaces the first), then closed
    one = run(engine, 2025, 1)
    repeat = run(engine, 2025, 1)
    assert repeat.replaced and repeat.totals == one.totals
    with read_transaction(engine) as conn:
        assert conn.execute(select(func.count()).select_from(Run)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(RunResult)).scalar() == one.employees == 20
    with pytest.raises(PayrollError, match="2025-01 is not closed"):
        run(engine, 2025, 2)
    close(engine, 2025, 1)
    with pytest.raises(PayrollError, match="is closed"):
        run(engine, 2025, 1)
    run(engine, 2025, 2)
    close(engine, 2025, 2)
    feb = results(engine, 2)
    assert "E008" in feb and "E017" not in feb  # hired 10 Feb / 1 Mar
    run(engine, 2025, 3)
    before = results(engine, 3)
    assert "E009" not in before and "E018" not in before and "E017" in before  # left end of Feb / arrived

    # figures against the engines called directly
    for data in (E001, E014):
        year = scenario_year(data)
        for month in (1, 2, 3):
            stored = results(engine, month)[data["name"]]
            for key in ("gross", "employee_contributions", "iit", "net", "employer_contributions", "employer_cost"):
                assert stored[key] == int(year[key][0, month - 1]), (data["name"], month, key)
    assert before["E014"]["bonus_tax"] == 3_859_000  # 200,000 ÷ 12 → 20% − 1,410
    assert before["E012"]["resident"] is False or before["E012"]["resident"] == 0  # ~120 days in 2025
    assert before["E015"]["wage_method"] == 2 and before["E011"]["wage_method"] == 1

    # a correction of closed January: a resident's difference is carried into March,
    # a non-resident's is refiled for January
    with pytest.raises(InputProblems, match="is closed"):
        import_files(engine, [_pay_file(engine, "E003", "2025-01", "47000")])
    lines = correct(engine, 2025, 1, items=[("E003", "salary", "47000"), ("E015", "salary", "42000")])
    by_code = {(ln.employee, ln.treatment): ln for ln in lines}
    carried = by_code[("E003", "carried")]
    assert carried.difference == "200.00" and carried.carried_to == "2025-03"  # 2,000 more at 10%
    assert [(c.kind, c.before, c.after) for c in carried.changes] == [("salary", "45000.00", "47000.00")]
    refile = by_code[("E015", "refile")]
    assert refile.month == "2025-01" and float(refile.difference) > 0
    with pytest.raises(PayrollError, match="changed since it was run"):
        close(engine, 2025, 3)
    run(engine, 2025, 3)
    after = results(engine, 3)
    assert after["E003"]["wage_tax"] == before["E003"]["wage_tax"] + 20_000
    assert after["E015"]["iit"] == before["E015"]["iit"]  # monthly tax: March unaffected
    close(engine, 2025, 3)
    with read_transaction(engine) as conn:
        assert conn.execute(select(func.count()).select_from(Correction)).scalar() == len(lines)

    for month in (1, 2, 3):
        v = verify(engine, 2025, month)
        assert v.identical and v.inputs_intact and v.law_digest_now == LAW.digest, v.differences

    # exports of the closed month, figures as numbers equal to the stored results
    from openpyxl import load_workbook

    done = exports.export_month(engine, 2025, 3, exports.KINDS)
    names = sorted(f.name for f in done.files)
    assert names == ["2025-03-annual-bonus.xlsx", "2025-03-employer-cost.xlsx", "2025-03-payslips.zip",
                     "2025-03-social-insurance.xlsx", "2025-03-withholding-nonresidents.xlsx",
                     "2025-03-withholding-residents.xlsx", "2025-reconciliation.xlsx"]
    cost = next(f for f in done.files if f.name == "2025-03-employer-cost.xlsx")
    assert all(f.content for f in done.files) and not any("draft" in n for n in done.notes)  # closed: final
    cells = [c for row in load_workbook(io.BytesIO(cost.content)).active.iter_rows(values_only=True) for c in row]
    assert float(after["E014"]["employer_cost"]) / 100 in cells


def _pay_file(engine, code, month, amount):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "fix.csv"
    path.write_text(f"Employee ID / 工号,Month / 所属期,Kind / 项目,Amount (CNY) / 金额（元）\n{code},{month},salary,{amount}\n",
                    encoding="utf-8")
    return path


def test_verify_shows_differences(tmp_path):
    """A stored figure changed behind the payroll's back is found by verify."""
    from sqlalchemy import update

    engine = open_store(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    import_files(engine, COMPANY_FILES)
    run(engine, 2025, 1)
    close(engine, 2025, 1)
    with engine.begin() as conn:
        emp = conn.execute(select(Employee.id).where(Employee.code == "E002")).scalar()
        conn.execute(update(RunResult).where(RunResult.employee_id == emp).values(iit=RunResult.iit + 1))
    v = verify(engine, 2025, 1)
    assert not v.identical
    assert [(d.employee, d.figure) for d in v.differences] == [("E002", "iit")]
    assert v.differences[0].stored == v.differences[0].recomputed + 1


def test_employees_masks_id_numbers(tmp_path):
    """The roster as the front doors show it: ID numbers masked by io.exports.common.mask_id."""
    engine = open_store(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    import_files(engine, COMPANY_FILES)
    rows = {r.id: r for r in people.employees(engine)}
    assert rows["E011"].id_number == "*****2L9M"  # passport C4F7K2L9M
    assert "C4F7K2L9M" not in str(rows)
    assert all("*" in r.id_number for r in rows.values())
    assert isinstance(rows["E001"].hire_date, dt.date)
    assert np.all([len(r.id_number) > 0 for r in rows.values()])


def test_nonresident_deductions_are_not_applied_with_a_warning(tmp_path):
    """One policy on every path (IIT Law art. 6(1)(2)): a non-resident's declared special additional
    deductions are not applied, and the run says so — no error, nothing silently dropped."""
    from payroll_support import COMPANY

    engine = open_store(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    import_files(engine, COMPANY_FILES)
    header = (COMPANY / "deductions.csv").read_text("utf-8").splitlines()[0]
    declared = tmp_path / "deductions.csv"
    declared.write_text(f"{header}\nE012,2025,1,12,1,,,,,\n", encoding="utf-8")  # E012: a non-resident (trips)
    import_files(engine, [declared])
    summary = run(engine, 2025, 1)
    [warning] = summary.warnings
    assert "special additional deductions of 2,000.00 not applied (E012)" in warning  # 2,000 a child from 2023
    assert "IIT Law art. 6(1)(2)" in warning
    row = results(engine, 1)["E012"]
    assert not row["resident"] and row["special_additional_deductions"] == 0
