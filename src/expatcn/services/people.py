"""The people of the store: the employer, the roster (ID numbers masked), one employee's record,
trips and pay items."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from expatcn.io.exports.common import mask_id
from expatcn.io.trips import trip_record
from expatcn.law import Law
from expatcn.money import yuan_str
from expatcn.payroll import queries
from expatcn.services.payroll import Store
from expatcn.services.residency import EmployeeResidency, residency_year


class Company(BaseModel):
    name: str
    tax_number: str
    city: str


class EmployeeListItem(BaseModel):
    id: str
    name: str
    id_type: str
    id_number: str = Field(description="masked: only the last characters are shown")
    nationality: str
    resident: bool | None
    executive: bool
    hire_date: dt.date
    leave_date: dt.date | None
    certificate_until: dt.date | None


class EmployeeDetail(BaseModel):
    id: str
    name: str
    id_type: str
    id_number: str = Field(description="masked unless revealed (payroll and admin keys)")
    nationality: str
    domiciled: bool | None
    resident: bool | None
    treaty_country: str | None
    executive: bool
    allowance_election: bool
    bonus_method: str
    certificate_from: dt.date | None
    certificate_until: dt.date | None
    hire_date: dt.date
    leave_date: dt.date | None
    local_hukou: bool
    housing_fund: bool | None
    opt_in: bool
    first_income_this_year: bool
    low_income_last_year: bool


class TripOut(BaseModel):
    entry: dt.datetime
    exit: dt.datetime | None
    note: str | None


class PayItemOut(BaseModel):
    month: str
    kind: str
    amount: str = Field(description="in ``currency`` (yuan unless said)")
    currency: str = Field("CNY", description="a foreign currency is converted at each run by the central parity")


def company(store: Store) -> Company | None:
    """The employer of the store, or ``None`` while there is none."""
    e = queries.company(store)
    return None if e is None else Company(name=e.name, tax_number=e.tax_number, city=e.city)


def employees(store: Store, employer: str | None = None) -> list[EmployeeListItem]:
    """The roster, ID numbers masked."""
    return [EmployeeListItem(id=r.code, name=r.name, id_type=r.id_type, id_number=mask_id(r.id_number),
                             nationality=r.nationality, resident=r.resident, executive=r.executive, hire_date=r.hire_date,
                             leave_date=r.leave_date, certificate_until=r.certificate_until)
            for r in queries.employees(store, employer)]


def employee(store: Store, code: str, *, reveal_id: bool = False) -> EmployeeDetail:
    """One employee's record; the ID number masked unless ``reveal_id``."""
    r = queries.employee(store, code)
    fields = {k: getattr(r, k) for k in EmployeeDetail.model_fields if k not in ("id", "id_number")}
    return EmployeeDetail(id=r.code, id_number=r.id_number if reveal_id else mask_id(r.id_number), **fields)


def trips(store: Store, code: str) -> list[TripOut]:
    return [TripOut(entry=t.entry, exit=t.exit, note=t.note) for t in queries.trips(store, code)]


def pay_items(store: Store, code: str, year: int | None = None) -> list[PayItemOut]:
    return [PayItemOut(month=f"{r.year}-{r.month:02d}", kind=r.kind, amount=yuan_str(r.amount_fen),
                       currency=r.currency or "CNY") for r in queries.pay_items(store, code, year)]


def residency(store: Store, code: str, year: int, *, law: Law | None = None) -> EmployeeResidency:
    """The employee's residency year from the stored trips (:func:`expatcn.services.residency.residency_year`,
    as a payroll run reads them): days per month, status, the clock, alerts and the law's lines."""
    emp = employee(store, code)
    stored = [t for t in trips(store, code) if t.entry.year <= year]
    records = [trip_record(i + 1, {"entry": t.entry, "exit": t.exit}, "stored trips") for i, t in enumerate(stored)]
    if not records:
        return EmployeeResidency(year=year, person=None, lines=None, law=[], trips=0,
                                 note="no trips recorded: residency follows the roster (resident flag or domicile)")
    answer = residency_year(records, year, history_from=min([year] + [t.entry.year for t in stored]),
                            domiciled=bool(emp.domiciled), treaty=emp.treaty_country or None, source="stored trips",
                            law=law)
    return EmployeeResidency(year=year, person=answer.persons[0], lines=answer.lines, law=answer.law,
                             trips=len(records), note=None)


__all__ = ["Company", "EmployeeDetail", "EmployeeListItem", "PayItemOut", "TripOut", "company", "employee", "employees",
           "pay_items", "residency", "trips"]
