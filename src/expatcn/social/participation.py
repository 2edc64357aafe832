"""Who takes part in which scheme in a month (``law/social/foreigners.yaml``,
``law/social/hk_macao_taiwan.yaml``).

Chinese employees: all five schemes and the housing fund (Regulations on the Administration of
the Housing Provident Fund). Hong Kong, Macao and Taiwan residents (HRSS/NHSA Decree No. 41, from
2020-01-01): their own rule, not the foreigners' — the schemes its table makes mandatory, the
housing fund if they opt in, and out of the schemes ``home_coverage_exempt`` names when they keep
their own region's social insurance with a certificate. Foreigners (MOHRSS Decree No. 16, from 2011-10-15): the schemes
the foreigners table makes mandatory — with a city's own dated rule where it has one (Shanghai's
2009 Notice until 2021-08-15) — plus the optional ones they opt into; the housing fund only if
they opt in. A national of an agreement country with a certificate of coverage for the whole
month is exempt from the schemes the agreement covers (``expatcn.social.agreements``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from expatcn.dates import Month
from expatcn.errors import InputError, LawNotInForce, SocialDataGap
from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.law.schemas.social import SCHEMES, SocialForeigners, SocialHongKongMacaoTaiwan
from expatcn.law.tables import SOCIAL_AGREEMENTS, SOCIAL_FOREIGNERS, SOCIAL_HK_MACAO_TAIWAN
from expatcn.social.contributions import HOUSING_FUND, contributions
from expatcn.social.figures import EmployerRates



@dataclass
class Participation:
    """Scheme name -> bool array (takes part this month), with the reasons and law used."""

    schemes: dict[str, np.ndarray]
    exempt: dict[str, np.ndarray]
    refs: list[LawRef] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def participation(
    law: Law,
    city: str,
    month: dt.date,
    foreign: np.ndarray,
    *,
    opt_in: np.ndarray | None = None,
    housing_fund: np.ndarray | None = None,
    nationality: np.ndarray | None = None,
    certificate_from: np.ndarray | None = None,
    certificate_until: np.ndarray | None = None,
    hk_macao_taiwan: np.ndarray | None = None,
    home_coverage: np.ndarray | None = None,
) -> Participation:
    """Which schemes each of N employees takes part in during ``month`` in ``city``.

    foreign: True for a foreign national. opt_in: a foreigner joins the schemes a local rule
    makes optional (default False). housing_fund: the employee opts into the housing fund
    (default False; a choice not given is not an opt-in). This is the one home of the default:
    a Chinese employee is always enrolled (mandatory; the choice is ignored), a foreigner only
    where the foreigners table makes it mandatory, or it is optional and the employee opts in.
    nationality (ISO alpha-2), certificate_from/until
    (``datetime64[D]``, NaT for none): the certificate of coverage under a bilateral agreement.
    hk_macao_taiwan: a Hong Kong, Macao or Taiwan resident (:func:`hk_macao_taiwan_residents`), under
    Decree No. 41 whatever ``foreign`` says; home_coverage: such a resident keeps the social
    insurance of their own region and holds the certificate (default False).
    """
    hmt = np.zeros(len(foreign), dtype=bool) if hk_macao_taiwan is None else np.asarray(hk_macao_taiwan, dtype=bool)
    foreign = np.asarray(foreign, dtype=bool) & ~hmt
    n = foreign.shape[0]
    opt = np.zeros(n, dtype=bool) if opt_in is None else np.asarray(opt_in, dtype=bool)
    hf_opt = np.zeros(n, dtype=bool) if housing_fund is None else np.asarray(housing_fund, dtype=bool)
    schemes = {s: np.ones(n, dtype=bool) for s in SCHEMES}
    schemes[HOUSING_FUND] = np.ones(n, dtype=bool)
    refs: list[LawRef] = []
    notes: list[str] = []
    first = month.replace(day=1)

    if foreign.any():
        entry = _in_force(law, SOCIAL_FOREIGNERS, city, first, "foreigners' participation")
        rule: SocialForeigners = entry.value
        refs.append(entry.ref)
        local = rule.local.get(city.lower())
        mandatory = set(local.mandatory_schemes if local else rule.mandatory_schemes)
        optional = set(local.optional_schemes if local else rule.optional_schemes)
        if local:
            notes.append(f"{city}: local rule for foreigners — {local.note or ''}".strip())
        for s in SCHEMES:
            if s in mandatory:
                continue
            joins = opt if s in optional else np.zeros(n, dtype=bool)
            schemes[s] = np.where(foreign, joins, schemes[s])
        hf = {"mandatory": np.ones(n, dtype=bool), "optional": hf_opt, "excluded": np.zeros(n, dtype=bool)}
        schemes[HOUSING_FUND] = np.where(foreign, hf[rule.housing_fund], True)

    exempt = {s: np.zeros(n, dtype=bool) for s in (*SCHEMES, HOUSING_FUND)}
    if hmt.any():
        covered = hmt & (np.zeros(n, dtype=bool) if home_coverage is None else np.asarray(home_coverage, dtype=bool))
        _hk_macao_taiwan(law, city, first, hmt, covered, hf_opt, schemes, exempt, refs)
    if nationality is not None and certificate_until is not None:
        from expatcn.social.agreements import exempt_schemes

        start = (np.full(n, np.datetime64("NaT"), dtype="datetime64[D]") if certificate_from is None
                 else np.asarray(certificate_from, dtype="datetime64[D]"))
        found = exempt_schemes(law, np.asarray(nationality, dtype=str), start,
                               np.asarray(certificate_until, dtype="datetime64[D]"), first)
        for s, mask in found.items():
            exempt[s] = mask & foreign
            schemes[s] = schemes[s] & ~exempt[s]
        if any(m.any() for m in exempt.values()):
            refs.append(law.on(SOCIAL_AGREEMENTS, first).ref)
    return Participation(schemes, exempt, refs, notes)


def _hk_macao_taiwan(law: Law, city: str, first: dt.date, hmt: np.ndarray, covered: np.ndarray, hf_opt: np.ndarray,
                     schemes: dict[str, np.ndarray], exempt: dict[str, np.ndarray], refs: list[LawRef]) -> None:
    """Decree No. 41 for the rows ``hmt``: the table's mandatory schemes, the housing fund by its
    rule, and the home-coverage exemption for the rows ``covered``."""
    entry = _in_force(law, SOCIAL_HK_MACAO_TAIWAN, city, first,
                      "the participation of Hong Kong, Macao and Taiwan residents")
    rule: SocialHongKongMacaoTaiwan = entry.value
    refs.append(entry.ref)
    for s in SCHEMES:
        schemes[s] = np.where(hmt, s in rule.mandatory_schemes, schemes[s])
    hf = {"mandatory": np.ones_like(hmt), "optional": hf_opt, "excluded": np.zeros_like(hmt)}[rule.housing_fund]
    schemes[HOUSING_FUND] = np.where(hmt, hf, schemes[HOUSING_FUND])
    for s in rule.home_coverage_exempt:
        exempt[s] = exempt[s] | covered
        schemes[s] = schemes[s] & ~covered


def _in_force(law: Law, ref, city: str, first: dt.date, what: str):
    """The table's entry for the month, or a :class:`SocialDataGap` saying the rule of ``what``
    before the table's first date is not in the law tables."""
    table = law.table(ref)
    try:
        return table.entry_on(first)
    except LawNotInForce:
        start = table.periods[0]
        raise SocialDataGap(
            f"{city} {Month.of(first)}: {what} before {start.start} "
            f"({start.sources[0].document or start.sources[0].title}) is not in the law tables"
        ) from None


