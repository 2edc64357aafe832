"""True-ups (issue 11): months run on social insurance figures carried forward, once the law
tables publish the figures (``expatcn trueup <city> <from-month>``, the web month page): per
employee and month the difference in employee and employer contributions, the deductible part
and the IIT, and — with ``carry`` — recorded to be paid with the next open month
(:mod:`expatcn.payroll.trueup`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from expatcn.dates import Month
from expatcn.law import load_law
from expatcn.money import yuan_str
from expatcn.payroll import trueup as engine
from expatcn.services.payroll import Store, open_store
from expatcn.social.cities import city_key


class TrueUpLineOut(BaseModel):
    employee: str
    month: str
    employee_contributions: str = Field(description="yuan, published − declared")
    employer_contributions: str = Field(description="yuan, published − declared")
    deductible: str = Field(description="yuan: the change in the IIT special deductions (social insurance and "
                                        "the tax-free housing fund)")
    iit: str = Field(description="yuan: the change in the month's IIT")
    treatment: str = Field(description="where the IIT difference goes: carried (the next run of the year), "
                                       "reconciliation (a closed year) or refile (monthly method)")
    carried_to: str | None = Field(description="the month whose run pays the contributions (none: not carried)")
    note: str


class TrueUpAnswer(BaseModel):
    city: str
    start: str
    through: str | None = Field(description="the last closed month looked at")
    next_open: str
    recorded: int = Field(description="lines recorded to be paid with the next open month")
    totals: dict[str, str]
    lines: list[TrueUpLineOut]


def trueup(store: Store, city: str, start: str, *, carry: bool = False, employer: str | None = None) -> TrueUpAnswer:
    """Every closed month from ``start`` recomputed with the law tables and employer figures of
    now, per employee; with ``carry`` the differences are recorded for the next open month."""
    law = load_law()
    r = engine.trueup(store, city_key(law, city), Month.parse(start), law=law, carry=carry,
                      employer_tax_number=employer)
    return TrueUpAnswer(
        city=r.city, start=r.start, through=r.through, next_open=r.next_open, recorded=r.recorded,
        totals={k: yuan_str(v) for k, v in r.totals().items()},
        lines=[TrueUpLineOut(employee=ln.code, month=ln.month, employee_contributions=yuan_str(ln.employee),
                             employer_contributions=yuan_str(ln.employer), deductible=yuan_str(ln.deductible),
                             iit=yuan_str(ln.iit), treatment=ln.treatment, carried_to=ln.carried_to, note=ln.note)
               for ln in r.lines])


__all__ = ["TrueUpAnswer", "TrueUpLineOut", "open_store", "trueup"]
