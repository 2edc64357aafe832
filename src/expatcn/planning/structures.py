"""The structures an assignment can be run under, as a table of data: what each pays where, when it
applies and what it assumes. A new structure is one row here (and one test); the planner reads
nothing else about a structure.

inbound — a foreign national working in China:
- ``local_hire``: a China employment contract, paid in China, in the Chinese schemes in full
  (MOHRSS Decree No. 16); no home-country contributions.
- ``secondment_certificate``: seconded by the home employer, paid in China, the home country's
  social security continues on the salary, and a certificate of coverage under the bilateral
  agreement removes the China schemes the agreement covers (``social.agreements``).
- ``secondment_no_certificate``: the same without a certificate: both countries' contributions.
- ``split_payroll``: part of salary and bonus paid by the home entity abroad; China-taxable wages
  apportioned by the residency engine (MOF/STA 2019 No. 35); China contributions on the
  China-paid part (with the certificate where an agreement exists); home contributions continue.
- ``short_term_business_traveller``: employed and paid at home, visiting China on business
  trips; China IIT from the days (90-day and treaty 183-day rules, residency engine); no China
  contributions; home contributions continue.

outbound — a Chinese national sent abroad (seed 000: deployment models):
- ``ssa_certificate``: the China contract continues with China contributions in the home city;
  a Chinese certificate of coverage removes the host branches the agreement covers.
- ``double_contributions``: the same without a certificate (the only secondment where there is
  no agreement, e.g. the United States): both countries' contributions.
- ``localization``: the China contract ends; the host entity pays and insures; China
  contributions stop (the lost contribution months are reported).
- ``home_contributions_host_payroll``: the home entity keeps China contributions while a host
  entity (or an employer of record) runs the local payroll; host contributions in full.

Assumptions and reasons are templates filled from the assignment: ``{home}``, ``{host}``,
``{nationality}``, ``{start}``, ``{share}`` (paid abroad), ``{days}`` (business days a month).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

INBOUND, OUTBOUND = "inbound", "outbound"

# the certificate of coverage: never, required (no agreement in force → not applicable), or
# used where an agreement is in force. Inbound it removes China schemes; outbound host branches.
Certificate = Literal["none", "required", "where_agreement"]
# how much of salary and bonus the home entity pays abroad
PaidAbroad = Literal["none", "split", "all"]


@dataclass(frozen=True)
class Structure:
    """One structure: a row of the table."""

    key: str
    direction: str  # INBOUND or OUTBOUND
    title: str
    short: str  # the name of its sheet and chart bar
    china_payroll: bool  # China contributions (and IIT) through the full month
    china_iit: bool  # China IIT withheld (without a China payroll: IIT only)
    china_pay: bool = True  # salary and bonus go through the China payroll (else only contributions)
    abroad: bool = False  # the other country's contributions (home inbound, host outbound)
    paid_abroad: PaidAbroad = "none"
    allowances: bool = True  # the package's allowances are paid
    certificate: Certificate = "none"
    stops_china: bool = False  # China contributions stop: lost contribution months
    business_trips: bool = False  # the business-traveller pattern: its own trips, must stay a short visit
    not_applicable: str = ""  # why, when the certificate is required and no agreement is in force
    not_comparable: str = ""  # a different work pattern: shown, never chosen
    assumptions: tuple[str, ...] = ()
    without_certificate: str | None = None  # the same structure without the certificate (its saving)

    @property
    def comparable(self) -> bool:
        return not self.not_comparable


HOME_SI_CONTINUES = "{home} social security continues on the salary during the assignment (home-country posting rules)"
WORLDWIDE_TAX = ("China tax on the worldwide income of a Chinese national domiciled in China (IIT Law art. 1), less "
                 "the {host} income tax credited (IIT Law art. 7) at the reconciliation of the next year")
LOCAL_HUKOU = "China contributions of a Chinese employee: local household registration assumed"

STRUCTURES: tuple[Structure, ...] = (
    Structure("local_hire", INBOUND, "Local hire in China", "Local hire", china_payroll=True, china_iit=True),
    Structure("secondment_certificate", INBOUND, "Secondment with certificate of coverage", "Secondment + certificate",
              china_payroll=True, china_iit=True, abroad=True, certificate="required",
              not_applicable="no social security agreement between China and {nationality} in force on {start}: "
                             "no certificate of coverage is possible",
              assumptions=(HOME_SI_CONTINUES,), without_certificate="secondment_no_certificate"),
    Structure("secondment_no_certificate", INBOUND, "Secondment without certificate", "Secondment no certificate",
              china_payroll=True, china_iit=True, abroad=True, assumptions=(HOME_SI_CONTINUES,)),
    Structure("split_payroll", INBOUND, "Split payroll (part paid abroad)", "Split payroll",
              china_payroll=True, china_iit=True, abroad=True, paid_abroad="split", certificate="where_agreement",
              assumptions=(HOME_SI_CONTINUES, "share paid abroad {share} of salary and bonus; China contributions on "
                                              "the China-paid part; allowances paid in China")),
    Structure("short_term_business_traveller", INBOUND, "Short-term business traveller", "Business traveller",
              china_payroll=False, china_iit=True, abroad=True, paid_abroad="all", allowances=False,
              business_trips=True,
              not_comparable="a different work pattern ({days} days in China a month instead of the planned stays): "
                             "shown for comparison, not chosen",
              assumptions=(HOME_SI_CONTINUES, "{days} days in China a month (one trip from the 2nd of each month of "
                                              "the assignment); all pay from the home entity, not borne by a China "
                                              "establishment; no China allowances")),
    Structure("ssa_certificate", OUTBOUND, "Secondment, SSA certificate", "SSA certificate",
              china_payroll=True, china_iit=True, abroad=True, certificate="required",
              not_applicable="no social security agreement between China and {host}: no certificate of coverage, "
                             "host contributions are due in full",
              assumptions=(WORLDWIDE_TAX, LOCAL_HUKOU), without_certificate="double_contributions"),
    Structure("double_contributions", OUTBOUND, "Secondment, double contributions", "Double contributions",
              china_payroll=True, china_iit=True, abroad=True, assumptions=(WORLDWIDE_TAX, LOCAL_HUKOU)),
    Structure("localization", OUTBOUND, "Full localization", "Localization",
              china_payroll=False, china_iit=False, china_pay=False, abroad=True, stops_china=True,
              assumptions=("the host entity pays the whole package; the China contract ends", WORLDWIDE_TAX,
                           LOCAL_HUKOU)),
    Structure("home_contributions_host_payroll", OUTBOUND, "Home keeps China SI, host payroll", "Home SI + host payroll",
              china_payroll=True, china_iit=False, china_pay=False, abroad=True,
              assumptions=("the host entity pays the package; the home entity keeps China contributions on the China "
                           "contribution wage", WORLDWIDE_TAX, LOCAL_HUKOU)),
)

BY_KEY = {s.key: s for s in STRUCTURES}


def of_direction(direction: str) -> tuple[str, ...]:
    """The structures of an ``inbound`` or ``outbound`` assignment, in table order."""
    return tuple(key for key, s in BY_KEY.items() if s.direction == direction)
