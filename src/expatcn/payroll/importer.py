"""Excel and CSV templates and their import: roster (employees, and the employer), pay items,
trips, declared special additional deductions.

Headers are bilingual: a column is recognised by its English name, its Chinese name, or both as
the template writes them (``Employee ID / 工号``). Every cell is checked before anything is
written; the errors name the file, the sheet, the row and the column and say what was expected.
The whole file is written in one transaction, and rows are upserted by their natural keys
(employee ID; employee + month + kind; employee + trip entry; employee + year + first month), so
importing the same file twice changes nothing the second time.

A pay item of a closed month cannot be changed by import: that is a correction
(``expatcn correct YYYY-MM --file …``), which records what changed.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, select, tuple_, update

from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.iit.special_additional import Claims
from expatcn.money import RATE_SCALE, MoneyError, rate_to_ppm, yuan_to_fen
from expatcn.payroll.db import PayrollError, write_transaction
from expatcn.payroll.models import DeductionDeclaration, Employee, Employer, PayItem, Run, Trip
from expatcn.social.contributions import cities

# --- columns ------------------------------------------------------------------------------------


class CellError(InputError):
    """A cell that does not hold the expected form (message: what was expected)."""


@dataclass(frozen=True)
class Column:
    field: str
    en: str
    zh: str
    parse: Callable[[Any], Any]
    form: str
    required: bool = False

    @property
    def header(self) -> str:
        return f"{self.en} / {self.zh}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(limit: int) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        if _blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if len(text) > limit:
            raise CellError(f"at most {limit} characters")
        return text

    return parse


def _bool(value: Any) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "1", "是", "x"):
        return True
    if text in ("no", "n", "false", "0", "否"):
        return False
    raise CellError("yes or no (是 / 否)")


def _date(value: Any) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise CellError("a date YYYY-MM-DD") from None


def _datetime(value: Any) -> dt.datetime | None:
    if _blank(value):
        return None
    from expatcn.io.trips import parse_when

    try:
        return parse_when(value)
    except ValueError:
        raise CellError("a date YYYY-MM-DD or date-time YYYY-MM-DD HH:MM") from None


def _month(value: Any) -> tuple[int, int] | None:
    if _blank(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, value.month
    text = str(value).strip()
    if len(text) not in (7, 10):  # YYYY-MM, or a day in the month
        raise CellError("a month YYYY-MM")
    try:
        return tuple(Month.parse(text[:7]))
    except InputError:
        raise CellError("a month YYYY-MM") from None


def _period_day(last: bool) -> Callable[[Any], dt.date | None]:
    """A day ``YYYY-MM-DD``, or a month ``YYYY-MM``: its first (``last`` false) or last day."""

    def parse(value: Any) -> dt.date | None:
        try:
            if _blank(value) or isinstance(value, dt.date) or len(str(value).strip()) != 7:
                return _date(value)
            period = Month(*_month(value))
        except CellError:
            raise CellError("a date YYYY-MM-DD or a month YYYY-MM") from None
        return period.last if last else period.first

    return parse


def _amount(value: Any) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        fen = yuan_to_fen(str(value).strip().replace(",", ""))
    except MoneyError:
        raise CellError("an amount in yuan with at most two decimals, e.g. 12345.67") from None
    if fen < 0:
        raise CellError("an amount ≥ 0")
    return fen


def _rate(value: Any) -> Decimal | None:
    if _blank(value):
        return None
    try:
        ppm = rate_to_ppm(repr(value) if isinstance(value, float) else value)
        if not 0 <= ppm <= RATE_SCALE:
            raise MoneyError
    except MoneyError:
        raise CellError("a rate such as 0.0016 or 0.16%") from None
    return Decimal(ppm) / RATE_SCALE


def _country(value: Any) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip().upper()
    if len(text) != 2 or not text.isalpha():
        raise CellError("a two-letter country code (ISO 3166), e.g. DE")
    return text


def _int(low: int, high: int) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        if _blank(value):
            return None
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value() or not low <= number <= high:
                raise InvalidOperation
        except InvalidOperation:
            raise CellError(f"a whole number {low}–{high}") from None
        return int(number)

    return parse


def _choice(*choices: str, labels: dict[str, str] | None = None) -> Callable[[Any], str | None]:
    labels = labels or {}

    def parse(value: Any) -> str | None:
        if _blank(value):
            return None
        text = str(value).strip()
        key = labels.get(text, text.lower())
        if key not in choices:
            raise CellError(" or ".join(choices))
        return key

    return parse


ID_TYPES = {"passport": "护照", "resident_id": "居民身份证", "hk_macau_permit": "港澳居民来往内地通行证",
            "taiwan_permit": "台湾居民来往大陆通行证", "foreigner_permanent_residence": "外国人永久居留身份证"}

# The kinds of pay item, with the sheet's Chinese labels. The allowances are the kinds of
# iit.allowances.exempt_kinds (law table iit/expat_allowance_exemption decides whether, and when);
# a test checks that every kind of the table has a label here.
PAY_KINDS = {
    "salary": "工资薪金",
    "paid_abroad": "境外支付部分",
    "housing": "住房补贴",
    "meals": "伙食补贴",
    "laundry": "洗衣费",
    "relocation": "搬迁费",
    "business_travel": "出差补贴",
    "home_leave": "探亲费",
    "language_training": "语言训练费",
    "children_education": "子女教育费",
    "bonus": "全年一次性奖金",
    "bonus_paid_abroad": "奖金境外支付部分",
    "labour": "劳务报酬",
    "equity": "股权激励",
    "equity_paid_abroad": "股权激励境外支付部分",
    "other_deductions": "其他扣除",
    "tax_reductions": "减免税额",
    "contribution_wage": "缴费工资",
    "special_additional_deductions": "专项附加扣除",
}

EMPLOYER = (
    Column("name", "Employer name", "扣缴义务人名称", _text(200), "text", True),
    Column("tax_number", "Tax number", "纳税人识别号", _text(40), "the unified social credit code", True),
    Column("city", "City", "城市", _text(40), "a city with social insurance law tables, e.g. shanghai", True),
    Column("work_injury_rate", "Work-injury rate", "工伤保险费率", _rate, "the rate of the employer's industry class, e.g. 0.0016; blank: the lowest class"),
    Column("housing_fund_rate", "Housing fund rate", "住房公积金缴存比例", _rate, "e.g. 0.07; blank: the city's highest"),
)

ROSTER = (
    Column("code", "Employee ID", "工号", _text(40), "the employer's ID for the employee", True),
    Column("name", "Name", "姓名", _text(200), "text", True),
    Column("id_type", "ID type", "证件类型", _choice(*ID_TYPES, labels={v: k for k, v in ID_TYPES.items()}),
           " or ".join(ID_TYPES), True),
    Column("id_number", "ID number", "证件号码", _text(40), "the passport or ID number", True),
    Column("nationality", "Nationality", "国籍", _country, "a two-letter country code, e.g. CN, DE", True),
    Column("hire_date", "Hire date", "任职受雇日期", _date, "a date YYYY-MM-DD", True),
    Column("leave_date", "Leave date", "离职日期", _date, "a date YYYY-MM-DD, or blank"),
    Column("domiciled", "Domiciled in China", "境内有住所", _bool, "yes or no (blank: yes for CN nationals)"),
    Column("resident", "Resident", "居民个人", _bool, "yes or no; blank: decided from the trips"),
    Column("treaty_country", "Treaty country", "税收协定缔约国", _country, "a two-letter code, or blank"),
    Column("executive", "Executive", "高管人员", _bool, "yes or no"),
    Column("allowance_election", "Allowance exemption elected", "选择享受津补贴免税", _bool, "yes or no"),
    Column("bonus_method", "Bonus method", "全年一次性奖金计税方式",
           _choice("separate", "combined", "lower_tax", labels={"单独计税": "separate", "并入综合所得": "combined", "择优": "lower_tax"}),
           "separate, combined or lower_tax"),
    Column("certificate_from", "SSA certificate from", "社保互免证明起始", _date, "a date YYYY-MM-DD, or blank"),
    Column("certificate_until", "SSA certificate until", "社保互免证明截止", _date, "a date YYYY-MM-DD, or blank"),
    Column("local_hukou", "Local hukou", "本地户籍", _bool, "yes or no"),
    Column("housing_fund", "Housing fund", "缴存住房公积金", _bool, "yes or no (blank: yes for CN nationals, no for foreigners)"),
    Column("opt_in", "Opt in to optional schemes", "自愿参加可选险种", _bool, "yes or no"),
    Column("first_income_this_year", "First income this year", "年度首次取得工资薪金", _bool,
           "yes or no: no wage income from any employer earlier this year (STA 2020 No. 13)"),
    Column("low_income_last_year", "Low income last year", "上年收入不超过6万元", _bool,
           "yes or no: with this employer all last year, income ≤ 60,000 (STA 2020 No. 19)"),
)

PAY = (
    Column("code", "Employee ID", "工号", _text(40), "an employee ID of the roster", True),
    Column("month", "Month", "所属期", _month, "a month YYYY-MM", True),
    Column("kind", "Kind", "项目", _choice(*PAY_KINDS, labels={v: k for k, v in PAY_KINDS.items()}),
           "one of " + ", ".join(PAY_KINDS), True),
    Column("amount", "Amount (CNY)", "金额（元）", _amount, "an amount in yuan ≥ 0 with at most two decimals", True),
    Column("period_from", "Period from", "归属期间起", _period_day(last=False),
           "bonus or equity only: first day YYYY-MM-DD or month YYYY-MM of the period it relates to; blank: the month paid"),
    Column("period_to", "Period to", "归属期间止", _period_day(last=True),
           "bonus or equity only: last day YYYY-MM-DD or month YYYY-MM of that period (in or before the pay year)"),
)
PERIOD_KINDS = ("bonus", "equity")  # pay items that may relate to a period other than their month

TRIPS = (
    Column("code", "Employee ID", "工号", _text(40), "an employee ID of the roster", True),
    Column("entry", "Entry", "入境", _datetime, "a date YYYY-MM-DD or date-time YYYY-MM-DD HH:MM", True),
    Column("exit", "Exit", "出境", _datetime, "a date or date-time; blank: still in China"),
    Column("note", "Note", "备注", _text(500), "text"),
)

DEDUCTIONS = (
    Column("code", "Employee ID", "工号", _text(40), "an employee ID of the roster", True),
    Column("year", "Year", "年度", _int(2019, 2100), "a year 2019 or later", True),
    Column("from_month", "From month", "起始月份", _int(1, 12), "1–12", True),
    Column("to_month", "To month", "截止月份", _int(1, 12), "1–12 (blank: 12)"),
    Column("children_education", "Children in education", "子女教育（人数）", _int(0, 20), "a number of children"),
    Column("infant_care", "Infants under three", "3岁以下婴幼儿照护（人数）", _int(0, 20), "a number of children"),
    Column("elderly_support", "Elderly support", "赡养老人", _text(20), "none, only_child, or the monthly share in yuan"),
    Column("housing_rent_tier", "Housing rent tier", "住房租金（档次）", _int(0, 3), "0–3"),
    Column("housing_loan_interest", "Housing loan interest", "住房贷款利息", _bool, "yes or no"),
    Column("continuing_education", "Continuing education", "继续教育", _bool, "yes or no"),
)

KINDS: dict[str, tuple[Column, ...]] = {
    "employer": EMPLOYER, "roster": ROSTER, "pay": PAY, "trips": TRIPS, "deductions": DEDUCTIONS,
}
SHEET_NAMES = {"employer": "Employer 扣缴义务人", "roster": "Employees 员工", "pay": "Pay 工资",
               "trips": "Trips 出入境", "deductions": "Deductions 专项附加扣除"}
HELP_SHEET = "Help 说明"


def _header_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    index = {}
    for c in columns:
        for name in (c.field, c.en, c.zh, c.header, f"{c.en}/{c.zh}"):
            index[_norm(name)] = c
    return index


def _norm(header: Any) -> str:
    return " ".join(str(header or "").replace("（", "(").replace("）", ")").split()).lower().replace(" / ", "/")


def detect_kind(headers: list[str]) -> str | None:
    """The kind of a sheet from its headers (the columns only one kind has)."""
    names = {_norm(h) for h in headers}

    def has(kind: str, fld: str) -> bool:
        column = next(c for c in KINDS[kind] if c.field == fld)
        return bool(names & {_norm(column.field), _norm(column.en), _norm(column.zh), _norm(column.header)})

    if has("pay", "kind"):
        return "pay"
    if has("trips", "entry"):
        return "trips"
    if has("deductions", "from_month"):
        return "deductions"
    if has("employer", "tax_number"):
        return "employer"
    if has("roster", "id_number"):
        return "roster"
    return None


# --- templates ----------------------------------------------------------------------------------


def write_template(kind: str, out: Path) -> Path:
    """An empty template: ``.xlsx`` (bilingual headers, a help sheet with the expected forms; the
    roster workbook has the employer sheet too) or ``.csv`` (headers only)."""
    if kind not in ("roster", "pay", "trips", "deductions", "employer"):
        raise PayrollError(f"unknown template {kind!r}: expected roster, pay, trips, deductions or employer")
    kinds = ["employer", "roster"] if kind == "roster" and out.suffix.lower() == ".xlsx" else [kind]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        with out.open("w", newline="", encoding="utf-8-sig") as handle:
            csv.writer(handle).writerow([c.header for c in KINDS[kind]])
        return out
    if out.suffix.lower() != ".xlsx":
        raise PayrollError(f"{out}: expected a .xlsx or .csv file name")
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    help_rows = [("sheet", "column", "required", "expected")]
    for k in kinds:
        sheet = book.create_sheet(SHEET_NAMES[k])
        for i, column in enumerate(KINDS[k], start=1):
            cell = sheet.cell(row=1, column=i, value=column.header)
            cell.font = Font(bold=True)
            cell.comment = Comment(column.form, "expatcn")
            sheet.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 4)
            help_rows.append((SHEET_NAMES[k], column.header, "yes" if column.required else "", column.form))
    help_sheet = book.create_sheet(HELP_SHEET)
    for row in help_rows:
        help_sheet.append(row)
    if kind == "pay":
        help_sheet.append(())
        help_sheet.append(("kinds", "项目", "", ""))
        for key, label in PAY_KINDS.items():
            help_sheet.append(("", key, label, ""))
    book.save(out)
    return out


# --- reading ------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One table of a file: where it came from, its kind, and its rows as parsed values."""

    where: str  # "file" or "file, sheet S"
    kind: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row number, values)


