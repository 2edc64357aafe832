"""Individual income tax: withholding, bonus, labour remuneration, equity, reconciliation.

Entry point: :func:`expatcn.iit.person_year.compute_year` — one tax year for N people.
"""
