"""One row per (assignment, structure): the structure's row of the table applied to the
assignment — which trips person, what share is paid abroad, which certificate acts where — and
the agreement and certificate timeline of each assignment (``social.agreements``,
``social.outbound.certificate_timeline``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from expatcn.law import Law
from expatcn.law.schemas.social_international import Agreement
from expatcn.planning.assignment import Assignment
from expatcn.planning.results import StructurePlan
from expatcn.planning.structures import BY_KEY, Structure
from expatcn.social.agreements import agreement_for
from expatcn.social.outbound import CertificateTimeline, certificate_timeline


@dataclass(frozen=True)
class Context:
    """What an assignment's structures share: the agreement in force at its start (with the
    certificate's country) and the certificate timeline (None: no certificate is possible)."""

    agreement: Agreement | None
    timeline: CertificateTimeline | None


@dataclass(frozen=True)
class Row:
    a: int  # the assignment
    structure: Structure
    person: int | None  # trips person (inbound): 2a the planned stays, 2a+1 the business trips
    paid_abroad_share: Decimal
    china_certificate: bool  # inbound: the foreigner's certificate removes China schemes
    host_certificate: bool  # outbound: a Chinese certificate removes host branches
    abroad: str | None  # the other country's contributions

    @property
    def key(self) -> str:
        return self.structure.key


def context(law: Law, f: Assignment) -> Context:
    """The agreement with the nationality's country (inbound) or the host country (outbound), in
    force on the start, and the certificate timeline from the agreement's maximum."""
    country = f.person.nationality if f.inbound else f.host_country
    agreement = agreement_for(law, country, f.start)
    if agreement is not None and not agreement.in_force_on(f.start):
        agreement = None
    if f.inbound and agreement is None:
        return Context(None, None)
    cert = f.certificate
    timeline = certificate_timeline(law, country, f.start, f.end, cert.start if cert else None,
                                    cert.until if cert else None)
    return Context(agreement, timeline)


def _fill(template: str, f: Assignment) -> str:
    return template.format(home=f.home_country, host=f.host_country, nationality=f.person.nationality, start=f.start,
                           share=f.paid_abroad_share, days=f.business_days_per_month)


def rows(files: list[Assignment], contexts: list[Context]) -> tuple[list[Row], list[StructurePlan]]:
    """Every chosen structure of every assignment, with its empty plan (applicability,
    comparability and assumptions filled from the table)."""
    out, plans = [], []
    for a, (f, ctx) in enumerate(zip(files, contexts)):
        for key in f.chosen_structures():
            s = BY_KEY[key]
            certificate = s.certificate == "required" or (s.certificate == "where_agreement" and ctx.agreement is not None)
            share = {"none": Decimal(0), "split": f.paid_abroad_share, "all": Decimal(1)}[s.paid_abroad]
            out.append(Row(a, s, (2 * a + s.business_trips) if f.inbound else None, share, certificate and f.inbound,
                           certificate and not f.inbound, f.other_country if s.abroad else None))
            plan = StructurePlan(key, s.title, comparable=s.comparable,
                                 assumptions=[_fill(t, f) for t in s.assumptions])
            if s.certificate == "required" and ctx.agreement is None:
                plan.applicable = False
                plan.reasons.append(_fill(s.not_applicable, f))
            if not s.comparable:
                plan.reasons.append(_fill(s.not_comparable, f))
            plans.append(plan)
    return out, plans
