"""Helpers for the host-tax tests: one person's tax from amounts as the examples state them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from expatcn.host_tax import host_income_tax
from expatcn.host_tax.result import HostTax
from expatcn.law import load_law

LAW = load_law()
MINOR = {"JP": 1, "KR": 1}


def minor(country: str, amount) -> int:
    return int(Decimal(str(amount)) * MINOR.get(country, 100))


def person(country: str, on: dt.date, income, contributions=0, resident=True, **options) -> HostTax:
    """The tax of one person with ``income`` (in currency units)."""
    return host_income_tax(LAW, country, on, np.array([minor(country, income)]),
                           deductible_contributions=np.array([minor(country, contributions)]),
                           resident=np.array([resident]), **options)


def amount(result: HostTax, key: str) -> Decimal:
    """Column ``key`` of person 0 in currency units."""
    return Decimal(int(result.columns[key][0])) / result.minor_per_unit
