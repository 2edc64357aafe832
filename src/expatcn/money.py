"""Exact money: amounts are integer fen in NumPy ``int64`` arrays; rates are integers of
parts per million. The one rounding rule of the project lives here: half up (away from zero),
to the fen, applied only where a result is divided (rates, shares, ratios).

Conversions (yuan <-> fen, decimal rate -> ppm) are units, not law. Every display of an amount
or a rate goes through the formatters here (``fen_to_str``, ``yuan_str``, ``ppm_to_percent``).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING, overload

from expatcn.errors import InputError

if TYPE_CHECKING:
    import numpy as np

FEN_PER_YUAN = 100
RATE_SCALE = 1_000_000  # a rate is stored as an integer number of millionths
# The largest amount one input may hold: 100 million yuan. A year of every kind of income at the
# limit (12 months × ~10 kinds ≈ 1.2e12 fen) times a rate in ppm (≤ 1e6) stays below 2**63, so
# every product the engines form stays inside int64; amount × amount shares are exact (``share``).
MAX_ABS_FEN = 10**10
MAX_RATE_PPM = 10**12  # a rate (or an exchange rate, RMB per unit) of at most 1,000,000
_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")  # 12345.67, 12,345.67
_MAX_TEXT = 40  # characters of a written amount or rate



class MoneyError(InputError):
    """An amount that is not a valid money figure (not a number, more than 2 decimals, too big)."""


def _decimal(value: object, expected: str) -> Decimal:
    """The exact decimal written in ``value``: an int, a Decimal, a float (its shortest repr) or
    text in plain notation (``12345.67``, thousands grouped ``12,345.67``); no exponents, no
    infinities, nothing longer than 40 characters."""
    if isinstance(value, bool) or value is None:
        raise MoneyError(f"expected {expected}, got {value!r}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        if abs(value) > 10**_MAX_TEXT:
            raise MoneyError(f"expected {expected}, got a number of {len(str(abs(value)))} digits")
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value)) if math.isfinite(value) else Decimal("NaN")
    else:
        text = str(value).strip()
        if len(text) > _MAX_TEXT or not _TEXT.fullmatch(text):
            raise MoneyError(f"expected {expected}, got {_short(value)}")
        amount = Decimal(text.replace(",", ""))
    if not amount.is_finite():
        raise MoneyError(f"expected a finite number: {expected}, got {_short(value)}")
    return amount


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def scaled(amount: Decimal, places: int, limit: int, value: object, what: str) -> int:
    """``amount`` × 10**places as an exact integer of magnitude ≤ ``limit``, without decimal
    context arithmetic (no rounding, no overflow, whatever the exponent)."""
    sign, digits, exponent = amount.as_tuple()
    kept = len(digits)
    while kept > 1 and digits[kept - 1] == 0:  # trailing zeros: 12.50 is exact to the fen
        kept -= 1
        exponent += 1
    if kept == 1 and digits[0] == 0:
        return 0
    if exponent < -places:
        raise MoneyError(f"{what}: expected at most {places} decimals, got {_short(value)}")
    if kept + exponent + places > len(str(limit)):
        raise MoneyError(f"{what}: {_short(value)} is larger than the engine accepts (at most {limit})")
    number = int("".join(map(str, digits[:kept]))) * 10 ** (exponent + places)
    if number > limit:
        raise MoneyError(f"{what}: {_short(value)} is larger than the engine accepts (at most {limit})")
    return -number if sign else number


def yuan_to_fen(value: object) -> int:
    """A yuan amount as fen: the one amount parser of every file, form, command and API body.

    Takes an int, a Decimal, a float exact to the fen, or text ``12345.67`` / ``12,345.67``; at
    most two decimals; at most :data:`MAX_ABS_FEN` in magnitude (100,000,000.00 yuan)."""
    amount = _decimal(value, "an amount in yuan such as 12345.67")
    try:
        return scaled(amount, 2, MAX_ABS_FEN, value, "amount")
    except MoneyError as exc:
        if "larger" in str(exc):
            raise MoneyError(f"amount {_short(value)} is larger than the engine accepts "
                             f"(at most {fen_to_str(MAX_ABS_FEN)} yuan)") from None
        raise MoneyError(f"expected at most two decimals (fen), got {_short(value)}") from None


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
    """A decimal rate ("0.03", 0.08, "3%") as integer parts per million; exact or an error.
    At most :data:`MAX_RATE_PPM` (exchange rates, RMB per unit, go through here too)."""
    text = value.strip() if isinstance(value, str) else value
    percent = isinstance(text, str) and text.endswith("%")
    rate = _decimal(text[:-1] if percent else text, "a rate such as 0.03 or 3%")
    try:
        return scaled(rate, 4 if percent else 6, MAX_RATE_PPM, value, "rate")
    except MoneyError as exc:
        if "decimals" in str(exc):
            raise MoneyError(f"rate {_short(value)} is finer than one millionth") from None
        raise


def exchange_rate(value: object) -> Decimal:
    """A user's exchange rate (RMB per unit of a currency, e.g. ``7.10``): positive, exact to the
    millionth, at most 1,000,000."""
    ppm = rate_to_ppm(value)
    if ppm <= 0:
        raise MoneyError(f"expected a positive exchange rate such as 7.10, got {_short(value)}")
    return Decimal(ppm) / RATE_SCALE


def div_half_up(
    numerator: np.ndarray | int, denominator: np.ndarray | int, non_negative: bool = False
) -> np.ndarray:
    """numerator / denominator rounded half away from zero: the project's one rounding rule.

    Denominators must be positive. ``non_negative=True`` promises numerators ≥ 0 (a faster path
    with the same result). Works on int64 arrays and Python ints alike.
    """
    import numpy as np  # here, not at the top: the formatters above serve the command line without NumPy
    num = np.asarray(numerator, dtype=np.int64)
    den = np.asarray(denominator, dtype=np.int64)
    if non_negative:
        return (2 * num + den) // (2 * den)
    magnitude = (2 * np.abs(num) + den) // (2 * den)
    return np.where(num < 0, -magnitude, magnitude)


HALF_RATE_SCALE = RATE_SCALE // 2


def rate_half_up(product: int) -> int:
    """A product amount × rate (fen × ppm, ≥ 0) to the fen, half up: the rounding rule for one
    number. The compiled kernel (``expatcn.month_kernel``) compiles this very function;
    :func:`apply_rate` applies the same expression to arrays in place."""
    return (product + HALF_RATE_SCALE) // RATE_SCALE


def apply_rate(amount_fen: np.ndarray | int, rate_ppm: np.ndarray | int, non_negative: bool = False) -> np.ndarray:
    """amount × rate, to the fen, half up."""
    import numpy as np

    product = np.asarray(amount_fen, dtype=np.int64) * np.asarray(rate_ppm, dtype=np.int64)
    if non_negative and product.ndim:  # rate_half_up, in place
        product += HALF_RATE_SCALE
        product //= RATE_SCALE
        return product
    return div_half_up(product, RATE_SCALE, non_negative)


def share(amount_fen: np.ndarray, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """amount × numerator / denominator to the fen, half up (apportionment by days or by pay).

    Where the denominator is zero the share is zero.
    """
    import numpy as np

    amount = np.asarray(amount_fen, dtype=np.int64)
    num = np.asarray(numerator, dtype=np.int64)
    den = np.asarray(denominator, dtype=np.int64)
    safe = np.where(den == 0, 1, den)
    if amount.size and num.size and _largest(amount) * _largest(num) >= 2**62:  # amount × amount: exact in Python ints
        product = amount.astype(object) * num.astype(object)
        whole = (2 * abs(product) + safe.astype(object)) // (2 * safe.astype(object))
        return np.where(den == 0, 0, np.where(product < 0, -whole, whole).astype(np.int64))
    return np.where(den == 0, 0, div_half_up(amount * num, safe))


def _largest(values: np.ndarray) -> int:
    return max(abs(int(values.max())), abs(int(values.min())))
