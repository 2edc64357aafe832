"""Tax equalization: the assignee keeps the net they would have had at home; the employer bears
the actual China IIT and contributions.

Each month: stay-at-home net = home gross − hypothetical tax − hypothetical home contributions;
the China payroll is grossed up (:mod:`expatcn.grossup`) so that the China net equals that net
(plus any tax-free allowances paid in China); the employer's equalization cost is what the China
payroll costs above the home gross (actual IIT + actual employee contributions − hypothetical
tax − hypothetical contributions). At year end the hypothetical tax is trued up on the actual
home compensation of the year, and the China reconciliation balance falls to the employer.

The hypothetical tax is the employer's policy, not PRC law, so it comes with the scenario: an
amount per month, a flat rate, or an annual progressive table (``tax_schedule`` form).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from expatcn.grossup import grossup_full_month, grossup_wages
from expatcn.iit.inputs import YearInputs
from expatcn.iit.schedule import progressive_tax
from expatcn.law import Law
from expatcn.law.schemas.common import TaxSchedule
from expatcn.money import apply_rate, div_half_up


@dataclass(frozen=True)
class HypotheticalTax:
    """One of: ``monthly`` amount (fen), ``rate`` (ppm of home gross), or an annual ``table``
    applied to the home gross of the year (withheld as 1/12 of the table on 12 × the month's
    gross, trued up at year end on the actual year)."""

    monthly: int | None = None
    rate: int | None = None
    table: TaxSchedule | None = None

    def withheld(self, home_gross: np.ndarray) -> np.ndarray:
        """The hypothetical tax retained from each month's home gross, (N, 12)."""
        if self.monthly is not None:
            return np.where(home_gross > 0, self.monthly, 0)
        if self.rate is not None:
            return apply_rate(home_gross, self.rate)
        annualized, _, _ = progressive_tax(home_gross * 12, self.table)
        return div_half_up(annualized, 12)

    def for_year(self, home_gross: np.ndarray) -> np.ndarray:
        """The hypothetical tax of the year on the actual home compensation, (N,)."""
        if self.table is None:
            return self.withheld(home_gross).sum(axis=1)
        return progressive_tax(home_gross.sum(axis=1), self.table)[0]


@dataclass(frozen=True)
class HypotheticalContributions:
    """The home contributions the assignee would have paid: a ``monthly`` amount (fen), or a
    ``rate`` (ppm) of the home gross up to ``base_cap`` (fen a month)."""

    monthly: int | None = None
    rate: int | None = None
    base_cap: int | None = None

    def of(self, home_gross: np.ndarray) -> np.ndarray:
        """Each month's hypothetical contributions, (N, 12)."""
        if self.monthly is not None:
            return np.where(home_gross > 0, self.monthly, 0)
        base = home_gross if self.base_cap is None else np.minimum(home_gross, self.base_cap)
        return apply_rate(base, self.rate)


@dataclass
class Settlement:
    """A tax-equalized year settled (N,), fen: what the assignee bears (the hypothetical tax of
    the year and the hypothetical contributions), what was actually due on both sides, and the
    employer's equalization cost = actual − hypothetical."""

    hypothetical_tax_withheld: np.ndarray
    hypothetical_tax: np.ndarray  # on the actual home compensation of the year
    hypothetical_true_up: np.ndarray  # + the employee owes the employer, − the employer owes
    hypothetical_contributions: np.ndarray
    actual_taxes: np.ndarray
    actual_contributions: np.ndarray
    cost: np.ndarray


def settle(hypothetical: HypotheticalTax, contributions: HypotheticalContributions, home_gross: np.ndarray,
           actual_taxes: np.ndarray, actual_contributions: np.ndarray) -> Settlement:
    """The employer's equalization cost of a year in which the taxes and employee contributions
    actually due (both countries, after any foreign tax credit) are paid for the assignee, who
    bears the hypothetical tax (withheld monthly, trued up on the year) and contributions.
    ``home_gross`` (N, 12); the actual amounts (N,)."""
    home_gross = np.asarray(home_gross, dtype=np.int64)
    withheld = hypothetical.withheld(home_gross).sum(axis=1)
    year_tax = hypothetical.for_year(home_gross)
    hypo_contributions = contributions.of(home_gross).sum(axis=1)
    actual_taxes = np.asarray(actual_taxes, dtype=np.int64)
    actual_contributions = np.asarray(actual_contributions, dtype=np.int64)
    return Settlement(withheld, year_tax, year_tax - withheld, hypo_contributions, actual_taxes, actual_contributions,
                      actual_taxes + actual_contributions - year_tax - hypo_contributions)


@dataclass
class Equalization:
    """Per month (N, 12) and per year (N,), fen."""

    home_gross: np.ndarray
    hypothetical_tax: np.ndarray
    hypothetical_contributions: np.ndarray
    guaranteed_net: np.ndarray
    china_gross: np.ndarray
    china_iit: np.ndarray
    china_employee_contributions: np.ndarray
    china_net: np.ndarray
    cost: np.ndarray  # the employer's equalization cost of the month
    hypothetical_true_up: np.ndarray  # (N,) + the employee owes the employer, − the employer owes
    china_reconciliation_balance: np.ndarray  # (N,) + payable, − refund (borne by the employer)

    @property
    def cost_for_year(self) -> np.ndarray:
        """The employer's equalization cost of the year: the months, the China year-end balance,
        less what the hypothetical true-up recovers from the employee."""
        return self.cost.sum(axis=1) + self.china_reconciliation_balance - self.hypothetical_true_up


def equalize(
    home_gross: np.ndarray,
    hypothetical: HypotheticalTax,
    hypothetical_contributions: np.ndarray,
    china: YearInputs,
    city: np.ndarray | None = None,
    *,
    law: Law,
) -> Equalization:
    """The equalized China payroll for N assignees over ``china.year``.

    ``china`` holds the China side except wages (status, allowances paid in China, months
    employed, deductions; ``employee_contributions`` fixed, or computed from ``city``).
    """
    home_gross = np.asarray(home_gross, dtype=np.int64)
    hypo_tax = hypothetical.withheld(home_gross)
    hypo_contributions = np.asarray(hypothetical_contributions, dtype=np.int64)
    guaranteed = np.where(china.employed, home_gross - hypo_tax - hypo_contributions, 0)
    target = guaranteed + china.allowances
    if city is not None:
        from expatcn.gross_to_net import MonthInputs

        gross, month = grossup_full_month(target, MonthInputs(income=replace(china, employee_contributions=None),
                                                              city=np.asarray(city)), law)
        iit_result = month.iit
        contributions = month.monthly["employee_contributions"]
        net = month.monthly["net"]
    else:
        found = grossup_wages(target, china, law)
        gross, iit_result = found.gross_wages, found.result
        contributions = china.employee_contributions
        net = found.net_paid
    iit = iit_result.monthly["wage_tax"] + iit_result.monthly["bonus_tax"]
    cost = np.where(china.employed, gross - home_gross, 0)
    return Equalization(
        home_gross=home_gross,
        hypothetical_tax=hypo_tax,
        hypothetical_contributions=hypo_contributions,
        guaranteed_net=guaranteed,
        china_gross=gross,
        china_iit=iit,
        china_employee_contributions=np.broadcast_to(contributions, gross.shape),
        china_net=net,
        cost=cost,
        hypothetical_true_up=hypothetical.for_year(home_gross) - hypo_tax.sum(axis=1),
        china_reconciliation_balance=iit_result.annual["reconciliation_balance"],
    )
