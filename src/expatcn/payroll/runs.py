"""Monthly payroll runs: build the year-to-date inputs from the database, call the engines, store
the month's results — and close, correct and verify.

No rule lives here. The residency engine (:func:`expatcn.residency.china_taxable_pay`) decides
status and China-taxable wages, bonuses and equity from the trips; the full month (:func:`expatcn.gross_to_net.gross_to_net`) computes contributions,
IIT and net pay; declared special additional deductions are priced from the law table of each
month (:func:`expatcn.iit.special_additional.price`).

Cumulative withholding needs the year from January: a run of month M reads the pay items of
months 1..M and the tax actually withheld in the closed months 1..M−1 (``closed_months``,
``wage_tax_withheld``), so a correction of a closed month carries into the next open month.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
from sqlalchemy import Connection, Engine, and_, delete, insert, select, update

from expatcn.arrays import is_zero
from expatcn.dates import Month
from expatcn.iit.allowances import exempt_kinds
from expatcn.iit.inputs import MONTHLY_AMOUNTS, BonusMethod, YearInputs
from expatcn.iit.special_additional import price
from expatcn.law import Law, load_law
from expatcn.money import rate_to_ppm, yuan_str
from expatcn.payroll.db import PayrollError, read_transaction, write_transaction
from expatcn.payroll.importer import ImportSummary, Sheet, _write_pay, claims_of, read_file, the_employer
from expatcn.payroll.models import (
    RESULT_COLUMNS,
    Correction,
    DeductionDeclaration,
    Employee,
    Employer,
    PayItem,
    Run,
    RunResult,
    Trip,
)
from expatcn.social.contributions import DEFAULT_RATE
from expatcn.gross_to_net import MonthInputs, MonthResult, gross_to_net

Progress = Callable[[str, int, int], None]  # (stage, done, total)
PAUSE_ENV = "EXPATCN_PAYROLL_PAUSE_BEFORE_COMMIT"  # tests: seconds to wait with the results written, uncommitted
WRITE_CHUNK = 5_000


def _noop(stage: str, done: int, total: int) -> None:
    pass


# --- inputs -------------------------------------------------------------------------------------


@dataclass
class RunInputs:
    """The engine inputs of a run and who they are about (``employee_ids`` in row order)."""

    year: int
    month: int
    employee_ids: np.ndarray
    codes: list[str]
    month_inputs: MonthInputs

    def to_bytes(self) -> tuple[bytes, str]:
        """The inputs as a NumPy ``.npz`` archive and their SHA-256 (over names, dtypes, shapes, bytes)."""
        arrays = _snapshot_arrays(self)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue(), _digest(arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> RunInputs:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
        year, month, closed = (int(x) for x in arrays.pop("meta"))
        income_args = {k[7:]: v for k, v in arrays.items() if k.startswith("income.")}
        income = YearInputs(year=year, closed_months=closed, ids=[str(c) for c in arrays["codes"]], **income_args)
        month_args = {k[6:]: v for k, v in arrays.items() if k.startswith("month.")}
        inputs = MonthInputs(income=income, **month_args)
        return cls(year, month, arrays["employee_ids"], [str(c) for c in arrays["codes"]], inputs)

    def digest(self) -> str:
        return _digest(_snapshot_arrays(self))


def _snapshot_arrays(inputs: RunInputs) -> dict[str, np.ndarray]:
    mi = inputs.month_inputs
    income = mi.income
    arrays: dict[str, np.ndarray] = {
        "meta": np.array([inputs.year, inputs.month, income.closed_months], dtype=np.int64),
        "employee_ids": np.asarray(inputs.employee_ids, dtype=np.int64),
        "codes": np.asarray(inputs.codes, dtype=str) if inputs.codes else np.zeros(0, dtype="<U1"),
    }
    for f in fields(income):
        if f.name in ("year", "closed_months", "ids"):
            continue
        value = getattr(income, f.name)
        if value is None or (isinstance(value, np.ndarray) and is_zero(value)):
            continue
        arrays[f"income.{f.name}"] = np.ascontiguousarray(value)
    for f in fields(mi):
        if f.name == "income":
            continue
        value = getattr(mi, f.name)
        if value is None:
            continue
        arrays[f"month.{f.name}"] = np.ascontiguousarray(value)
    return arrays


def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _employees(conn: Connection, employer: Employer, year: int, month: int, only: list[int] | None) -> list:
    query = select(Employee).where(Employee.employer_id == employer.id)
    if only is not None:
        query = query.where(Employee.id.in_(only))
    else:
        period = Month(year, month)
        query = query.where(Employee.hire_date <= period.last,
                            (Employee.leave_date.is_(None)) | (Employee.leave_date >= period.first))
    return list(conn.execute(query.order_by(Employee.id)).all())


def build_inputs(conn: Connection, employer: Employer, year: int, month: int, law: Law, *,
                 only: list[int] | None = None, closed_months: int | None = None) -> RunInputs:
    """The year-to-date inputs of ``month``: every employee employed in it (or ``only`` these),
    months 1..``month`` of pay, residency from the trips, declared deductions, and the tax withheld
    in the closed months (``closed_months``, default ``month − 1``)."""
    closed_months = month - 1 if closed_months is None else closed_months
    staff = _employees(conn, employer, year, month, only)
    n = len(staff)
    ids = np.array([e.id for e in staff], dtype=np.int64)
    codes = [e.code for e in staff]
    shape = (n, 12)
    months = np.arange(1, 13)

    # employment by hire and leave dates; months after the run's month are not computed
    hire = np.array([e.hire_date for e in staff], dtype="datetime64[D]")
    leave = np.array([e.leave_date or dt.date(9999, 12, 31) for e in staff], dtype="datetime64[D]")
    starts = np.array([dt.date(year, m, 1) for m in months], dtype="datetime64[D]")
    ends = np.array([Month(year, m).last for m in months], dtype="datetime64[D]")
    employed = (hire[:, None] <= ends[None, :]) & (leave[:, None] >= starts[None, :]) & (months <= month)[None, :]

    # pay items
    kinds: dict[str, np.ndarray] = {}
    rows = conn.execute(select(PayItem.employee_id, PayItem.month, PayItem.kind, PayItem.amount_fen,
                               PayItem.period_from, PayItem.period_to)
                        .where(PayItem.year == year, PayItem.month <= month)).all()
    periods: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # bonus / equity: the period each relates to
    if rows and n:
        emp = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        mon = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        amt = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows))
        kind = np.array([r[2] for r in rows])
        at = np.searchsorted(ids, emp)
        at_ok = at < n
        ours = np.zeros(len(rows), dtype=bool)
        ours[at_ok] = ids[at[at_ok]] == emp[at_ok]
        for name in np.unique(kind[ours]).tolist():
            pick = ours & (kind == name)
            array = np.zeros(shape, dtype=np.int64)
            array[at[pick], mon[pick] - 1] = amt[pick]
            kinds[name] = array
        for i in np.flatnonzero(ours).tolist():
            r = rows[i]
            if r[4] is not None and r[5] is not None:
                start, end = periods.setdefault(r[2], (np.full(shape, np.datetime64("NaT"), dtype="datetime64[D]"),
                                                       np.full(shape, np.datetime64("NaT"), dtype="datetime64[D]")))
                start[at[i], r[1] - 1], end[at[i], r[1] - 1] = r[4], r[5]

    def amount(name: str) -> np.ndarray | None:
        return kinds.get(name)

    zero = np.zeros(shape, dtype=np.int64)
    salary = amount("salary") if "salary" in kinds else zero.copy()
    paid_abroad = amount("paid_abroad")
    lump_sums = {kind: (amount(kind) if kind in kinds else zero.copy(), amount(f"{kind}_paid_abroad"))
                 for kind in ("bonus", "equity")}
    for total, abroad, total_name, abroad_name in ((salary, paid_abroad, "salary", "paid_abroad"),
                                                   *((t, a, k, f"{k}_paid_abroad") for k, (t, a) in lump_sums.items())):
        if abroad is not None and (abroad > total).any():
            bad = [codes[i] for i in np.flatnonzero((abroad > total).any(axis=1))[:10]]
            raise PayrollError(f"{abroad_name} is more than the {total_name} for employees {', '.join(bad)}")
    pay_flags = np.zeros(shape, dtype=bool)
    for array in kinds.values():
        pay_flags |= array != 0
    unpaid_employed = pay_flags & ~employed & (months <= month)[None, :]
    if unpaid_employed.any():
        bad = [codes[i] for i in np.flatnonzero(unpaid_employed.any(axis=1))[:10]]
        raise PayrollError(f"pay items in months outside the employment dates (hire/leave) for employees {', '.join(bad)}")

    # residency: status and China-taxable wages from the trips
    nationality = np.array([e.nationality for e in staff], dtype="<U2") if n else np.zeros(0, "<U2")
    foreign = nationality != "CN"
    domiciled = np.array([bool(e.domiciled) for e in staff], dtype=bool)
    given = np.array([-1 if e.resident is None else int(e.resident) for e in staff], dtype=np.int8)
    executive = np.array([bool(e.executive) for e in staff], dtype=bool)
    treaty = np.array([e.treaty_country or "" for e in staff], dtype="<U2") if n else np.zeros(0, "<U2")
    resident = np.where(given >= 0, given == 1, domiciled)
    wages = salary
    pay = salary - paid_abroad if paid_abroad is not None else salary  # what this payroll pays out
    # bonus and equity: taxable (apportioned for travellers below) and what this payroll pays
    taxable = {kind: total for kind, (total, _) in lump_sums.items()}
    paid = {kind: total - abroad if abroad is not None else total for kind, (total, abroad) in lump_sums.items()}
    trip_rows = []
    if n:
        staff_ids = set(ids.tolist())
        trip_rows = [r for r in conn.execute(select(Trip.employee_id, Trip.entry, Trip.exit)
                                             .join(Employee, Employee.id == Trip.employee_id)
                                             .where(Employee.employer_id == employer.id)).all() if r[0] in staff_ids]
    travellers = np.unique(np.array([r[0] for r in trip_rows], dtype=np.int64))
    if travellers.size:
        from expatcn.residency import LumpSum, Trips, china_taxable_pay

        rows_t = np.searchsorted(ids, travellers)
        local = {int(e): i for i, e in enumerate(travellers.tolist())}
        first_year = min(r[1].year for r in trip_rows)
        trips = Trips.from_dates([local[r[0]] for r in trip_rows], [r[1].date() for r in trip_rows],
                                 [None if r[2] is None else r[2].date() for r in trip_rows], n_persons=travellers.size)
        china_paid = salary[rows_t] - (paid_abroad[rows_t] if paid_abroad is not None else 0)
        # bonuses and equity over the period they relate to (default: the month paid), as `expatcn tax` does
        sums = {}
        for kind, (total, _) in lump_sums.items():
            start, end = periods.get(kind, (None, None))
            sums[kind] = LumpSum(total[rows_t], paid[kind][rows_t], None if start is None else start[rows_t],
                                 None if end is None else end[rows_t])
        sourced = china_taxable_pay(trips, year, salary[rows_t], china_paid, sums, law=law, domiciled=domiciled[rows_t],
                                    treaty=treaty[rows_t], history_from=min(first_year, year),
                                    executive=executive[rows_t], treaty_claim=treaty[rows_t] != "", forecast=False)
        resident[rows_t] = np.where(given[rows_t] >= 0, given[rows_t] == 1, sourced.assessment.status.resident)
        wages = salary.copy()
        wages[rows_t] = sourced.wages
        for kind, apportioned in sourced.lump_sums.items():
            taxable[kind] = taxable[kind].copy()
            taxable[kind][rows_t] = apportioned.china
    unknown = foreign & ~domiciled & (given < 0) & ~np.isin(ids, travellers)
    if unknown.any():
        bad = [codes[i] for i in np.flatnonzero(unknown)[:10]]
        raise PayrollError(f"residence unknown for {int(unknown.sum())} employees ({', '.join(bad)}): import their trips, "
                           "or fill the Resident column of the roster")

    # declared special additional deductions, priced from the law of each month
    sad = amount("special_additional_deductions")
    sad = sad.copy() if sad is not None else zero.copy()
    declarations = conn.execute(select(DeductionDeclaration).where(DeductionDeclaration.year == year)).all()
    if declarations and n:
        prices: dict[tuple, int] = {}
        position = {int(e): i for i, e in enumerate(ids.tolist())}
        for d in declarations:
            row = position.get(d.employee_id)
            if row is None:
                continue
            claims = claims_of(d)
            for m in range(d.from_month, min(d.to_month, month) + 1):
                key = (claims.model_dump_json(), m)
                if key not in prices:
                    prices[key] = price(claims, law, dt.date(year, m, 1))
                sad[row, m - 1] += prices[key] if employed[row, m - 1] else 0

    allowances = None
    for name in sorted(exempt_kinds(law)):
        if name in kinds:
            allowances = kinds[name].copy() if allowances is None else allowances + kinds[name]

    # the tax actually withheld in the closed months
    withheld = np.zeros(shape, dtype=np.int64)
    if closed_months:
        filed = conn.execute(
            select(Run.month, RunResult.employee_id, RunResult.wage_tax)
            .join(Run, Run.id == RunResult.run_id)
            .where(Run.employer_id == employer.id, Run.year == year, Run.month <= closed_months, Run.status == "closed")
        ).all()
        if filed and n:
            emp = np.fromiter((r[1] for r in filed), dtype=np.int64, count=len(filed))
            mon = np.fromiter((r[0] for r in filed), dtype=np.int64, count=len(filed))
            tax = np.fromiter((r[2] for r in filed), dtype=np.int64, count=len(filed))
            at = np.minimum(np.searchsorted(ids, emp), max(n - 1, 0))
            ours = ids[at] == emp
            withheld[at[ours], mon[ours] - 1] = tax[ours]

    method_codes = {"separate": BonusMethod.SEPARATE, "combined": BonusMethod.COMBINED, "lower_tax": BonusMethod.LOWER_TAX}
    income = YearInputs(
        year=year,
        wages=wages,
        allowances=allowances,
        special_additional_deductions=sad if sad.any() else None,
        other_deductions=amount("other_deductions"),
        tax_reductions=amount("tax_reductions"),
        bonus=taxable["bonus"] if "bonus" in kinds else None,
        labour=amount("labour"),
        equity=taxable["equity"] if "equity" in kinds else None,
        employed=employed,
        resident=resident,
        foreigner=foreign & ~domiciled,
        allowance_election=np.array([bool(e.allowance_election) for e in staff], dtype=bool),
        bonus_method=np.array([method_codes[e.bonus_method] for e in staff], dtype=np.int8),
        first_income_this_year=np.array([bool(e.first_income_this_year) for e in staff], dtype=bool),
        low_income_last_year=np.array([bool(e.low_income_last_year) for e in staff], dtype=bool),
        closed_months=closed_months,
        wage_tax_withheld=withheld if closed_months else None,
        ids=codes,
    )
    contribution_wage = salary.copy()
    if "contribution_wage" in kinds:
        declared = kinds["contribution_wage"]
        contribution_wage = np.where(declared > 0, declared, contribution_wage)
    certificate_until = np.array([e.certificate_until or "NaT" for e in staff], dtype="datetime64[D]")
    holders = ~np.isnat(certificate_until)
    ppm = lambda v: DEFAULT_RATE if v is None else rate_to_ppm(v)  # noqa: E731 — Numeric(10,6) is exact in ppm
    month_inputs = MonthInputs(
        income=income,
        pay=pay,
        city=np.full(n, employer.city),
        contribution_wage=contribution_wage,
        foreign=foreign,
        nationality=nationality if holders.any() else None,
        certificate_from=np.array([e.certificate_from or "NaT" for e in staff], dtype="datetime64[D]") if holders.any() else None,
        certificate_until=certificate_until if holders.any() else None,
        opt_in=np.array([bool(e.opt_in) for e in staff], dtype=bool),
        housing_fund=np.array([bool(e.housing_fund) for e in staff], dtype=bool),
        local_hukou=np.array([bool(e.local_hukou) for e in staff], dtype=bool),
        work_injury_rate=np.full(n, ppm(employer.work_injury_rate), dtype=np.int64),
        housing_fund_rate=np.full(n, ppm(employer.housing_fund_rate), dtype=np.int64),
        # what is paid, where it differs from the taxable bonus / equity (apportioned, or partly paid abroad)
        bonus_paid=paid["bonus"] if not np.array_equal(paid["bonus"], taxable["bonus"]) else None,
        equity_paid=paid["equity"] if not np.array_equal(paid["equity"], taxable["equity"]) else None,
    )
    return RunInputs(year, month, ids, codes, month_inputs)


# --- computing ----------------------------------------------------------------------------------


def compute(inputs: RunInputs, law: Law) -> tuple[dict[str, np.ndarray], MonthResult]:
    """The engines on ``inputs``: every figure of the run's month, (N,) each
    (:meth:`expatcn.gross_to_net.MonthResult.figures`)."""
    result = gross_to_net(inputs.month_inputs, law, keep_trace=True)
    return result.figures(inputs.month), result


def _results_digest(ids: np.ndarray, figures: dict[str, np.ndarray]) -> str:
    arrays = {"employee_ids": ids, **{k: np.asarray(v, dtype=np.int64) for k, v in figures.items()}}
    return _digest(arrays)


# --- run ----------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    year: int
    month: int
    employees: int
    replaced: bool
    totals: dict[str, int]
    law_digest: str
    timings: dict[str, float]
    warnings: list[str]


def _run_row(conn: Connection, employer_id: int, year: int, month: int):
    return conn.execute(select(Run).where(Run.employer_id == employer_id, Run.year == year, Run.month == month)).first()


def _require_closed_before(conn: Connection, employer_id: int, year: int, month: int, action: str) -> None:
    closed = {r.month for r in conn.execute(select(Run.month).where(
        Run.employer_id == employer_id, Run.year == year, Run.month < month, Run.status == "closed")).all()}
    missing = [m for m in range(1, month) if m not in closed]
    if missing:
        first = str(Month(year, missing[0]))
        raise PayrollError(f"{first} is not closed; months close in order (the cumulative method needs every earlier "
                           f"month's withholding): run and close {first} before {action} {Month(year, month)}")


def run_month(engine: Engine, year: int, month: int, *, progress: Progress = _noop, law: Law | None = None,
              employer_tax_number: str | None = None) -> RunSummary:
    """Compute every employee for the month and store the results, replacing an open run's."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    law = law or load_law()
    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        existing = _run_row(conn, employer.id, year, month)
        if existing is not None and existing.status == "closed":
            raise PayrollError(f"{Month(year, month)} is closed; change it with `expatcn correct {Month(year, month)}`")
        _require_closed_before(conn, employer.id, year, month, "running")
        progress("load", 0, 1)
        inputs = build_inputs(conn, employer, year, month, law)
        timings["load_ytd"] = time.perf_counter() - clock
        progress("load", 1, 1)
        clock = time.perf_counter()
        progress("compute", 0, 1)
        figures, result = compute(inputs, law)
        blob, inputs_sha = inputs.to_bytes()
        timings["engine"] = time.perf_counter() - clock
        progress("compute", 1, 1)
        clock = time.perf_counter()
        now = dt.datetime.now(dt.timezone.utc)
        values = dict(status="open", law_digest=law.digest, inputs=blob, inputs_sha256=inputs_sha,
                      results_sha256=_results_digest(inputs.employee_ids, figures), employees=len(inputs.codes),
                      computed_at=now)
        if existing is None:
            run_id = conn.execute(insert(Run).values(employer_id=employer.id, year=year, month=month, created_at=now,
                                                     **values)).inserted_primary_key[0]
        else:
            run_id = existing.id
            conn.execute(delete(RunResult).where(RunResult.run_id == run_id))
            conn.execute(update(Run).where(Run.id == run_id).values(**values))
        _write_results(conn, run_id, inputs.employee_ids, figures, progress)
        timings["write_results"] = time.perf_counter() - clock
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            print(f"expatcn: {len(inputs.codes)} results written, not committed", file=sys.stderr, flush=True)
            time.sleep(float(pause))
    totals = {k: int(figures[k].sum()) for k in ("gross", "iit", "employee_contributions", "employer_contributions",
                                                  "net", "employer_cost")}
    return RunSummary(year, month, len(inputs.codes), existing is not None, totals, law.digest, timings,
                      result.iit.alerts())


