"""Regional reliefs of IIT in southern China and Hainan, for a tax year already computed
(``law/iit/zones/<zone>.yaml``): the Greater Bay Area subsidy (Caishui [2019] No. 31, [2023] No. 34),
Hainan (Caishui [2020] No. 32), Hengqin (Caishui [2022] No. 3), Qianhai (Caishui [2024] No. 12),
Hetao (Caishui [2024] No. 5) and Nansha (Caishui [2022] No. 29).

Per person, on the year's China tax on the eligible income (items: comprehensive income — the
reconciliation's tax due for a resident, the year's wage and labour tax for a non-resident — and
the bonus and equity taxed separately):

* a ``rate`` burden (the talent policies): relief = Σ items max(0, tax − taxable income × rate);
* the other side's burden (Hong Kong or Macao residents): relief = max(0, Σ tax − that burden),
  the burden being the tax the same income would bear there, in fen (an input: the zones' own
  rules compute it);
* then × the zone's share (of the income amount, or for the GBA of the tax paid in the city;
  1 when all the income is from the zone), half up to the fen, and at most the zone's cap.

Withholding during the year is not changed: an exemption is claimed at the annual reconciliation
in the zone (refunded or set against the balance); a subsidy is applied for after it and paid by
the city in the year after (IIT-exempt).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from expatcn.errors import InputError
from expatcn.iit.explain import Step
from expatcn.iit.person_year import YearResult
from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.law.schemas.zone_relief import ZoneRelief as ZoneRule
from expatcn.law.tables import FILING_DEADLINES
from expatcn.money import RATE_SCALE, apply_rate, fen_to_str, ppm_to_percent, yuan_str

PREFIX = "iit/zones/"
QUALIFICATIONS = {"talent": ("talent on the zone's list", "高端紧缺人才"),
                  "hong_kong_resident": ("Hong Kong resident", "香港居民"),
                  "macao_resident": ("Macao resident", "澳门居民")}
FORMS = {"exemption": ("exempt at the annual reconciliation in the zone", "在当地办理年度汇算时免征"),
         "subsidy": ("paid by the city government as a subsidy, itself exempt from IIT", "由当地政府给予财政补贴，补贴免征个人所得税")}


def zones(law: Law) -> list[str]:
    """The zones with a relief table (``iit/zones/<name>``)."""
    return sorted(name.removeprefix(PREFIX) for name, table in law.tables.items()
                  if name.startswith(PREFIX) and table.schema == "zone_relief")


@dataclass
class ZoneClaims:
    """Who claims which relief, per person (N,). ``zone``: a zone name or "" for none;
    ``qualification``: talent, hong_kong_resident or macao_resident; ``city``: the city that pays a
    GBA subsidy ("" if not said); ``other_side_tax``: the Hong Kong or Macao tax on the same income,
    fen, −1 where not given; ``share_ppm``: the zone's part of the income (or tax), 1,000,000 = all."""

    zone: np.ndarray
    qualification: np.ndarray
    city: np.ndarray | None = None
    other_side_tax: np.ndarray | None = None
    share_ppm: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.zone = np.asarray(self.zone, dtype=str)
        n = self.zone.shape[0]
        self.qualification = np.asarray(self.qualification, dtype=str)
        self.city = np.full(n, "") if self.city is None else np.asarray(self.city, dtype=str)
        self.other_side_tax = (np.full(n, -1, dtype=np.int64) if self.other_side_tax is None
                               else np.asarray(self.other_side_tax, dtype=np.int64))
        self.share_ppm = (np.full(n, RATE_SCALE, dtype=np.int64) if self.share_ppm is None
                          else np.asarray(self.share_ppm, dtype=np.int64))
        if any(a.shape != (n,) for a in (self.qualification, self.city, self.other_side_tax, self.share_ppm)):
            raise InputError("zone claims: every column must have one value per person")
        if ((self.share_ppm < 0) | (self.share_ppm > RATE_SCALE)).any():
            raise InputError("zone claims: the zone's share must be between 0 and 1")


