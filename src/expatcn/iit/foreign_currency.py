"""Income paid in a foreign currency, in RMB (IIT Law art. 16; Regulations art. 32;
``law/iit/foreign_currency.yaml``): the central parity of the last day of the month before the
month the return is filed in — for wages, whose withholding return is filed the month after
payment, the last day of the month paid — and, for tax that becomes payable only at the annual
reconciliation, the last day of the tax year. Rates are the user's (``Parities``); a missing one
is an error naming the date and the currency. RMB = amount × rate ÷ unit, half up to the fen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.law.tables import FOREIGN_CURRENCY
from expatcn.money import RATE_SCALE, div_half_up, fen_to_str, rate_to_ppm, yuan_to_fen

Basis = Literal["withholding", "reconciliation"]


@dataclass(frozen=True)
class Parity:
    """One published central parity: ``rate`` RMB for ``unit`` units of ``currency`` on ``day``."""

    day: dt.date
    currency: str
    rate: Decimal
    unit: int = 1
    source: str = ""


class Parities:
    """The central parities a user gives (from a rates file), by day and currency."""

    def __init__(self, rows: Iterable[Parity], origin: str = "the rates") -> None:
        self.origin = origin
        self.by_day: dict[tuple[dt.date, str], Parity] = {}
        for row in rows:
            key = (row.day, row.currency)
            if key in self.by_day:
                raise InputError(f"{origin}: the parity of {row.currency} on {row.day} is given twice")
            self.by_day[key] = row

    def on(self, day: dt.date, currency: str, why: str = "") -> Parity:
        try:
            return self.by_day[(day, currency)]
        except KeyError:
            because = f" ({why})" if why else ""
            raise InputError(f"no central parity for {currency} on {day} in {self.origin}{because}; add the row "
                             f"'{day},{currency},<RMB per unit>' (the parity in force that day)") from None


@dataclass(frozen=True)
class Conversion:
    """An amount converted: what, where it came from, the rate used and the fen."""

    where: str
    amount: Decimal
    currency: str
    parity: Parity
    basis: Basis
    fen: int
    ref: LawRef

    def describe(self) -> str:
        rule = ("withholding: the last day of the month before the return's month" if self.basis == "withholding"
                else "reconciliation: the last day of the tax year")
        zh = "扣缴申报的上一月最后一日" if self.basis == "withholding" else "上一纳税年度最后一日"
        unit = "" if self.parity.unit == 1 else f" per {self.parity.unit}"
        return (f"{self.where}: {self.amount} {self.currency} × {self.parity.rate}{unit} "
                f"(central parity of {self.parity.day}, {rule} / {zh}人民币汇率中间价) = {fen_to_str(self.fen)}")

    def as_dict(self) -> dict:
        return {"where": self.where, "amount": str(self.amount), "currency": self.currency,
                "rate": str(self.parity.rate), "unit": self.parity.unit, "rate_date": self.parity.day.isoformat(),
                "basis": self.basis, "rmb": f"{self.fen / 100:.2f}", "source": self.parity.source,
                "law": self.ref.describe()}


def rate_day(law: Law, paid: Month, basis: Basis) -> dt.date:
    """The day whose parity converts income paid in ``paid``: for withholding, the last day of the
    month before the return's month; at the reconciliation, the last day of the tax year."""
    rule = law.value(FOREIGN_CURRENCY, paid.first)
    if basis == "reconciliation":
        return dt.date(paid.year, 12, 31)
    return (paid + (rule.withholding_filed_months_after_payment - 1)).last


def convert(law: Law, amount: Decimal, currency: str, paid: Month, parities: Parities | None, basis: Basis,
            where: str) -> Conversion:
    """``amount`` of ``currency`` paid in month ``paid`` in RMB fen, by the rule of ``basis``."""
    currency = currency.upper()
    if parities is None:
        raise InputError(f"{where}: {amount} {currency} needs the RMB central parity rates (a rates file: --fx)")
    entry = law.on(FOREIGN_CURRENCY, paid.first)
    day = rate_day(law, paid, basis)
    parity = parities.on(day, currency, why=f"{where}: {amount} {currency} paid in {paid}")
    cents, ppm = yuan_to_fen(amount), rate_to_ppm(parity.rate)
    if cents * ppm >= 2**63:  # beyond the engine's int64
        raise InputError(f"{where}: {amount} {currency} × {parity.rate} is larger than the engine converts")
    fen = int(div_half_up(cents * ppm, parity.unit * RATE_SCALE, non_negative=cents >= 0))
    return Conversion(where, amount, currency, parity, basis, fen, entry.ref)