class ImportFileError(PayrollError, InputError):
    """A file with invalid cells; ``problems`` lists each (file, sheet, row, column: expected)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f"\n… and more (first {len(problems)} shown)" if len(problems) >= MAX_PROBLEMS else ""
        super().__init__("nothing was imported:\n" + "\n".join(problems) + more)


MAX_PROBLEMS = 20


def _raw_tables(path: Path) -> list[tuple[str, list[Any], Iterable[tuple[int, list[Any]]]]]:
    """(where, header, rows) of each table of a CSV or Excel file."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise PayrollError(f"{path}: no such file")
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        if not rows:
            return []
        return [(str(path), rows[0], ((i + 2, r) for i, r in enumerate(rows[1:])))]
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        tables = []
        for sheet in book.worksheets:
            if sheet.title in (HELP_SHEET, "Help", "说明"):
                continue
            rows = list(sheet.iter_rows(values_only=True))
            if not rows or not any(v is not None for v in rows[0]):
                continue
            tables.append((f"{path}, sheet {sheet.title!r}", list(rows[0]), [(i + 2, list(r)) for i, r in enumerate(rows[1:])]))
        return tables
    raise PayrollError(f"{path}: expected a .xlsx or .csv file, got {path.suffix!r}")


def read_file(path: str | Path, kind: str | None = None) -> list[Sheet]:
    """Parse and check every cell of ``path``; raises :class:`ImportFileError` listing the problems."""
    path = Path(path)
    sheets: list[Sheet] = []
    problems: list[str] = []
    for where, header, rows in _raw_tables(path):
        sheet_kind = kind if kind and path.suffix.lower() == ".csv" else detect_kind(header)
        if sheet_kind is None:
            problems.append(f"{where}, row 1: cannot tell what the sheet holds from its headers; "
                            "expected the headers of a template (expatcn template roster|pay|trips|deductions)")
            continue
        columns = KINDS[sheet_kind]
        index = _header_index(columns)
        positions: list[tuple[int, Column]] = []
        seen: set[str] = set()
        for i, h in enumerate(header):
            if _blank(h):
                continue
            column = index.get(_norm(h))
            if column is None:
                problems.append(f"{where}, row 1, column {h!r}: unknown column; expected "
                                + ", ".join(c.header for c in columns))
                continue
            if column.field in seen:
                problems.append(f"{where}, row 1, column {h!r}: the column appears twice")
            seen.add(column.field)
            positions.append((i, column))
        for column in columns:
            if column.required and column.field not in seen:
                problems.append(f"{where}, row 1: missing column {column.header!r} ({column.form})")
        sheet = Sheet(where, sheet_kind)
        if problems:
            sheets.append(sheet)
            continue
        for row_no, values in rows:
            if all(_blank(v) for v in values):
                continue
            parsed: dict[str, Any] = {}
            for i, column in positions:
                value = values[i] if i < len(values) else None
                try:
                    parsed[column.field] = column.parse(value)
                except CellError as exc:
                    problems.append(f"{where}, row {row_no}, column {column.header!r}: expected {exc}, got {value!r}")
                    continue
                if parsed[column.field] is None and column.required:
                    problems.append(f"{where}, row {row_no}, column {column.header!r}: required ({column.form})")
            sheet.rows.append((row_no, parsed))
            if len(problems) >= MAX_PROBLEMS:
                raise ImportFileError(problems)
        sheets.append(sheet)
    if problems:
        raise ImportFileError(problems[:MAX_PROBLEMS])
    return sheets


