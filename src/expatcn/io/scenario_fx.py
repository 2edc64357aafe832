"""A scenario's amounts in RMB: the months' items of the employer and of the other payers, where
pay is in a foreign currency (``currency:`` of the file, or ``"8000 EUR"`` per amount), converted
month by month by ``expatcn.iit.foreign_currency`` (IIT Regulations art. 32)."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel

from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.iit.foreign_currency import Basis, Conversion, Parities, convert
from expatcn.io.amounts import ForeignAmount
from expatcn.law import Law

M = TypeVar("M", bound=BaseModel)


def months_in_yuan(items: list[M], currency: str, year: int, law: Law, parities: Parities | None, where: str,
                   basis: Basis, conversions: list[Conversion]) -> list[M]:
    """``items`` (one per month) with every amount in yuan; each conversion is appended to
    ``conversions``. ``where`` names the items in messages (``months``, ``other_payers.0.months``)."""
    out = []
    for index, item in enumerate(items):
        paid = Month(year, index + 1)
        update = {}
        for name, value in item:
            place = f"{where}.{index + 1}.{name}"
            if isinstance(value, dict):
                converted = {k: _yuan(v, currency, paid, law, parities, basis, f"{place}.{k}", conversions)
                             for k, v in value.items()}
                if converted != value:
                    update[name] = converted
            elif isinstance(value, (Decimal, ForeignAmount)):
                converted = _yuan(value, currency, paid, law, parities, basis, place, conversions)
                if converted is not value:
                    update[name] = converted
        out.append(item.model_copy(update=update) if update else item)
    return out


def _yuan(value: object, currency: str, paid: Month, law: Law, parities: Parities | None, basis: Basis, place: str,
          conversions: list[Conversion]) -> object:
    if isinstance(value, ForeignAmount):
        amount, code = value.amount, value.currency
    elif isinstance(value, Decimal):
        amount, code = value, currency
    else:
        return value
    if code == "CNY" or not amount:
        return amount
    try:
        conversion = convert(law, amount, code, paid, parities, basis, place)
    except InputError as exc:
        message = str(exc)
        raise InputError(message if message.startswith(place) else f"{place}: {message}") from None
    conversions.append(conversion)
    return Decimal(conversion.fen) / 100
