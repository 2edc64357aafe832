"""The monthly withholding report, laid out as the STA withholding client's import sheets.

The STA's withholding client (自然人电子税务局（扣缴端）) imports Excel files in its own template
layouts; the STA publishes no specification, so the layouts come from copies of the client's
templates and from code that mirrors them, as collected in the project's reference notes
``STA_CLIENT_TEMPLATES.md`` (see ``docs/notes/issue-6-exports.md``):

* Residents — 综合所得申报 → 正常工资薪金所得, sheet ``正常工资薪金收入`` (reference §2). The
  default is variant **V5** (30 columns, with ``住房公积金调整`` between 律师办案费用 and
  西藏附加减除费用): the BIFF8 builder that states it builds "the exact two-sheet BIFF8 shape of
  the tax-authority template" (sheet names ``正常工资薪金收入`` + ``填表说明``), corroborated as
  the newer layout by a parser of the client's own export whose legacy header list is the same
  minus ``住房公积金调整``. ``variant="V4"`` writes the 29-column layout (three concordant
  sources, the TaxGen copy of the client's ``正常工资薪金所得.xls`` among them) for a client that
  predates the adjustment column. Header row 1, data from row 2; only ``*姓名``, ``*证件类型``,
  ``*证件号码`` are mandatory (red, ``*``); amounts are current-period figures except the
  ``累计…`` special additional deductions, which are year to date.
* Non-residents — 分类所得申报 → 非居民所得申报 → 工资薪金, sheet ``无住所个人正常工资薪金收入``,
  15 columns (reference §4.1, read from a client template file).
* Annual one-off bonus taxed on its own — sheet ``全年一次性奖金收入``, the current 11 columns
  (reference §3).

The client computes the tax itself from these figures; the engine's own tax is for checking
(``check=True`` adds a last sheet ``核对 Check``, after the template's two). Nothing here
computes a figure: each cell is a figure of the engines (see :mod:`expatcn.io.exports.figures`)
or a sum of them (the SI items and the housing fund's tax-free part). ID numbers are written
in full — the STA matches them — and are text cells so that no digit is lost.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from expatcn.io.exports.common import (
    Column,
    EmployeeRecord,
    ExportError,
    Figures,
    InMemory,
    Target,
    as_figures,
    as_records,
    log,
    save,
    write_table,
)
from expatcn.io.exports.figures import SAD_KINDS

RESIDENT_SHEET = "正常工资薪金收入"
NONRESIDENT_SHEET = "无住所个人正常工资薪金收入"
BONUS_SHEET = "全年一次性奖金收入"
NOTES_SHEET = "填表说明"
# The 填表说明 sheet's own text (template file in ksmn1133/Travel-Tracker, reference §0).
NOTES = (
    "1、模板中标识为红色带*号的栏目为必填项，导入时不能为空！",
    "2、部分栏目内容需从如下表格中选择，否则系统禁止导入！",
    "金额栏数据格式填写说明：小数点后保留两位，多于两位的数据自动四舍五入",
)

# 正常工资薪金所得, variant V5 (reference §2, 30 columns) — header text exactly as the client's.
RESIDENT_HEADERS_V5 = (
    "工号", "*姓名", "*证件类型", "*证件号码", "本期收入", "本期免税收入", "基本养老保险费", "基本医疗保险费",
    "失业保险费", "住房公积金", "累计子女教育", "累计继续教育", "累计住房贷款利息", "累计住房租金", "累计赡养老人",
    "累计3岁以下婴幼儿照护", "累计个人养老金", "企业(职业)年金", "商业健康保险", "税延养老保险", "公务交通费用",
    "通讯费用", "律师办案费用", "住房公积金调整", "西藏附加减除费用", "其他", "准予扣除的捐赠额", "减免税额",
    "协定减免", "备注",
)
RESIDENT_HEADERS_V4 = tuple(h for h in RESIDENT_HEADERS_V5 if h != "住房公积金调整")  # 29 columns
RESIDENT_VARIANTS = {"V5": RESIDENT_HEADERS_V5, "V4": RESIDENT_HEADERS_V4}

# 无住所个人正常工资薪金收入 (reference §4.1, 15 columns).
NONRESIDENT_HEADERS = (
    "工号", "*姓名", "*证件类型", "*证件号码", "适用公式", "收入", "境内工作天数", "境外工作天数", "境内支付",
    "境外支付", "免税收入", "其他", "准予扣除的捐赠额", "减免税额", "备注",
)

# 全年一次性奖金收入, current (reference §3, 11 columns).
BONUS_HEADERS = (
    "工号", "*姓名", "*证件类型", "*证件号码", "*全年一次性奖金额", "免税收入", "其他", "准予扣除的捐赠额",
    "减免税额", "协定减免", "备注",
)

# *证件类型: codes accepted in records → the client's labels (reference §0, the resident
# salary template's 13 values). A record may also give the label itself.
ID_TYPES = {
    "resident_id": "居民身份证",
    "hk_macau_permit": "港澳居民来往内地通行证",
    "hk_macau_permit_foreign": "港澳居民来往内地通行证（非中国籍）",
    "hk_macau_residence": "中华人民共和国港澳居民居住证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "taiwan_residence": "中华人民共和国台湾居民居住证",
    "prc_passport": "中国护照",
    "passport": "外国护照",
    "foreign_passport": "外国护照",
    "foreigner_permanent_residence": "外国人永久居留身份证（外国人永久居留证）",
    "work_permit_a": "中华人民共和国外国人工作许可证（A类）",
    "work_permit_b": "中华人民共和国外国人工作许可证（B类）",
    "work_permit_c": "中华人民共和国外国人工作许可证（C类）",
    "other": "其他个人证件",
}
ID_LABELS = frozenset(ID_TYPES.values())
# The payroll sheets' Chinese labels that are short forms of the client's.
_ALIASES = {"护照": "外国护照", "外国人永久居留身份证": "外国人永久居留身份证（外国人永久居留证）"}

TEXT_COLUMNS = {"工号", "*姓名", "*证件类型", "*证件号码", "适用公式", "备注"}
INT_COLUMNS = {"境内工作天数", "境外工作天数"}


def id_type_label(record: EmployeeRecord) -> str:
    """The client's *证件类型 label for the record (code, label or a known short form)."""
    value = record.id_type.strip()
    label = ID_TYPES.get(value.lower(), _ALIASES.get(value, value))
    if label == "外国护照" and value != "外国护照" and record.nationality.strip().upper() in ("CN", "CHN", "中国"):
        label = "中国护照"  # a plain "passport" of a Chinese national
    if label not in ID_LABELS:
        raise ExportError(f"employee {record.employee_id}: id_type {value!r} is not one the STA client accepts; "
                          f"use one of {', '.join(sorted(set(ID_TYPES)))} or the client's label")
    return label


