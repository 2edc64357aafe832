"""Company payroll (issue 6): storage, import, monthly runs that close and correct, and audit.

- :mod:`expatcn.payroll.models` — the tables (SQLAlchemy 2), :mod:`.migrations` — Alembic;
- :mod:`expatcn.payroll.db` — database URL, engine, the write lock;
- :mod:`expatcn.payroll.importer` — Excel/CSV templates and import (roster, pay, trips, deductions);
- :mod:`expatcn.payroll.runs` — run, close, correct, verify: the engines called on stored inputs.
"""
