"""Batch files of person-months (CSV or Parquet) → engine inputs per tax year → result rows.

One row per person and month: ``employee_id, year, month`` and the month's amounts in yuan
(``wages, allowances, employee_contributions, special_additional_deductions, other_deductions,
tax_reductions, bonus, labour, equity``; other payers' ``other_wages, other_labour,
other_contributions, other_special_additional_deductions, other_tax_withheld``; capped other
deductions ``individual_pension, commercial_health_insurance, tax_deferred_pension``;
``severance``; ``exempt_<kind>`` for each kind of ``law/iit/exempt_income``; ``equity_months``
before 2019), with the person's flags (``resident, foreigner, allowance_exemption, bonus_method,
first_income_this_year, low_income_last_year, intern, pilot_region, not_withheld``) repeated on
each row, and the person-year's amounts (``reconciliation_special_additional_deductions,
serious_illness_self_paid, reconciliation_individual_pension,
reconciliation_commercial_health_insurance, reconciliation_tax_deferred_pension,
local_average_wage``) on one row or repeated. A month without a row is a month not employed.
Errors name the file, row and column.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np

from expatcn.errors import InputError
from expatcn.iit.exempt_income import check_kinds
from expatcn.iit.inputs import ANNUAL_AMOUNTS, MONTHLY_AMOUNTS, NEW_FLAGS, BonusMethod, YearInputs
from expatcn.law import Law
from expatcn.money import MAX_ABS_FEN, MoneyError, yuan_to_fen

KEYS = ("employee_id", "year", "month")
FLAGS = ("resident", "foreigner", "allowance_exemption", "first_income_this_year", "low_income_last_year", *NEW_FLAGS)
FLAG_DEFAULTS = {"resident": True}
EXEMPT = "exempt_"  # exempt_<kind>: income of a kind of law/iit/exempt_income
OPTIONAL = (*MONTHLY_AMOUNTS, *ANNUAL_AMOUNTS, *FLAGS, "bonus_method", "employed", "equity_months")
RESULT_COLUMNS = ("income", "exempt_income", "wage_taxable", "wage_tax", "bonus_tax", "labour_tax", "equity_tax",
                  "severance_tax", "total_tax")


class BatchError(InputError):
    """A batch file that cannot be used; the message names file, row and column."""


def first_row(path: str | Path) -> int:
    """The number of a file's first data row as its reader counts: 2 in a CSV (after the header), 1 in Parquet."""
    return 1 if Path(path).suffix.lower() == ".parquet" else 2


def check_columns(columns: list[str], path, law: Law | None = None, extra: tuple[str, ...] = ()) -> None:
    """Known columns only, the required ones present; ``extra``: more allowed columns (month batches)."""
    known = KEYS + OPTIONAL + extra
    unknown = [c for c in columns if c not in known and not c.startswith(EXEMPT)]
    if unknown:
        raise BatchError(f"{path}: unknown column(s) {', '.join(unknown)}; expected {', '.join(known)} "
                         f"or {EXEMPT}<kind>")
    exempt = [c for c in columns if c.startswith(EXEMPT)]
    if law is not None:
        check_kinds(law, [c.removeprefix(EXEMPT) for c in exempt], f"{path}: column {EXEMPT}…", BatchError)
    missing = [c for c in (*KEYS, "wages") if c not in columns]
    if missing:
        raise BatchError(f"{path}: missing column(s) {', '.join(missing)}")


def check_frame(frame, path, first: int, amounts: tuple[str, ...] = (), flags: tuple[str, ...] = ()):
    """A chunk of the file (its first row numbered ``first``) with every cell checked by column:
    ids as text, years and months whole, amounts in fen, flags as booleans; ``amounts``/``flags``:
    the extra columns of a month batch. The first bad cell is named by row and column."""
    import polars as pl

    frame = frame.with_row_index("row", offset=first)
    exempt = [c for c in frame.columns if c.startswith(EXEMPT)]
    casts = [pl.col("employee_id").cast(pl.String)]
    casts += [checked_int(frame, path, name) for name in ("year", "month")]
    if "equity_months" in frame.columns:
        casts.append(checked_int(frame.with_columns(pl.col("equity_months").cast(pl.String).fill_null("0").replace("", "0")),
                                 path, "equity_months"))
    casts += [fen_column(frame, path, name) for name in (*MONTHLY_AMOUNTS, *ANNUAL_AMOUNTS, *exempt, *amounts)
              if name in frame.columns]
    casts += [flag_column(frame, path, name) for name in (*FLAGS, "employed", *flags) if name in frame.columns]
    frame = frame.with_columns(casts)
    bad_month = frame.filter(~pl.col("month").is_between(1, 12))
    if bad_month.height:
        raise BatchError(f"{path}: row {bad_month['row'][0]}, column month: expected 1–12, got {bad_month['month'][0]}")
    duplicate = frame.filter(pl.struct("employee_id", "year", "month").is_duplicated())
    if duplicate.height:
        row = duplicate.row(0, named=True)
        raise BatchError(f"{path}: row {row['row']}: employee {row['employee_id']} has two rows for {row['year']}-{row['month']:02d}")
    if "bonus_method" in frame.columns:
        allowed = [m.name.lower() for m in BonusMethod]
        wrong = frame.filter(~pl.col("bonus_method").cast(pl.String).str.to_lowercase().is_in(allowed))
        if wrong.height:
            raise BatchError(f"{path}: row {wrong['row'][0]}, column bonus_method: expected one of {', '.join(allowed)}")
    return frame