@dataclass
class ZoneRelief:
    """The relief of N people for one tax year, fen (N,): ``tax`` on the eligible income,
    ``taxable`` income, ``burden`` (the cap the tax is brought down to), ``relief`` (exempt or
    subsidised), ``withheld`` in the year, ``tax_after`` (what the person bears in the end);
    per person the zone's rule and law entry, and when the relief is claimed or paid."""

    year: int
    claims: ZoneClaims
    tax: np.ndarray
    taxable: np.ndarray
    burden: np.ndarray
    relief: np.ndarray
    withheld: np.ndarray
    tax_after: np.ndarray
    rules: list[ZoneRule | None]
    refs: list[LawRef | None]
    when: list[tuple[str, str] | None]  # (English, Chinese)
    window: list[tuple[dt.date, dt.date] | None]
    alerts: list[list[str]] = field(default_factory=list)

    def as_dict(self, person: int) -> dict | None:
        """One person's relief, JSON-ready (amounts as yuan strings); None without a claim. A
        zone not in force that year gives zeros and says so in ``alerts``."""
        if not self.claims.zone[person]:
            return None
        rule, ref = self.rules[person], self.refs[person]
        window, when = self.window[person], self.when[person]
        return {
            "zone": str(self.claims.zone[person]),
            "qualification": str(self.claims.qualification[person]),
            "form": None if rule is None else rule.form,
            **{key: yuan_str(getattr(self, key)[person])
               for key in ("tax", "taxable", "burden", "withheld", "relief", "tax_after")},
            "when_en": None if when is None else when[0],
            "when_zh": None if when is None else when[1],
            "window_from": None if window is None else window[0].isoformat(),
            "window_to": None if window is None else window[1].isoformat(),
            "alerts": self.alerts[person],
            "law": None if ref is None else ref.describe(),
        }

    def explain(self, person: int) -> list[Step]:
        """The relief's steps for one person, citing the zone's table."""
        rule, ref = self.rules[person], self.refs[person]
        if rule is None or ref is None:
            return []
        qualification = str(self.claims.qualification[person])
        relief = rule.relief_for(qualification)
        assert relief is not None
        en, zh = QUALIFICATIONS[qualification]
        if relief.burden == "rate":
            measure = (f"taxable income × {ppm_to_percent(relief.rate_ppm)}, item by item (comprehensive income, "
                       "bonus and equity taxed separately) / 应纳税所得额 × 15%，按所得项目分别计算")
        else:
            other = "Hong Kong" if relief.burden == "hong_kong_tax" else "Macao"
            measure = f"the {other} tax on the same income (given) / 按{'香港' if other == 'Hong Kong' else '澳门'}税负计算"
        share = int(self.claims.share_ppm[person])
        steps = [
            Step(f"{self.year}: China tax on the income eligible for the zone relief ({en}) / 可享受优惠的所得应纳税额（{zh}）",
                 int(self.tax[person]), law=[ref]),
            Step("taxable income of that income / 应纳税所得额", int(self.taxable[person])),
            Step("burden the tax is brought down to / 税负上限", int(self.burden[person]), measure),
            Step("tax withheld in the year (unchanged) / 年度已扣缴税额（不变）", int(self.withheld[person])),
            Step(f"relief: {FORMS[rule.form][0]} / 优惠额：{FORMS[rule.form][1]}", int(self.relief[person]),
                 "tax − burden, not below zero"
                 + ("" if share == RATE_SCALE else f", × the zone's share {ppm_to_percent(share)}")
                 + ("" if rule.cap_fen is None else f", at most {fen_to_str(rule.cap_fen)} a year")),
            Step("tax borne after the relief / 享受优惠后的税负", int(self.tax_after[person])),
        ]
        when = self.when[person]
        if when:
            steps.append(Step(f"when: {when[0]} / 时间：{when[1]}", None))
        return steps


def zone_relief(result: YearResult, law: Law, claims: ZoneClaims) -> ZoneRelief:
    """The zone relief of each person of ``result`` (see the module docstring)."""
    year, n = result.inputs.year, result.inputs.people
    if claims.zone.shape != (n,):
        raise InputError(f"zone claims for {claims.zone.shape[0]} people, the year has {n}")
    items_tax, items_taxable = _items(result)
    zero = np.zeros(n, dtype=np.int64)
    out = {k: zero.copy() for k in ("tax", "taxable", "burden", "relief")}
    rules: list[ZoneRule | None] = [None] * n
    refs: list[LawRef | None] = [None] * n
    when: list[tuple[str, str] | None] = [None] * n
    window: list[tuple[dt.date, dt.date] | None] = [None] * n
    alerts: list[list[str]] = [[] for _ in range(n)]
    known = zones(law)
    for zone in sorted(set(claims.zone.tolist()) - {""}):
        if zone not in known:
            raise InputError(f"zone {zone!r}: no relief table (known: {', '.join(known)})")
        rows = np.flatnonzero(claims.zone == zone)
        table = law.table(PREFIX + zone)
        day = dt.date(year, 12, 31)
        if not table.in_force_on(day):
            span = f"{table.periods[0].start}..{table.periods[-1].end or ''}"
            for r in rows:
                alerts[r].append(f"{table.label.en if table.label else zone}: no relief for tax year {year} "
                                 f"(in force {span}) / {year}年度不在优惠期内")
            continue
        entry = table.entry_on(day)
        rule: ZoneRule = entry.value
        for r in rows:
            _one(r, zone, rule, claims, items_tax, items_taxable, out, alerts)
            rules[r], refs[r] = rule, entry.ref
            when[r], window[r] = _when(law, rule, str(claims.city[r]), year)
    withheld = np.asarray(result.annual["withheld"], dtype=np.int64)
    return ZoneRelief(year, claims, out["tax"], out["taxable"], out["burden"], out["relief"], withheld,
                      out["tax"] - out["relief"], rules, refs, when, window, alerts)