# --- writing ------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """Rows per table: inserted, updated, unchanged (and trips removed)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, table: str, what: str, n: int = 1) -> None:
        self.counts.setdefault(table, {"inserted": 0, "updated": 0, "unchanged": 0})
        self.counts[table][what] = self.counts[table].get(what, 0) + n


def import_files(engine: Engine, paths: list[str | Path], kind: str | None = None) -> ImportSummary:
    """Import one or more files in a single transaction (all or nothing)."""
    sheets = [s for p in paths for s in read_file(p, kind)]
    order = ["employer", "roster", "deductions", "trips", "pay"]
    sheets.sort(key=lambda s: order.index(s.kind))
    summary = ImportSummary()
    with write_transaction(engine) as conn:
        problems: list[str] = []
        for sheet in sheets:
            writer = _WRITERS[sheet.kind]
            problems.extend(writer(conn, sheet, summary))
            if problems:
                raise ImportFileError(problems[:MAX_PROBLEMS])  # rolls back everything
    return summary


def the_employer(conn: Connection, tax_number: str | None = None) -> Employer:
    """The withholding agent of the database (there is one, unless ``tax_number`` picks one)."""
    rows = conn.execute(select(Employer)).all()
    employers = [Employer(**r._mapping) for r in rows]
    if tax_number:
        employers = [e for e in employers if e.tax_number == tax_number]
    if not employers:
        raise PayrollError("no employer yet: import the roster workbook (its Employer sheet) or an employer file first"
                           if not tax_number else f"no employer with tax number {tax_number}")
    if len(employers) > 1:
        raise PayrollError("the database holds several employers: name one with --employer TAX_NUMBER")
    return employers[0]