def _write_results(conn: Connection, run_id: int, ids: np.ndarray, figures: dict[str, np.ndarray], progress: Progress) -> None:
    n = ids.size
    columns = {k: figures[k].tolist() for k in RESULT_COLUMNS}
    resident = figures["resident"].tolist()
    method = figures["wage_method"].tolist()
    complete = figures["complete"].tolist()
    id_list = ids.tolist()
    table = RunResult.__table__
    progress("write", 0, n)
    for start in range(0, n, WRITE_CHUNK):
        stop = min(n, start + WRITE_CHUNK)
        rows = [
            {"run_id": run_id, "employee_id": id_list[i], "resident": resident[i], "wage_method": method[i],
             "complete": complete[i], **{k: v[i] for k, v in columns.items()}}
            for i in range(start, stop)
        ]
        conn.execute(insert(table), rows)
        progress("write", stop, n)


# --- close --------------------------------------------------------------------------------------


def close_month(engine: Engine, year: int, month: int, *, law: Law | None = None,
                employer_tax_number: str | None = None) -> dict:
    """Lock the month: its results become the tax withheld and filed. The run must be current
    (inputs unchanged since it was computed) and the months before it closed."""
    law = law or load_law()
    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = _run_row(conn, employer.id, year, month)
        if run is None:
            raise PayrollError(f"{Month(year, month)} has not been run: `expatcn run {Month(year, month)}` first")
        if run.status == "closed":
            raise PayrollError(f"{Month(year, month)} is already closed (at {run.closed_at:%Y-%m-%d %H:%M})")
        _require_closed_before(conn, employer.id, year, month, "closing")
        current = build_inputs(conn, employer, year, month, law)
        if current.digest() != run.inputs_sha256:
            raise PayrollError(f"the inputs of {Month(year, month)} changed since it was run: run it again "
                               f"(`expatcn run {Month(year, month)}`), then close")
        if run.law_digest != law.digest:
            raise PayrollError(f"the law tables changed since {Month(year, month)} was run: run it again, then close")
        now = dt.datetime.now(dt.timezone.utc)
        conn.execute(update(Run).where(Run.id == run.id).values(status="closed", closed_at=now))
        return {"month": str(Month(year, month)), "employees": run.employees, "closed_at": now}


