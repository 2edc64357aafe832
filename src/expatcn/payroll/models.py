"""The payroll database: SQLAlchemy 2 models.

Money is integer fen (``BigInteger``) — exact, like the engine; rates are ``Numeric``. Natural
keys carry unique constraints so that re-imports upsert and concurrent writers cannot duplicate:
employee code per employer; employee + year + month + kind for pay items; employer + year +
month for runs; run + employee for results.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Lock(Base):
    """One row per lock name; mutating commands take ``SELECT … FOR UPDATE`` on it (PostgreSQL)."""

    __tablename__ = "payroll_locks"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)


class Employer(Base):
    """The withholding agent (扣缴义务人)."""

    __tablename__ = "employers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_number: Mapped[str] = mapped_column(String(40), unique=True)
    city: Mapped[str] = mapped_column(String(40))
    work_injury_rate: Mapped[object | None] = mapped_column(Numeric(10, 6), nullable=True)
    housing_fund_rate: Mapped[object | None] = mapped_column(Numeric(10, 6), nullable=True)


class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = (UniqueConstraint("employer_id", "code", name="uq_employee_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(40))
    nationality: Mapped[str] = mapped_column(String(2))
    domiciled: Mapped[bool] = mapped_column(Boolean, default=False)
    resident: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    treaty_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    executive: Mapped[bool] = mapped_column(Boolean, default=False)
    allowance_election: Mapped[bool] = mapped_column(Boolean, default=False)
    bonus_method: Mapped[str] = mapped_column(String(12), default="separate")
    certificate_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    certificate_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    hire_date: Mapped[dt.date] = mapped_column(Date)
    leave_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    local_hukou: Mapped[bool] = mapped_column(Boolean, default=False)
    housing_fund: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # STA 2020 No. 13 (first income from wages this year: basic deduction from January) and
    # No. 19 (income last year ≤ 60,000 from one agent: 60,000 at once) — migration 0003
    first_income_this_year: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    low_income_last_year: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Trip(Base):
    __tablename__ = "trips"
    __table_args__ = (UniqueConstraint("employee_id", "entry", name="uq_trip_entry"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    entry: Mapped[dt.datetime] = mapped_column(DateTime)
    exit: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class PayItem(Base):
    """One amount of one kind for one employee and month (fen)."""

    __tablename__ = "pay_items"
    __table_args__ = (UniqueConstraint("employee_id", "year", "month", "kind", name="uq_pay_item"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(40))
    # fen; for an item paid in a foreign currency (``currency``, migration 0005) the amount in
    # hundredths of that currency, converted to fen at each run by the central parity the law names
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)  # None: CNY
    # a bonus or equity income: the period it relates to (MOF/STA 2019 No. 35 §1(2)); none: the
    # month paid. Used to apportion it by China work days (migration 0003).
    period_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    period_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class DeductionDeclaration(Base):
    """Special additional deductions (专项附加扣除) the employee declared to the employer, for
    ``from_month``..``to_month`` of ``year``; priced from the law table of each month."""

    __tablename__ = "deduction_declarations"
    __table_args__ = (UniqueConstraint("employee_id", "year", "from_month", name="uq_declaration"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    from_month: Mapped[int] = mapped_column(SmallInteger)
    to_month: Mapped[int] = mapped_column(SmallInteger)
    children_education: Mapped[int] = mapped_column(SmallInteger, default=0)
    infant_care: Mapped[int] = mapped_column(SmallInteger, default=0)
    elderly_support: Mapped[str] = mapped_column(String(20), default="none")
    housing_rent_tier: Mapped[int] = mapped_column(SmallInteger, default=0)
    housing_loan_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    continuing_education: Mapped[bool] = mapped_column(Boolean, default=False)


class Run(Base):
    """A month's payroll run. ``inputs``: the engine inputs as used (NumPy ``.npz``), with their
    SHA-256; ``law_digest``: the law tables' digest. A closed run is never recomputed in place."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("employer_id", "year", "month", name="uq_run_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(10), default="open")
    law_digest: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[bytes] = mapped_column(LargeBinary)
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    results_sha256: Mapped[str] = mapped_column(String(64))
    employees: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# Every figure of a result row, fen unless noted (:meth:`expatcn.gross_to_net.MonthResult.figures`).
