"""China's foreign tax credit for a resident taxed on worldwide comprehensive income (IIT Law
art. 7; Regulations art. 21; MOF/STA Announcement 2020 No. 3 §3), over consecutive tax years.

For person n, country k, year y (amounts in fen, the caller converts foreign tax to RMB):

* limit L = China tax on the combined comprehensive income × k's income amount ÷ the total
  income amount (half up to the fen — the texts do not say how the limit is rounded);
* credit this year = min(foreign tax paid F, L); excess = F − credit; room = L − credit;
* the room takes, oldest first, the excess of the same country carried from the last
  ``carry_forward_years`` years; an excess not used by then lapses.

China tax after credit = China tax − Σ_k (credit this year + carry-forward used).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from expatcn.errors import InputError
from expatcn.iit.explain import Step
from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.law.schemas.foreign_tax_credit import ForeignTaxCredit as CreditRule
from expatcn.money import fen_to_str, share

TABLE = "iit/foreign_tax_credit"


@dataclass
class ForeignTaxCredit:
    """Credits of N people over Y consecutive years in C countries. Arrays (N, C, Y) unless said;
    ``ledger[n, k, o, y]``: the excess of origin year o still available at the end of year y
    (origins are the P prior years given, then the Y years)."""

    years: list[int]
    countries: list[str]
    limit: np.ndarray
    credit_current: np.ndarray
    excess: np.ndarray
    carry_used: np.ndarray
    lapsed: np.ndarray
    ledger: np.ndarray
    china_tax: np.ndarray  # (N, Y)
    china_tax_after_credit: np.ndarray  # (N, Y)
    ref: LawRef

    @property
    def credit(self) -> np.ndarray:
        """Total credit per country and year: this year's tax plus carry-forward used."""
        return self.credit_current + self.carry_used

    def explain(self, person: int) -> list[Step]:
        """Year by year, country by country: limit, credit, excess, carry-forward used and left."""
        steps: list[Step] = []
        for y, year in enumerate(self.years):
            steps.append(Step(f"{year}: China tax on worldwide comprehensive income", int(self.china_tax[person, y]),
                              law=[self.ref]))
            for k, country in enumerate(self.countries):
                at = (person, k, y)
                if not (self.limit[at] or self.credit_current[at] or self.excess[at] or self.ledger[person, k, :, y].any()):
                    continue
                steps += [
                    Step(f"{year} {country}: credit limit", int(self.limit[at]),
                         "China tax × income from this country ÷ total income amount (half up to the fen)"),
                    Step(f"{year} {country}: foreign tax credited", int(self.credit_current[at]),
                         "the lesser of the foreign tax paid and the limit"),
                    Step(f"{year} {country}: excess foreign tax carried forward", int(self.excess[at]),
                         "foreign tax paid above the limit"),
                    Step(f"{year} {country}: earlier excess credited", int(self.carry_used[at]),
                         "room left under the limit, oldest excess first"),
                    Step(f"{year} {country}: earlier excess lapsed", int(self.lapsed[at]),
                         "excess older than the carry-forward years"),
                    Step(f"{year} {country}: excess still available", int(self.ledger[person, k, :, y].sum())),
                ]
            steps.append(Step(f"{year}: China tax after the foreign tax credit",
                              int(self.china_tax_after_credit[person, y]),
                              f"{fen_to_str(self.china_tax[person, y])} − credits"))
        return steps


def foreign_tax_credit(law: Law, years: list[int], countries: list[str], china_tax: np.ndarray,
                       total_income: np.ndarray, country_income: np.ndarray, foreign_tax: np.ndarray,
                       prior_excess: np.ndarray | None = None) -> ForeignTaxCredit:
    """Credits for consecutive ``years``. ``china_tax`` and ``total_income`` (N, Y): the tax on and
    the income amount of the combined domestic and foreign comprehensive income; ``country_income``
    and ``foreign_tax`` (N, C, Y): each country's income amount and the creditable tax paid there;
    ``prior_excess`` (N, C, P): unused excess of the P years just before ``years[0]``, oldest first."""
    if list(years) != list(range(years[0], years[0] + len(years))):
        raise InputError(f"years must be consecutive, got {years}")
    china_tax = np.asarray(china_tax, dtype=np.int64)
    total_income = np.asarray(total_income, dtype=np.int64)
    income = np.asarray(country_income, dtype=np.int64)
    paid = np.asarray(foreign_tax, dtype=np.int64)
    n, c, y_count = paid.shape
    if income.shape != paid.shape or china_tax.shape != (n, y_count) or total_income.shape != (n, y_count):
        raise InputError("china_tax and total_income must be (N, Y); country_income and foreign_tax (N, C, Y)")
    if (income.sum(axis=1) > total_income).any():
        raise InputError("foreign income amounts exceed the total income amount")
    prior = np.zeros((n, c, 0), dtype=np.int64) if prior_excess is None else np.asarray(prior_excess, dtype=np.int64)
    entry = law.on(TABLE, dt.date(years[-1], 1, 1))
    rule: CreditRule = entry.value
    p = prior.shape[2]
    balance = np.concatenate([prior, np.zeros((n, c, y_count), dtype=np.int64)], axis=2)  # by origin
    limit = share(china_tax[:, None, :], income, np.broadcast_to(total_income[:, None, :], income.shape))
    credit_current = np.minimum(paid, limit)
    excess = paid - credit_current
    carry_used = np.zeros_like(paid)
    lapsed = np.zeros_like(paid)
    ledger = np.zeros((n, c, p + y_count, y_count), dtype=np.int64)
    for y in range(y_count):
        origin_now = p + y
        room = limit[:, :, y] - credit_current[:, :, y]
        oldest = origin_now - rule.carry_forward_years
        for o in range(max(oldest, 0), origin_now):  # oldest first
            take = np.minimum(room, balance[:, :, o])
            balance[:, :, o] -= take
            room -= take
            carry_used[:, :, y] += take
        expired = slice(0, max(oldest + 1, 0))  # the oldest had its last year now
        lapsed[:, :, y] = balance[:, :, expired].sum(axis=2)
        balance[:, :, expired] = 0
        balance[:, :, origin_now] = excess[:, :, y]
        ledger[:, :, :, y] = balance
    after = china_tax - (credit_current + carry_used).sum(axis=1)
    return ForeignTaxCredit(list(years), list(countries), limit, credit_current, excess, carry_used, lapsed, ledger,
                            china_tax, after, entry.ref)