# --- correct ------------------------------------------------------------------------------------


@dataclass
class CorrectionLine:
    code: str
    month: str
    treatment: str  # carried | refile | reconciliation
    filed: int
    corrected: int
    difference: int
    carried_to: str | None
    changes: list[dict]
    note: str = ""


def correct_month(engine: Engine, year: int, month: int, *, files: list[str] | None = None,
                  sets: list[tuple[str, str, int]] | None = None, law: Law | None = None,
                  employer_tax_number: str | None = None) -> list[CorrectionLine]:
    """Change pay items of a closed month and record the correction.

    For residents under the cumulative method the wage-tax difference is carried: the next open
    month deducts the tax actually withheld, so it withholds the difference (recorded as
    ``carried``, to that month; at year end, to the annual reconciliation). For the monthly method
    (non-residents, whose monthly tax is final) and for separately taxed income (annual bonus,
    labour, equity) the difference is the amount to correct in the past month's return (``refile``).
    """
    law = law or load_law()
    from expatcn.payroll.importer import PAY_KINDS

    with write_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = _run_row(conn, employer.id, year, month)
        if run is None or run.status != "closed":
            raise PayrollError(f"{Month(year, month)} is not closed: change its pay items by import and run it again")
        changes: list[dict] = []
        summary = ImportSummary()
        sheets = [s for f in (files or []) for s in read_file(f)]
        if sets:
            rows = []
            for i, (code, kind, fen) in enumerate(sets, start=1):
                if kind not in PAY_KINDS:
                    raise PayrollError(f"--set {code}:{kind}: unknown kind; expected one of {', '.join(PAY_KINDS)}")
                rows.append((i, {"code": code, "month": (year, month), "kind": kind, "amount": fen}))
            sheets.append(Sheet("--set", "pay", rows))
        if not sheets:
            raise PayrollError("nothing to correct: give --file FILE or --set EMPLOYEE:KIND=AMOUNT")
        for sheet in sheets:
            if sheet.kind != "pay":
                raise PayrollError(f"{sheet.where}: a correction changes pay items; this is a {sheet.kind} sheet")
            # rows of other months are left alone (import them as usual; closed ones need their own correction)
            sheet = Sheet(sheet.where, sheet.kind, [(r, v) for r, v in sheet.rows if v["month"] == (year, month)])
            problems = _write_pay(conn, sheet, summary, correcting=(year, month), changes=changes)
            if problems:
                from expatcn.payroll.importer import ImportFileError

                raise ImportFileError(problems)
        if not changes:
            raise PayrollError(f"nothing changed: the items given equal those of {Month(year, month)}")
        last_closed = max(r.month for r in conn.execute(select(Run.month).where(
            Run.employer_id == employer.id, Run.year == year, Run.status == "closed")).all())
        affected = sorted({c["employee_id"] for c in changes})
        corrected = build_inputs(conn, employer, year, last_closed, law, only=affected, closed_months=0)
        result = gross_to_net(corrected.month_inputs, law, keep_trace=False)
        filed = _filed(conn, employer.id, year, last_closed, affected)
        runs = dict(conn.execute(select(Run.month, Run.id).where(Run.employer_id == employer.id, Run.year == year)).all())
        now = dt.datetime.now(dt.timezone.utc)
        lines: list[CorrectionLine] = []
        iit = result.iit.monthly
        next_open = str(Month(year, last_closed + 1)) if last_closed < 12 else "annual reconciliation"
        for row, emp in enumerate(corrected.employee_ids.tolist()):
            code = corrected.codes[row]
            mine = [{"kind": c["kind"], "before": yuan_str(c["before"]), "after": yuan_str(c["after"])} for c in changes
                    if c["employee_id"] == emp]
            f = filed.get(emp, {})
            contributions = int(result.monthly["employee_contributions"][row, month - 1]) - f.get(("employee_contributions", month), 0)
            note = (f"employee contributions of {Month(year, month)} change by {yuan_str(contributions)}: correct the "
                    "social insurance declaration") if contributions else ""
            if int(iit["wage_method"][row, month - 1]) == 1:  # cumulative: carried into the next open month
                new = int(iit["wage_withheld_to_date"][row, last_closed - 1])
                old = sum(f.get(("wage_tax", m), 0) for m in range(1, last_closed + 1))
                lines.append(CorrectionLine(code, str(Month(year, month)), "carried" if last_closed < 12 else "reconciliation",
                                            old, new, new - old, next_open, mine, note))
                separate = ("bonus_tax", "labour_tax", "equity_tax")
            else:
                separate = ("wage_tax", "bonus_tax", "labour_tax", "equity_tax")
            for m in range(month, last_closed + 1):
                old = sum(f.get((k, m), 0) for k in separate)
                new = sum(int(iit[k][row, m - 1]) for k in separate)
                if new != old or (m == month and separate[0] == "wage_tax"):
                    lines.append(CorrectionLine(code, str(Month(year, m)), "refile", old, new, new - old, None, mine,
                                                note if separate[0] == "wage_tax" else ""))
        for line, emp in ((ln, next(e for e, c in zip(corrected.employee_ids.tolist(), corrected.codes) if c == ln.code))
                          for ln in lines):
            y, m = Month.parse(line.month)
            conn.execute(insert(Correction).values(
                run_id=runs[m], employee_id=emp, created_at=now, changes=json.dumps(line.changes, ensure_ascii=False),
                tax_filed_fen=line.filed, tax_corrected_fen=line.corrected, difference_fen=line.difference,
                treatment=line.treatment, carried_to=line.carried_to if line.treatment != "refile" else None,
                note=line.note or None))
        return lines


