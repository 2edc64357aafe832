"""A Chinese employee sent abroad (``expatcn outbound``): host contributions month by month, what
the agreement removes, the double-contribution exposure, the certificate of coverage and its
alerts, the home-city contributions that continue, and the income tax on both sides with China's
foreign tax credit and the true net (:mod:`.outbound_tax`). Host amounts stay in the host currency;
RMB only at a rate the user gives."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from expatcn.errors import InputError
from expatcn.io.outbound_file import OutboundScenario, load_outbound_scenario
from expatcn.law import Law, load_law
from expatcn.law.model import LawRef
from expatcn.money import minor_to_str, yuan_str
from expatcn.services.outbound_tax import OutboundTaxes, outbound_taxes
from expatcn.social.outbound import OutboundResult
from expatcn.social.outbound import outbound as outbound_engine

Amount = str  # in the host currency (or CNY where named), an exact decimal string
TOTALS = ("host_employer", "host_employee", "removed_by_agreement", "double_exposure")


class HostScheme(BaseModel):
    base: Amount
    employer: Amount
    employee: Amount
    exempt: bool


class OutboundMonth(BaseModel):
    month: str
    host_wage: Amount
    certificate_covers: bool
    host_employer: Amount
    host_employee: Amount
    removed_by_agreement: Amount
    double_exposure: Amount
    schemes: dict[str, HostScheme]


class OutboundTotals(BaseModel):
    host_employer: Amount
    host_employee: Amount
    removed_by_agreement: Amount
    double_exposure: Amount
    fx_cny_per_unit: str | None = None
    host_employer_cny: str | None = None
    host_employee_cny: str | None = None
    removed_by_agreement_cny: str | None = None
    double_exposure_cny: str | None = None


class Certificate(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    agreement: str | None
    applied: bool
    start: dt.date | None = Field(alias="from")
    expiry: dt.date | None
    renewal_alert: dt.date | None
    china_exempt_abroad: list[str]
    max_secondment_months: int | None
    extension: str | None
    confidence: str | None
    sources: list[str]


class EmployerClass(BaseModel):
    key: str
    name: str
    name_zh: str | None
    assumed: bool


class ChinaMonth(BaseModel):
    month: str
    employer: str
    employee: str


class ChinaSide(BaseModel):
    """The home-city contributions that continue, in RMB (or why they were not computed)."""

    computed: bool
    note: str | None = None
    city: str | None = None
    currency: str | None = None
    months: list[ChinaMonth] = []
    employer_total: str | None = None
    employee_total: str | None = None
    assumptions: list[str] = []
    law: list[LawRef] = []


class OutboundAssignment(BaseModel):
    name: str
    host_country: str
    currency: str
    start: dt.date
    end: dt.date
    certificate: Certificate
    alerts: list[str]
    employer_class: EmployerClass | None
    double_exposure_branches: list[str]
    china_side: ChinaSide
    months: list[OutboundMonth]
    totals: OutboundTotals
    law: list[LawRef]
    schemes_not_modelled: list[str]
    taxes: OutboundTaxes

    @classmethod
    def of(cls, r: OutboundResult, law: Law) -> OutboundAssignment:
        host, t, a = r.host, r.timeline, r.assignment

        def fmt(value) -> str:
            return minor_to_str(int(value), host.minor_per_unit).replace(",", "")

        months = [OutboundMonth(
            month=f"{month:%Y-%m}", host_wage=fmt(r.host_wage[i]), certificate_covers=bool(r.certificate_month[i]),
            host_employer=fmt(r.host_employer()[i]), host_employee=fmt(r.host_employee()[i]),
            removed_by_agreement=fmt(r.removed_by_agreement[i]), double_exposure=fmt(r.double_exposure[i]),
            schemes={key: HostScheme(base=fmt(host.base[key][0, i]), employer=fmt(host.employer[key][0, i]),
                                     employee=fmt(host.employee[key][0, i]), exempt=bool(host.exempt[key][0, i]))
                     for key in host.schemes})
            for i, month in enumerate(r.months)]
        sums = {"host_employer": r.host_employer().sum(), "host_employee": r.host_employee().sum(),
                "removed_by_agreement": r.removed_by_agreement.sum(), "double_exposure": r.double_exposure.sum()}
        totals = {key: fmt(value) for key, value in sums.items()}
        if r.fx_cny_per_unit is not None:
            totals["fx_cny_per_unit"] = str(r.fx_cny_per_unit)
            for key in TOTALS:
                cny = Decimal(totals[key]) * r.fx_cny_per_unit
                totals[f"{key}_cny"] = str(cny.quantize(Decimal("0.01"), ROUND_HALF_UP))
        refs = {ref.table + "@" + str(ref.start): ref for ref in (m.ref for m in host.law)}
        agreement, cls_ = t.agreement, host.employer_class[0]
        return cls(
            name=a.name, host_country=a.host_country, currency=r.currency, start=a.start, end=a.end,
            certificate=Certificate(
                agreement=agreement.name if agreement else None, applied=t.applied, start=t.start, expiry=t.expiry,
                renewal_alert=t.renewal_alert,
                china_exempt_abroad=list(agreement.partner_exempt_branches) if agreement else [],
                max_secondment_months=agreement.max_secondment_months if agreement else None,
                extension=agreement.extension if agreement else None,
                confidence=agreement.confidence if agreement else None,
                sources=[s.cite() for s in agreement.sources] if agreement else []),
            alerts=list(t.alerts),
            employer_class=None if cls_ is None else EmployerClass(
                key=cls_.key, name=cls_.name, name_zh=cls_.name_zh, assumed=a.host_employer_class is None),
            double_exposure_branches=list(r.double_exposure_branches), china_side=_china(r), months=months,
            totals=OutboundTotals(**totals), law=list(refs.values()),
            schemes_not_modelled=sorted({x for m in host.law for x in m.value.not_modelled}),
            taxes=outbound_taxes(law, r, a.china_worldwide_income),
        )


def _china(r: OutboundResult) -> ChinaSide:
    if r.china is None:
        return ChinaSide(computed=False, note=r.china_note)
    c = r.china
    return ChinaSide(
        computed=True, city=c.city, currency="CNY",
        months=[ChinaMonth(month=f"{m:%Y-%m}", employer=yuan_str(c.employer[i]), employee=yuan_str(c.employee[i]))
                for i, m in enumerate(r.months)],
        employer_total=yuan_str(c.employer.sum()), employee_total=yuan_str(c.employee.sum()),
        assumptions=c.assumptions, law=list(c.refs))


class Outbound(BaseModel):
    title: str | None
    assignments: list[OutboundAssignment]


def read_outbound(path: Path, *, law: Law | None = None) -> OutboundScenario:
    """An outbound scenario file (.yaml or .json), checked against the host countries the law
    tables have; errors name the file and the field."""
    return load_outbound_scenario(path, law or load_law())


def outbound(scenario: OutboundScenario, fx: Decimal | None = None, *, law: Law | None = None) -> Outbound:
    """Every assignment of ``scenario``; ``fx`` (RMB per host unit) overrides the scenario's rates."""
    if fx is not None and fx <= 0:
        raise InputError("fx: must be positive (RMB per unit of the host currency)")
    law = law or load_law()
    results = outbound_engine(law, scenario, fx)
    return Outbound(title=scenario.title, assignments=[OutboundAssignment.of(r, law) for r in results])
