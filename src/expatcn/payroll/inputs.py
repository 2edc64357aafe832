"""The inputs of a monthly run: the store's rows (employees, pay items, trips, declarations, the
tax withheld in closed months) → residency sourcing → the full month's engine inputs.

No rule lives here. The residency engine (:func:`expatcn.residency.china_taxable_pay`) decides
status and China-taxable wages, bonuses and equity from the trips (MOF/STA 2019 No. 35); declared
special additional deductions are priced from the law table of each month
(:func:`expatcn.iit.special_additional.price`). Cumulative withholding needs the year from
January: the inputs of month M hold the pay items of months 1..M and the tax actually withheld in
the closed months 1..M−1 (``closed_months``, ``wage_tax_withheld``), so a correction of a closed
month carries into the next open month.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
import io
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np
from sqlalchemy import Connection, select

from expatcn.arrays import is_zero
from expatcn.dates import Month
from expatcn.gross_to_net import MonthInputs
from expatcn.iit.allowances import exempt_kinds
from expatcn.iit.foreign_currency import convert
from expatcn.iit.exempt_income import payable_kinds
from expatcn.iit.inputs import BonusMethod, YearInputs
from expatcn.iit.special_additional import Claims, price
from expatcn.law import Law
from expatcn.money import rate_to_ppm
from expatcn.payroll.db import PayrollError
from expatcn.payroll.parities import parities_of
from expatcn.payroll.models import DeductionDeclaration, Employee, Employer, PayItem, Run, RunResult, Trip, TrueUp
from expatcn.payroll.rates import employer_rates, rates_arrays, rates_from
from expatcn.residency import LumpSum, Trips, china_taxable_pay
from expatcn.social.contributions import DEFAULT_RATE
from expatcn.social.participation import hk_macao_taiwan_residents

LUMP_SUMS = ("bonus", "equity")  # pay items taxed apart, each with a part paid abroad and a period it relates to
BONUS_METHODS = {"separate": BonusMethod.SEPARATE, "combined": BonusMethod.COMBINED, "lower_tax": BonusMethod.LOWER_TAX}


@dataclass
class RunInputs:
    """The engine inputs of a run and who they are about (``employee_ids`` in row order);
    ``employee_makeup`` / ``employer_makeup``: (N,) fen of true-ups of earlier months paid with
    this month (``expatcn trueup --carry``).

    ``unpaid``: the codes of the employees on the roster with no pay in the month, left out;
    ``conversions``: per row, the pay items converted from a foreign currency and the parity used
    (neither is part of the stored snapshot: its amounts are already in fen)."""

    year: int
    month: int
    employee_ids: np.ndarray
    codes: list[str]
    month_inputs: MonthInputs
    employee_makeup: np.ndarray | None = None
    employer_makeup: np.ndarray | None = None
    unpaid: list[str] = field(default_factory=list)
    conversions: dict[int, list[dict]] = field(default_factory=dict)  # row → items converted from a foreign currency

    def to_bytes(self) -> tuple[bytes, str]:
        """The inputs as a NumPy ``.npz`` archive and their SHA-256 (over names, dtypes, shapes, bytes)."""
        arrays = _snapshot_arrays(self)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue(), digest(arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> RunInputs:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
        year, month, closed = (int(x) for x in arrays.pop("meta"))
        income_args = {k[7:]: v for k, v in arrays.items() if k.startswith("income.")}
        income = YearInputs(year=year, closed_months=closed, ids=[str(c) for c in arrays["codes"]], **income_args)
        month_args = {k[6:]: v for k, v in arrays.items() if k.startswith("month.")}
        if "month.carry_forward" in arrays:
            month_args["carry_forward"] = bool(month_args["carry_forward"])
        inputs = MonthInputs(income=income, rates=rates_from(arrays), **month_args)
        return cls(year, month, arrays["employee_ids"], [str(c) for c in arrays["codes"]], inputs,
                   arrays.get("employee_makeup"), arrays.get("employer_makeup"))

    def digest(self) -> str:
        return digest(_snapshot_arrays(self))


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
        value = getattr(mi, f.name)
        if f.name in ("income", "rates") or value is None or (f.name == "carry_forward" and value):
            continue
        arrays[f"month.{f.name}"] = np.ascontiguousarray(value)
    if mi.rates:
        arrays.update(rates_arrays(mi.rates))
    for name in ("employee_makeup", "employer_makeup"):
        value = getattr(inputs, name)
        if value is not None:
            arrays[name] = np.ascontiguousarray(value, dtype=np.int64)
    return arrays


def digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def claims_of(declaration: Any) -> Claims:
    """A stored declaration as the declared items of the IIT engine."""
    return Claims.model_validate({k: getattr(declaration, k) for k in Claims.model_fields})


def _staff(conn: Connection, employer: Employer, year: int, month: int, only: list[int] | None) -> list:
    query = select(Employee).where(Employee.employer_id == employer.id)
    if only is not None:
        query = query.where(Employee.id.in_(only))
    else:
        period = Month(year, month)
        query = query.where(Employee.hire_date <= period.last,
                            (Employee.leave_date.is_(None)) | (Employee.leave_date >= period.first))
    return list(conn.execute(query.order_by(Employee.id)).all())


# pay items that are not pay: parts of another item, declared figures, another agent's pay, premiums
NOT_PAY = ("paid_abroad", "bonus_paid_abroad", "equity_paid_abroad", "contribution_wage", "special_additional_deductions",
           "other_deductions", "tax_reductions", "prior_employer_wages", "prior_employer_tax", "individual_pension",
           "commercial_health_insurance", "tax_deferred_pension")


def _paid(conn: Connection, staff: list, year: int, month: int) -> set[int]:
    """The employees of ``staff`` paid something in the month (a pay item other than :data:`NOT_PAY`)."""
    ids = {e.id for e in staff}
    rows = conn.execute(select(PayItem.employee_id).distinct().where(
        PayItem.year == year, PayItem.month == month, PayItem.amount_fen > 0, PayItem.kind.not_in(NOT_PAY))).all()
    return {r[0] for r in rows} & ids


def _employed(staff: list, year: int, month: int) -> np.ndarray:
    """(N, 12): employed in the month by the hire and leave dates; months after ``month`` are not computed."""
    months = np.arange(1, 13)
    hire = np.array([e.hire_date for e in staff], dtype="datetime64[D]")
    leave = np.array([e.leave_date or dt.date(9999, 12, 31) for e in staff], dtype="datetime64[D]")
    starts = np.array([Month(year, m).first for m in months], dtype="datetime64[D]")
    ends = np.array([Month(year, m).last for m in months], dtype="datetime64[D]")
    return (hire[:, None] <= ends[None, :]) & (leave[:, None] >= starts[None, :]) & (months <= month)[None, :]


@dataclass
class _PayItems:
    """The pay items of months 1..M: (N, 12) fen per kind, the (start, end) periods of lump sums,
    and per employee row the conversions of items paid in a foreign currency."""

    n: int
    kinds: dict[str, np.ndarray]
    periods: dict[str, tuple[np.ndarray, np.ndarray]]
    conversions: dict[int, list[dict]] = field(default_factory=dict)

    def get(self, kind: str) -> np.ndarray | None:
        return self.kinds.get(kind)

    def total(self, kind: str) -> np.ndarray:
        return self.kinds[kind] if kind in self.kinds else np.zeros((self.n, 12), dtype=np.int64)


def _pay_items(conn: Connection, employer: Employer, ids: np.ndarray, codes: list[str], year: int, month: int,
               law: Law) -> _PayItems:
    n, shape = ids.size, (ids.size, 12)
    kinds: dict[str, np.ndarray] = {}
    periods: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rows = conn.execute(select(PayItem.employee_id, PayItem.month, PayItem.kind, PayItem.amount_fen,
                               PayItem.period_from, PayItem.period_to, PayItem.currency)
                        .where(PayItem.year == year, PayItem.month <= month)).all()
    if not (rows and n):
        return _PayItems(n, kinds, periods)
    emp = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    mon = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    amt = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows))
    kind = np.array([r[2] for r in rows])
    at = np.searchsorted(ids, emp)
    at_ok = at < n
    ours = np.zeros(len(rows), dtype=bool)
    ours[at_ok] = ids[at[at_ok]] == emp[at_ok]
    conversions = _convert(conn, employer, rows, ours, at, amt, codes, year, law)
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
    return _PayItems(n, kinds, periods, conversions)


def _convert(conn: Connection, employer: Employer, rows: list, ours: np.ndarray, at: np.ndarray, amt: np.ndarray,
             codes: list[str], year: int, law: Law) -> dict[int, list[dict]]:
    """Items paid in a foreign currency to fen in place (``amt``), each at the employer's stored
    central parity of the day the law names for withholding (IIT Regulations art. 32,
    :func:`expatcn.iit.foreign_currency.convert`); a missing parity is an error naming the day and
    the currency. Returns, per employee row, what was converted and at which rate."""
    foreign = [i for i in np.flatnonzero(ours).tolist() if rows[i][6] is not None]
    if not foreign:
        return {}
    parities = parities_of(conn, employer)
    out: dict[int, list[dict]] = {}
    for i in foreign:
        r = rows[i]
        where = f"employee {codes[at[i]]}, {year}-{r[1]:02d} {r[2]}"
        c = convert(law, Decimal(int(amt[i])).scaleb(-2), r[6], Month(year, r[1]), parities, "withholding", where)
        amt[i] = c.fen
        out.setdefault(int(at[i]), []).append({
            "month": f"{year}-{r[1]:02d}", "kind": r[2], "amount": str(c.amount), "currency": c.currency,
            "rate": str(c.parity.rate), "unit": c.parity.unit, "rate_date": c.parity.day.isoformat(), "fen": c.fen})
    return out


PRIOR_EMPLOYER = ("prior_employer_wages", "prior_employer_tax")


def _check_pay(pay: _PayItems, employed: np.ndarray, codes: list[str]) -> None:
    """A part paid abroad is at most the whole; pay only in months of employment."""
    for total_name, abroad_name in (("salary", "paid_abroad"), *((k, f"{k}_paid_abroad") for k in LUMP_SUMS)):
        total, abroad = pay.get(total_name), pay.get(abroad_name)
        if abroad is not None and (abroad > (0 if total is None else total)).any():
            bad = [codes[i] for i in np.flatnonzero((abroad > (0 if total is None else total)).any(axis=1))[:10]]
            raise PayrollError(f"{abroad_name} is more than the {total_name} for employees {', '.join(bad)}")
    paid = np.zeros(employed.shape, dtype=bool)
    for kind, array in pay.kinds.items():
        if kind not in PRIOR_EMPLOYER:  # another agent's pay falls in any month of the year
            paid |= array != 0
    if (paid & ~employed).any():
        bad = [codes[i] for i in np.flatnonzero((paid & ~employed).any(axis=1))[:10]]
        raise PayrollError(f"pay items in months outside the employment dates (hire/leave) for employees {', '.join(bad)}")


@dataclass
class _Sourced:
    """Residency and China-taxable pay of the staff (travellers sourced from their trips)."""

    resident: np.ndarray
    wages: np.ndarray
    taxable: dict[str, np.ndarray]  # bonus / equity: China-taxable
    paid: dict[str, np.ndarray]  # bonus / equity: what this payroll pays


def _source(conn: Connection, employer: Employer, staff: list, ids: np.ndarray, pay: _PayItems, year: int,
            law: Law) -> _Sourced:
    """Status and China-taxable wages, bonuses and equity (MOF/STA 2019 No. 35) from the stored
    trips; the roster's resident flag, where filled, decides the status."""
    codes = [e.code for e in staff]
    domiciled = np.array([bool(e.domiciled) for e in staff], dtype=bool)
    given = np.array([-1 if e.resident is None else int(e.resident) for e in staff], dtype=np.int8)
    executive = np.array([bool(e.executive) for e in staff], dtype=bool)
    treaty = np.array([e.treaty_country or "" for e in staff], dtype="<U2") if staff else np.zeros(0, "<U2")
    salary, paid_abroad = pay.total("salary"), pay.get("paid_abroad")
    lump = {k: (pay.total(k), pay.get(f"{k}_paid_abroad")) for k in LUMP_SUMS}
    out = _Sourced(np.where(given >= 0, given == 1, domiciled), salary,
                   {k: total for k, (total, _) in lump.items()},
                   {k: total - abroad if abroad is not None else total for k, (total, abroad) in lump.items()})
    trip_rows = []
    if staff:
        staff_ids = set(ids.tolist())
        trip_rows = [r for r in conn.execute(select(Trip.employee_id, Trip.entry, Trip.exit)
                                             .join(Employee, Employee.id == Trip.employee_id)
                                             .where(Employee.employer_id == employer.id)).all() if r[0] in staff_ids]
    travellers = np.unique(np.array([r[0] for r in trip_rows], dtype=np.int64))
    foreign = np.array([e.nationality != "CN" for e in staff], dtype=bool)
    unknown = foreign & ~domiciled & (given < 0) & ~np.isin(ids, travellers)
    if unknown.any():
        bad = [codes[i] for i in np.flatnonzero(unknown)[:10]]
        raise PayrollError(f"residence unknown for {int(unknown.sum())} employees ({', '.join(bad)}): import their trips, "
                           "or fill the Resident column of the roster")
    if not travellers.size:
        return out
    rows = np.searchsorted(ids, travellers)
    local = {int(e): i for i, e in enumerate(travellers.tolist())}
    trips = Trips.from_dates([local[r[0]] for r in trip_rows], [r[1].date() for r in trip_rows],
                             [None if r[2] is None else r[2].date() for r in trip_rows], n_persons=travellers.size)
    china_paid = salary[rows] - (paid_abroad[rows] if paid_abroad is not None else 0)
    # bonuses and equity over the period they relate to (default: the month paid), as `expatcn tax` does
    sums = {}
    for kind, (total, _) in lump.items():
        start, end = pay.periods.get(kind, (None, None))
        sums[kind] = LumpSum(total[rows], out.paid[kind][rows], None if start is None else start[rows],
                             None if end is None else end[rows])
    sourced = china_taxable_pay(trips, year, salary[rows], china_paid, sums, law=law, domiciled=domiciled[rows],
                                treaty=treaty[rows], history_from=min(min(r[1].year for r in trip_rows), year),
                                executive=executive[rows], treaty_claim=treaty[rows] != "", forecast=False)
    out.resident[rows] = np.where(given[rows] >= 0, given[rows] == 1, sourced.assessment.status.resident)
    out.wages = salary.copy()
    out.wages[rows] = sourced.wages
    for kind, apportioned in sourced.lump_sums.items():
        out.taxable[kind] = out.taxable[kind].copy()
        out.taxable[kind][rows] = apportioned.china
    return out