def _columns(headers: tuple[str, ...]) -> list[Column]:
    out = []
    for header in headers:
        kind = "text" if header in TEXT_COLUMNS else "int" if header in INT_COLUMNS else "amount"
        width = 22 if header == "*证件号码" else 12 if kind == "amount" else 14
        out.append(Column(header, kind, width, required=header.startswith("*")))
    return out


def _identity(record: EmployeeRecord) -> list[Any]:
    if not record.name or not record.id_number:
        raise ExportError(f"employee {record.employee_id}: the filing sheet needs the name and ID number")
    return [record.number, record.name, id_type_label(record), record.id_number]


def _optional(fig: Figures, name: str) -> np.ndarray | list[None]:
    return fig[name] if fig.has(name) else [None] * fig.size


def resident_rows(records: list[EmployeeRecord], fig: Figures, headers: tuple[str, ...],
                  sad: str = "error") -> list[list[Any]]:
    """Rows of the 正常工资薪金收入 sheet for the resident employees (figures in fen)."""
    fig.require(("resident", "income", "exempt_income", "employee_pension", "employee_medical",
                 "employee_unemployment", "employee_deduction", "employee_social", "other_deductions",
                 "tax_reductions"), "withholding report")
    housing_fund = fig["employee_deduction"] - fig["employee_social"]  # the tax-free part (专项扣除)
    medical = fig["employee_medical"] + fig.get("employee_maternity")
    items = fig["employee_pension"] + medical + fig["employee_unemployment"] + housing_fund
    if fig.has("special_deductions"):
        off = np.flatnonzero(fig["resident"] & (items != fig["special_deductions"]))
        if off.size:
            raise ExportError(f"withholding report: employee {records[off[0]].employee_id}: pension + medical + "
                              f"unemployment + housing fund ({items[off[0]]} fen) differ from the IIT special "
                              f"deductions ({fig['special_deductions'][off[0]]} fen)")
    kinds = [f"sad_{k}_ytd" for k in SAD_KINDS]
    has_kinds = any(fig.has(k) for k in kinds)
    if not has_kinds and sad != "blank":
        claimed = (fig.get("sad_ytd") > 0) | (fig.get("special_additional_deductions") > 0)
        claims = np.flatnonzero(fig["resident"] & claimed)
        if claims.size:
            raise ExportError(
                f"withholding report: employee {records[claims[0]].employee_id} has special additional deductions "
                "but the figures do not say of which kind (sad_<kind>_ytd columns); pass them, or sad='blank' to "
                "leave the 累计 columns empty for the client to fill from the employees' declarations")
    if has_kinds and fig.has("sad_ytd"):
        total = sum(fig.get(k) for k in kinds)
        off = np.flatnonzero(fig["resident"] & (total != fig["sad_ytd"]))
        if off.size:
            raise ExportError(f"withholding report: employee {records[off[0]].employee_id}: the SAD by kind do not "
                              "add up to the engine's year-to-date SAD")
    named = fig.get("annuity") + fig.get("health_insurance") + fig.get("tax_deferred_pension")
    other = fig["other_deductions"] - named
    if (other < 0).any():
        at = int(np.flatnonzero(other < 0)[0])
        raise ExportError(f"withholding report: employee {records[at].employee_id}: annuity + health insurance + "
                          "tax-deferred pension exceed the other deductions")
    source = {
        "本期收入": fig["income"], "本期免税收入": fig["exempt_income"], "基本养老保险费": fig["employee_pension"],
        "基本医疗保险费": medical, "失业保险费": fig["employee_unemployment"], "住房公积金": housing_fund,
        "累计子女教育": "children_education", "累计继续教育": "continuing_education",
        "累计住房贷款利息": "housing_loan_interest", "累计住房租金": "housing_rent", "累计赡养老人": "elderly_support",
        "累计3岁以下婴幼儿照护": "infant_care", "累计个人养老金": "personal_pension",
        "企业(职业)年金": _optional(fig, "annuity"), "商业健康保险": _optional(fig, "health_insurance"),
        "税延养老保险": _optional(fig, "tax_deferred_pension"), "其他": other,
        "准予扣除的捐赠额": _optional(fig, "donations"), "减免税额": fig["tax_reductions"],
        "协定减免": _optional(fig, "treaty_relief"), "备注": _optional(fig, "remark"),
    }
    rows = []
    for i, record in enumerate(records):
        if not fig["resident"][i]:
            continue
        row = _identity(record)
        for header in headers[4:]:
            value = source.get(header)
            if isinstance(value, str):  # a SAD kind, year to date
                key = f"sad_{value}_ytd"
                row.append(int(fig[key][i]) if fig.has(key) else (0 if has_kinds else None))
            elif value is None:
                row.append(None)  # a column the engines have no figure for (公务交通费用 …)
            else:
                item = value[i]
                row.append(None if item is None else item if isinstance(item, str) else int(item))
        rows.append(row)
    return rows


