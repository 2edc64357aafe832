"""Bilingual payslips (English / 中文), one PDF per employee, zipped.

Each payslip shows the employee (ID number masked), earnings, the employee's contributions and
the IIT withheld, net pay, the employer's contributions and cost, the month's tax computation
and, on request, the calculation trace of the month (the steps of
:func:`expatcn.iit.explain.explain_person` or ``explain_month``, with the law behind them).
Every amount is a figure of the engines (:mod:`expatcn.io.exports.figures`); none is computed.

Fonts: Helvetica for Latin text and reportlab's built-in CID font ``STSong-Light`` (Adobe's
Chinese-simplified font pack, no download, rendered by every PDF reader) for Chinese.
File names carry the month, the employee number and the masked ID number, never the full one.
"""

from __future__ import annotations

import io
import numbers
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from expatcn.dates import Month
from expatcn.io.exports.common import (
    InMemory,
    Target,
    save,
    target,
    EmployeeRecord,
    ExportError,
    as_figures,
    as_records,
    log,
    mask_id,
    safe_name,
)
from expatcn.io.exports.withholding import id_type_label
from expatcn.money import fen_to_str, ppm_to_percent

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
MAKEUP_LINE = "Social insurance true-up of earlier months ({side}) 以前月份社保补差（{zh}）"
SCHEME_ROWS = (
    ("pension", "Pension insurance", "养老保险"),
    ("medical", "Medical insurance", "医疗保险"),
    ("maternity", "Maternity insurance", "生育保险"),
    ("unemployment", "Unemployment insurance", "失业保险"),
    ("work_injury", "Work injury insurance", "工伤保险"),
    ("housing_fund", "Housing fund", "住房公积金"),
)


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _markup(text: str) -> str:
    """Escaped text with every run of non-Latin characters set in the CJK font."""
    out, run, cjk = [], [], False
    for char in str(text):
        wide = ord(char) > 0x2E7F
        if wide != cjk and run:
            piece = escape("".join(run))
            out.append(f'<font name="{CJK_FONT}">{piece}</font>' if cjk else piece)
            run = []
        cjk = wide
        run.append(char)
    if run:
        piece = escape("".join(run))
        out.append(f'<font name="{CJK_FONT}">{piece}</font>' if cjk else piece)
    return "".join(out)


def payslip_filename(record: EmployeeRecord, month: str) -> str:
    """``payslip_2026-03_E001_xxxxx5678.pdf`` — the ID number masked."""
    masked = mask_id(record.id_number, mark="x") or "noid"
    return f"payslip_{month}_{safe_name(record.number)}_{masked}.pdf"


def _month_label(month: str) -> tuple[str, str, int]:
    year, number = period = Month.parse(month)
    return str(period), f"{MONTHS_EN[number - 1]} {year} / {year}年{number}月", number


