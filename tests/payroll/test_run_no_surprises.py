"""Issue 12 item 3, runs: an employee on the roster with no pay in the month is listed and left
out unless the run includes them; a negative net pay is an error naming the employee unless
allowed; a closed month that left someone out charges them no contributions in later months."""

from __future__ import annotations

import numpy as np
import pytest
from payroll_support import COMPANY, COMPANY_FILES

from expatcn.gross_to_net import gross_to_net
from expatcn.law import load_law
from expatcn.payroll.db import PayrollError, read_transaction
from expatcn.payroll.inputs import build_inputs
from expatcn.payroll.writes import the_employer
from expatcn.services.payroll import close, import_files, open_store, run, run_detail, upgrade


@pytest.fixture
def store(tmp_path):
    engine = open_store(str(tmp_path / "p.sqlite"))
    upgrade(engine)
    import_files(engine, COMPANY_FILES)
    for month in (1, 2, 3):
        run(engine, 2025, month)
        close(engine, 2025, month)
    march = [line for line in (COMPANY / "pay.csv").read_text(encoding="utf-8").splitlines()[1:] if ",2025-03," in line]
    april = tmp_path / "april.csv"
    april.write_text("Employee ID,Month,Kind,Amount\n" + "\n".join(
        line.replace("2025-03", month) for month in ("2025-04", "2025-05") for line in march
        if not (month == "2025-04" and line.startswith("E005,"))) + "\n", encoding="utf-8")
    import_files(engine, [april])
    return engine


def test_an_employee_without_pay_is_listed_and_left_out(store):
    done = run(store, 2025, 4)
    assert done.unpaid == ["E005"]
    assert "E005" not in {r.id for r in run_detail(store, 2025, 4).results}
    assert done.employees == len(run_detail(store, 2025, 3).results) - 1


def test_including_them_computes_them_and_a_negative_net_names_them(store):
    with pytest.raises(PayrollError, match=r"net pay below zero for 1 employee\(s\): E005 \(-[\d.]+\) .* --allow-negative"):
        run(store, 2025, 4, include=["E005"])
    done = run(store, 2025, 4, include=["E005"], allow_negative=True)
    assert done.unpaid == []
    e005 = next(r for r in run_detail(store, 2025, 4).results if r.id == "E005")
    assert e005.gross == "0.00" and e005.net.startswith("-") and e005.net == f"-{e005.employee_contributions}"
    close(store, 2025, 4)  # the run included E005: closing rebuilds the same inputs
    with pytest.raises(PayrollError, match="cannot include E999"):
        run(store, 2025, 5, include=["E999"])


def test_a_month_left_out_has_no_contributions_later(store):
    run(store, 2025, 4)
    close(store, 2025, 4)
    run(store, 2025, 5)
    with read_transaction(store) as conn:
        inputs = build_inputs(conn, the_employer(conn), 2025, 5, load_law())
    row = inputs.codes.index("E005")
    assert inputs.month_inputs.paid_here[row].tolist() == [True, True, True, False] + [True] * 8
    deduction = gross_to_net(inputs.month_inputs, load_law()).monthly["employee_deduction"][row]
    assert deduction[3] == 0 and np.all(deduction[[0, 1, 2, 4]] > 0)