def _declared(conn: Connection, ids: np.ndarray, year: int, month: int, employed: np.ndarray, law: Law) -> np.ndarray:
    """(N, 12) the declared special additional deductions, priced from the law of each month."""
    out = np.zeros((ids.size, 12), dtype=np.int64)
    declarations = conn.execute(select(DeductionDeclaration).where(DeductionDeclaration.year == year)).all()
    if not (declarations and ids.size):
        return out
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
            out[row, m - 1] += prices[key] if employed[row, m - 1] else 0
    return out


def _withheld(conn: Connection, employer: Employer, ids: np.ndarray, year: int,
              closed_months: int) -> tuple[np.ndarray, np.ndarray | None]:
    """(N, 12) the wage tax withheld in the closed months 1..``closed_months``, and the months a
    closed run paid each employee (``None``: every closed run paid all of them): a closed month
    that left an employee out (no pay) has no contributions of theirs."""
    n = ids.size
    withheld = np.zeros((n, 12), dtype=np.int64)
    filed = conn.execute(
        select(Run.month, RunResult.employee_id, RunResult.wage_tax)
        .join(Run, Run.id == RunResult.run_id)
        .where(Run.employer_id == employer.id, Run.year == year, Run.month <= closed_months, Run.status == "closed")
    ).all() if closed_months else []
    if not (filed and n):
        return withheld, None
    emp = np.fromiter((r[1] for r in filed), dtype=np.int64, count=len(filed))
    mon = np.fromiter((r[0] for r in filed), dtype=np.int64, count=len(filed))
    tax = np.fromiter((r[2] for r in filed), dtype=np.int64, count=len(filed))
    at = np.minimum(np.searchsorted(ids, emp), max(n - 1, 0))
    ours = ids[at] == emp
    withheld[at[ours], mon[ours] - 1] = tax[ours]
    paid = np.ones((n, 12), dtype=bool)
    months_run = np.unique(mon)
    paid[:, months_run - 1] = False
    paid[at[ours], mon[ours] - 1] = True
    return withheld, None if paid.all() else paid


