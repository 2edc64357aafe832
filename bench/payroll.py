"""Payroll benchmark: import a company of N employees (CSV) and run one month on SQLite.

    python bench/payroll.py [--employees 100000] [--db /tmp/bench.sqlite] [--export]
    python bench/payroll.py --employees 5000 --export     # issue 12: payslips per second (target ≥ 100)

Prints the time of each step: writing the files, import (parse + write), and the run split into
loading the year-to-date inputs, the engines (residency, social insurance, IIT) and writing the
results. 5% of the employees are foreigners with trips (the residency engine runs for them), 3%
have a certificate of coverage, 10% declared special additional deductions. ``--export``: also
the month's exports — the filing sheets and reports (xlsx) and the payslips (a zip of PDFs), each
timed, and the payslips per second.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from expatcn.io.identity import gb11643_check_digit
from expatcn.services.exports import export_month
from expatcn.services.payroll import import_files, open_store, run, upgrade


def resident_id(first17: str) -> str:
    """A well-formed resident ID number (GB 11643 check digit) from its first 17 digits."""
    return first17 + gb11643_check_digit(first17)


def write_company(folder: Path, n: int, seed: int = 6) -> list[Path]:
    rnd = random.Random(seed)
    employer = folder / "employer.csv"
    employer.write_text("name,tax_number,city,work_injury_rate,housing_fund_rate\n"
                        "Bench Co.,91310000BENCH00001,shanghai,0.0026,0.07\n", encoding="utf-8")
    roster, pay, trips, deductions = (folder / f"{k}.csv" for k in ("roster", "pay", "trips", "deductions"))
    with roster.open("w", newline="") as r, pay.open("w", newline="") as p, trips.open("w", newline="") as t, \
            deductions.open("w", newline="") as d:
        rw, pw, tw, dw = csv.writer(r), csv.writer(p), csv.writer(t), csv.writer(d)
        rw.writerow(["code", "name", "id_type", "id_number", "nationality", "hire_date", "allowance_election",
                     "certificate_from", "certificate_until", "treaty_country"])
        pw.writerow(["code", "month", "kind", "amount"])
        tw.writerow(["code", "entry", "exit"])
        dw.writerow(["code", "year", "from_month", "children_education", "housing_rent_tier"])
        for i in range(n):
            code = f"B{i:06d}"
            foreign = i % 20 == 0
            cert = foreign and i % 60 == 0
            rw.writerow([code, f"Person {i}", "passport" if foreign else "resident_id",
                         f"X{i:09d}" if foreign else resident_id(f"31010119800101{i % 1000:03d}"),
                         "DE" if foreign else "CN", "2020-01-01", "yes" if foreign else "",
                         "2024-01-01" if cert else "", "2028-12-31" if cert else "", "DE" if foreign else ""])
            salary = rnd.randrange(6_000, 90_000)
            pw.writerow([code, "2025-01", "salary", salary])
            if foreign:
                pw.writerow([code, "2025-01", "housing", 10_000])
                tw.writerow([code, "2024-06-01", "2025-01-25"])
                if i % 40 == 0:
                    tw.writerow([code, "2025-02-10", ""])
            elif i % 10 == 1:
                dw.writerow([code, 2025, 1, 1, 1])
    return [employer, roster, deductions, trips, pay]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--db")
    parser.add_argument("--export", action="store_true", help="time the exports and the payslips too")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="expatcn-bench-"))
    db = args.db or str(folder / "bench.sqlite")
    t0 = time.perf_counter()
    files = write_company(folder, args.employees)
    t1 = time.perf_counter()
    engine = open_store(db)
    upgrade(engine)
    t2 = time.perf_counter()
    import_files(engine, files)
    t3 = time.perf_counter()
    summary = run(engine, 2025, 1)
    t4 = time.perf_counter()
    print(f"{args.employees:,} employees, SQLite {db}")
    print(f"  write CSV files        {t1 - t0:7.2f} s")
    print(f"  create schema          {t2 - t1:7.2f} s")
    print(f"  import (5 files)       {t3 - t2:7.2f} s")
    print(f"  run 2025-01            {t4 - t3:7.2f} s  ({summary.employees:,} employees)")
    for stage, seconds in summary.timings.items():
        print(f"    {stage:<20} {seconds:7.2f} s")
    print(f"  import + run           {t4 - t2:7.2f} s")
    if args.export:
        t5 = time.perf_counter()
        sheets = export_month(engine, 2025, 1, ["withholding", "social", "cost"])
        t6 = time.perf_counter()
        export_month(engine, 2025, 1, ["payslips"])
        t7 = time.perf_counter()
        print(f"  exports (sheets)       {t6 - t5:7.2f} s  ({len(sheets.files)} files)")
        print(f"  payslips               {t7 - t6:7.2f} s  ({summary.employees / (t7 - t6):,.0f} payslips/s)")


if __name__ == "__main__":
    main()
