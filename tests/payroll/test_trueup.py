"""Months run on figures carried forward, then the law publishes them (issue 11, item 1).

Shanghai's 2027-07.. period is pending in the law tables: July–September 2027 are run and closed
on the 2026-27 figures carried forward (bases 7,546–37,731; employee 8% + 2% + 0.5%; employer 16%,
8.5% + 0.5% medical each to the fen, 0.5%, work injury 0.16% — the lowest class; housing fund
2,740–37,731 at 7% each, the highest rate, Chinese employees enrolled). Then a law overlay (test
data, not law) publishes 2027-07..12 with bases 7,800–39,000 (housing fund 2,740–39,000) and
the same rates.
``verify`` reports the differences; ``trueup`` gives them per employee and month; with ``carry``
the October run pays them. Every sum below is worked by hand.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import pytest
from payroll_support import db_url  # noqa: F401 — fixture
from sqlalchemy import select

from expatcn.dates import Month
from expatcn.io import sheets
from expatcn.io.identity import gb11643_check_digit
from expatcn.law import load_law
from expatcn.payroll.db import read_transaction
from expatcn.payroll.models import Employee, Run, RunResult
from expatcn.payroll.runs import close_month, run_month, verify_month
from expatcn.payroll.trueup import trueup
from expatcn.payroll.writes import write
from expatcn.services import exports
from expatcn.services.payroll import open_store, upgrade

OVERLAY = """
table: social/shanghai
title: test overlay — the 2027-07 figures as if published
schema: social_city
periods:
  - from: 2027-07-01
    to: 2027-12-31
    confidence: low
    sources: [{title: test data for the true-up (not law)}]
    value:
      maternity_in_medical: true
      schemes:
        pension: {base_floor: 7800, base_ceiling: 39000, employer_rate: "0.16", employee_rate: "0.08"}
        medical: {base_floor: 7800, base_ceiling: 39000, employer_rate: "0.09", employer_rate_parts: ["0.085", "0.005"], employee_rate: "0.02"}
        unemployment: {base_floor: 7800, base_ceiling: 39000, employer_rate: "0.005", employee_rate: "0.005"}
        work_injury: {base_floor: 7800, base_ceiling: 39000, employer_rate_range: ["0.0016", "0.0152"], employee_rate: "0"}
      housing_fund: {base_floor: 2740, base_ceiling: 39000, rate_min: "0.05", rate_max: "0.07"}