def render_payslip(record: EmployeeRecord, row: Mapping[str, Any], month: str, *, employer: str = "",
                   trace: Sequence[Any] | None = None, notes: Sequence[str] = ()) -> bytes:
    """One payslip as PDF bytes. ``row``: the employee's figures (column → fen);
    ``trace``: steps (``Step`` objects or their ``as_dict()``) — those of ``month`` are shown;
    ``notes``: lines on the figures (social insurance figures carried forward, employer-supplied
    or of low confidence; true-ups paid with the month), English and Chinese."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    key, label, number = _month_label(month)
    base = ParagraphStyle("base", fontName=LATIN_FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"))
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    bold = ParagraphStyle("bold", parent=base, fontName="Helvetica-Bold")
    bold_right = ParagraphStyle("boldr", parent=bold, alignment=TA_RIGHT)
    title = ParagraphStyle("title", parent=base, fontName="Helvetica-Bold", fontSize=16, leading=20)
    heading = ParagraphStyle("heading", parent=base, fontName="Helvetica-Bold", fontSize=10.5, leading=14,
                             textColor=colors.HexColor("#1F3A5F"), spaceBefore=6, spaceAfter=2)
    accent = colors.HexColor("#1F3A5F")
    light = colors.HexColor("#E8EEF5")

    def para(text, style=base):
        return Paragraph(_markup(text), style)

    def amount(key_: str) -> int:
        value = row.get(key_)
        return 0 if value is None else int(value)

    def money_table(lines: list[tuple[str, int | str, bool]], width=(120 * mm, 54 * mm)) -> Table:
        data = []
        for text, value, strong in lines:
            shown = value if isinstance(value, str) else fen_to_str(value)
            data.append([para(text, bold if strong else base), shown])  # amounts: plain strings, drawn fast
        table = Table(data, colWidths=width)
        style = [("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D7E0")),
                 ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("FONTNAME", (1, 0), (1, -1), LATIN_FONT),
                 ("FONTSIZE", (1, 0), (1, -1), 9),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
        for index, (_, _, strong) in enumerate(lines):
            if strong:
                style += [("BACKGROUND", (0, index), (-1, index), light),
                          ("FONTNAME", (1, index), (1, index), "Helvetica-Bold")]
        table.setStyle(TableStyle(style))
        return table

    story: list = []
    head = Table([[para(employer or "Payslip", title), para("Payslip 工资单", ParagraphStyle("t2", parent=title, alignment=TA_RIGHT))],
                  [para(label, base), para("Amounts in CNY 金额单位：人民币元", ParagraphStyle("r2", parent=small, alignment=TA_RIGHT))]],
                 colWidths=(110 * mm, 64 * mm))
    head.setStyle(TableStyle([("LINEBELOW", (0, 1), (-1, 1), 1.2, accent), ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
                              ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story += [head, Spacer(1, 4 * mm)]

    resident = bool(row.get("resident", True))
    name = record.name + (f" ({record.name_zh})" if record.name_zh else "")
    try:
        id_label = id_type_label(record)
    except ExportError:
        id_label = record.id_type
    id_text = (f"{id_label} " if id_label else "") + mask_id(record.id_number)
    info = [
        [para("Employee 姓名", small), para(name, bold), para("Employee no. 工号", small), para(record.number, bold)],
        [para("ID document 证件", small), para(id_text), para("Nationality 国籍", small), para(record.nationality or "—")],
        [para("Tax status 纳税身份", small), para("Resident 居民个人" if resident else "Non-resident 非居民个人"),
         para("Place of work 工作地", small), para(" / ".join(x for x in (record.city, record.department) if x) or "—")],
    ]
    info_table = Table(info, colWidths=(32 * mm, 55 * mm, 32 * mm, 55 * mm))
    info_table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#B8C4D2")),
                                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F7F9FC")),
                                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [info_table]

    earnings = [(text, amount(k), False) for k, text in (
        ("wages", "Salary and wages 工资薪金"), ("allowances", "Allowances (exempt kinds) 补贴（免税类）"),
        ("bonus", "Bonus 奖金"), ("labour", "Labour remuneration 劳务报酬"), ("equity", "Equity income 股权激励所得"),
    ) if amount(k)]
    earnings.append(("Gross pay 应发合计", amount("gross"), True))
    story += [para("Earnings 收入", heading), money_table(earnings)]

    deductions = [(f"{en} (employee) {zh}（个人）", amount(f"employee_{scheme}"), False)
                  for scheme, en, zh in SCHEME_ROWS if amount(f"employee_{scheme}")]
    if amount("employee_makeup"):
        deductions.append((MAKEUP_LINE.format(side="employee", zh="个人"), amount("employee_makeup"), False))
    deductions.append(("Individual income tax 个人所得税", amount("iit"), False))
    total_deductions = amount("employee_contributions") + amount("iit")
    deductions.append(("Total deductions 扣款合计", total_deductions, True))
    story += [para("Deductions 扣款", heading), money_table(deductions)]

    net = Table([[para("Net pay 实发工资", ParagraphStyle("np", parent=bold, fontSize=12, textColor=colors.white)),
                  Paragraph(fen_to_str(amount("net")), ParagraphStyle("npr", parent=bold_right, fontSize=12,
                                                                     textColor=colors.white))]],
                colWidths=(120 * mm, 54 * mm))
    net.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), accent), ("TOPPADDING", (0, 0), (-1, -1), 5),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    story += [Spacer(1, 3 * mm), net]

    tax_lines: list[tuple[str, int | str, bool]] = []
    if amount("income") or amount("wage_tax"):
        cumulative = int(row.get("wage_method") or (1 if resident else 2)) == 1  # 1: residents' cumulative method
        prefix, zh = ("Cumulative b", "累计") if cumulative else ("B", "本月")
        tax_lines += [("Wage income this month 本期收入", amount("income"), False)]
        if amount("exempt_income"):
            tax_lines.append(("Exempt income 免税收入", amount("exempt_income"), False))
        tax_lines += [
            (f"{prefix}asic deduction {zh}减除费用", amount("basic_deduction"), False),
            (("Cumulative t" if cumulative else "T") + f"axable income {zh}应纳税所得额", max(amount("wage_taxable"), 0),
             False),
            ("Rate 税率", ppm_to_percent(amount('wage_rate')), False),
            ("Quick deduction 速算扣除数", amount("wage_quick_deduction"), False),
        ]
        if cumulative:
            tax_lines += [("Tax to date 累计应纳税额", amount("wage_tax_to_date"), False),
                          ("Withheld in earlier months 已预扣预缴税额",
                           amount("wage_withheld_to_date") - amount("wage_tax"), False)]
        tax_lines.append(("Wage tax this month 本月工资薪金个税", amount("wage_tax"), True))
    for k, text in (("bonus_tax", "Tax on bonus taxed separately 全年一次性奖金个税"),
                    ("labour_tax", "Tax on labour remuneration 劳务报酬个税"), ("equity_tax", "Tax on equity income 股权激励个税")):
        if amount(k):
            tax_lines.append((text, amount(k), True))
    if tax_lines:
        story += [KeepTogether([para("Income tax 个人所得税计算", heading), money_table(tax_lines)])]

    employer_lines = [(f"{en} (employer) {zh}（单位）", amount(f"employer_{scheme}"), False)
                      for scheme, en, zh in SCHEME_ROWS if amount(f"employer_{scheme}")]
    if amount("employer_makeup"):
        employer_lines.append((MAKEUP_LINE.format(side="employer", zh="单位"), amount("employer_makeup"), False))
    employer_lines += [("Employer contributions 单位缴费合计", amount("employer_contributions"), False),
                       ("Total employer cost 用工总成本", amount("employer_cost"), True)]
    story += [KeepTogether([para("Paid by the employer (for information) 单位缴纳（仅供参考）", heading),
                            money_table(employer_lines)])]

    if notes:
        story += [KeepTogether([para("Notes on the figures 数据说明", heading)]
                               + [para(f"• {line}", small) for line in notes])]

    steps = [s for s in (trace or ()) if _field(s, "month") in (number, None if number == 12 else -1)]
    if steps:
        story += [PageBreak(), para("Calculation trace 计算过程", heading),
                  para(f"The steps of {key} as the engines took them, each with the law table entry it used "
                       "(table, dates in force, source). 当月计算步骤及所依据的法规。", small), Spacer(1, 2 * mm)]
        data = [[para("Step 步骤", bold), Paragraph("Amount", bold_right), para("How 说明", bold)]]
        for step in steps:
            shown = _field(step, "amount")
            shown = "" if shown is None else (fen_to_str(shown) if isinstance(shown, numbers.Integral) else str(shown))
            how = _field(step, "how") or ""
            laws = _field(step, "law") or []
            law_text = "; ".join(_law_text(x) for x in laws)
            cell = [para(how, small)] + ([para("Law 法规: " + law_text, small)] if law_text else [])
            data.append([para(_field(step, "label"), small), Paragraph(shown, ParagraphStyle("sr", parent=small,
                                                                                               alignment=TA_RIGHT)), cell])
        table = Table(data, colWidths=(62 * mm, 26 * mm, 86 * mm), repeatRows=1)
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D7E0")),
                                   ("BACKGROUND", (0, 0), (-1, 0), light), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)

    story += [Spacer(1, 6 * mm), para(
        "Figures computed by expatcn from the law tables in force for the month; the trace lists each step and "
        "its legal source. 本工资单数据依据当月有效的法规表计算。", small)]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(LATIN_FONT, 7)
        canvas.setFillColor(colors.HexColor("#666666"))
        note = Paragraph(_markup(f"{employer}  ·  {key}  ·  {record.number}" if employer else f"{key}  ·  {record.number}"),
                         ParagraphStyle("foot", parent=small, fontSize=7, textColor=colors.HexColor("#666666")))
        note.wrapOn(canvas, 140 * mm, 10 * mm)
        note.drawOn(canvas, 18 * mm, 9 * mm)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"Payslip {key} {record.number}", author=employer or "expatcn",
                            invariant=1)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


_URL = re.compile(r"\s*<https?://[^>]*>")


def _law_text(ref: Any) -> str:
    """A law reference, short: table, dates in force, confidence and the sources' titles and
    document numbers (the URLs are in the law tables and the JSON trace, not on the payslip)."""
    if isinstance(ref, str):
        return _URL.sub("", ref)
    until = f"..{ref.end}" if ref.end else ".."
    low = "" if ref.confidence == "high" else f" [confidence: {ref.confidence}]"
    cites = "; ".join(", ".join(x for x in (s.title, s.document, s.section) if x) for s in ref.sources)
    return f"{ref.table} ({ref.start}{until}){low}: {cites}"


def _field(step: Any, name: str) -> Any:
    if isinstance(step, Mapping):
        return step.get(name)
    return getattr(step, name, None)


def write_payslip_pdf(record: Any, row: Mapping[str, Any], month: str, path: Target, *, employer: str = "",
                      trace: Sequence[Any] | None = None) -> Path | InMemory:
    """One employee's payslip to ``path``. ``record``: an employee record (dict or object);
    ``row``: that employee's figures (column → fen)."""
    rec = as_records([record])[0]
    pdf = render_payslip(rec, row, month, employer=employer, trace=trace)
    return save(target(path), lambda handle: handle.write(pdf))


