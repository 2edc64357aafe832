"""The employer's rates in the store (issue 11, item 2): imported with who and when, used by the
runs and labelled employer-supplied; a bad file changes nothing."""

from __future__ import annotations

import pytest
from payroll_support import db_url  # noqa: F401 — fixture

from expatcn.errors import InputProblems
from expatcn.services import rates
from expatcn.services.payroll import import_rows, open_store, run, run_detail, upgrade

RATES = b"""city,scheme,from,to,employer_rate,why
shanghai,pension,2026-07,2027-06,15%,our notice 2026-08
"""


def _company(engine) -> None:
    import_rows(engine, "employer", [{"name": "Test Co.", "tax_number": "91310000TEST00001X", "city": "shanghai"}])
    import_rows(engine, "roster", [{"code": "A", "name": "A", "id_type": "resident_id", "id_number": "31010119800101000X",
                                    "nationality": "CN", "hire_date": "2026-01-01"}])
    import_rows(engine, "pay", [{"code": "A", "month": f"2026-{m:02d}", "kind": "salary", "amount": "20000"}
                                for m in range(1, 10)])


def test_rates_imported_with_who_and_when_are_used_and_labelled(db_url):  # noqa: F811
    engine = open_store(db_url)
    upgrade(engine)
    _company(engine)
    done = rates.import_rates(engine, RATES, "hr.admin", name="rates.csv")
    assert done.rows == 1 and done.rates[0].imported_by == "hr.admin" and done.rates[0].imported_at is not None
    assert done.rates[0].employer_rate == "15%"
    with pytest.raises(InputProblems, match=r"rates.csv, row 2, column 'Employer rate / 单位费率'"):
        rates.import_rates(engine, RATES.replace(b"15%", b"150%"), "someone", name="rates.csv")
    assert [r.imported_by for r in rates.list_rates(engine)] == ["hr.admin"]  # the bad file changed nothing
    summary = run(engine, 2026, 1)
    assert not any("employer-supplied" in w for w in summary.warnings)  # the row starts in July
    from expatcn.services.payroll import close
    for month in range(1, 9):
        run(engine, 2026, month)
        close(engine, 2026, month)
    september = run(engine, 2026, 9)
    assert any(w.startswith("pension: employer-supplied (our notice 2026-08): employer rate") for w in september.warnings)
    row = run_detail(engine, 2026, 9).results[0]
    assert row.figure_notes["pension"]["en"] == "employer-supplied (our notice 2026-08): employer rate"
    assert row.figure_notes["pension"]["zh"] == "用人单位提供 (our notice 2026-08)：单位费率"
    # 20,000 × 15% = 3,000.00 pension + 9% medical 1,800.00 + 0.5% 100.00 + 0.16% 32.00, and the
    # housing fund 7% 1,400.00 (Chinese employees are enrolled)
    assert row.employer_contributions == "6332.00"
