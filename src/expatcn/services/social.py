"""One employee's China social insurance and housing fund for a city and month (``expatcn social``,
``POST /api/social``): bases, rates, amounts, who takes part or is exempt, and the law; and the
cities the law tables have, by key and by name in English and Chinese.

A figure not yet published is the last published one, carried forward and said so; the employer's
own figures (a rates file) are used where it gives them, said so too; a figure never published is
shown as not published (never as 0 %), with no total. ``strict`` refuses both instead."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.law import Law, load_law
from expatcn.money import ppm_to_percent, rate_to_ppm, yuan_str
from expatcn.social.cities import cities as city_names
from expatcn.social.cities import city_key
from expatcn.social.amounts import SchemeResult
from expatcn.social.contributions import DEFAULT_RATE, Contributions
from expatcn.social.figures import (
    CARRIED_FORWARD, FIELD_NAMES, EmployerRates, FigureSource, describe_sources, not_published,
)
from expatcn.social.participation import Participation, one_employee

Yuan = str
NOT_PUBLISHED = "not_published"


class FigureNote(BaseModel):
    """A figure not simply published for the month: carried forward (from ``carried_from``),
    employer-supplied (``why``) or of low confidence; ``en`` / ``zh`` say so for people."""

    figure: str
    kind: str
    carried_from: str | None = None
    why: str | None = None
    en: str
    zh: str

    @classmethod
    def of(cls, figure: str, source: FigureSource) -> FigureNote:
        return cls(figure=figure, kind=source.kind, carried_from=source.period, why=source.why,
                   en=f"{FIELD_NAMES[figure][0]}: {source.text('en')}", zh=f"{FIELD_NAMES[figure][1]}：{source.text('zh')}")


class SchemeRow(BaseModel):
    scheme: str
    participates: bool
    exempt_by_agreement: bool
    note: str | None
    base: Yuan | None
    employer_rate: str | None = Field(description="none: not published (no figure to carry forward)")
    employee_rate: str | None = Field(description="none: not published (no figure to carry forward)")
    employer: Yuan | None
    employee: Yuan | None
    carried: bool = Field(False, description="the amounts rest on a figure carried forward")
    figures: list[FigureNote] = Field([], description="each figure carried forward, employer-supplied, of low "
                                                      "confidence or not published")
    label: dict[str, str] | None = Field(None, description="{en, zh}: the figure notes in one line")
    not_published: list[str] = Field([], description="figures never published: supply them in a rates file")


class SocialTotals(BaseModel):
    """The month's totals; none while a figure is not published (none to carry forward)."""

    complete: bool
    carried: bool = Field(False, description="the totals contain a figure carried forward (to be trued up)")
    employee_social_insurance: Yuan | None
    employer_social_insurance: Yuan | None
    employee_total: Yuan | None
    employer_total: Yuan | None
    employee_deduction_for_iit: Yuan | None
    housing_fund_employer_taxable: Yuan | None


class SocialMonth(BaseModel):
    city: str
    month: str
    wage: Yuan
    nationality: str
    schemes: list[SchemeRow]
    totals: SocialTotals
    assumptions: list[str]
    notes: list[str]
    law: list[str]
    strict: bool = Field(False, description="strict: nothing carried forward, nothing missing")

    @classmethod
    def of(cls, r: Contributions, p: Participation, nationality: str, strict: bool = False) -> SocialMonth:
        rows = [_row(name, s, p) for name, s in r.schemes.items()]
        complete = not bool(r.unknown[0])

        def total(values) -> str | None:
            return yuan_str(values[0]) if complete else None

        return cls(
            city=r.city, month=str(Month.of(r.month)), wage=yuan_str(r.wage[0]), nationality=nationality, schemes=rows,
            totals=SocialTotals(
                complete=complete, carried=bool(r.employee_carried[0] or r.employer_carried[0]),
                employee_social_insurance=total(r.employee_social),
                employer_social_insurance=total(r.employer_social), employee_total=total(r.employee_total),
                employer_total=total(r.employer_total), employee_deduction_for_iit=total(r.employee_deduction),
                housing_fund_employer_taxable=total(r.housing_fund_employer_taxable)),
            assumptions=r.assumptions, notes=p.notes, law=[ref.describe() for ref in (*r.refs, *p.refs)], strict=strict)