def write_withholding_report(records: Any, figures: Any, path: Target, *, variant: str = "V5",
                             sad: str = "error", check: bool = False) -> Path | InMemory:
    """The month's 正常工资薪金所得 import sheet for the **resident** employees (non-residents
    go to :func:`write_nonresident_withholding_report`), to ``path`` (``.xlsx`` or ``.csv``).

    records: employee records (:class:`~expatcn.io.exports.common.EmployeeRecord` fields);
    figures: the month's figures in fen (:mod:`expatcn.io.exports.figures`: ``resident``,
    ``income``, ``exempt_income``, the employee's contributions per scheme, ``employee_deduction``,
    ``employee_social``, ``other_deductions``, ``tax_reductions``, ``sad_<kind>_ytd``…).
    variant: ``"V5"`` (30 columns, default) or ``"V4"`` (29, without 住房公积金调整).
    sad: ``"error"`` (default) when SAD are claimed but not split by kind; ``"blank"`` to leave
    the 累计 SAD columns empty (the client then uses the employees' own declarations).
    check: add a ``核对 Check`` sheet with the engine's tax for comparing with the client's."""
    headers = RESIDENT_VARIANTS.get(variant)
    if headers is None:
        raise ExportError(f"variant must be one of {', '.join(RESIDENT_VARIANTS)}, got {variant!r}")
    if sad not in ("error", "blank"):
        raise ExportError("sad must be 'error' or 'blank'")
    recs = as_records(records)
    fig = as_figures(figures, recs)
    rows = resident_rows(recs, fig, headers, sad)
    path = write_table(path, RESIDENT_SHEET, _columns(headers), rows, notes_sheet=(NOTES_SHEET, NOTES))
    if check and path.suffix.lower() == ".xlsx":
        _add_check_sheet(path, recs, fig)
    log.info("withholding report: %d resident employee(s)", len(rows))
    return path


