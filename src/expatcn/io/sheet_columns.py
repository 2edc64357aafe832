"""The columns of the payroll sheets (:mod:`expatcn.io.sheets`): each column's field, its English
and Chinese headers, what it expects, and the parser of its cells. A parser turns a cell (text
from a CSV file or JSON, or a number, date or boolean from Excel or JSON) into the stored value,
or raises :class:`CellError` saying what was expected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from expatcn.dates import FIRST_DAY_YEAR, FIRST_YEAR, LAST_YEAR, Month, parse_day
from expatcn.errors import InputError
from expatcn.io.tables import blank
from expatcn.io.trips import parse_when
from expatcn.money import RATE_SCALE, MoneyError, rate_to_ppm, yuan_to_fen

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


def _text(limit: int) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        if blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if len(text) > limit:
            raise CellError(f"at most {limit} characters")
        return text

    return parse


def _bool(value: Any) -> bool | None:
    if blank(value):
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
    if blank(value):
        return None
    try:
        return parse_day(value.strip() if isinstance(value, str) else value)
    except InputError as exc:
        raise CellError(f"a date YYYY-MM-DD in {FIRST_DAY_YEAR}–{LAST_YEAR}" + (": no such day" if "no such" in str(exc) else "")) from None


def _datetime(value: Any) -> dt.datetime | None:
    if blank(value):
        return None
    try:
        return parse_when(value)
    except InputError:
        raise CellError(f"a date YYYY-MM-DD or date-time YYYY-MM-DD HH:MM in {FIRST_DAY_YEAR}–{LAST_YEAR}") from None


def _month(value: Any) -> tuple[int, int] | None:
    if blank(value):
        return None
    try:
        if isinstance(value, (dt.date, dt.datetime)) or len(str(value).strip()) == 10:  # a day in the month
            return tuple(Month.of(parse_day(value.strip() if isinstance(value, str) else value, FIRST_YEAR)))
        return tuple(Month.parse(value))
    except InputError:
        raise CellError("a month YYYY-MM") from None


def _period_day(last: bool) -> Callable[[Any], dt.date | None]:
    """A day ``YYYY-MM-DD``, or a month ``YYYY-MM``: its first (``last`` false) or last day."""

    def parse(value: Any) -> dt.date | None:
        try:
            if blank(value) or isinstance(value, dt.date) or len(str(value).strip()) != 7:
                return _date(value)
            period = Month(*_month(value))
        except CellError:
            raise CellError("a date YYYY-MM-DD or a month YYYY-MM") from None
        return period.last if last else period.first

    return parse


def _amount(value: Any) -> int | None:
    if blank(value):
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
    if blank(value):
        return None
    try:
        ppm = rate_to_ppm(repr(value) if isinstance(value, float) else value)
        if not 0 <= ppm <= RATE_SCALE:
            raise MoneyError
    except MoneyError:
        raise CellError("a rate such as 0.0016 or 0.16%") from None
    return Decimal(ppm) / RATE_SCALE


def _country(value: Any) -> str | None:
    if blank(value):
        return None
    text = str(value).strip().upper()
    if len(text) != 2 or not text.isalpha():
        raise CellError("a two-letter country code (ISO 3166), e.g. DE")
    return text


def _int(low: int, high: int) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        if blank(value):
            return None
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value() or not low <= number <= high:
                raise InvalidOperation
        except InvalidOperation:
            raise CellError(f"a whole number {low}–{high}") from None
        return int(number)

    return parse


def _currency(value: Any) -> str | None:
    """An ISO 4217 code (EUR, 欧元 not taken); blank or CNY: yuan (None)."""
    if blank(value):
        return None
    text = str(value).strip().upper()
    if len(text) != 3 or not text.isalpha():
        raise CellError("a currency code such as EUR or USD (blank: CNY)")
    return None if text == "CNY" else text


def _choice(*choices: str, labels: dict[str, str] | None = None) -> Callable[[Any], str | None]:
    labels = labels or {}

    def parse(value: Any) -> str | None:
        if blank(value):
            return None
        text = str(value).strip()
        key = labels.get(text, text.lower())
        if key not in choices:
            raise CellError(" or ".join(choices))
        return key

    return parse


ID_TYPES = {"passport": "护照", "resident_id": "居民身份证", "hk_macau_permit": "港澳居民来往内地通行证",
            "hk_macau_permit_foreign": "港澳居民来往内地通行证（非中国籍）", "hk_macau_residence": "中华人民共和国港澳居民居住证",
            "taiwan_permit": "台湾居民来往大陆通行证", "taiwan_residence": "中华人民共和国台湾居民居住证",
            "foreigner_permanent_residence": "外国人永久居留身份证"}

# The kinds of pay item, with the sheet's Chinese labels. The allowances are the kinds of
# iit.allowances.exempt_kinds (law table iit/expat_allowance_exemption decides whether, and when),
# the exempt income the uncapped kinds of iit.exempt_income.payable_kinds (iit/exempt_income);
# tests check that every kind of those tables has a label here.
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
    # other deductions with caps (Regulations art. 13), priced by the engine
    "individual_pension": "个人养老金",
    "commercial_health_insurance": "商业健康保险",
    "tax_deferred_pension": "税收递延型商业养老保险",
    # paid this year by another withholding agent (an earlier or second employer), entered once
    "prior_employer_wages": "其他扣缴义务人支付的工资薪金",
    "prior_employer_tax": "其他扣缴义务人已预扣预缴税额",
    # exempt and non-taxable income: the uncapped kinds of iit.exempt_income (law/iit/exempt_income)
    "government_award": "省级以上政府等颁发的奖金",
    "statutory_allowance": "按国家统一规定发给的补贴、津贴",
    "welfare_hardship_subsidy": "福利费（生活补助费）",
    "survivor_pension": "抚恤金",
    "relief_payment": "救济金",
    "insurance_indemnity": "保险赔款",
    "resettlement_retirement": "安家费、退职费、基本养老金或者退休费",
    "one_child_subsidy": "独生子女补贴",
    "childcare_subsidy": "托儿补助费",
    "business_travel_allowance": "差旅费津贴",
    "missed_meal_allowance": "误餐补助",
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
    Column("id_number", "ID number", "证件号码", _text(40),
           "the number as the document prints it (a resident ID: 18 characters with its check digit)", True),
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
    Column("currency", "Currency", "币种", _currency,
           "the amount's currency, e.g. EUR (blank: CNY); converted at each run by the RMB central parity the law "
           "names (expatcn parities import)"),
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

SCHEME_LABELS = {"pension": "养老保险", "medical": "医疗保险", "maternity": "生育保险", "unemployment": "失业保险",
                 "work_injury": "工伤保险", "housing_fund": "住房公积金"}


def _ceiling(value: Any) -> int | str | None:
    """A base ceiling: an amount, or ``none`` (无) where the scheme has no ceiling."""
    if not blank(value) and str(value).strip().lower() in ("none", "无"):
        return "none"
    try:
        return _amount(value)
    except CellError:
        raise CellError("an amount in yuan, or none (无) for no ceiling") from None


# The employer's own social insurance figures (issue 11): what it declares where the law tables
# lack a figure or where it says otherwise (expatcn.social.figures.EmployerRate).
RATES = (
    Column("city", "City", "城市", _text(40), "a city with social insurance law tables, by key or name (shanghai, 上海)", True),
    Column("scheme", "Scheme", "险种", _choice(*SCHEME_LABELS, labels={v: k for k, v in SCHEME_LABELS.items()}),
           "one of " + ", ".join(SCHEME_LABELS), True),
    Column("from", "From", "起始", _period_day(last=False), "first day YYYY-MM-DD or month YYYY-MM", True),
    Column("to", "To", "截止", _period_day(last=True), "last day YYYY-MM-DD or month YYYY-MM; blank: open"),
    Column("base_floor", "Base floor (CNY)", "缴费基数下限（元）", _amount, "an amount in yuan; blank: the table's"),
    Column("base_ceiling", "Base ceiling (CNY)", "缴费基数上限（元）", _ceiling,
           "an amount in yuan, or none (无) for no ceiling; blank: the table's"),
    Column("employer_rate", "Employer rate", "单位费率", _rate, "a rate such as 0.16 or 16%; blank: the table's"),
    Column("employee_rate", "Employee rate", "个人费率", _rate, "a rate such as 0.08 or 8%; blank: the table's"),
    Column("why", "Why", "依据", _text(500), "why the employer declares these figures (its notice, its class)", True),
)

KINDS: dict[str, tuple[Column, ...]] = {
    "employer": EMPLOYER, "roster": ROSTER, "pay": PAY, "trips": TRIPS, "deductions": DEDUCTIONS, "rates": RATES,
}