def build_inputs(conn: Connection, employer: Employer, year: int, month: int, law: Law, *,
                 only: list[int] | None = None, closed_months: int | None = None,
                 carry_forward: bool = True, include: Collection[str] | Literal["all"] = ()) -> RunInputs:
    """The year-to-date inputs of ``month``: every employee employed in it and paid in it (or
    ``only`` these),
    months 1..``month`` of pay, residency from the trips, declared deductions, the tax withheld
    in the closed months (``closed_months``, default ``month − 1``), the employer's own social
    insurance figures, and the true-ups carried into ``month``. ``carry_forward=False``: strict,
    no social insurance figure carried forward.
    An employee employed but not paid in the month (a leaver paid nothing more, unpaid leave) is
    left out and listed in ``unpaid``, unless ``include`` names them (employee IDs, or ``"all"``)."""
    closed_months = month - 1 if closed_months is None else closed_months
    staff = _staff(conn, employer, year, month, only)
    unpaid: list[str] = []
    if only is None:
        if include != "all":
            unknown = sorted(set(include) - {e.code for e in staff})
            if unknown:
                raise PayrollError(f"cannot include {', '.join(unknown)}: not employees of {employer.tax_number} "
                                   f"employed in {Month(year, month)} (hire and leave dates)")
        paid = _paid(conn, staff, year, month)
        kept = [e for e in staff if e.id in paid or include == "all" or e.code in include]
        unpaid = [e.code for e in staff if e not in kept]
        staff = kept
    n = len(staff)
    ids = np.array([e.id for e in staff], dtype=np.int64)
    codes = [e.code for e in staff]
    employed = _employed(staff, year, month)
    pay = _pay_items(conn, employer, ids, codes, year, month, law)
    _check_pay(pay, employed, codes)
    pay.kinds.setdefault("salary", pay.total("salary"))
    sourced = _source(conn, employer, staff, ids, pay, year, law)
    sad = _declared(conn, ids, year, month, employed, law)
    if "special_additional_deductions" in pay.kinds:
        sad += pay.kinds["special_additional_deductions"]
    allowances = None
    for name in sorted(exempt_kinds(law)):
        if name in pay.kinds:
            allowances = pay.kinds[name].copy() if allowances is None else allowances + pay.kinds[name]
    exempt = [name for name in payable_kinds(law) if name in pay.kinds]
    withheld, paid_here = _withheld(conn, employer, ids, year, closed_months)
    flags = {name: np.array([bool(getattr(e, name)) for e in staff], dtype=bool)
             for name in ("domiciled", "allowance_election", "first_income_this_year", "low_income_last_year", "opt_in",
                          "housing_fund", "local_hukou")}
    nationality = np.array([e.nationality for e in staff], dtype="<U2") if n else np.zeros(0, "<U2")
    foreign = nationality != "CN"
    income = YearInputs(
        year=year,
        wages=sourced.wages,
        allowances=allowances,
        special_additional_deductions=sad if sad.any() else None,
        other_deductions=pay.get("other_deductions"),
        tax_reductions=pay.get("tax_reductions"),
        bonus=sourced.taxable["bonus"] if "bonus" in pay.kinds else None,
        labour=pay.get("labour"),
        equity=sourced.taxable["equity"] if "equity" in pay.kinds else None,
        other_wages=pay.get("prior_employer_wages"),
        other_tax_withheld=pay.get("prior_employer_tax"),
        individual_pension=pay.get("individual_pension"),
        commercial_health_insurance=pay.get("commercial_health_insurance"),
        tax_deferred_pension=pay.get("tax_deferred_pension"),
        exempt_kinds=np.stack([pay.kinds[name] for name in exempt], axis=1) if exempt else None,
        exempt_kind_names=tuple(exempt) if exempt else None,
        employed=employed,
        resident=sourced.resident,
        foreigner=foreign & ~flags["domiciled"],
        allowance_election=flags["allowance_election"],
        bonus_method=np.array([BONUS_METHODS[e.bonus_method] for e in staff], dtype=np.int8),
        first_income_this_year=flags["first_income_this_year"],
        low_income_last_year=flags["low_income_last_year"],
        closed_months=closed_months,
        wage_tax_withheld=withheld if closed_months else None,
        ids=codes,
    )
    salary, paid_abroad = pay.kinds["salary"], pay.get("paid_abroad")
    declared_wage = pay.get("contribution_wage")
    certificate_until = np.array([e.certificate_until or "NaT" for e in staff], dtype="datetime64[D]")
    holders = bool((~np.isnat(certificate_until)).any())
    ppm = lambda v: DEFAULT_RATE if v is None else rate_to_ppm(v)  # noqa: E731 — Numeric(10,6) is exact in ppm
    month_inputs = MonthInputs(
        income=income,
        pay=salary - paid_abroad if paid_abroad is not None else salary,  # what this payroll pays out
        city=np.full(n, employer.city),
        contribution_wage=salary.copy() if declared_wage is None else np.where(declared_wage > 0, declared_wage, salary),
        foreign=foreign,
        hk_macao_taiwan=hk_macao_taiwan_residents(law, nationality),
        nationality=nationality if holders else None,
        certificate_from=np.array([e.certificate_from or "NaT" for e in staff], dtype="datetime64[D]") if holders else None,
        certificate_until=certificate_until if holders else None,
        opt_in=flags["opt_in"],
        housing_fund=flags["housing_fund"],
        local_hukou=flags["local_hukou"],
        work_injury_rate=np.full(n, ppm(employer.work_injury_rate), dtype=np.int64),
        housing_fund_rate=np.full(n, ppm(employer.housing_fund_rate), dtype=np.int64),
        # what is paid, where it differs from the taxable bonus / equity (apportioned, or partly paid abroad)
        bonus_paid=_differs(sourced.paid["bonus"], sourced.taxable["bonus"]),
        equity_paid=_differs(sourced.paid["equity"], sourced.taxable["equity"]),
        rates=employer_rates(conn, employer.id),
        carry_forward=carry_forward,
        paid_here=paid_here,
    )
    employee_makeup, employer_makeup = _makeups(conn, employer, ids, year, month)
    return RunInputs(year, month, ids, codes, month_inputs, employee_makeup, employer_makeup, sorted(unpaid),
                     pay.conversions)


def _makeups(conn: Connection, employer: Employer, ids: np.ndarray, year: int, month: int):
    """(N,) fen of the true-ups carried into the month, employee and employer (None: none)."""
    rows = conn.execute(select(TrueUp.employee_id, TrueUp.employee_fen, TrueUp.employer_fen).where(
        TrueUp.employer_id == employer.id, TrueUp.carried_to == str(Month(year, month)))).all()
    if not rows:
        return None, None
    employee, employer_side = np.zeros(ids.size, dtype=np.int64), np.zeros(ids.size, dtype=np.int64)
    for emp, ee, er in rows:
        at = int(np.searchsorted(ids, emp))
        if at < ids.size and ids[at] == emp:
            employee[at] += ee
            employer_side[at] += er
    return employee, employer_side


def _differs(paid: np.ndarray, taxable: np.ndarray) -> np.ndarray | None:
    return None if np.array_equal(paid, taxable) else paid
