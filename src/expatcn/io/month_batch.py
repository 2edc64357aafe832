"""Batch files of the full month (``expatcn month-batch``): the person-months of a tax batch
(:mod:`expatcn.io.batch`, without ``employee_contributions`` — they are computed) plus the
social insurance columns, → :class:`~expatcn.gross_to_net.MonthInputs` per tax year → result rows.

Per person, repeated on each row (or on one row, the others empty): ``city`` (required; a key of
``law/social``), ``nationality`` (ISO alpha-2), ``certificate_from`` / ``certificate_until``
(YYYY-MM-DD, a certificate of coverage), ``opt_in``, ``housing_fund``, ``local_hukou`` (true or
false), ``work_injury_rate`` and ``housing_fund_rate`` (a rate such as 0.0016 or 0.16%; empty: the
table's default). Per month: ``contribution_wage``, ``pay``, ``bonus_paid``, ``equity_paid`` (yuan;
empty: the month's ``wages``, ``wages``, ``bonus``, ``equity``).
"""

from __future__ import annotations

import numpy as np

from expatcn.gross_to_net import MonthInputs
from expatcn.io.batch import BatchError, check_columns, check_frame, grid, per_person, person_index, year_parts
from expatcn.money import rate_to_ppm
from expatcn.social.contributions import DEFAULT_RATE

PERSON_TEXT = ("city", "nationality", "certificate_from", "certificate_until")
PERSON_FLAGS = ("opt_in", "housing_fund", "local_hukou")
PERSON_RATES = ("work_injury_rate", "housing_fund_rate")
MONTH_AMOUNTS = {"contribution_wage": "wages", "pay": "wages", "bonus_paid": "bonus", "equity_paid": "equity"}
EXTRA = (*PERSON_TEXT, *PERSON_FLAGS, *PERSON_RATES, *MONTH_AMOUNTS)


def check_month_columns(columns: list[str], path, law=None) -> None:
    check_columns(columns, path, law, EXTRA)
    if "city" not in columns:
        raise BatchError(f"{path}: missing column(s) city")
    if "employee_contributions" in columns:
        raise BatchError(f"{path}: column employee_contributions: leave it out — the full month computes the "
                         "contributions")


def check_month_frame(frame, path, first: int):
    """:func:`expatcn.io.batch.check_frame` with the month columns (empty month amounts kept as
    empty: they take their default)."""
    import polars as pl

    given = {name: frame[name].cast(pl.String).str.strip_chars().fill_null("") != ""
             for name in MONTH_AMOUNTS if name in frame.columns}
    checked = check_frame(frame, path, first, amounts=tuple(MONTH_AMOUNTS), flags=PERSON_FLAGS)
    text = [pl.col(name).cast(pl.String).str.strip_chars().replace("", None).alias(name)
            for name in PERSON_TEXT if name in checked.columns]
    return checked.with_columns(text).with_columns(
        [pl.when(mask).then(pl.col(name)).otherwise(None).alias(name) for name, mask in given.items()]
        + [pl.col("city").str.to_lowercase()]
        + ([pl.col("nationality").str.to_uppercase()] if "nationality" in checked.columns else []))


def month_year_parts(frame, path):
    """(:class:`MonthInputs`, the year's rows) per tax year of a checked frame."""
    import polars as pl

    out = []
    for income, part in year_parts(frame, path):
        person, _ = person_index(part)
        n, year = income.people, income.year
        month = part["month"].to_numpy() - 1
        text = {name: per_person(part, name, path, year, None) for name in PERSON_TEXT if name in part.columns}
        city = text["city"]
        if city.is_null().any():
            raise BatchError(f"{path}: employee {income.ids[int(city.is_null().arg_max())]}, column city: expected a city")
        kw = {name: per_person(part, name, path, year, False).cast(pl.Boolean).to_numpy()
              for name in PERSON_FLAGS if name in part.columns}
        for name in PERSON_RATES:
            if name in part.columns:
                kw[name] = _rates(per_person(part, name, path, year, None), income.ids, path, name)
        if "certificate_until" in text:
            kw.update(_certificates(text, income.ids, path))
        for name, default in MONTH_AMOUNTS.items():
            if name in part.columns:
                values = part.select(pl.col(name).fill_null(pl.col(default) if default in part.columns else 0)).to_series()
                kw[name] = grid(values.to_numpy(), person, month, n)
        out.append((MonthInputs(income, city.to_numpy(), **kw), part))
    return out


def _rates(values, ids, path, name) -> np.ndarray:
    """Rates per person in ppm (``DEFAULT_RATE`` where none is given), each distinct text read once."""
    text = values.cast(str).str.strip_chars().fill_null("")
    out = np.full(len(text), DEFAULT_RATE, dtype=np.int64)
    for value in text.unique().to_list():
        if not value:
            continue
        try:
            ppm = rate_to_ppm(value)
        except ValueError as exc:
            at = int((text == value).arg_max())
            raise BatchError(f"{path}: employee {ids[at]}, column {name}: {exc}") from None
        out[(text == value).to_numpy()] = ppm
    return out


def _certificates(text, ids, path) -> dict[str, np.ndarray]:
    import polars as pl

    out = {}
    for name in ("certificate_from", "certificate_until"):
        if name not in text:
            continue
        raw = text[name].cast(pl.String).str.strip_chars().replace("", None)
        days = raw.str.to_date("%Y-%m-%d", strict=False)
        bad = raw.is_not_null() & days.is_null()
        if bad.any():
            at = int(bad.arg_max())
            raise BatchError(f"{path}: employee {ids[at]}, column {name}: expected a date YYYY-MM-DD, got {raw[at]!r}")
        out[name] = days.to_numpy().astype("datetime64[D]")
    nationality = text.get("nationality")
    if nationality is None:
        raise BatchError(f"{path}: column nationality: a certificate of coverage needs the nationality")
    out["nationality"] = nationality.cast(pl.String).fill_null("").to_numpy().astype(str)
    return out
