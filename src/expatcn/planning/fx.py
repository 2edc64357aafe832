"""Money at the planner's edges: amounts in a currency's minor units, and conversions with the
user's own rates (RMB per unit; no rate is ever looked up), half up via ``expatcn.money``."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from expatcn.money import RATE_SCALE, MoneyError, div_half_up, rate_to_ppm
from expatcn.planning.results import PlanError
from expatcn.social.host import to_minor


def minor_units(amount: Decimal, minor_per_unit: int = 100) -> int:
    """An amount as integer minor units of its currency; exact or a :class:`PlanError`."""
    try:
        return to_minor(amount, minor_per_unit)
    except ValueError as exc:
        raise PlanError(str(exc)) from None


def _ppm(rate: Decimal, code: str) -> int:
    try:
        return rate_to_ppm(rate)
    except MoneyError:
        raise PlanError(f"fx.{code}: a rate finer than one millionth ({rate})") from None


class Converter:
    """Conversions with the user's rates only (RMB per unit); half up via ``expatcn.money``."""

    def __init__(self, fx: dict[str, Decimal]) -> None:
        self.fx = {k.upper(): v for k, v in fx.items()}

    def has(self, currency: str) -> bool:
        return currency == "CNY" or currency in self.fx

    def to_fen(self, minor: np.ndarray | int, currency: str, minor_per_unit: int = 100) -> np.ndarray:
        if currency == "CNY":
            return np.asarray(minor, dtype=np.int64) * (100 // minor_per_unit)
        ppm = _ppm(self.fx[currency], currency)
        return div_half_up(np.asarray(minor, dtype=np.int64) * ppm * 100, minor_per_unit * RATE_SCALE)

    def from_fen(self, fen: np.ndarray | int, currency: str, minor_per_unit: int = 100) -> np.ndarray:
        if currency == "CNY":
            return div_half_up(np.asarray(fen, dtype=np.int64) * minor_per_unit, 100)
        ppm = _ppm(self.fx[currency], currency)
        return div_half_up(np.asarray(fen, dtype=np.int64) * minor_per_unit * RATE_SCALE, 100 * ppm)