def _write_employer(conn: Connection, sheet: Sheet, summary: ImportSummary) -> list[str]:
    problems = []
    if len(sheet.rows) != 1:
        return [f"{sheet.where}: expected exactly one employer row, found {len(sheet.rows)}"]
    row_no, values = sheet.rows[0]
    values = {k: v for k, v in values.items()}
    from expatcn.law import load_law

    known = cities(load_law())
    if str(values["city"]).lower() not in known:
        return [f"{sheet.where}, row {row_no}, column {EMPLOYER[2].header!r}: expected a city with social insurance "
                f"law tables ({', '.join(known)}), got {values['city']!r}"]
    values["city"] = str(values["city"]).lower()
    existing = conn.execute(select(Employer).where(Employer.tax_number == values["tax_number"])).first()
    if existing is None:
        conn.execute(insert(Employer).values(**values))
        summary.add("employers", "inserted")
    elif any(getattr(existing, k) != v for k, v in values.items()):
        conn.execute(update(Employer).where(Employer.id == existing.id).values(**values))
        summary.add("employers", "updated")
    else:
        summary.add("employers", "unchanged")
    return problems


ROSTER_DEFAULTS = {"domiciled": None, "resident": None, "treaty_country": None, "executive": False,
                   "allowance_election": False, "bonus_method": "separate", "certificate_from": None,
                   "certificate_until": None, "leave_date": None, "local_hukou": False, "housing_fund": None,
                   "opt_in": False, "first_income_this_year": False, "low_income_last_year": False}