def hk_macao_taiwan_residents(law: Law, nationality: np.ndarray) -> np.ndarray:
    """True where a nationality (region) code is one Decree No. 41 covers (the table's
    ``regions``: HK, MO, TW)."""
    regions = law.table(SOCIAL_HK_MACAO_TAIWAN).values[0].regions
    return np.isin(np.char.upper(np.asarray(nationality, dtype=str)), regions)


def check_certificate(foreign: bool, has_certificate: bool, where: str) -> None:
    """A certificate of coverage exempts a national of the partner country (the agreements cover
    foreign nationals working in China, ``social/agreements``); one given for a Chinese national is
    an input error naming ``where``."""
    if has_certificate and not foreign:
        raise InputError(f"{where}: a certificate of coverage only matters for a foreign national")


def one_employee(law: Law, city: str, day: dt.date, wage_fen: int, nationality: str, *, opt_in: bool = False,
                 housing_fund: bool | None = None, certificate_from: str | None = None,
                 certificate_until: str | None = None, local_hukou: bool = False, work_injury_rate: int = -1,
                 housing_fund_rate: int = -1, partial: bool = False, home_coverage: bool = False,
                 rates: EmployerRates | None = None, carry_forward: bool = True):
    """Participation and contributions of one employee in one month (what ``expatcn social`` and
    the API show): a batch of one through :func:`participation` and ``contributions``. Rates in
    ppm, -1 for the default (the employer's own in ``rates``, else the table's); a Hong Kong, Macao
    or Taiwan code (HK, MO, TW) follows Decree No. 41; ``carry_forward=False``: strict. Returns
    ``(Contributions, Participation)``."""
    hmt = bool(hk_macao_taiwan_residents(law, np.array([nationality]))[0])
    foreign = nationality != "CN" and not hmt
    check_certificate(foreign, bool(certificate_until), "certificate_until")
    if home_coverage and not hmt:
        raise InputError("home_coverage: only a Hong Kong, Macao or Taiwan resident keeps their own region's social insurance")
    p = participation(
        law, city.lower(), day, np.array([foreign]), opt_in=np.array([opt_in]),
        housing_fund=np.array([bool(housing_fund)]),
        nationality=np.array([nationality]) if certificate_until else None,
        certificate_from=np.array([np.datetime64(certificate_from or "NaT", "D")]),
        certificate_until=np.array([np.datetime64(certificate_until, "D")]) if certificate_until else None,
        hk_macao_taiwan=np.array([hmt]), home_coverage=np.array([home_coverage]),
    )
    result = contributions(
        law, city.lower(), day, np.array([wage_fen]), participates=p.schemes, local_hukou=np.array([local_hukou]),
        work_injury_rate=np.array([work_injury_rate]), housing_fund_rate=np.array([housing_fund_rate]),
        allow_partial=partial, rates=rates, carry_forward=carry_forward,
    )
    return result, p
