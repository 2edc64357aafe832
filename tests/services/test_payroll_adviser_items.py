"""Issue 13 pay items in the payroll store: exempt income kinds, capped premiums and another
withholding agent's pay, through import → run, equal to the full-month scenario path (the engines
called directly) for the same employee and month."""

from __future__ import annotations

from payroll_support import COMPANY_FILES, db_url  # noqa: F401 — fixture
from sqlalchemy import select

from expatcn.gross_to_net import gross_to_net
from expatcn.io.month_scenario import MonthScenario
from expatcn.io.sheet_columns import PAY_KINDS
from expatcn.iit.exempt_income import payable_kinds
from expatcn.law import load_law
from expatcn.payroll.db import read_transaction
from expatcn.payroll.models import Employee, Run, RunResult
from expatcn.services.payroll import import_files, import_rows, open_store, run, upgrade

LAW = load_law()
E001 = {"name": "E001", "year": 2025, "city": "shanghai", "employment": {"from": 1, "to": 1},
        "every_month": {"wages": 25000, "special_additional_deductions": {"children_education": 1, "elderly_support": "only_child"},
                        "exempt": {"insurance_indemnity": 3000, "business_travel_allowance": 400},
                        "commercial_health_insurance": 300},
        "other_payers": [{"name": "second employer", "employment": {"from": 1, "to": 1},
                          "every_month": {"income": 8000, "tax_withheld": 90}}],
        "social": {"local_hukou": True, "work_injury_rate": "0.0026", "housing_fund_rate": "0.07", "housing_fund": True}}


def test_every_exempt_kind_has_a_pay_item_label():
    assert set(payable_kinds(LAW)) <= set(PAY_KINDS)


def test_pay_items_of_issue_13_run_as_the_engines_compute(db_url):  # noqa: F811
    """Insurance indemnity 3,000 (exempt, IIT Law art. 4(1)(5)), a business travel allowance of
    400 (not taxable), commercial health insurance 300 (200 deducted, Caishui [2017] No. 39), and a
    second employer's 8,000 with 90 withheld (counted only at the reconciliation)."""
    engine = open_store(db_url)
    upgrade(engine)
    import_files(engine, COMPANY_FILES)
    rows = [{"code": "E001", "month": "2025-01", "kind": kind, "amount": amount} for kind, amount in (
        ("insurance_indemnity", "3000"), ("business_travel_allowance", "400"), ("commercial_health_insurance", "300"),
        ("prior_employer_wages", "8000"), ("prior_employer_tax", "90"))]
    import_rows(engine, "pay", rows)
    run(engine, 2025, 1)
    with read_transaction(engine) as conn:
        result = conn.execute(select(RunResult).join(Employee, RunResult.employee_id == Employee.id)
                              .join(Run, Run.id == RunResult.run_id).where(Employee.code == "E001")).mappings().one()
    expected = gross_to_net(MonthScenario.model_validate(E001).to_month_inputs(LAW), LAW)
    month = expected.figures(1)
    for name in ("gross", "exempt_income", "other_deductions", "iit", "net"):
        assert result[name] == int(month[name][0]), name
    assert int(month["gross"][0]) == 25000_00 + 3000_00 + 400_00
    assert int(expected.iit.monthly["exempt_income"][0, 0]) == 3000_00
    assert int(expected.iit.monthly["commercial_health_insurance_deducted"][0, 0]) == 200_00
