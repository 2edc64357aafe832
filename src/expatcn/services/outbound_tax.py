"""Income tax of an outbound assignee (``expatcn outbound``), calendar year by calendar year: the
host country's income tax on the host wage (``expatcn.host_tax``, with the relief its law gives for
the employee's own contributions), China tax on the worldwide income of a China resident taxed on
it — a domiciled Chinese national, or a foreigner resident in China past the six-year clock — and
China's foreign tax credit with its carry-forward across the assignment's years
(``iit.foreign_tax_credit``), and the true net. RMB at the rate the scenario or ``--fx`` gives (the
planning rate; withholding in China converts at the statutory parity, ``iit.foreign_currency``)."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from expatcn.errors import LawError
from expatcn.host_tax import COUNTRIES, HostTaxError
from expatcn.iit.foreign_tax_credit import foreign_tax_credit
from expatcn.iit.inputs import YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.money import minor_to_str, yuan_str
from expatcn.planning.fx import Converter
from expatcn.planning.host_income_tax import contribution_relief, days_in, host_year
from expatcn.social.outbound import OutboundResult

MONTHS = 12


class TaxYear(BaseModel):
    """One calendar year of the assignment: host amounts in the host currency, the rest RMB."""

    year: int
    host_income: str
    host_deductible_contributions: str
    host_resident: bool | None
    host_tax: str | None
    host_tax_cny: str | None
    china_income: str | None
    china_tax_before_credit: str | None
    credit_limit: str | None
    credit: str | None
    carry_forward_used: str | None
    excess: str | None
    carried_forward: str | None
    lapsed: str | None
    china_tax_after_credit: str | None
    host_contributions_cny: str | None
    china_contributions: str | None
    net_cny: str | None  # income − host tax − host contributions − China tax after credit − China contributions


class OutboundTaxes(BaseModel):
    """The assignee's income tax on both sides; ``notes`` say what is not computed and why."""

    china_worldwide_income: bool
    years: list[TaxYear]
    notes: list[str]
    law: list[LawRef]


def outbound_taxes(law: Law, r: OutboundResult, worldwide: bool) -> OutboundTaxes:
    """Host tax, China tax before and after the credit, the carry-forward and the net of one
    assignment (see the module docstring)."""
    a, country = r.assignment, r.assignment.host_country
    minor = r.host.minor_per_unit
    years = sorted({m.year for m in r.months})
    wage = np.asarray(r.host_wage).reshape(-1)
    notes: list[str] = []
    refs: list[LawRef] = []
    conv = Converter({} if r.fx_cny_per_unit is None else {r.currency: r.fx_cny_per_unit})
    host_tax: list[int | None] = []
    rows: list[dict] = []
    for year in years:
        cols = [i for i, m in enumerate(r.months) if m.year == year]
        employee = {key: int(amounts.reshape(-1)[cols].sum()) for key, amounts in r.host.employee.items()}
        deductible, credited = contribution_relief(law, country, year, employee)
        row = {"year": year, "income": int(wage[cols].sum()), "deductible": deductible, "resident": None}
        tax = None
        if country in COUNTRIES:
            days = np.array([[days_in(a, year - k) for k in range(3)]], dtype=np.int64)
            try:
                result, status = host_year(law, country, year, np.array([row["income"]]), np.array([deductible]),
                                           np.array([credited]), days, {})
                tax, row["resident"] = int(result.total[0]), bool(status[0] != 0)
                refs += [result.ref] if result.ref not in refs else []
                if status[0] < 0:
                    notes.append(f"{year}: {country} residence decided on facts, not days: resident assumed")
            except LawError as exc:
                notes.append(f"{year}: no {country} income tax table ({exc})")
            except HostTaxError as exc:
                notes.append(f"{year}: {country} income tax not computed ({exc})")
        host_tax.append(tax)
        rows.append(row)
    if country not in COUNTRIES:
        notes.append(f"host income tax for {country} is not modelled (modelled: {', '.join(COUNTRIES)}): the net is "
                     "before it and before China's foreign tax credit")
    if r.fx_cny_per_unit is None:
        notes.append(f"give fx_cny_per_unit.{r.currency} (or --fx) for the China tax, the credit and the net in RMB")
        return OutboundTaxes(china_worldwide_income=worldwide, notes=notes, law=refs,
                             years=[_year(row, tax, minor, None) for row, tax in zip(rows, host_tax)])
    china = _china(law, r, years, conv, worldwide, notes)
    paid = np.array([[[0 if t is None else int(conv.to_fen(t, r.currency, minor)) for t in host_tax]]], np.int64)
    credit = foreign_tax_credit(law, years, [country], china["tax"][None, :], china["income"][None, :],
                                china["income"][None, None, :], paid)
    refs.append(credit.ref)
    out = []
    for t, (row, tax) in enumerate(zip(rows, host_tax)):
        cols = [i for i, m in enumerate(r.months) if m.year == row["year"]]
        host_ee = int(conv.to_fen(int(np.asarray(r.host_employee()).reshape(-1)[cols].sum()), r.currency, minor))
        china_ee = int(china["contributions"][t])
        after = int(credit.china_tax_after_credit[0, t])
        tax_cny = None if tax is None else int(paid[0, 0, t])
        net = None if tax is None and country in COUNTRIES else (
            int(china["income"][t]) - (tax_cny or 0) - host_ee - after - china_ee)
        out.append(_year(row, tax, minor, {
            "tax_cny": tax_cny, "income": int(china["income"][t]), "tax": int(china["tax"][t]),
            "limit": int(credit.limit[0, 0, t]), "credit": int(credit.credit[0, 0, t]),
            "used": int(credit.carry_used[0, 0, t]), "excess": int(credit.excess[0, 0, t]),
            "carried": int(credit.ledger[0, 0, :, t].sum()), "lapsed": int(credit.lapsed[0, 0, t]),
            "after": after, "host_ee": host_ee, "china_ee": china_ee, "net": net}))
    return OutboundTaxes(china_worldwide_income=worldwide, years=out, notes=notes, law=refs)


