"""The employer's own social insurance figures (issue 11): a rates file — YAML, Excel or CSV:
city, scheme, from, to, base floor/ceiling, employer/employee rate, why — imported into the store
with who and when (``expatcn rates import``, the web app's rates page for admins), listed, and
read for the stateless commands (``--rates FILE`` on ``social``, ``month``, ``grossup``, ``plan``).
They fill gaps in the law tables and override them only where the employer says so; every figure
they supply is labelled employer-supplied in results and traces."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from expatcn.io import sheets
from expatcn.law import load_law
from expatcn.money import ppm_to_percent, rate_to_ppm
from expatcn.payroll import rates as stored
from expatcn.services.payroll import Store, open_store
from expatcn.social.figures import EmployerRate, EmployerRates


class RateOut(BaseModel):
    city: str
    scheme: str
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(alias="to")
    base_floor: str | None = Field(description="yuan; none: the table's")
    base_ceiling: str | None = Field(description="yuan, or 'none' (no ceiling); none: the table's")
    employer_rate: str | None = Field(description="percent; none: the table's")
    employee_rate: str | None = Field(description="percent; none: the table's")
    why: str
    imported_by: str | None = None
    imported_at: dt.datetime | None = None

    model_config = {"populate_by_name": True}

    @classmethod
    def of(cls, rate: EmployerRate, who: str | None = None, when: dt.datetime | None = None) -> RateOut:
        def percent(value):
            return None if value is None else ppm_to_percent(rate_to_ppm(value))
        def yuan(value):
            return None if value is None else str(value)
        return cls(city=rate.city, scheme=rate.scheme, start=rate.start, end=rate.end,
                   base_floor=yuan(rate.base_floor), base_ceiling=yuan(rate.base_ceiling),
                   employer_rate=percent(rate.employer_rate), employee_rate=percent(rate.employee_rate),
                   why=rate.why, imported_by=who, imported_at=when)


class RatesImported(BaseModel):
    rows: int
    imported_by: str
    rates: list[RateOut]


def read(source: str | Path | bytes | Sequence[Mapping[str, Any]], *, name: str | None = None) -> EmployerRates:
    """A rates file (a path, the bytes of an upload with its ``name``, or JSON rows), checked in
    full: every problem by row and column, nothing returned unless all is well."""
    return sheets.employer_rates(source, law=load_law(), name=name)


def import_rates(store: Store, source: str | Path | bytes | Sequence[Mapping[str, Any]], who: str, *,
                 name: str | None = None, employer: str | None = None) -> RatesImported:
    """Replace the employer's figures in the store with the file's (all checked first: a bad file
    changes nothing), recording ``who`` imported them and when."""
    rates = read(source, name=name)
    count = stored.import_rates(store, rates, who, employer_tax_number=employer)
    return RatesImported(rows=count, imported_by=who, rates=list_rates(store, employer=employer))


def list_rates(store: Store, *, employer: str | None = None) -> list[RateOut]:
    """The employer's figures in the store, with who imported them and when."""
    return [RateOut.of(r.rate, r.imported_by, r.imported_at) for r in stored.stored_rates(store, employer_tax_number=employer)]


__all__ = ["RateOut", "RatesImported", "import_rates", "list_rates", "open_store", "read"]
