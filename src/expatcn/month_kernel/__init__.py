"""The full month, compiled: the same figures as :mod:`expatcn.gross_to_net` (and, IIT only, as
:func:`expatcn.iit.person_year.compute_year`), for large batches.

Two engines, one set of rules:

- **The reference** — the vectorized NumPy engines (``social``, ``iit``) composed by
  :func:`expatcn.gross_to_net.gross_to_net`. Readable, rule by rule, with the law entries kept for
  the trace. Every single calculation, payroll run, trace and explanation comes from it.
- **The kernel** (:mod:`.kernel`) — the same arithmetic as one compiled pass per employee over the
  twelve months (numba), the law's figures prepared once per year into arrays (:mod:`.law_arrays`),
  the rounding rule compiled from :func:`expatcn.money.rate_half_up`, results written into
  preallocated arrays. It keeps no trace and decides no error: where it meets a case the reference
  would refuse, it hands the batch to the reference (:mod:`.engine`).

Who uses which (:func:`.engine.month_columns`, :func:`.engine.year_columns`): the batch commands
(``expatcn month-batch``, ``expatcn tax-batch``, their Dask runs) and the benchmarks take the kernel
from ``KERNEL_MIN_PEOPLE`` employees up; everything else takes the reference. A property test holds
the two equal to the fen on random mixed populations (``tests/test_month_kernel.py``); a change to
a rule changes both, or that test fails.

Compilation is cached (numba ``cache=True``): the first batch after installing compiles the kernel
once (about half a minute on a small machine) and writes the cache beside the module, or in
``NUMBA_CACHE_DIR`` / the user's cache when that folder is read-only; later processes load it in
a fraction of a second. ``NUMBA_DISABLE_JIT=1`` runs the kernel as plain Python for debugging.
"""

from expatcn.month_kernel.engine import (
    ENGINES,
    KERNEL_MIN_PEOPLE,
    MONTH_COLUMNS,
    YEAR_COLUMNS,
    Columns,
    month_columns,
    year_columns,
)

__all__ = ["Columns", "ENGINES", "KERNEL_MIN_PEOPLE", "MONTH_COLUMNS", "YEAR_COLUMNS", "month_columns", "year_columns"]