def _china(law: Law, r: OutboundResult, years: list[int], conv: Converter, worldwide: bool,
           notes: list[str]) -> dict[str, np.ndarray]:
    """Per year: the worldwide income in RMB, the employee's China contributions, and the China
    tax on the income (its reconciliation: one ``compute_year`` per year, a person being a batch of one)."""
    income = np.zeros(len(years), np.int64)
    tax = np.zeros(len(years), np.int64)
    contributions = np.zeros(len(years), np.int64)
    fen = conv.to_fen(np.asarray(r.host_wage).reshape(-1), r.currency, r.host.minor_per_unit)
    if r.china is None:
        notes.append(f"China contributions: {r.china_note}")
    else:
        notes.append("China contributions deducted as the employee's special deductions (social insurance and the "
                     "tax-free housing fund)")
    for t, year in enumerate(years):
        wages, deduction = np.zeros((1, MONTHS), np.int64), np.zeros((1, MONTHS), np.int64)
        employed = np.zeros((1, MONTHS), bool)
        for i, month in enumerate(r.months):
            if month.year == year:
                wages[0, month.month - 1] = fen[i]
                employed[0, month.month - 1] = True
                if r.china is not None:
                    deduction[0, month.month - 1] = r.china.deduction[i]
                    contributions[t] += int(r.china.employee[i])
        income[t] = wages.sum()
        if not worldwide:
            continue
        result = compute_year(YearInputs(year=year, wages=wages, employee_contributions=deduction, employed=employed,
                                         resident=np.array([True]), foreigner=np.array([False])), law)
        tax[t] = int(result.annual["year_tax"][0])
    if worldwide:
        notes.append("China tax on worldwide income (IIT Law art. 1), settled at the reconciliation of the next year "
                     "(1 March – 30 June), where the host tax is credited (IIT Law art. 7; MOF/STA Announcement 2020 "
                     "No. 3) against the host tax certificate")
    else:
        notes.append("not a China resident taxed on worldwide income: no China tax on the income earned abroad")
    return {"income": income, "tax": tax, "contributions": contributions}


def _year(row: dict, tax: int | None, minor: int, cny: dict | None) -> TaxYear:
    """The year's figures as exact decimal strings (host currency, then RMB)."""
    host = lambda v: None if v is None else minor_to_str(v, minor).replace(",", "")  # noqa: E731
    c = cny or {}
    return TaxYear(
        year=row["year"], host_income=host(row["income"]), host_deductible_contributions=host(row["deductible"]),
        host_resident=row["resident"], host_tax=host(tax), host_tax_cny=yuan_str(c.get("tax_cny")),
        china_income=yuan_str(c.get("income")), china_tax_before_credit=yuan_str(c.get("tax")),
        credit_limit=yuan_str(c.get("limit")), credit=yuan_str(c.get("credit")),
        carry_forward_used=yuan_str(c.get("used")), excess=yuan_str(c.get("excess")),
        carried_forward=yuan_str(c.get("carried")), lapsed=yuan_str(c.get("lapsed")),
        china_tax_after_credit=yuan_str(c.get("after")), host_contributions_cny=yuan_str(c.get("host_ee")),
        china_contributions=yuan_str(c.get("china_ee")), net_cny=yuan_str(c.get("net")),
    )
