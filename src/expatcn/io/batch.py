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
from expatcn.iit.person_year import YearResult
from expatcn.law import Law
from expatcn.money import MoneyError, yuan_to_fen

KEYS = ("employee_id", "year", "month")
FLAGS = ("resident", "foreigner", "allowance_exemption", "first_income_this_year", "low_income_last_year", *NEW_FLAGS)
FLAG_DEFAULTS = {"resident": True}
EXEMPT = "exempt_"  # exempt_<kind>: income of a kind of law/iit/exempt_income
OPTIONAL = (*MONTHLY_AMOUNTS, *ANNUAL_AMOUNTS, *FLAGS, "bonus_method", "employed", "equity_months")
RESULT_COLUMNS = ("income", "exempt_income", "wage_taxable", "wage_tax", "bonus_tax", "labour_tax", "equity_tax",
                  "severance_tax", "total_tax")


class BatchError(InputError):
    """A batch file that cannot be used; the message names file, row and column."""


def read_batch(path: str | Path, law: Law | None = None):
    """The file as a Polars frame with validated columns (amounts as integer fen); with ``law``,
    ``exempt_<kind>`` columns are checked against ``law/iit/exempt_income``."""
    import polars as pl

    path = Path(path)
    try:
        frame = pl.read_parquet(path) if path.suffix.lower() == ".parquet" else pl.read_csv(
            path, infer_schema_length=0
        )
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise BatchError(f"{path}: cannot read ({exc})") from None
    unknown = [c for c in frame.columns if c not in KEYS + OPTIONAL and not c.startswith(EXEMPT)]
    if unknown:
        raise BatchError(f"{path}: unknown column(s) {', '.join(unknown)}; expected {', '.join(KEYS + OPTIONAL)} "
                         f"or {EXEMPT}<kind>")
    exempt = [c for c in frame.columns if c.startswith(EXEMPT)]
    if law is not None:
        check_kinds(law, [c.removeprefix(EXEMPT) for c in exempt], f"{path}: column {EXEMPT}…", BatchError)
    missing = [c for c in (*KEYS, "wages") if c not in frame.columns]
    if missing:
        raise BatchError(f"{path}: missing column(s) {', '.join(missing)}")
    frame = frame.with_row_index("row", offset=2 if path.suffix.lower() != ".parquet" else 1)
    casts = [pl.col("employee_id").cast(pl.String)]
    casts += [_checked_int(frame, path, name, pl) for name in ("year", "month")]
    if "equity_months" in frame.columns:
        casts.append(_checked_int(frame.with_columns(pl.col("equity_months").cast(pl.String).fill_null("0").replace("", "0")),
                                  path, "equity_months", pl))
    casts += [_fen(frame, path, name, pl) for name in (*MONTHLY_AMOUNTS, *ANNUAL_AMOUNTS, *exempt)
              if name in frame.columns]
    casts += [_flag(frame, path, name, pl) for name in (*FLAGS, "employed") if name in frame.columns]
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
        wrong = frame.filter(~pl.col("bonus_method").str.to_lowercase().is_in(allowed))
        if wrong.height:
            raise BatchError(f"{path}: row {wrong['row'][0]}, column bonus_method: expected one of {', '.join(allowed)}")
    return frame


def _checked_int(frame, path, name, pl):
    parsed = frame[name].cast(pl.Int64, strict=False)
    bad = frame.filter(parsed.is_null())
    if bad.height:
        raise BatchError(f"{path}: row {bad['row'][0]}, column {name}: expected a whole number, got {bad[name][0]!r}")
    return parsed.alias(name)


def _fen(frame, path, name, pl):
    values = []
    for row, text in zip(frame["row"], frame[name]):
        if text is None or str(text).strip() == "":
            values.append(0)
            continue
        try:
            fen = yuan_to_fen(str(text).strip())
        except MoneyError as exc:
            raise BatchError(f"{path}: row {row}, column {name}: {exc}") from None
        if fen < 0:
            raise BatchError(f"{path}: row {row}, column {name}: expected an amount ≥ 0, got {text}")
        values.append(fen)
    return pl.Series(name, values, dtype=pl.Int64)


def _flag(frame, path, name, pl):
    truth = {"true": True, "1": True, "yes": True, "y": True, "false": False, "0": False, "no": False, "n": False, "": None}
    values = []
    for row, text in zip(frame["row"], frame[name]):
        key = "" if text is None else str(text).strip().lower()
        if key not in truth:
            raise BatchError(f"{path}: row {row}, column {name}: expected true or false, got {text!r}")
        values.append(truth[key])
    return pl.Series(name, values, dtype=pl.Boolean)


