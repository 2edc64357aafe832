"""Exact money: amounts are integer fen in NumPy ``int64`` arrays; rates are integers of
parts per million. The one rounding rule of the project lives here: half up (away from zero),
to the fen, applied only where a result is divided (rates, shares, ratios).

Conversions (yuan <-> fen, decimal rate -> ppm) are units, not law. Every display of an amount
or a rate goes through the formatters here (``fen_to_str``, ``yuan_str``, ``ppm_to_percent``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import overload

import numpy as np

from expatcn.errors import InputError

FEN_PER_YUAN = 100
RATE_SCALE = 1_000_000  # a rate is stored as an integer number of millionths
MAX_ABS_FEN = 10**13  # 100 billion yuan: the largest amount accepted, so products stay in int64

Fen = np.ndarray  # int64 array of fen


class MoneyError(InputError):
    """An amount that is not a valid money figure (not a number, more than 2 decimals, too big)."""


def yuan_to_fen(value: object) -> int:
    """A yuan amount (str, int, Decimal; float accepted only if it is exact to the fen) as fen."""
    if isinstance(value, bool):
        raise MoneyError(f"expected an amount in yuan, got {value!r}")
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"expected an amount in yuan, got {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"expected a finite amount in yuan, got {value!r}")
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise MoneyError(f"expected at most two decimals (fen), got {value!r}")
    if abs(fen) > MAX_ABS_FEN:
        raise MoneyError(f"amount {value!r} is larger than the engine accepts")
    return int(fen)


def yuan_amount(value: object) -> Decimal:
    """A yuan amount ≥ 0 exact to the fen, as a ``Decimal`` (what an input file or form may hold)."""
    fen = yuan_to_fen(value)
    if fen < 0:
        raise MoneyError(f"expected an amount ≥ 0, got {value!r}")
    return Decimal(fen) / FEN_PER_YUAN


@overload
def fen_to_decimal(fen: int | np.integer) -> Decimal: ...


@overload
def fen_to_decimal(fen: None) -> None: ...


def fen_to_decimal(fen: int | np.integer | None) -> Decimal | None:
    """Fen as a ``Decimal`` yuan amount with two places; ``None`` (unknown) stays ``None``."""
    return None if fen is None else (Decimal(int(fen)) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def fen_to_str(fen: int | np.integer) -> str:
    """Fen for reading: ``1234560`` → ``"12,345.60"`` (thousands grouped)."""
    return f"{fen_to_decimal(fen):,.2f}"


def yuan_grouped(yuan: object) -> str:
    """An answer's yuan amount for reading: ``"12345.6"`` → ``"12,345.60"`` (thousands grouped)."""
    return fen_to_str(yuan_to_fen(yuan))


@overload
def yuan_str(fen: int | np.integer) -> str: ...


@overload
def yuan_str(fen: None) -> None: ...


def yuan_str(fen: int | np.integer | None) -> str | None:
    """Fen as the answers give amounts: ``1234560`` → ``"12345.60"``; ``None`` (unknown) stays ``None``."""
    return None if fen is None else str(fen_to_decimal(fen))


def minor_to_str(minor: int | np.integer, minor_per_unit: int) -> str:
    """Minor units of a currency for reading, with its decimals: ``123456, 100`` → ``"1,234.56"``;
    none for yen and won (``minor_per_unit`` 1)."""
    places = len(str(minor_per_unit)) - 1
    return f"{Decimal(int(minor)).scaleb(-places):,.{places}f}"


def ppm_to_fraction(ppm: int | np.integer) -> str:
    """A rate in parts per million as an exact decimal fraction: ``80000`` → ``"0.08"``, ``0`` → ``"0"``."""
    return format((Decimal(int(ppm)) / RATE_SCALE).normalize(), "f")


def ppm_to_percent(ppm: int | np.integer) -> str:
    """A rate in parts per million for reading: ``80000`` → ``"8%"``, ``5000`` → ``"0.5%"``."""
    return f"{int(ppm) * 100 / RATE_SCALE:g}%"


def rate_to_ppm(value: object) -> int:
    """A decimal rate ("0.03", 0.08, "3%") as integer parts per million; exact or an error."""
    text = str(value).strip()
    scale = Decimal(1)
    if text.endswith("%"):
        text, scale = text[:-1], Decimal("0.01")
    try:
        rate = Decimal(text) * scale * RATE_SCALE
    except InvalidOperation as exc:
        raise MoneyError(f"expected a rate such as 0.03, got {value!r}") from exc
    if rate != rate.to_integral_value():
        raise MoneyError(f"rate {value!r} is finer than one millionth")
    return int(rate)


def div_half_up(
    numerator: np.ndarray | int, denominator: np.ndarray | int, non_negative: bool = False
) -> np.ndarray:
    """numerator / denominator rounded half away from zero: the project's one rounding rule.

    Denominators must be positive. ``non_negative=True`` promises numerators ≥ 0 (a faster path
    with the same result). Works on int64 arrays and Python ints alike.
    """
    num = np.asarray(numerator, dtype=np.int64)
    den = np.asarray(denominator, dtype=np.int64)
    if non_negative:
        return (2 * num + den) // (2 * den)
    magnitude = (2 * np.abs(num) + den) // (2 * den)
    return np.where(num < 0, -magnitude, magnitude)


def apply_rate(amount_fen: np.ndarray | int, rate_ppm: np.ndarray | int, non_negative: bool = False) -> np.ndarray:
    """amount × rate, to the fen, half up."""
    product = np.asarray(amount_fen, dtype=np.int64) * np.asarray(rate_ppm, dtype=np.int64)
    if non_negative and product.ndim:  # the same rule, in place: (p + scale / 2) // scale
        product += RATE_SCALE // 2
        product //= RATE_SCALE
        return product
    return div_half_up(product, RATE_SCALE, non_negative)


def share(amount_fen: np.ndarray, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """amount × numerator / denominator to the fen, half up (apportionment by days or by pay).

    Where the denominator is zero the share is zero.
    """
    amount = np.asarray(amount_fen, dtype=np.int64)
    num = np.asarray(numerator, dtype=np.int64)
    den = np.asarray(denominator, dtype=np.int64)
    safe = np.where(den == 0, 1, den)
    return np.where(den == 0, 0, div_half_up(amount * num, safe))
