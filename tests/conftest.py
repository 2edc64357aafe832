"""Shared test helpers: build engine inputs from yuan figures as the examples state them."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from expatcn.iit.inputs import ANNUAL_AMOUNTS, YearInputs
from expatcn.law import load_law


def fen(yuan) -> int:
    return int(Decimal(str(yuan)) * 100)


def yuan(fen_amount) -> Decimal:
    return Decimal(int(fen_amount)) / 100


def months(value=0, **at) -> np.ndarray:
    """A (1, 12) fen row: ``value`` every month, overridden by ``at={'m3': 1000}`` style keys."""
    row = np.full((1, 12), fen(value), dtype=np.int64)
    for key, amount in at.items():
        row[0, int(key[1:]) - 1] = fen(amount)
    return row


def one_person(year: int, **kwargs) -> YearInputs:
    """A batch of one; monthly amounts given as yuan numbers (every month) or (1, 12) fen rows;
    yearly amounts (``ANNUAL_AMOUNTS``: claims at the reconciliation, the local average wage) in yuan."""
    flags = {k: (v if k == "closed_months" else np.array([v])) for k, v in kwargs.items()
             if isinstance(v, (bool, int)) and not isinstance(v, np.ndarray)
             and k in ("resident", "foreigner", "allowance_election", "bonus_method", "first_income_this_year",
                       "low_income_last_year", "closed_months", "intern", "pilot_region", "not_withheld")}
    flags.update({k: np.array([fen(v)]) for k, v in kwargs.items() if k in ANNUAL_AMOUNTS})
    amounts = {k: (v if isinstance(v, np.ndarray) else months(v)) for k, v in kwargs.items()
               if k not in flags and k not in ("exempt_kinds", "exempt_kind_names")}
    amounts.update({k: v for k, v in kwargs.items() if k in ("exempt_kinds", "exempt_kind_names")})
    return YearInputs(year=year, **amounts, **flags)


@pytest.fixture(scope="session")
def law():
    return load_law()
