"""Pay in a foreign currency in the payroll store (issue 14 item 4, the store part): the employer's
central parities imported from the shipped rates file, a pay item in EUR converted at the parity of
the day IIT Regulations art. 32 names (December wages are filed in January: the parity of 31
December), the rate shown in the results and on the payslip, a missing rate an error naming the
day and the currency, and parities kept per employer."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest
from payroll_support import COMPANY, db_url  # noqa: F401
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.errors import InputError, InputProblems
from expatcn.services import exports, parities
from expatcn.services.payroll import close, import_files, open_store, run, run_detail, upgrade

RATES = Path(str(files("expatcn.examples.fx"))) / "central_parity_2024-12.csv"


# E003 is paid in yuan from January to November 2024 (the months before close in order)
EARLIER = "".join(f"E003,2024-{m:02d},salary,30000,\n" for m in range(1, 12))


def company(tmp_path: Path, db: str, pay: str) -> object:
    store = open_store(db)
    upgrade(store)
    sheet = tmp_path / "pay.csv"
    sheet.write_text("Employee ID,Month,Kind,Amount,Currency\n" + EARLIER + pay, encoding="utf-8")
    import_files(store, [COMPANY / "employer.csv", COMPANY / "roster.csv", sheet])
    return store


def run_to_december(store) -> None:
    for month in range(1, 12):
        run(store, 2024, month)
        close(store, 2024, month)
    run(store, 2024, 12)


def test_eur_salary_at_the_parity_of_the_last_day_of_december(tmp_path, db_url):  # noqa: F811
    """E003's December 2024 salary, EUR 8,000.00, is filed in January 2025: converted at the central
    parity of 2024-12-31, EUR 7.5257 (CFETS): 8,000 × 7.5257 = RMB 60,205.60. E001's CNY salary
    is not converted."""
    store = company(tmp_path, db_url, "E003,2024-12,salary,8000,EUR\nE001,2024-12,salary,25000,\n")
    done = parities.import_parities(store, RATES, "tester")
    assert (done.added, done.unchanged) == (8, 0)
    assert parities.import_parities(store, RATES, "tester").unchanged == 8  # importing again adds nothing
    run_to_december(store)
    detail = run_detail(store, 2024, 12)
    e003 = next(r for r in detail.results if r.id == "E003")
    assert e003.gross == "60205.60"
    [c] = e003.conversions
    assert (c.month, c.kind, c.amount, c.currency, c.rate, c.unit, c.rate_date, c.rmb) == (
        "2024-12", "salary", "8000.00", "EUR", "7.5257", 1, "2024-12-31", "60205.60")
    assert next(r for r in detail.results if r.id == "E001").conversions == []
    shown = CliRunner().invoke(app, ["results", "2024-12", "--db", db_url])
    assert "8000.00 EUR × 7.5257 (central parity of 2024-12-31" in shown.output


def test_a_missing_parity_names_the_day_and_the_currency(tmp_path):
    """A January 2025 bonus in EUR needs the parity of 2025-01-31, which the file does not hold."""
    store = company(tmp_path, str(tmp_path / "p.sqlite"), "E001,2025-01,bonus,5000,EUR\n")
    parities.import_parities(store, RATES, "tester")
    with pytest.raises(InputError) as caught:
        run(store, 2025, 1)
    assert "no central parity for EUR on 2025-01-31" in str(caught.value)
    assert "employee E001, 2025-01 bonus" in str(caught.value)


def test_a_stored_parity_does_not_change(tmp_path):
    store = company(tmp_path, str(tmp_path / "p.sqlite"), "E003,2024-12,salary,8000,EUR\n")
    parities.import_parities(store, RATES, "tester")
    other = tmp_path / "other.csv"
    other.write_text("date,currency,rate\n2024-12-31,EUR,7.6000\n2025-01-31,EUR,7.5000\n", encoding="utf-8")
    with pytest.raises(InputProblems) as caught:
        parities.import_parities(store, other, "tester")
    assert "EUR on 2024-12-31: 7.6000 per 1 differs from the stored 7.5257" in str(caught.value)
    assert len(parities.list_parities(store)) == 8  # nothing of the refused file was kept


def test_parities_belong_to_one_employer(tmp_path):
    """A second employer in the same store has none of the first one's parities."""
    store = company(tmp_path, str(tmp_path / "p.sqlite"), "E003,2024-12,salary,8000,EUR\n")
    second = tmp_path / "employer2.csv"
    header = (COMPANY / "employer.csv").read_text(encoding="utf-8").splitlines()[0]
    second.write_text(header + "\nSecond Co.,91310000MA1FL0002X,shanghai,0.0026,0.07\n", encoding="utf-8")
    import_files(store, [second])
    first_number = "91310115MA1H7XQ25C"
    parities.import_parities(store, RATES, "tester", employer=first_number)
    assert len(parities.list_parities(store, employer=first_number)) == 8
    assert parities.list_parities(store, employer="91310000MA1FL0002X") == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_payslip_shows_the_rate(tmp_path):
    store = company(tmp_path, str(tmp_path / "p.sqlite"), "E003,2024-12,salary,8000,EUR\n")
    parities.import_parities(store, RATES, "tester")
    run_to_december(store)
    archive = zipfile.ZipFile(io.BytesIO(exports.export_month(store, 2024, 12, ["payslips"]).files[0].content))
    name = next(n for n in archive.namelist() if "_E003_" in n)
    pdf = tmp_path / name
    pdf.write_bytes(archive.read(name))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "salary paid in EUR: 8000.00 × 7.5257 (central parity of 2024-12-31) = 60205.60" in " ".join(text.split())