def _employee_ids(conn: Connection, employer_id: int) -> dict[str, int]:
    return dict(conn.execute(select(Employee.code, Employee.id).where(Employee.employer_id == employer_id)).all())


def _write_roster(conn: Connection, sheet: Sheet, summary: ImportSummary) -> list[str]:
    employer = the_employer(conn)
    problems: list[str] = []
    seen: dict[str, int] = {}
    records = []
    for row_no, values in sheet.rows:
        record = {**ROSTER_DEFAULTS, **{k: v for k, v in values.items() if v is not None or k in ROSTER_DEFAULTS}}
        for key, default in ROSTER_DEFAULTS.items():
            if record.get(key) is None and default is not None:
                record[key] = default
        if record["domiciled"] is None:
            record["domiciled"] = record["nationality"] == "CN"
        where = f"{sheet.where}, row {row_no}"
        if record["code"] in seen:
            problems.append(f"{where}, column 'Employee ID / 工号': employee {record['code']} already on row {seen[record['code']]}")
        seen[record["code"]] = row_no
        if record["leave_date"] and record["leave_date"] < record["hire_date"]:
            problems.append(f"{where}, column 'Leave date / 离职日期': expected a date on or after the hire date {record['hire_date']}")
        if record["certificate_until"] and record["nationality"] == "CN":
            problems.append(f"{where}, column 'SSA certificate until / 社保互免证明截止': a certificate of coverage is for foreign nationals")
        if record["certificate_from"] and not record["certificate_until"]:
            problems.append(f"{where}, column 'SSA certificate until / 社保互免证明截止': required with a certificate start date")
        records.append(record)
    if problems:
        return problems
    existing = {r.code: r for r in conn.execute(select(Employee).where(Employee.employer_id == employer.id)).all()}
    new, changed = [], []
    for record in records:
        old = existing.get(record["code"])
        if old is None:
            new.append({**record, "employer_id": employer.id})
        elif any(getattr(old, k) != v for k, v in record.items()):
            changed.append({**record, "_id": old.id})
        else:
            summary.add("employees", "unchanged")
    if new:
        conn.execute(insert(Employee), new)
        summary.add("employees", "inserted", len(new))
    for record in changed:
        key = record.pop("_id")
        conn.execute(update(Employee).where(Employee.id == key).values(**record))
    summary.add("employees", "updated", len(changed))
    return []


