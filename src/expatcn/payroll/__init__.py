"""The company payroll store (issue 6): tables, writes, monthly runs that close and correct, reads.

- :mod:`expatcn.payroll.models` — the tables (SQLAlchemy 2), :mod:`.migrations` — Alembic;
- :mod:`expatcn.payroll.db` — database URL, engine, the write lock;
- :mod:`expatcn.payroll.writes` — upserts of checked sheets (:mod:`expatcn.io.sheets` reads and checks them);
- :mod:`expatcn.payroll.inputs` — the stored rows → residency sourcing → the full month's inputs;
- :mod:`expatcn.payroll.runs` — run, close, verify; :mod:`expatcn.payroll.corrections` — correct a closed month;
- :mod:`expatcn.payroll.queries` — the read side; :mod:`expatcn.payroll.keys` — API keys.

The use cases (:mod:`expatcn.services.payroll`, ``people``, ``exports``, ``keys``) load the law and pass it in.
"""