def checked_int(frame, path, name):
    import polars as pl

    parsed = frame[name].cast(pl.Int64, strict=False)
    bad = frame.filter(parsed.is_null())
    if bad.height:
        raise BatchError(f"{path}: row {bad['row'][0]}, column {name}: expected a whole number, got {bad[name][0]!r}")
    return parsed.alias(name)


_PLAIN_YUAN = r"^\d{1,11}(\.\d{0,2})?$"  # what nearly every file holds: digits, at most two decimals


def fen_column(frame, path, name):
    """Yuan amounts ≥ 0 as fen: whole numbers and plain decimals by column (Polars); any other
    spelling (exponents, trailing zeros, signs) through :func:`expatcn.money.yuan_to_fen` one cell
    at a time, so that both accept and refuse exactly alike. Empty cells are 0."""
    import polars as pl

    column = frame[name]
    if column.dtype.is_integer():
        bad = frame.filter((column < 0) | (column > MAX_ABS_FEN // 100))
        if bad.height:
            _refuse(path, bad["row"][0], name, bad[name][0])
        return (column.cast(pl.Int64) * 100).alias(name)
    text = column.cast(pl.String).str.strip_chars()
    plain = text.str.contains(_PLAIN_YUAN)
    whole = text.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    cents = text.str.extract(r"\.(\d*)$", 1).fill_null("").str.pad_end(2, "0").replace("", "00").cast(pl.Int64, strict=False)
    fen = pl.select(pl.when(plain).then(whole * 100 + cents).when(text.is_null() | (text == "")).then(0)
                    .otherwise(None).alias(name)).to_series()
    other = frame.filter(fen.is_null())
    if other.height:  # the rare spellings, one cell at a time
        values = [_fen_cell(path, row, name, value) for row, value in zip(other["row"], other[name])]
        fen = fen.scatter(other["row"] - frame["row"][0], pl.Series(values, dtype=pl.Int64))
    return fen.alias(name)


def _fen_cell(path, row, name, value) -> int:
    try:
        fen = yuan_to_fen(str(value).strip())
    except MoneyError as exc:
        raise BatchError(f"{path}: row {row}, column {name}: {exc}") from None
    if fen < 0:
        _refuse(path, row, name, value)
    return fen


def _refuse(path, row, name, value):
    if isinstance(value, int) and value > 0:
        raise BatchError(f"{path}: row {row}, column {name}: amount {value!r} is larger than the engine accepts")
    raise BatchError(f"{path}: row {row}, column {name}: expected an amount ≥ 0, got {value}")


TRUTH = {"true": True, "1": True, "yes": True, "y": True, "false": False, "0": False, "no": False, "n": False}


def flag_column(frame, path, name):
    """true/false, 1/0, yes/no, y/n (any case; empty: not given)."""
    import polars as pl

    column = frame[name]
    if column.dtype == pl.Boolean:
        return column
    text = column.cast(pl.String).str.strip_chars().str.to_lowercase()
    known = text.is_null() | (text == "") | text.is_in(list(TRUTH))
    if not known.all():
        bad = frame.filter(~known)
        raise BatchError(f"{path}: row {bad['row'][0]}, column {name}: expected true or false, got {bad[name][0]!r}")
    return text.replace_strict(TRUTH, default=None, return_dtype=pl.Boolean).alias(name)


def person_index(part):
    """For a frame sorted by employee: each row's person (0, 1, …) and the ids in that order."""
    import polars as pl

    first = part.select(pl.col("employee_id") != pl.col("employee_id").shift(1)).to_series().fill_null(True)
    person = (first.cast(pl.Int64).cum_sum() - 1).to_numpy()
    return person, part["employee_id"].filter(first)


def per_person(part, name: str, path, year: int, default):
    """A person's value of a column repeated on each of their rows (nulls: not given): one per
    person, or an error naming the employee whose rows differ."""
    import polars as pl

    values = part.group_by("employee_id", maintain_order=True).agg(
        pl.col(name).drop_nulls().n_unique().alias("n"), pl.col(name).drop_nulls().first().alias("v"))
    differ = values.filter(pl.col("n") > 1)
    if differ.height:
        raise BatchError(f"{path}: employee {differ['employee_id'][0]}, column {name}: differs between rows of {year}")
    return values["v"] if default is None else values["v"].fill_null(default)


def year_parts(frame, path: str | Path = "batch"):
    """(:class:`YearInputs`, the year's rows sorted by employee and month) per tax year in the frame."""
    import polars as pl

    out = []
    for (year,), part in frame.sort("employee_id", "month").group_by(["year"], maintain_order=True):
        person, ids = person_index(part)
        n = len(ids)
        month = part["month"].to_numpy() - 1
        monthly = {}
        for name in MONTHLY_AMOUNTS:
            if name in part.columns:
                monthly[name] = grid(part[name].to_numpy(), person, month, n)
        if "equity_months" in part.columns:
            monthly["equity_months"] = grid(part["equity_months"].to_numpy(), person, month, n)
        exempt = sorted(c for c in part.columns if c.startswith(EXEMPT))
        if exempt:
            monthly["exempt_kinds"] = np.zeros((n, len(exempt), 12), dtype=np.int64)
            for k, name in enumerate(exempt):
                monthly["exempt_kinds"][person, k, month] = part[name].to_numpy()
            monthly["exempt_kind_names"] = tuple(c.removeprefix(EXEMPT) for c in exempt)
        yearly = {name: _one_per_person(part, name, path, year, pl) for name in ANNUAL_AMOUNTS if name in part.columns}
        employed = np.zeros((n, 12), dtype=bool)
        employed[person, month] = part["employed"].fill_null(True).to_numpy() if "employed" in part.columns else True
        flags = {}
        for name in (*FLAGS, "bonus_method"):
            default = FLAG_DEFAULTS.get(name, False) if name != "bonus_method" else "separate"
            flags[name] = per_person(part, name, path, year, default) if name in part.columns \
                else pl.Series(name, [default] * n)
        methods = {m.name.lower(): int(m) for m in BonusMethod}
        bonus_method = flags["bonus_method"].cast(pl.String).str.to_lowercase().replace_strict(
            methods, return_dtype=pl.Int8).to_numpy()
        flags = {name: flags[name].cast(pl.Boolean).to_numpy() for name in FLAGS}
        out.append((YearInputs(
            year=int(year),
            employed=employed,
            resident=flags["resident"],
            foreigner=flags["foreigner"],
            allowance_election=flags["allowance_exemption"],
            first_income_this_year=flags["first_income_this_year"],
            low_income_last_year=flags["low_income_last_year"],
            bonus_method=bonus_method,
            **{name: flags[name] for name in NEW_FLAGS},
            ids=ids.to_list(),
            **monthly,
            **yearly,
        ), part))
    return out


def _one_per_person(part, name: str, path, year: int, pl) -> np.ndarray:
    """A person-year amount (fen), given on one row or repeated with the same value."""
    per_person = part.group_by("employee_id", maintain_order=True).agg(pl.col(name).filter(pl.col(name) != 0).unique())
    values = []
    for pid, options in zip(per_person["employee_id"], per_person[name]):
        options = list(options)
        if len(options) > 1:
            raise BatchError(f"{path}: employee {pid}, column {name}: one amount for the year {year}, "
                             f"rows give {', '.join(str(o / 100) for o in options)}")
        values.append(options[0] if options else 0)
    return np.array(values, dtype=np.int64)


def grid(values: np.ndarray, person: np.ndarray, month: np.ndarray, people: int) -> np.ndarray:
    """Rows of (person, month, value) as a (people, 12) array (months without a row: 0)."""
    out = np.zeros((people, 12), dtype=values.dtype if values.dtype != object else np.int64)
    out[person, month] = values
    return out


def rows_frame(inputs: YearInputs, columns: dict[str, np.ndarray], total_tax: np.ndarray, flags=None):
    """One row per person and month employed (or taxed): ``employee_id, year, month``, each of
    ``columns`` ((N, 12) fen) in yuan as decimals, and ``flags`` ((N, 12) booleans by name)."""
    import polars as pl

    people, months = np.nonzero(inputs.employed | (total_tax > 0))
    ids = pl.Series("employee_id", inputs.ids, dtype=pl.String) if inputs.ids else pl.Series("employee_id", np.arange(inputs.people))
    data = {"employee_id": ids.gather(people), "year": np.full(people.size, inputs.year, dtype=np.int64), "month": months + 1}
    for name, values in columns.items():
        data[name] = values[people, months]
    for name, values in (flags or {}).items():
        data[name] = values[people, months]
    frame = pl.DataFrame(data)
    fen = pl.lit(Decimal("0.01"))  # × 0.01 is exact in decimals (a division by 100 may keep scale 0)
    return frame.with_columns([(pl.col(n).cast(pl.Decimal(38, 0)) * fen).cast(pl.Decimal(18, 2)) for n in columns])