def _render(args: tuple) -> bytes:
    record, row, month, employer, trace, notes = args
    return render_payslip(record, row, month, employer=employer, trace=trace, notes=notes)


def write_payslips(records: Any, figures: Any, month: str, path: Target, *, employer: str = "",
                   traces: Mapping[str, Sequence[Any]] | None = None, workers: int = 1,
                   notes: Mapping[str, Sequence[str]] | None = None) -> Path | InMemory:
    """Every employee's payslip for ``month`` (``"2026-03"``) as PDFs in one zip file at ``path``.

    traces: employee_id → trace steps (``explain_month(result, person)`` or ``explain_person``);
    given, each payslip ends with that month's steps. notes: employee_id → lines on the figures.
    workers: processes rendering in parallel (a payslip takes ~0.08 s on one core, ~0.3 s with
    its trace); the zip is the same either way."""
    recs = as_records(records)
    fig = as_figures(figures, recs)
    key, _, _ = _month_label(month)
    jobs = (
        (record, {name: (values[i].item() if hasattr(values[i], "item") else values[i])
                  for name, values in fig.columns.items()}, key, employer, (traces or {}).get(record.employee_id),
         (notes or {}).get(record.employee_id, ()))
        for i, record in enumerate(recs)
    )

    def write(handle: BinaryIO) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            if workers > 1 and len(recs) > 1:
                from concurrent.futures import ProcessPoolExecutor

                with ProcessPoolExecutor(max_workers=workers) as pool:
                    pdfs = pool.map(_render, jobs, chunksize=max(1, min(64, len(recs) // (4 * workers))))
                    _store(archive, recs, pdfs, key)
            else:
                _store(archive, recs, map(_render, jobs), key)

    path = save(target(path), write)
    log.info("wrote %s (%d payslips)", path, len(recs))
    return path


def _store(archive: zipfile.ZipFile, recs: list[EmployeeRecord], pdfs, key: str) -> None:
    for record, pdf in zip(recs, pdfs):
        info = zipfile.ZipInfo(payslip_filename(record, key), date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, pdf)
        log.debug("payslip %s for %s", key, mask_id(record.id_number))


__all__ = ["payslip_filename", "render_payslip", "write_payslip_pdf", "write_payslips"]