def _row(name: str, s: SchemeResult, p: Participation) -> SchemeRow:
    """One scheme of one employee: a rate not published is none (never 0 %); the figure notes
    that matter to the employee (a carried floor does not, for a wage above the ceiling)."""
    participates = bool(s.participates[0])
    missing = not_published(s) if participates and (s.employer_unknown[0] or s.employee_unknown[0]) else []
    carried = bool(s.employer_carried[0] or s.employee_carried[0])
    shown = {figure: source for figure, source in s.sources.items()
             if participates and (carried or source.kind != CARRIED_FORWARD)}
    notes = [FigureNote.of(figure, source) for figure, source in shown.items()]
    notes += [FigureNote(figure=figure, kind=NOT_PUBLISHED, en=f"{FIELD_NAMES[figure][0]}: not published",
                         zh=f"{FIELD_NAMES[figure][1]}：未公布") for figure in missing]
    label = None
    if shown or missing:
        gaps = {"en": f"not published: {', '.join(FIELD_NAMES[f][0] for f in missing)}",
                "zh": f"未公布：{'、'.join(FIELD_NAMES[f][1] for f in missing)}"} if missing else None
        label = {lang: "; ".join(x for x in (describe_sources(shown, lang), gaps and gaps[lang]) if x)
                 for lang in ("en", "zh")}
    fixed = f" + {yuan_str(s.employee_fixed)}" if s.employee_fixed else ""
    employer_missing = {"employer_rate", "employer_rate_nonlocal", "employer_rate_range", "rate_max"} & set(missing)
    employee_missing = {"employee_rate", "employee_rate_nonlocal", "rate_max"} & set(missing)
    return SchemeRow(
        scheme=name, participates=participates, exempt_by_agreement=bool(p.exempt.get(name, [False])[0]), note=s.note,
        base=None if s.employer_unknown[0] or s.employee_unknown[0] else yuan_str(s.base[0]),
        employer_rate=None if employer_missing else ppm_to_percent(s.employer_rate[0]),
        employee_rate=None if employee_missing else ppm_to_percent(s.employee_rate[0]) + fixed,
        employer=None if s.employer_unknown[0] else yuan_str(s.employer[0]),
        employee=None if s.employee_unknown[0] else yuan_str(s.employee[0]),
        carried=carried, figures=notes, label=label, not_published=missing)


def social_month(city: str, month: Month, wage: int, *, nationality: str = "CN",
                 certificate_from: dt.date | None = None, certificate_until: dt.date | None = None,
                 housing_fund: bool | None = None, housing_fund_rate: Decimal | str | None = None,
                 work_injury_rate: Decimal | str | None = None, local_hukou: bool = False, opt_in: bool = False,
                 partial: bool = True, strict: bool = False, rates: EmployerRates | None = None,
                 law: Law | None = None) -> SocialMonth:
    """The contributions of one employee earning ``wage`` (fen) in ``city`` (its key or its name
    in English or Chinese) and ``month``. Rates: a fraction (``0.07``); none for the default (the
    employer's own in ``rates``, else the lowest work-injury class, the highest housing fund rate).
    ``partial`` (the default): figures never published are shown as such, with no total;
    ``strict``: refuse any figure carried forward or not published."""
    if wage < 0:
        raise InputError("wage: must not be negative")
    if certificate_from and not certificate_until:
        raise InputError("certificate_until: a certificate needs its end date")
    law = law or load_law()
    nat = nationality.strip().upper()
    r, p = one_employee(
        law, city_key(law, city), month.first, wage, nat, opt_in=opt_in, housing_fund=housing_fund,
        certificate_from=certificate_from, certificate_until=certificate_until, local_hukou=local_hukou,
        work_injury_rate=DEFAULT_RATE if work_injury_rate is None else rate_to_ppm(work_injury_rate),
        housing_fund_rate=DEFAULT_RATE if housing_fund_rate is None else rate_to_ppm(housing_fund_rate),
        partial=partial and not strict, rates=rates, carry_forward=not strict,
    )
    return SocialMonth.of(r, p, nat, strict)


class City(BaseModel):
    key: str
    en: str
    zh: str | None


def cities(law: Law | None = None) -> list[City]:
    """The cities the law tables have social insurance for, with their English and Chinese names."""
    return [City(key=key, en=name.en if name else key, zh=name.zh if name else None)
            for key, name in city_names(law or load_law()).items()]