"""
WAGES = {"A": 40_000, "B": 5_000, "C": 20_000}  # above both ceilings; below both floors; between
LAW = load_law()


def resident_id(first17: str) -> str:
    return first17 + gb11643_check_digit(first17)


def _company(engine) -> None:
    employer = [{"name": "Test Co.", "tax_number": "91310000TEST00001X", "city": "shanghai"}]
    roster = [{"code": code, "name": code, "id_type": "resident_id", "id_number": resident_id(f"3101011980010100{i}"),
               "nationality": "CN", "hire_date": "2026-01-01"} for i, code in enumerate(WAGES)]
    pay = [{"code": code, "month": f"2027-{m:02d}", "kind": "salary", "amount": str(wage)}
           for code, wage in WAGES.items() for m in range(1, 11)]
    write(engine, [s for kind, rows in (("employer", employer), ("roster", roster), ("pay", pay))
                   for s in sheets.read(rows, law=LAW, kind=kind)])


def _results(engine, month: int) -> dict[str, object]:
    with read_transaction(engine) as conn:
        rows = conn.execute(select(Employee.code, RunResult).join(RunResult, RunResult.employee_id == Employee.id)
                            .join(Run, Run.id == RunResult.run_id).where(Run.year == 2027, Run.month == month)).all()
    return {r[0]: r for r in rows}


def yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def tax_20(taxable: Decimal) -> Decimal:
    """Cumulative tax in the 20% band (144,000–300,000; quick deduction 16,920), to the fen."""
    return (taxable * Decimal("0.2") - 16_920).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_months_on_carried_figures_are_trued_up_and_carried(db_url, tmp_path):  # noqa: F811
    engine = open_store(db_url)
    upgrade(engine)
    _company(engine)
    for month in range(1, 10):
        summary = run_month(engine, 2027, month, law=LAW)
        if month >= 7:  # the pending period: every figure carried forward, said so
            assert summary.carried == 3
            assert any("carried forward from 2027-03..2027-06" in w for w in summary.warnings)
            assert any("`expatcn trueup shanghai 2027-" in w for w in summary.warnings)
        close_month(engine, 2027, month, law=LAW)
    september = _results(engine, 9)
    assert september["A"].employee_carried and september["A"].employer_carried
    assert "carried forward from" in september["C"].figure_notes  # the notes are stored for payslips and pages

    overlay = tmp_path / "published.yaml"
    overlay.write_text(OVERLAY, encoding="utf-8")
    published = load_law((str(overlay),))

    # verify: September recomputed with the published figures differs, and says what to do
    v = verify_month(engine, 2027, 9, law=published)
    assert not v.identical and v.trueup and "expatcn trueup shanghai 2027-09" in v.trueup
    # 3,961.76 + housing fund 2,641.17 -> 4,095.00 + 2,730.00
    assert ("A", "employee_contributions", 660_293, 682_500) in v.differences

    r = trueup(engine, "shanghai", Month(2027, 7), law=published)
    lines = {(ln.code, ln.month): ln for ln in r.lines}
    assert r.next_open == "2027-10" and r.through == "2027-09"
    assert {code for code, _ in lines} == {"A", "B"}  # C's base is between floor and ceiling both times
    for month in ("2027-07", "2027-08", "2027-09"):
        a, b = lines["A", month], lines["B", month]
        # A: base 37,731 -> 39,000. Employee: 3,120.00 − 3,018.48 + 780.00 − 754.62 + 195.00 − 188.66 = 133.24,
        # housing fund 2,730.00 − 2,641.17 = 88.83 (all of it tax-free: 7% < 12%): 222.07, all deductible
        assert yuan(a.employee) == Decimal("222.07") and yuan(a.deductible) == Decimal("222.07")
        # employer: 6,240.00 − 6,036.96 + (3,315.00 + 195.00) − (3,207.14 + 188.66) + 195.00 − 188.66
        # + 62.40 − 60.37 = 325.61, housing fund 88.83: 414.44
        assert yuan(a.employer) == Decimal("414.44")
        # B: base 7,546 -> 7,800 (housing fund on 5,000 either way). Employee 624.00 − 603.68 + 156.00
        # − 150.92 + 39.00 − 37.73 = 26.67; employer 1,248.00 − 1,207.36 + (663.00 + 39.00) − (641.41
        # + 37.73) + 39.00 − 37.73 + 12.48 − 12.07 = 65.18; no IIT (B's taxable income is below zero)
        assert (yuan(b.employee), yuan(b.employer), yuan(b.iit)) == (Decimal("26.67"), Decimal("65.18"), 0)
        assert a.treatment == "carried" and a.carried_to == "2027-10"
    # A's IIT: cumulative taxable m × 28,397.07 (40,000 − 5,000 − 6,602.93), less 222.07 a month from July
    old = {m: tax_20(m * Decimal("28397.07")) for m in (7, 8, 9)}
    new = {m: tax_20(m * Decimal("28397.07") - (m - 6) * Decimal("222.07")) for m in (7, 8, 9)}
    effect = [new[7] - old[7], (new[8] - old[8]) - (new[7] - old[7]), (new[9] - old[9]) - (new[8] - old[8])]
    assert [yuan(lines["A", f"2027-{m:02d}"].iit) for m in (7, 8, 9)] == effect
    # in all: 34,061.48 (20% × 254,907.42 − 16,920, to the fen) − 34,194.73 = −133.25 (20% of 666.21 = 133.242)
    assert sum(effect) == tax_20(Decimal("255573.63") - 3 * Decimal("222.07")) - Decimal("34194.73") == Decimal("-133.25")
    assert yuan(r.totals()["employer"]) == 3 * (Decimal("414.44") + Decimal("65.18"))

    carried = trueup(engine, "shanghai", Month(2027, 7), law=published, carry=True)
    assert carried.recorded == 6
    assert trueup(engine, "shanghai", Month(2027, 7), law=published).lines == []  # never counted twice

    october = run_month(engine, 2027, 10, law=published)
    assert october.made_up == 2 and october.carried == 0
    row = _results(engine, 10)["A"]
    assert yuan(row.employee_makeup) == 3 * Decimal("222.07")
    assert yuan(row.employer_makeup) == 3 * Decimal("414.44")
    # October's own contributions on 39,000 (4,095.00 + 2,730.00) plus the true-up, out of net pay
    assert yuan(row.employee_contributions) == Decimal("6825.00") + Decimal("666.21")
    assert yuan(row.net) == 40_000 - Decimal("7491.21") - yuan(row.iit)
    # the IIT effect is carried by the cumulative method: 6 × 28,397.07 + 4 × 28,175.00 = 283,082.42
    # → 39,696.48, less the 34,194.73 withheld to September (on 9 × 28,397.07 = 255,573.63)
    assert tax_20(Decimal("283082.42")) == Decimal("39696.48") and old[9] + 0 == tax_20(Decimal("255573.63"))
    assert tax_20(Decimal("255573.63")) == Decimal("34194.73")
    assert yuan(row.wage_tax) == Decimal("39696.48") - Decimal("34194.73")
    assert verify_month(engine, 2027, 10, law=published).identical  # the true-up is part of the run's inputs


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_payslips_say_which_figures_were_carried_and_what_was_made_up(tmp_path, monkeypatch):
    """September's payslip names the figures carried forward; October's shows the true-up paid."""
    engine = open_store(str(tmp_path / "payroll.sqlite"))
    upgrade(engine)
    _company(engine)
    for month in range(1, 10):
        run_month(engine, 2027, month, law=LAW)
        close_month(engine, 2027, month, law=LAW)
    overlay = tmp_path / "published.yaml"
    overlay.write_text(OVERLAY, encoding="utf-8")
    published = load_law((str(overlay),))
    trueup(engine, "shanghai", Month(2027, 7), law=published, carry=True)
    run_month(engine, 2027, 10, law=published)
    monkeypatch.setattr(exports, "load_law", lambda: published)

    def payslip_text(month: int, code: str) -> str:
        archive = zipfile.ZipFile(io.BytesIO(exports.export_month(engine, 2027, month, ["payslips"]).files[0].content))
        name = next(n for n in archive.namelist() if f"_{code}_" in n)
        pdf = tmp_path / name
        pdf.write_bytes(archive.read(name))
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout

    monkeypatch.setattr(exports, "load_law", lambda: LAW)
    september = payslip_text(9, "A")
    assert "Notes on the figures" in september and "carried forward from 2027-03..2027-06" in september
    assert "a true-up follows" in september
    monkeypatch.setattr(exports, "load_law", lambda: published)
    october = payslip_text(10, "A")
    assert "true-up of earlier months (employee)" in october and "666.21" in october
    assert "true-up of earlier months (employer)" in october and "1,243.32" in october  # 3 × 414.44