def _filed(conn: Connection, employer_id: int, year: int, through: int, employees: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    rows = conn.execute(
        select(Run.month, RunResult.employee_id, RunResult.wage_tax, RunResult.bonus_tax, RunResult.labour_tax,
               RunResult.equity_tax, RunResult.employee_contributions)
        .join(Run, Run.id == RunResult.run_id)
        .where(Run.employer_id == employer_id, Run.year == year, Run.month <= through, Run.status == "closed",
               RunResult.employee_id.in_(employees))).all()
    for r in rows:
        d = out.setdefault(r.employee_id, {})
        for k in ("wage_tax", "bonus_tax", "labour_tax", "equity_tax", "employee_contributions"):
            d[(k, r.month)] = getattr(r, k)
    return out


# --- verify -------------------------------------------------------------------------------------


@dataclass
class Verification:
    month: str
    status: str
    employees: int
    identical: bool
    law_digest_stored: str
    law_digest_now: str
    inputs_intact: bool
    differences: list[tuple[str, str, int, int]]  # (employee, figure, stored, recomputed)
    corrections_since: int


def verify_month(engine: Engine, year: int, month: int, *, law: Law | None = None,
                 employer_tax_number: str | None = None) -> Verification:
    """Recompute a run from the inputs it stored and compare every figure with the stored results."""
    law = law or load_law()
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = _run_row(conn, employer.id, year, month)
        if run is None:
            raise PayrollError(f"{Month(year, month)} has not been run")
        inputs = RunInputs.from_bytes(run.inputs)
        intact = inputs.digest() == run.inputs_sha256
        stored_rows = conn.execute(select(RunResult).where(RunResult.run_id == run.id).order_by(RunResult.employee_id)).all()
        corrections = len(conn.execute(select(Correction.id).where(Correction.run_id == run.id)).all())
    figures, _ = compute(inputs, law)
    order = np.argsort(inputs.employee_ids, kind="stable")
    differences: list[tuple[str, str, int, int]] = []
    stored_ids = np.array([r.employee_id for r in stored_rows], dtype=np.int64)
    if not np.array_equal(stored_ids, inputs.employee_ids[order]):
        differences.append(("(all)", "employees", len(stored_rows), len(inputs.codes)))
    else:
        for name in (*RESULT_COLUMNS, "resident", "wage_method", "complete"):
            stored = np.array([int(getattr(r, name)) for r in stored_rows], dtype=np.int64)
            now = np.asarray(figures[name], dtype=np.int64)[order]
            for i in np.flatnonzero(stored != now)[:50].tolist():
                differences.append((inputs.codes[int(order[i])], name, int(stored[i]), int(now[i])))
    return Verification(str(Month(year, month)), run.status, run.employees,
                        not differences and intact, run.law_digest, law.digest, intact, differences, corrections)


# --- listing ------------------------------------------------------------------------------------


def list_employees(engine: Engine, employer_tax_number: str | None = None) -> list[dict]:
    """The employees as stored (ID numbers in full: the front doors mask them for display)."""
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        rows = conn.execute(select(Employee).where(Employee.employer_id == employer.id).order_by(Employee.code)).all()
    return [{"id": r.code, "name": r.name, "id_type": r.id_type, "id_number": r.id_number,
             "nationality": r.nationality, "resident": r.resident, "executive": r.executive,
             "hire_date": r.hire_date, "leave_date": r.leave_date,
             "certificate_until": r.certificate_until} for r in rows]


def month_results(engine: Engine, year: int, month: int, employer_tax_number: str | None = None) -> tuple[dict, list[dict]]:
    """A run's header and its result rows joined with the employees (for exports and reports)."""
    with read_transaction(engine) as conn:
        employer = the_employer(conn, employer_tax_number)
        run = _run_row(conn, employer.id, year, month)
        if run is None:
            raise PayrollError(f"{Month(year, month)} has not been run")
        rows = conn.execute(select(Employee, RunResult).join(RunResult, RunResult.employee_id == Employee.id)
                            .where(RunResult.run_id == run.id).order_by(Employee.code)).all()
        header = {"employer": {"name": employer.name, "tax_number": employer.tax_number, "city": employer.city},
                  "month": str(Month(year, month)), "status": run.status, "law_digest": run.law_digest,
                  "computed_at": run.computed_at, "closed_at": run.closed_at}
        out = []
        for r in rows:
            m = r._mapping
            record = {c.name: m[c.name] if c.name in m else None for c in Employee.__table__.columns}
            out.append(record)
    return header, out


__all__ = ["RunInputs", "build_inputs", "compute", "run_month", "close_month", "correct_month", "verify_month",
           "list_employees", "PayrollError", "MONTHLY_AMOUNTS", "and_"]
