"""Issue 12 item 7: per-employee figures of a run — `expatcn run --detail` and `expatcn results
<month> [--employee ID]` (table or JSON, the answer of services.payroll.run_detail)."""

from __future__ import annotations

import json

from payroll_support import COMPANY_FILES
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.services.payroll import import_files, open_store, run_detail, upgrade


def test_run_detail_and_results_show_each_employee(tmp_path):
    db = str(tmp_path / "p.sqlite")
    store = open_store(db)
    upgrade(store)
    import_files(store, COMPANY_FILES)
    cli = CliRunner()
    ran = cli.invoke(app, ["run", "2025-01", "--db", db, "--detail", "--json"])
    assert ran.exit_code == 0, ran.output
    answer = json.loads(ran.output)
    assert [r["id"] for r in answer["results"]] == [r.id for r in run_detail(store, 2025, 1).results]
    assert len(answer["results"]) == answer["employees"]
    one = json.loads(cli.invoke(app, ["results", "2025-01", "--db", db, "--employee", "E003", "--json"]).output)
    (row,) = one["results"]
    assert row["id"] == "E003" and row["figures"]["gross"] == row["gross"] and row["figures"]["iit"] == row["iit"]
    figures = row["figures"]
    assert figures["wage_rate"].endswith("%")
    assert float(figures["gross"]) == float(figures["employee_contributions"]) + float(figures["iit"]) + float(figures["net"])
    missing = cli.invoke(app, ["results", "2025-01", "--db", db, "--employee", "E999"])
    assert missing.exit_code == 2 and missing.output.startswith("error: E999 has no result in 2025-01")
    table = cli.invoke(app, ["results", "2025-01", "--db", db])
    assert table.exit_code == 0 and "E003" in table.output