RESULT_COLUMNS = (
    "gross", "wages", "allowances", "exempt_income", "bonus", "labour", "equity", "contribution_wage",
    "employee_pension", "employee_medical", "employee_unemployment", "employee_social",
    "employee_housing_fund", "employee_contributions", "employee_deduction", "housing_fund_employer_taxable",
    "special_additional_deductions", "other_deductions", "basic_deduction", "wage_taxable", "wage_rate",
    "wage_quick_deduction", "wage_tax_to_date", "wage_withheld_to_date", "wage_tax", "bonus_tax",
    "labour_tax", "equity_tax", "iit", "net", "employer_social", "employer_housing_fund",
    "employer_contributions", "employer_cost", "employee_makeup", "employer_makeup",
)


class RunResult(Base):
    """One employee's figures of a run. ``employee_carried`` / ``employer_carried``: the month's
    contributions rest on a figure carried forward (to be trued up once published);
    ``figure_notes``: the social insurance figures carried forward, employer-supplied or of low
    confidence, as people read them (one line per scheme); ``employee_makeup`` /
    ``employer_makeup``: true-ups of earlier months paid with this month (in the contributions)."""

    __tablename__ = "run_results"
    __table_args__ = (UniqueConstraint("run_id", "employee_id", name="uq_run_result"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    resident: Mapped[bool] = mapped_column(Boolean)
    wage_method: Mapped[int] = mapped_column(SmallInteger)
    complete: Mapped[bool] = mapped_column(Boolean)
    employee_carried: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    employer_carried: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    figure_notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    # pay items in a foreign currency converted for this run: a JSON list of {month, kind, amount,
    # currency, rate, unit, rate_date, fen} (migration 0005)
    conversions: Mapped[str | None] = mapped_column(Text, nullable=True)


for _name in RESULT_COLUMNS:  # one integer column per figure (rates in ppm)
    setattr(RunResult, _name, mapped_column(BigInteger, nullable=False, default=0))


class Correction(Base):
    """A change to a closed month's inputs: what changed, and where the difference goes —
    ``carried`` into ``carried_to`` (residents, cumulative method) or ``refile`` (the past
    month's return is corrected by ``difference_fen``)."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    changes: Mapped[str] = mapped_column(Text)  # JSON: [{kind, before, after}] in yuan
    tax_filed_fen: Mapped[int] = mapped_column(BigInteger)
    tax_corrected_fen: Mapped[int] = mapped_column(BigInteger)
    difference_fen: Mapped[int] = mapped_column(BigInteger)
    treatment: Mapped[str] = mapped_column(String(10))
    carried_to: Mapped[str | None] = mapped_column(String(7), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class EmployerRateRow(Base):
    """A figure the employer declares for a city and scheme from ``start`` to ``end`` (None: open),
    where the law tables have none or the employer says otherwise (``expatcn rates import``);
    None = the table's. Imported by ``imported_by`` at ``imported_at``: an import replaces the set."""

    __tablename__ = "employer_rates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    city: Mapped[str] = mapped_column(String(40))
    scheme: Mapped[str] = mapped_column(String(20))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    base_floor_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    base_ceiling_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    no_ceiling: Mapped[bool] = mapped_column(Boolean, default=False)
    employer_rate: Mapped[object | None] = mapped_column(Numeric(10, 6), nullable=True)
    employee_rate: Mapped[object | None] = mapped_column(Numeric(10, 6), nullable=True)
    why: Mapped[str] = mapped_column(Text)
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TrueUp(Base):
    """The difference a now-published figure makes to a month run on a figure carried forward,
    for one employee (``month`` of ``year``, fen): employee and employer contributions, the
    employee's IIT-deductible part, and the IIT. Recorded by ``expatcn trueup --carry``: the
    contributions are paid with the run of ``carried_to`` (YYYY-MM)."""

    __tablename__ = "trueups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    employee_fen: Mapped[int] = mapped_column(BigInteger)
    employer_fen: Mapped[int] = mapped_column(BigInteger)
    deductible_fen: Mapped[int] = mapped_column(BigInteger)
    iit_fen: Mapped[int] = mapped_column(BigInteger)
    carried_to: Mapped[str] = mapped_column(String(7))
    law_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """An API key: only its SHA-256 is stored, with its first characters as a prefix to name it."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    prefix: Mapped[str] = mapped_column(String(16))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CentralParity(Base):
    """An RMB central parity the employer imported (``expatcn parities import``): ``rate`` RMB for
    ``unit`` units of ``currency`` on ``day`` (IIT Regulations art. 32), with its source and who
    imported it when. One rate per employer, day and currency: a published parity never changes."""

    __tablename__ = "central_parities"
    __table_args__ = (UniqueConstraint("employer_id", "day", "currency", name="uq_central_parity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[object] = mapped_column(Numeric(18, 6))
    unit: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(Text, default="")
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