def write_nonresident_withholding_report(records: Any, figures: Any, path: Target) -> Path | InMemory:
    """The month's 无住所个人正常工资薪金收入 sheet for the **non-resident** employees.

    收入 is the engine's wage income of the month (``income``: the China-sourced wages after
    apportionment); 适用公式, 境内/境外工作天数 and 境内/境外支付 are filled when the figures
    give ``nr_formula``, ``china_work_days``, ``overseas_work_days``, ``paid_in_china``,
    ``paid_abroad`` (the accepted 适用公式 strings are not confirmed — see the notes)."""
    recs = as_records(records)
    fig = as_figures(figures, recs)
    fig.require(("resident", "income", "exempt_income", "other_deductions", "tax_reductions"),
                "non-resident withholding report")
    source = {
        "适用公式": _optional(fig, "nr_formula"), "收入": fig["income"],
        "境内工作天数": _optional(fig, "china_work_days"), "境外工作天数": _optional(fig, "overseas_work_days"),
        "境内支付": _optional(fig, "paid_in_china"), "境外支付": _optional(fig, "paid_abroad"),
        "免税收入": fig["exempt_income"], "其他": fig["other_deductions"],
        "准予扣除的捐赠额": _optional(fig, "donations"), "减免税额": fig["tax_reductions"],
        "备注": _optional(fig, "remark"),
    }
    rows = []
    for i, record in enumerate(recs):
        if fig["resident"][i]:
            continue
        row = _identity(record)
        for header in NONRESIDENT_HEADERS[4:]:
            item = source[header][i]
            row.append(None if item is None or (isinstance(item, str) and not item) else
                       item if isinstance(item, str) else int(item))
        rows.append(row)
    columns = _columns(NONRESIDENT_HEADERS)
    return write_table(path, NONRESIDENT_SHEET, columns, rows, notes_sheet=(NOTES_SHEET, NOTES))


def write_annual_bonus_report(records: Any, figures: Any, path: Target) -> Path | InMemory:
    """The 全年一次性奖金收入 sheet: residents whose annual one-off bonus of the month is taxed on
    its own (``bonus_separate`` > 0). A bonus joined with wages is in 本期收入 instead."""
    recs = as_records(records)
    fig = as_figures(figures, recs)
    fig.require(("resident", "bonus_separate"), "annual bonus report")
    rows = []
    for i, record in enumerate(recs):
        if fig["resident"][i] and fig["bonus_separate"][i] > 0:
            rows.append(_identity(record) + [int(fig["bonus_separate"][i]), None, None, None, None, None, None])
    return write_table(path, BONUS_SHEET, _columns(BONUS_HEADERS), rows, notes_sheet=(NOTES_SHEET, NOTES))


CHECK_HEADERS = (
    ("工号 Employee no.", "text"), ("姓名 Name", "text"), ("累计应纳税所得额 Taxable to date", "amount"),
    ("税率 Rate", "rate"), ("速算扣除数 Quick deduction", "amount"), ("累计应纳税额 Tax to date", "amount"),
    ("累计已预扣预缴 Withheld to date", "amount"), ("本月工资薪金个税 Wage tax this month", "amount"),
    ("本月个税合计 IIT this month", "amount"),
)


def _add_check_sheet(path: Path | InMemory, recs: list[EmployeeRecord], fig: Figures) -> None:
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from expatcn.io.exports.common import AMOUNT_FORMAT, RATE_FORMAT, TEXT_FORMAT, cell_value, text_cell

    book = load_workbook(io.BytesIO(path.content) if isinstance(path, InMemory) else path)
    sheet = book.create_sheet("核对 Check")
    sheet.append([h for h, _ in CHECK_HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    names = ("wage_taxable", "wage_rate", "wage_quick_deduction", "wage_tax_to_date", "wage_withheld_to_date",
             "wage_tax", "iit")
    for i, record in enumerate(recs):
        if not fig["resident"][i]:
            continue
        values = [record.number, record.name] + [int(fig.get(n)[i]) for n in names]
        values[2] = max(values[2], 0)
        sheet.append([cell_value(v, kind) for v, (_, kind) in zip(values, CHECK_HEADERS)])
        for cell, (_, kind) in zip(sheet[sheet.max_row], CHECK_HEADERS):
            cell.number_format = {"amount": AMOUNT_FORMAT, "rate": RATE_FORMAT}.get(kind, TEXT_FORMAT)
            text_cell(cell)
    save(path, book.save)