def _items(result: YearResult) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) tax and taxable income of the items: comprehensive income, separate bonus, separate
    equity. A resident's comprehensive income is the reconciliation's; a non-resident's, the
    year's wages and labour remuneration as withheld month by month."""
    m, a, inputs = result.monthly, result.annual, result.inputs
    settles = a["reconciliation_filing"] != 0
    comp_tax = np.where(settles, a["reconciliation_tax_due"], m["wage_tax"].sum(axis=1) + m["labour_tax"].sum(axis=1))
    comp_taxable = np.where(settles, np.maximum(a["reconciliation_taxable"], 0),
                            np.maximum(m["wage_taxable"], 0).sum(axis=1) + np.maximum(m["labour_taxable"], 0).sum(axis=1))
    bonus_taxable = (m["bonus_separate"] + m["bonus_spread"]).sum(axis=1)
    equity_taxable = inputs.equity.sum(axis=1) - m["equity_combined"].sum(axis=1)
    tax = np.stack([comp_tax, m["bonus_tax"].sum(axis=1), m["equity_tax"].sum(axis=1)], axis=1)
    taxable = np.stack([comp_taxable, bonus_taxable, equity_taxable], axis=1)
    return tax.astype(np.int64), taxable.astype(np.int64)


def _one(r: int, zone: str, rule: ZoneRule, claims: ZoneClaims, items_tax: np.ndarray, items_taxable: np.ndarray,
         out: dict[str, np.ndarray], alerts: list[list[str]]) -> None:
    qualification = str(claims.qualification[r])
    relief = rule.relief_for(qualification)
    if relief is None:
        offered = ", ".join(x.qualification for x in rule.reliefs)
        raise InputError(f"zone {zone!r}: no relief for qualification {qualification!r} (it has: {offered})")
    tax, taxable = items_tax[r], items_taxable[r]
    out["tax"][r], out["taxable"][r] = tax.sum(), taxable.sum()
    if relief.burden == "rate":
        burden = apply_rate(taxable, relief.rate_ppm, non_negative=True)
        above = np.maximum(tax - burden, 0).sum()
        out["burden"][r] = burden.sum()
    else:
        other = int(claims.other_side_tax[r])
        if other < 0:
            side = "Hong Kong" if relief.burden == "hong_kong_tax" else "Macao"
            raise InputError(f"zone {zone!r}, {qualification}: the {side} tax on the same income is needed "
                             f"(the relief is the China tax above it)")
        out["burden"][r] = other
        above = max(int(tax.sum()) - other, 0)
    relief_fen = int(apply_rate(above, int(claims.share_ppm[r]), non_negative=True))
    if rule.cap_fen is not None and relief_fen > rule.cap_fen:
        alerts[r].append(f"relief capped at {fen_to_str(rule.cap_fen)} a year / 每人每年补贴不超过{fen_to_str(rule.cap_fen)}元")
        relief_fen = rule.cap_fen
    out["relief"][r] = relief_fen
    if rule.exclusive_with:
        alerts[r].append(f"cannot be combined with {', '.join(rule.exclusive_with)} in the same year: choose one "
                         "/ 同一年度只能选择享受其中一项优惠")


def _when(law: Law, rule: ZoneRule, city: str, year: int) -> tuple[tuple[str, str], tuple[dt.date, dt.date] | None]:
    """When the relief reaches the person: the reconciliation window of the next year (an
    exemption), or the city's application window where it is published (a subsidy)."""
    if rule.form == "exemption":
        deadline = next(d for d in law.value(FILING_DEADLINES, dt.date(year + 1, 1, 1)).deadlines
                        if d.obligation == "annual_reconciliation")
        opens = dt.date.fromisoformat(f"{year + 1}-{deadline.window_from}")
        closes = dt.date.fromisoformat(f"{year + 1}-{deadline.window_to}")
        return ((f"claimed in the annual reconciliation filed in the zone, {opens}..{closes}; the exemption is "
                 "refunded or set against the balance",
                 f"在当地办理{year}年度汇算时享受（{opens}至{closes}），多缴税款予以退还"), (opens, closes))
    application = rule.application(city, year) if city else None
    if application is not None:
        return ((f"apply to {city} {application.opens}..{application.closes}; paid after approval",
                 f"{application.opens}至{application.closes}向当地申请，审核后发放"),
                (application.opens, application.closes))
    where = city or "the city"
    return ((f"apply to {where} after the {year} annual reconciliation, in the window the city announces in {year + 1}; "
             "paid after approval", f"{year}年度汇算后按当地公布的时间（{year + 1}年）申请，审核后发放"), None)
