"""Outbound assignments: a Chinese employee sent abroad — the host country's contributions, what
China's agreement with the host country removes, the double-contribution exposure, and the
certificate-of-coverage timeline.

Rules: host contributions per ``law/social/host/<iso2>.yaml``; exemptions per the agreement in
``law/social/agreements.yaml`` (a Chinese certificate removes ``partner_exempt_branches`` for the
months it covers in full, once the agreement is in force); certificate expiry = secondment start +
the agreement's maximum secondment − 1 day; renewal alert three months before expiry. China
contributions that continue in the home city are double exposure in every month and branch the
host country also charges. Amounts stay in their own currency; RMB only with a rate the user gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

import numpy as np

from expatcn.dates import add_months, month_range
from expatcn.errors import InputError, LawError
from expatcn.law import Law
from expatcn.law.schemas.social_international import Agreement
from expatcn.money import yuan_to_fen
from expatcn.social.agreements import agreement_for, certificate_covers_month
from expatcn.social.cities import city_key
from expatcn.social.contributions import contributions
from expatcn.social.host import HostContributions, host_contributions, to_minor

# Host branches that insure a risk a China scheme insures too (same names): paying both is double contribution.
OVERLAPPING_BRANCHES = ("medical", "pension", "unemployment", "work_injury")
RENEWAL_NOTICE_MONTHS = 3

class OutboundCertificate(Protocol):
    start: dt.date | None  # default: the assignment start
    until: dt.date | None  # default: start + the agreement's maximum − 1 day
    apply: bool  # false: no certificate is applied for


class OutboundAssignment(Protocol):
    """One outbound assignment as the engine reads it (``io.outbound_file.Assignment`` is the
    file's form): amounts in the host currency, the China base in RMB."""

    name: str
    host_country: str
    start: dt.date
    end: dt.date
    host_wage_monthly: Decimal
    host_wage_by_month: dict[str, Decimal]  # 'YYYY-MM' overrides
    home_city: str | None
    china_contributions_continue: bool
    china_base_monthly: Decimal | None
    certificate: OutboundCertificate
    host_not_applicable: list[str]
    host_employer_class: str | None


class OutboundAssignments(Protocol):
    assignments: list[OutboundAssignment]
    fx_cny_per_unit: dict[str, Decimal]


# ---------------------------------------------------------------- certificate timeline


@dataclass(frozen=True)
class CertificateTimeline:
    """The certificate of coverage for one assignment and the alerts it raises."""

    agreement: Agreement | None
    applied: bool
    start: dt.date | None
    expiry: dt.date | None
    renewal_alert: dt.date | None
    alerts: tuple[str, ...]


def certificate_timeline(law: Law, country: str, start: dt.date, end: dt.date, cert_from: dt.date | None = None,
                         cert_until: dt.date | None = None, apply: bool = True) -> CertificateTimeline:
    """The certificate of coverage of a secondment to ``country`` from ``start`` to ``end``:
    expiry ``cert_until``, else ``cert_from`` (default ``start``) + the agreement's maximum − 1
    day; renewal alert 3 months before. ``apply`` false: no certificate is applied for."""
    agreement = agreement_for(law, country, start)
    alerts: list[str] = []
    if agreement is None:
        alerts.append(f"no social security agreement between China and {country}: host contributions are due in full "
                      "for the whole assignment on top of any China contributions")
        return CertificateTimeline(None, False, None, None, None, tuple(alerts))
    if not agreement.in_force_on(start):
        when = f"in force from {agreement.in_force}" if agreement.in_force else "not (known to be) in force"
        alerts.append(f"the China–{country} agreement (signed {agreement.signed}) is {when}: no exemption at the start")
    if not apply:
        alerts.append("no certificate of coverage applied for: host contributions are due in full")
        return CertificateTimeline(agreement, False, None, None, None, tuple(alerts))
    cert_start = cert_from or start
    expiry = cert_until
    if expiry is None and agreement.max_secondment_months is not None:
        expiry = add_months(cert_start, agreement.max_secondment_months) - dt.timedelta(days=1)
    if expiry is None:
        alerts.append(f"the China–{country} agreement gives no maximum secondment in our sources: "
                      "enter the certificate's end date ('certificate: until:')")
        return CertificateTimeline(agreement, True, cert_start, None, None, tuple(alerts))
    if agreement.max_secondment_months is not None:
        limit = add_months(cert_start, agreement.max_secondment_months) - dt.timedelta(days=1)
        if expiry > limit:
            alerts.append(f"certificate end {expiry} is beyond the agreement's maximum of "
                          f"{agreement.max_secondment_months} months ({limit}); an extension is needed")
    renewal = add_months(expiry, -RENEWAL_NOTICE_MONTHS)
    if end > expiry:
        ext = agreement.extension or "extension rules unconfirmed"
        alerts.append(f"the assignment ends {end}, after the certificate expires on {expiry}: "
                      f"host {', '.join(agreement.partner_exempt_branches)} contributions are due from "
                      f"{expiry + dt.timedelta(days=1)} unless extended. Apply for renewal by {renewal}. ({ext})")
    return CertificateTimeline(agreement, True, cert_start, expiry, renewal, tuple(alerts))


# ---------------------------------------------------------------- the two-country picture


@dataclass
class OutboundResult:
    """One assignment, month by month (arrays of length M, host currency minor units)."""

    assignment: OutboundAssignment
    months: list[dt.date]
    timeline: CertificateTimeline
    host: HostContributions  # with the certificate applied
    host_without_certificate: HostContributions
    host_wage: np.ndarray
    certificate_month: np.ndarray  # bool: the certificate covers the whole month
    removed_by_agreement: np.ndarray  # employer + employee amounts the certificate removes
    double_exposure: np.ndarray  # host employer + employee amounts in branches China also charges
    double_exposure_branches: tuple[str, ...]
    china: object | None = None  # the China engine's result where it is available
    china_note: str | None = None
    fx_cny_per_unit: Decimal | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.host.currency

    def host_employer(self) -> np.ndarray:
        return self.host.employer_total()[0]

    def host_employee(self) -> np.ndarray:
        return self.host.employee_total()[0]


def _wages(assignment: OutboundAssignment, months: list[dt.date], minor: int) -> np.ndarray:
    monthly = to_minor(assignment.host_wage_monthly, minor)
    row = np.full(len(months), monthly, dtype=np.int64)
    for key, amount in assignment.host_wage_by_month.items():
        month = dt.date.fromisoformat(f"{key}-01")
        if month not in months:
            raise InputError(f"{assignment.name}: host_wage_by_month names {key}, outside the assignment")
        row[months.index(month)] = to_minor(amount, minor)
    return row[None, :]


def outbound_assignment(law: Law, assignment: OutboundAssignment, fx: Decimal | None = None) -> OutboundResult:
    """The two-country picture of one assignment (see the module docstring for the rules)."""
    months = month_range(assignment.start, assignment.end)
    cert = assignment.certificate
    timeline = certificate_timeline(law, assignment.host_country, assignment.start, assignment.end, cert.start,
                                    cert.until, cert.apply)
    cls = assignment.host_employer_class
    try:
        probe = host_contributions(law, assignment.host_country, np.zeros((1, len(months)), np.int64), months,
                                   employer_class=cls)
    except ValueError as exc:
        raise InputError(f"{assignment.name}: host_employer_class: {exc}") from None
    wage = _wages(assignment, months, probe.minor_per_unit)
    covered = np.zeros(len(months), dtype=bool)
    if timeline.applied and timeline.expiry is not None and timeline.agreement is not None:
        start = np.array([timeline.start], dtype="datetime64[D]")
        until = np.array([timeline.expiry], dtype="datetime64[D]")
        for i, month in enumerate(months):
            covered[i] = bool(certificate_covers_month(start, until, month)[0]) and timeline.agreement.in_force_on(month)
    exempt = {}
    if timeline.agreement is not None:
        exempt = {branch: covered[None, :] for branch in timeline.agreement.partner_exempt_branches}
    skip = set(assignment.host_not_applicable)
    with_cert = host_contributions(law, assignment.host_country, wage, months, exempt, skip, cls)
    without = host_contributions(law, assignment.host_country, wage, months, None, skip, cls)
    removed = (without.employer_total() + without.employee_total() - with_cert.employer_total() - with_cert.employee_total())[0]
    branches: tuple[str, ...] = ()
    exposure = np.zeros(len(months), dtype=np.int64)
    if assignment.china_contributions_continue:
        branches = OVERLAPPING_BRANCHES
        keys = with_cert.keys_in_branches(set(branches))
        exposure = (with_cert.employer_total(keys) + with_cert.employee_total(keys))[0]
    result = OutboundResult(assignment, months, timeline, with_cert, without, wage[0], covered, removed,
                            exposure, branches, fx_cny_per_unit=fx)
    _china_side(law, result)
    return result


@dataclass
class ChinaSide:
    """The contributions that continue in the home city, per month (fen), with the law used."""

    city: str
    employer: np.ndarray  # (M,) social insurance + housing fund, employer
    employee: np.ndarray  # (M,) employee
    deduction: np.ndarray  # (M,) the employee's part the IIT deducts (social + tax-free housing fund)
    by_scheme: dict[str, tuple[np.ndarray, np.ndarray]]  # scheme -> (employer, employee)
    refs: list
    assumptions: list[str]


def _china_side(law: Law, result: OutboundResult) -> None:
    """The contributions that continue in the home city (its key or name), from the China
    contribution engine (``expatcn.social.contributions``), on the RMB base the scenario gives. A
    city or month the law tables cannot answer is a note: the China side must not hide the host side."""
    a = result.assignment
    if not a.china_contributions_continue:
        result.china_note = "China contributions do not continue (employment contract suspended or ended)"
        return
    if a.home_city is None or a.china_base_monthly is None:
        result.china_note = "give home_city and china_base_monthly to compute the China contributions that continue"
        return
    m = len(result.months)
    employer, employee, deduction = np.zeros(m, np.int64), np.zeros(m, np.int64), np.zeros(m, np.int64)
    by_scheme: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    refs, assumptions = [], []
    wage = np.array([yuan_to_fen(a.china_base_monthly)], dtype=np.int64)
    try:
        city = city_key(law, a.home_city)
        for i, month in enumerate(result.months):
            # a Chinese employee: local household registration assumed (Shenzhen pension rate)
            c = contributions(law, city, month, wage, local_hukou=np.array([True]))
            employer[i], employee[i] = int(c.employer_total[0]), int(c.employee_total[0])
            deduction[i] = int(c.employee_deduction[0])
            for name, sr in c.schemes.items():
                er, ee = by_scheme.setdefault(name, (np.zeros(m, np.int64), np.zeros(m, np.int64)))
                er[i], ee[i] = int(sr.employer[0]), int(sr.employee[0])
            refs.extend(r for r in c.refs if r not in refs)
            assumptions.extend(x for x in c.assumptions if x not in assumptions)
    except (LawError, InputError) as exc:
        result.china_note = f"China contributions not computed: {exc}"
        return
    assumptions.append("local household registration (hukou) assumed for the Chinese employee")
    result.china = ChinaSide(city, employer, employee, deduction, by_scheme, refs, assumptions)


def outbound(law: Law, scenario: OutboundAssignments, fx: Decimal | None = None) -> list[OutboundResult]:
    """Every assignment of a scenario; ``fx`` (RMB per host unit) overrides the scenario's rates."""
    results = []
    for assignment in scenario.assignments:
        currency_probe = law.value(f"social/host/{assignment.host_country.lower()}",
                                   law.table(f"social/host/{assignment.host_country.lower()}").periods[-1].start)
        rate = fx if fx is not None else scenario.fx_cny_per_unit.get(currency_probe.currency)
        results.append(outbound_assignment(law, assignment, rate))
    return results
