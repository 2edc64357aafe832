"""Bilingual PDF payslips: rendered, non-trivial, the figures of the engines on them, the
trace on request, the ID number masked. Where poppler's pdftoppm / pdftotext are installed the
PDF is also rasterised and its text read back (skipped otherwise)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest

import exports_company as company
from expatcn.io.exports import render_payslip, write_payslip_pdf, write_payslips
from expatcn.io.exports.common import as_records
from expatcn.money import fen_to_str

ANNA = 1  # resident expat with allowances and a bonus in March


@pytest.fixture(scope="module")
def month():
    return company.compute()


def _row(figures, person):
    return {k: (v[person].item() if hasattr(v[person], "item") else v[person]) for k, v in figures.items()}


def _pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_payslip_pdf_is_rendered(month, tmp_path):
    _, figures, _, traces = month
    record = as_records(company.RECORDS)[ANNA]
    plain = render_payslip(record, _row(figures, ANNA), "2025-03", employer="Acme (Shanghai) Co., Ltd. 阿克米（上海）有限公司")
    traced = render_payslip(record, _row(figures, ANNA), "2025-03", employer="Acme", trace=traces["E002"])
    assert plain.startswith(b"%PDF-") and len(plain) > 5_000
    assert b"STSong-Light" in plain  # the built-in CJK font, nothing to download
    assert _pages(plain) == 1
    assert _pages(traced) > _pages(plain)  # the trace adds pages
    path = write_payslip_pdf(company.RECORDS[ANNA], _row(figures, ANNA), "2025-03", tmp_path / "anna.pdf")
    assert path.read_bytes().startswith(b"%PDF-")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_payslip_text_carries_the_engine_figures(month, tmp_path):
    result, figures, _, traces = month
    record = as_records(company.RECORDS)[ANNA]
    pdf = tmp_path / "anna.pdf"
    pdf.write_bytes(render_payslip(record, _row(figures, ANNA), "2025-03", employer="Acme", trace=traces["E002"]))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    col = company.MONTH - 1
    for label, value in (("Net pay", result.monthly["net"][ANNA, col]), ("Gross pay", result.monthly["gross"][ANNA, col]),
                         ("Individual income tax", result.iit.total_tax[ANNA, col]),
                         ("Total employer cost", result.monthly["employer_cost"][ANNA, col])):
        line = next(line for line in text.splitlines() if label in line)
        assert fen_to_str(value) in line, (label, line)
    assert "Calculation trace" in text and "wage tax this month" in text
    assert "C01X00T47" not in text and "*****0T47" in text  # the passport number masked on the payslip


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
def test_payslip_rasterises(month, tmp_path):
    _, figures, _, _ = month
    record = as_records(company.RECORDS)[0]
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(render_payslip(record, _row(figures, 0), "2025-03", employer="Acme"))
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf), str(tmp_path / "slip")], check=True,
                   capture_output=True)
    png = (tmp_path / "slip.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000  # a page with content, not a blank sheet


def test_payslips_zip(month, tmp_path):
    _, figures, _, traces = month
    path = write_payslips(company.RECORDS, figures, "2025-03", tmp_path / "slips.zip", employer="Acme", traces=traces)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert len(names) == len(company.RECORDS)
        for name in names:
            assert name.startswith("payslip_2025-03_") and name.endswith(".pdf")
            assert archive.read(name).startswith(b"%PDF-")
    assert "payslip_2025-03_E001_xxxxxxxxxxxxxx1234.pdf" in names
    assert not any(r["id_number"] in n for r in company.RECORDS for n in names)
    again = write_payslips(company.RECORDS, figures, "2025-03", tmp_path / "again.zip", employer="Acme", traces=traces)
    assert again.read_bytes() == path.read_bytes()  # reproducible: same figures, same bytes
    parallel = write_payslips(company.RECORDS, figures, "2025-03", tmp_path / "par.zip", employer="Acme",
                              traces=traces, workers=2)
    assert parallel.read_bytes() == path.read_bytes()