def _codes(conn: Connection, sheet: Sheet) -> tuple[dict[str, int], list[str]]:
    employer = the_employer(conn)
    ids = _employee_ids(conn, employer.id)
    problems = []
    for row_no, values in sheet.rows:
        if values["code"] not in ids:
            problems.append(f"{sheet.where}, row {row_no}, column 'Employee ID / 工号': expected an employee of the roster, "
                            f"got {values['code']!r} (import the roster first, or in the same command)")
            if len(problems) >= MAX_PROBLEMS:
                break
    return ids, problems


def closed_months(conn: Connection, employer_id: int) -> set[tuple[int, int]]:
    return {(r.year, r.month) for r in conn.execute(
        select(Run.year, Run.month).where(Run.employer_id == employer_id, Run.status == "closed")).all()}


def _write_pay(conn: Connection, sheet: Sheet, summary: ImportSummary, *, correcting: tuple[int, int] | None = None,
               changes: list[dict] | None = None) -> list[str]:
    """Upsert pay items. A closed month's items may only change through a correction
    (``correcting`` = that month; ``changes`` collects what changed)."""
    ids, problems = _codes(conn, sheet)
    if problems:
        return problems
    employer = the_employer(conn)
    closed = closed_months(conn, employer.id)
    items: dict[tuple[int, int, int, str], tuple[int, int, tuple | None]] = {}
    has_period = any(k in v for _, v in sheet.rows[:1] for k in ("period_from", "period_to"))
    for row_no, v in sheet.rows:
        (year, month), key = v["month"], None
        key = (ids[v["code"]], year, month, v["kind"])
        if key in items:
            problems.append(f"{sheet.where}, row {row_no}: employee {v['code']}, {year}-{month:02d}, kind {v['kind']} "
                            f"already on row {items[key][1]} (one amount per employee, month and kind)")
        period = (v.get("period_from"), v.get("period_to")) if has_period else None  # None: keep what is stored
        if period is not None and period != (None, None):
            start, end = period
            column = f"{sheet.where}, row {row_no}, column "
            if v["kind"] not in PERIOD_KINDS:
                problems.append(f"{column}{PAY[4].header!r}: a period is for {' or '.join(PERIOD_KINDS)} items, "
                                f"not {v['kind']} (leave it blank)")
            elif start is None or end is None:
                missing = PAY[4] if start is None else PAY[5]
                problems.append(f"{column}{missing.header!r}: required with the other end of the period ({missing.form})")
            elif end < start:
                problems.append(f"{column}{PAY[5].header!r}: expected a day on or after the period start {start}, got {end}")
            elif end > dt.date(year, 12, 31):
                problems.append(f"{column}{PAY[5].header!r}: expected a day in or before the pay year {year}, got {end}")
        items[key] = (v["amount"], row_no, period)
    if problems:
        return problems[:MAX_PROBLEMS]
    months = sorted({(k[1], k[2]) for k in items})
    existing: dict[tuple[int, int, int, str], tuple[int, int, tuple]] = {}
    for year, month in months:
        for r in conn.execute(select(PayItem.id, PayItem.employee_id, PayItem.kind, PayItem.amount_fen,
                                     PayItem.period_from, PayItem.period_to)
                              .where(PayItem.year == year, PayItem.month == month)):
            existing[(r.employee_id, year, month, r.kind)] = (r.id, r.amount_fen, (r.period_from, r.period_to))
    code_of = {v: k for k, v in ids.items()}
    new, changed = [], []
    for key, (amount, row_no, period) in items.items():
        old = existing.get(key)
        if old is not None and period is None:
            period = old[2]
        period = period or (None, None)
        if old is not None and old[1] == amount and old[2] == period:
            summary.add("pay_items", "unchanged")
            continue
        month = (key[1], key[2])
        if month in closed and month != correcting:
            problems.append(f"{sheet.where}, row {row_no}: {month[0]}-{month[1]:02d} is closed; employee {code_of[key[0]]} "
                            f"{key[3]} {'would change' if old else 'would be added'} — record it as a correction: "
                            f"expatcn correct {month[0]}-{month[1]:02d} --file {sheet.where.split(', sheet')[0]}")
            continue
        if changes is not None:
            changes.append({"employee_id": key[0], "kind": key[3], "before": None if old is None else old[1], "after": amount})
        if old is None:
            new.append({"employee_id": key[0], "year": key[1], "month": key[2], "kind": key[3], "amount_fen": amount,
                        "period_from": period[0], "period_to": period[1]})
        else:
            changed.append({"_id": old[0], "_amount": amount, "_from": period[0], "_to": period[1]})
    if problems:
        return problems[:MAX_PROBLEMS]
    if new:
        conn.execute(insert(PayItem), new)
    if changed:
        from sqlalchemy import bindparam

        conn.execute(update(PayItem).where(PayItem.id == bindparam("_id")).values(
            amount_fen=bindparam("_amount"), period_from=bindparam("_from"), period_to=bindparam("_to")), changed)
    summary.add("pay_items", "inserted", len(new))
    summary.add("pay_items", "updated", len(changed))
    return []