def to_year_inputs(frame, path: str | Path = "batch") -> list[YearInputs]:
    """One :class:`YearInputs` per tax year in the frame; people ordered by ``employee_id``."""
    import polars as pl

    batches = []
    for (year,), part in frame.sort("employee_id", "month").group_by(["year"], maintain_order=True):
        ids = part["employee_id"].unique(maintain_order=True).to_list()
        position = {pid: i for i, pid in enumerate(ids)}
        person = np.array([position[p] for p in part["employee_id"]])
        month = part["month"].to_numpy() - 1
        monthly = {}
        for name in MONTHLY_AMOUNTS:
            grid = np.zeros((len(ids), 12), dtype=np.int64)
            if name in part.columns:
                grid[person, month] = part[name].to_numpy()
            monthly[name] = grid
        if "equity_months" in part.columns:
            monthly["equity_months"] = np.zeros((len(ids), 12), dtype=np.int64)
            monthly["equity_months"][person, month] = part["equity_months"].to_numpy()
        exempt = sorted(c for c in part.columns if c.startswith(EXEMPT))
        if exempt:
            monthly["exempt_kinds"] = np.zeros((len(ids), len(exempt), 12), dtype=np.int64)
            for k, name in enumerate(exempt):
                monthly["exempt_kinds"][person, k, month] = part[name].to_numpy()
            monthly["exempt_kind_names"] = tuple(c.removeprefix(EXEMPT) for c in exempt)
        yearly = {name: _one_per_person(part, name, path, year, pl) for name in ANNUAL_AMOUNTS if name in part.columns}
        employed = np.zeros((len(ids), 12), dtype=bool)
        employed[person, month] = part["employed"].fill_null(True).to_numpy() if "employed" in part.columns else True
        flags = {}
        for name in (*FLAGS, "bonus_method"):
            column = name if name in part.columns else None
            if column is None:
                default = FLAG_DEFAULTS.get(name, False) if name != "bonus_method" else "separate"
                values = [default] * len(ids)
            else:
                per_person = part.group_by("employee_id", maintain_order=True).agg(pl.col(name).drop_nulls().unique())
                values = []
                for pid, options in zip(per_person["employee_id"], per_person[name]):
                    options = list(options)
                    if len(options) > 1:
                        raise BatchError(f"{path}: employee {pid}, column {name}: differs between rows of {year}")
                    default = FLAG_DEFAULTS.get(name, False) if name != "bonus_method" else "separate"
                    values.append(options[0] if options else default)
            flags[name] = values
        batches.append(
            YearInputs(
                year=int(year),
                employed=employed,
                resident=np.array(flags["resident"], dtype=bool),
                foreigner=np.array(flags["foreigner"], dtype=bool),
                allowance_election=np.array(flags["allowance_exemption"], dtype=bool),
                first_income_this_year=np.array(flags["first_income_this_year"], dtype=bool),
                low_income_last_year=np.array(flags["low_income_last_year"], dtype=bool),
                bonus_method=np.array([BonusMethod[str(m).upper()] for m in flags["bonus_method"]], dtype=np.int8),
                **{name: np.array(flags[name], dtype=bool) for name in NEW_FLAGS},
                ids=ids,
                **monthly,
                **yearly,
            )
        )
    return batches


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


def result_frame(result: YearResult):
    """Result rows: one per person and employed (or taxed) month, amounts in yuan as decimals."""
    import polars as pl

    inputs = result.inputs
    people, months = np.nonzero(inputs.employed | (result.monthly["total_tax"] > 0))
    data = {
        "employee_id": [inputs.ids[p] for p in people] if inputs.ids else people.tolist(),
        "year": np.full(people.size, inputs.year),
        "month": months + 1,
    }
    for name in RESULT_COLUMNS:
        data[name] = result.monthly[name][people, months]
    frame = pl.DataFrame(data)
    fen = pl.lit(Decimal("0.01"))  # × 0.01 is exact in decimals (a division by 100 may keep scale 0)
    return frame.with_columns([(pl.col(n).cast(pl.Decimal(38, 0)) * fen).cast(pl.Decimal(18, 2)) for n in RESULT_COLUMNS])


def write_frame(frame, path: str | Path) -> None:
    """CSV or Parquet by the file's suffix; written to a temporary file and moved into place."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    if path.suffix.lower() == ".parquet":
        frame.write_parquet(temporary)
    else:
        import polars as pl

        lead = pl.col("employee_id").str.contains(r"^[=+\-@\t\r]")  # a formula-like id gets the quote prefix
        frame.with_columns(pl.when(lead).then("'" + pl.col("employee_id")).otherwise(pl.col("employee_id"))
                           .alias("employee_id")).write_csv(temporary)
    temporary.replace(path)
