"""Bilateral social security agreements (``law/social/agreements.yaml``): which China schemes a
foreigner's certificate of coverage removes in a month, and which host-country branches a Chinese
certificate removes abroad.

Rule (MOHRSS Decree No. 16, 2011; each agreement's posting article): a national of a partner
country with a certificate of coverage from that country is exempt from the China schemes the
agreement covers, for the months inside the certificate's window, once the agreement is in force.
"Inside" means the certificate covers every day of the calendar month and the agreement was in
force on its first day; a month only partly covered is payable (conservative: never under-pay).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from expatcn.dates import Month
from expatcn.errors import LawNotInForce
from expatcn.law import Entry, Law
from expatcn.law.schemas.social_international import CHINA_SCHEMES, Agreement, SocialAgreements
from expatcn.law.tables import SOCIAL_AGREEMENTS



def agreements_on(law: Law, day: dt.date) -> Entry | None:
    """The agreements table as of ``day`` (``None`` before the first agreement was signed)."""
    try:
        return law.on(SOCIAL_AGREEMENTS, day)
    except LawNotInForce:
        return None


def agreement_for(law: Law, country: str, day: dt.date) -> Agreement | None:
    """China's agreement with ``country`` (ISO alpha-2) as the table stands on ``day``, if any."""
    entry = agreements_on(law, day)
    if entry is None:
        return None
    table: SocialAgreements = entry.value
    return table.for_country(country)


def certificate_covers_month(
    certificate_from: np.ndarray, certificate_until: np.ndarray, month: dt.date
) -> np.ndarray:
    """True where the certificate window covers every day of the month (NaT: no certificate)."""
    period = Month.of(month)
    first, last = np.datetime64(period.first, "D"), np.datetime64(period.last, "D")
    start = np.asarray(certificate_from, dtype="datetime64[D]")
    end = np.asarray(certificate_until, dtype="datetime64[D]")
    return ~np.isnat(start) & ~np.isnat(end) & (start <= first) & (end >= last)


def exempt_schemes(
    law: Law,
    nationality: np.ndarray,
    certificate_from: np.ndarray,
    certificate_until: np.ndarray,
    month: dt.date,
) -> dict[str, np.ndarray]:
    """China schemes each person is exempt from in ``month`` under a bilateral agreement.

    nationality: ISO 3166 alpha-2 codes (any case); certificate_from / certificate_until: the
    partner-country certificate of coverage window, ``NaT`` where there is none. Returns, for each
    of "pension", "medical", "unemployment", "work_injury", "maternity", "housing_fund", a boolean
    array: exempt this month. An agreement not in force on the month's first day exempts nothing.
    """
    nat = np.asarray(nationality, dtype=str)
    if any(code != code.upper() for code in set(nat.tolist())):  # upper-case only when needed
        nat = np.char.upper(nat)
    covered = certificate_covers_month(certificate_from, certificate_until, month)
    result = {scheme: np.zeros(nat.shape, dtype=bool) for scheme in CHINA_SCHEMES}
    first_day = month.replace(day=1)
    entry = agreements_on(law, first_day)
    if entry is None:
        return result
    for agreement in entry.value.agreements:
        if not agreement.in_force_on(first_day):
            continue
        who = covered & (nat == agreement.country)
        if not who.any():
            continue
        for scheme in agreement.china_exempt:
            result[scheme] |= who
    return result


@dataclass(frozen=True)
class ExemptionExplained:
    """Why a nationality is (not) exempt in a month: the agreement and the law entry used."""

    country: str
    agreement: Agreement | None
    in_force: bool
    schemes: tuple[str, ...]
    entry: Entry | None


def explain_exemption(law: Law, nationality: str, month: dt.date) -> ExemptionExplained:
    """The agreement behind ``exempt_schemes`` for one nationality and month (for traces)."""
    first_day = month.replace(day=1)
    entry = agreements_on(law, first_day)
    agreement = entry.value.for_country(nationality) if entry is not None else None
    in_force = agreement is not None and agreement.in_force_on(first_day)
    schemes = tuple(agreement.china_exempt) if in_force and agreement else ()
    return ExemptionExplained(nationality.upper(), agreement, in_force, schemes, entry)