def _write_trips(conn: Connection, sheet: Sheet, summary: ImportSummary) -> list[str]:
    """The file's trips replace the stored trips of each employee it names (checked with the
    residency reader's rules: no overlaps, an exit after its entry, only the last trip open)."""
    from expatcn.io.trips import TripFileError, TripRecord, build_trips

    ids, problems = _codes(conn, sheet)
    if problems:
        return problems
    records = []
    for row_no, v in sheet.rows:
        has_time = any(x is not None and x.time() != dt.time() for x in (v["entry"], v.get("exit")))
        records.append(TripRecord(row_no, v["code"], v["entry"], v.get("exit"), has_time))
    years = [r.entry.year for r in records] + [r.exit.year for r in records if r.exit]
    if records:
        try:
            build_trips(records, max(years), first_year=min(years), source=sheet.where)
        except TripFileError as exc:
            return [str(exc)]
    wanted = {(ids[v["code"]], v["entry"]): v for _, v in sheet.rows}
    persons = sorted({k[0] for k in wanted})
    stored = {}
    for chunk in _chunks(persons, 500):
        for r in conn.execute(select(Trip).where(Trip.employee_id.in_(chunk))):
            stored[(r.employee_id, r.entry)] = r
    gone = [r.id for k, r in stored.items() if k not in wanted]
    for chunk in _chunks(gone, 500):
        conn.execute(delete(Trip).where(Trip.id.in_(chunk)))
    summary.add("trips", "removed", len(gone))
    new = []
    for key, v in wanted.items():
        old = stored.get(key)
        row = {"employee_id": key[0], "entry": v["entry"], "exit": v.get("exit"), "note": v.get("note")}
        if old is None:
            new.append(row)
        elif (old.exit, old.note) != (row["exit"], row["note"]):
            conn.execute(update(Trip).where(Trip.id == old.id).values(exit=row["exit"], note=row["note"]))
            summary.add("trips", "updated")
        else:
            summary.add("trips", "unchanged")
    if new:
        conn.execute(insert(Trip), new)
    summary.add("trips", "inserted", len(new))
    return []


