"""Calling the compiled kernel: the per-employee array, the amounts, preallocated outputs. This
module imports numba (the first call of a process loads the compiled kernel from numba's cache,
or compiles it once and writes the cache: see the package docstring)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from expatcn.arrays import is_zero
from expatcn.month_kernel.kernel import (
    A_BONUS_PAID,
    A_CONTRIBUTION_WAGE,
    A_CONTRIBUTIONS,
    A_EQUITY_PAID,
    A_PAY,
    A_WITHHELD,
    AMOUNTS,
    F_ELECTION,
    FLAG_EMPLOYEE_CARRIED,
    FLAG_EMPLOYER_CARRIED,
    FLAG_UNKNOWN,
    F_FIRST_INCOME,
    F_FOREIGN,
    F_FOREIGNER,
    F_HF_OPT_IN,
    F_LOCAL,
    F_LOW_INCOME,
    F_OPT_IN,
    F_RESIDENT,
    OUTPUTS,
    P_BONUS_METHOD,
    P_CERT_FROM,
    P_CERT_UNTIL,
    P_CERTIFICATE,
    P_CITY,
    P_FLAGS,
    P_HF_RATE,
    P_INJURY_RATE,
    PERSON_FIELDS,
    month_kernel,
)
from expatcn.month_kernel.law_arrays import YearArrays
from expatcn.social.contributions import DEFAULT_RATE

EMPTY = np.zeros((0, 12), dtype=np.int64)
EMPTY_FLAGS = np.zeros((0, 12), dtype=bool)
ALIASES = {"total_tax": "iit"}  # the IIT engine's name for the full month's IIT
ZERO = ("severance_tax",)  # severance is not in the kernel: a batch with severance goes to the reference
_INPUT_AMOUNTS = ("wages", "allowances", "bonus", "labour", "equity", "special_additional_deductions",
                  "other_deductions", "tax_reductions")


@njit(cache=True)
def active_months(codes, employed, count):
    """(cities, 12): some employee of the city works that month (the months the reference computes)."""
    active = np.zeros((count, 12), dtype=np.bool_)
    for i in range(codes.shape[0]):
        for m in range(12):
            if employed.shape[0] == 0 or employed[i, m]:
                active[codes[i], m] = True
    return active


def person_array(codes, foreign, local, opt_in, housing_fund, income, certificate, start, until,
                 injury_rate, hf_rate) -> np.ndarray:
    """(N, PERSON_FIELDS) int64: city code, flag bits, rates (-1: the table's default),
    certificate partner and window, bonus method."""
    n = codes.shape[0]
    person = np.empty((n, PERSON_FIELDS), dtype=np.int64)
    person[:, P_CITY] = codes
    flags = np.zeros(n, dtype=np.int64)
    for bit, values in ((F_FOREIGN, foreign), (F_LOCAL, local), (F_OPT_IN, opt_in), (F_HF_OPT_IN, housing_fund),
                        (F_RESIDENT, income.resident), (F_FOREIGNER, income.foreigner),
                        (F_ELECTION, income.allowance_election), (F_FIRST_INCOME, income.first_income_this_year),
                        (F_LOW_INCOME, income.low_income_last_year)):
        if values is not None:
            flags |= np.where(np.asarray(values, dtype=bool), bit, 0)
    person[:, P_FLAGS] = flags
    person[:, P_INJURY_RATE] = DEFAULT_RATE if injury_rate is None else injury_rate
    person[:, P_HF_RATE] = DEFAULT_RATE if hf_rate is None else hf_rate
    person[:, P_CERTIFICATE], person[:, P_CERT_FROM], person[:, P_CERT_UNTIL] = certificate, start, until
    person[:, P_BONUS_METHOD] = income.bonus_method
    return person


def _amount(value) -> np.ndarray:
    if value is None or is_zero(value):
        return EMPTY
    return np.ascontiguousarray(value, dtype=np.int64)


def threads() -> int:
    """Threads for one batch: ``EXPATCN_THREADS``, else the CPUs this process may use."""
    given = os.environ.get("EXPATCN_THREADS")
    return max(1, int(given)) if given else len(os.sched_getaffinity(0))


def _in_threads(n: int, args: tuple) -> None:
    """The kernel over rows 0..n, in slices run by threads side by side (it releases the GIL)."""
    count = min(threads(), max(1, n // 10_000))
    edges = np.linspace(0, n, count + 1).astype(np.int64)
    if count == 1:
        month_kernel(0, n, *args)
        return
    with ThreadPoolExecutor(count) as pool:
        for future in [pool.submit(month_kernel, int(a), int(b), *args) for a, b in zip(edges[:-1], edges[1:])]:
            future.result()


def compute(arrays: YearArrays, person, employed, active, income, extra: dict, columns, allow_partial: bool,
            given_out: dict[str, np.ndarray] | None = None):
    """Run the kernel; the :class:`~expatcn.month_kernel.engine.Columns` it decided, or why not."""
    from expatcn.month_kernel.engine import Columns

    n = person.shape[0]
    amounts = [_amount(getattr(income, name)) for name in _INPUT_AMOUNTS]
    given = {A_CONTRIBUTIONS: extra.get("contributions"), A_PAY: extra.get("pay"), A_BONUS_PAID: extra.get("bonus_paid"),
             A_EQUITY_PAID: extra.get("equity_paid"), A_CONTRIBUTION_WAGE: extra.get("contribution_wage"),
             A_WITHHELD: income.wage_tax_withheld if income.closed_months else None}
    amounts += [_amount(given[k]) for k in range(len(_INPUT_AMOUNTS), AMOUNTS)]
    wanted = {ALIASES.get(name, name) for name in columns} - set(ZERO)
    unknown_columns = wanted - set(OUTPUTS)
    if unknown_columns:
        raise ValueError(f"unknown column(s) {', '.join(sorted(unknown_columns))}")
    given_out = given_out or {}
    for name, array in given_out.items():
        if array.shape != (n, 12) or array.dtype != np.int64 or not array.flags.c_contiguous:
            raise ValueError(f"out[{name!r}] must be a C-contiguous int64 array of shape ({n}, 12)")
    out = tuple(given_out[name] if name in given_out else np.empty((n, 12), dtype=np.int64) if name in wanted
                else EMPTY for name in OUTPUTS)
    flags = np.zeros((n, 12), dtype=np.uint8)
    status = np.zeros(n, dtype=np.int64)
    args = (person, EMPTY_FLAGS if employed is None else np.ascontiguousarray(employed), tuple(amounts),
            arrays.social, arrays.published, arrays.city_month, active, arrays.agreements, arrays.iit, arrays.annual, arrays.bounds,
            arrays.bound_count, arrays.rates, arrays.quick, income.closed_months, allow_partial, out, flags, status)
    _in_threads(n, args)
    if status.any():
        return f"the reference decides {int(np.count_nonzero(status)):,} rows (status bits {int(np.bitwise_or.reduce(status))})"
    values = {name: np.zeros((n, 12), dtype=np.int64) if name in ZERO else out[OUTPUTS.index(ALIASES.get(name, name))]
              for name in columns}
    return Columns(values, (flags & FLAG_UNKNOWN).astype(bool) if allow_partial else None, "kernel",
                   employee_carried=(flags & FLAG_EMPLOYEE_CARRIED).astype(bool),
                   employer_carried=(flags & FLAG_EMPLOYER_CARRIED).astype(bool))