def _write_deductions(conn: Connection, sheet: Sheet, summary: ImportSummary) -> list[str]:
    ids, problems = _codes(conn, sheet)
    if problems:
        return problems
    rows = []
    for row_no, v in sheet.rows:
        record = {
            "employee_id": ids[v["code"]], "year": v["year"], "from_month": v["from_month"],
            "to_month": v.get("to_month") or 12, "children_education": v.get("children_education") or 0,
            "infant_care": v.get("infant_care") or 0, "elderly_support": (v.get("elderly_support") or "none"),
            "housing_rent_tier": v.get("housing_rent_tier") or 0,
            "housing_loan_interest": bool(v.get("housing_loan_interest")),
            "continuing_education": bool(v.get("continuing_education")),
        }
        where = f"{sheet.where}, row {row_no}"
        if record["to_month"] < record["from_month"]:
            problems.append(f"{where}, column 'To month / 截止月份': expected a month ≥ the first month {record['from_month']}")
        try:
            claims_of(record)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
        rows.append(record)
    if problems:
        return problems
    years = sorted({r["year"] for r in rows})
    stored = {(d.employee_id, d.year, d.from_month): d for d in conn.execute(
        select(DeductionDeclaration).where(DeductionDeclaration.year.in_(years))).all()}
    new, changed = [], []
    for record in rows:
        old = stored.get((record["employee_id"], record["year"], record["from_month"]))
        if old is None:
            new.append(record)
        elif any(getattr(old, k) != v for k, v in record.items()):
            changed.append(record)
        else:
            summary.add("deduction_declarations", "unchanged")
    if new:
        conn.execute(insert(DeductionDeclaration), new)
    for record in changed:
        key = and_(DeductionDeclaration.employee_id == record["employee_id"], DeductionDeclaration.year == record["year"],
                   DeductionDeclaration.from_month == record["from_month"])
        conn.execute(update(DeductionDeclaration).where(key).values(**record))
    summary.add("deduction_declarations", "inserted", len(new))
    summary.add("deduction_declarations", "updated", len(changed))
    return []


def claims_of(record: Any) -> Claims:
    """A declaration row as the declared items of the IIT engine (validated there)."""
    from pydantic import ValidationError

    get = (lambda k: record[k]) if isinstance(record, dict) else (lambda k: getattr(record, k))
    try:
        return Claims(
            children_education=get("children_education"), infant_care=get("infant_care"),
            elderly_support=get("elderly_support"),
            housing_rent_tier=get("housing_rent_tier"), housing_loan_interest=get("housing_loan_interest"),
            continuing_education=get("continuing_education"),
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValueError(f"column {'.'.join(str(p) for p in err['loc'])!r}: {err['msg']}") from None


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i: i + size]


_WRITERS = {"employer": _write_employer, "roster": _write_roster, "pay": _write_pay, "trips": _write_trips,
            "deductions": _write_deductions}

__all__ = ["ImportFileError", "ImportSummary", "KINDS", "PAY_KINDS", "detect_kind", "import_files",
           "read_file", "write_template", "the_employer", "claims_of", "tuple_"]
