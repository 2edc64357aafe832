"""What the API routes and the web pages call: each function takes validated input, hands it to an
engine or the payroll layer, and returns JSON-ready data. No rule lives here — inputs are wired
to the engines the way the command line wires them, and the engines' own dict builders
(``year_as_dict``, the residency report, the social and month dicts) shape the answers.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select

from expatcn.dates import Month
from expatcn.errors import InputError, NotFound
from expatcn.law import load_law
from expatcn.money import fen_to_decimal, yuan_str, yuan_to_fen
from expatcn.payroll.db import PayrollError, read_transaction


class InputProblem(InputError):
    """Input the engines cannot use; ``loc`` is the field path (as in a 422 answer)."""

    def __init__(self, message: str, loc: tuple = ("body",)) -> None:
        super().__init__(message)
        self.loc = loc


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC time (SQLite gives back naive times written as UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.timezone.utc)


# --- stateless calculations ---------------------------------------------------------------------


def tax_year(scenario, explain: bool = False) -> dict:
    """A person-year (``expatcn tax``): the scenario's inputs, the IIT engine, ``year_as_dict``."""
    from expatcn.cli.tax import year_as_dict
    from expatcn.iit.person_year import compute_year

    if isinstance(scenario.person.trips, str):
        raise InputProblem("give the trips inline as a list of {entry, exit}; a file name is not read over HTTP",
                           ("body", "person", "trips"))
    law = load_law()
    prepared = scenario.prepare(law)
    result = compute_year(prepared.inputs, law)
    data = year_as_dict(result, 0, explain)
    data["id"] = str(data["id"])
    data["residency"] = None if prepared.residency is None else prepared.residency.summary()
    return data


def residency_year(year: int, trips: list[dict], planned: list[dict] | None = None, history_from: int | None = None,
                   prior_years: int = 0, treaty: str | None = None) -> dict:
    """Days in China, status, clock and alerts (``expatcn residency``) for trips given inline."""
    from expatcn.cli.residency import _report
    from expatcn.io.trips import build_trips, trip_records
    from expatcn.residency import assess_year

    first = history_from or year
    records = trip_records(trips, "trips")
    plan = trip_records(planned, "planned") if planned else None
    book = build_trips(records, year, first_year=first, planned=plan, source="trips", planned_source="planned")
    if not book.persons:
        raise InputProblem("no trips: give at least one {entry, exit}", ("body", "trips"))
    a = assess_year(book.trips, year, law=load_law(), history_from=first, prior_years=prior_years,
                    treaty=[treaty.upper()] * len(book.persons) if treaty else None)
    report = _report(book.persons, a)
    report["lines"] = _lines(a)
    return report


def _lines(a) -> dict:
    """The thresholds the law tables give for the year (for charts): the 90-day and 183-day
    lines and the years of the six-year clock."""
    return {"ninety_days": int(a.rules.ninety_day_rule.max_days),
            "resident_days": int(a.rules.residence_days.resident_min_days),
            "clock_years": int(a.rules.six_year_rule.years)}


def cities() -> list[str]:
    """The cities the law tables have social insurance for (the forms' choices)."""
    from expatcn.social.contributions import cities as social_cities

    return social_cities(load_law())


def social_month(city: str, month: str, wage, nationality: str = "CN", certificate_from: dt.date | None = None,
                 certificate_until: dt.date | None = None, housing_fund: bool | None = None,
                 housing_fund_rate: str | None = None, work_injury_rate: str | None = None, local_hukou: bool = False,
                 opt_in: bool = False, partial: bool = False) -> dict:
    """One employee's contributions for a city and month (``expatcn social``)."""
    from expatcn.cli.social import as_dict
    from expatcn.money import rate_to_ppm
    from expatcn.social.contributions import DEFAULT_RATE
    from expatcn.social.participation import one_employee

    day = Month.parse(month).first
    nat = nationality.strip().upper()
    if certificate_from and not certificate_until:
        raise InputProblem("a certificate needs its end date", ("body", "certificate_until"))
    law = load_law()
    r, p = one_employee(
        law, city, day, yuan_to_fen(wage), nat, opt_in=opt_in, housing_fund=housing_fund,
        certificate_from=certificate_from, certificate_until=certificate_until, local_hukou=local_hukou,
        work_injury_rate=rate_to_ppm(work_injury_rate) if work_injury_rate else DEFAULT_RATE,
        housing_fund_rate=rate_to_ppm(housing_fund_rate) if housing_fund_rate else DEFAULT_RATE, partial=partial,
    )
    return as_dict(r, p, nat)


def full_month(scenario, explain: bool = False, partial: bool = False) -> dict:
    """Gross → contributions → IIT → net and employer cost for a year (``expatcn month``)."""
    from expatcn.cli.month import month_as_dict
    from expatcn.gross_to_net import gross_to_net

    if isinstance(scenario.person.trips, str):
        raise InputProblem("give the trips inline as a list of {entry, exit}; a file name is not read over HTTP",
                           ("body", "person", "trips"))
    law = load_law()
    result = gross_to_net(scenario.to_month_inputs(law), law, allow_partial=partial)
    return month_as_dict(result, scenario, law, explain)


def gross_up(net, year: int, city: str | None = None, contributions=0, nonresident: bool = False,
             foreigner: bool = False, allowances: dict[str, Any] | None = None, special_additional_deductions=0,
             first_month: int = 1, last_month: int = 12, bonus_net=None, bonus_month: int = 12) -> dict:
    """Net → gross (``expatcn grossup``): the engine's closed forms, month by month."""
    from expatcn.grossup import grossup_bonus, grossup_package
    from expatcn.iit.allowances import check_kinds

    if not first_month <= last_month:
        raise InputProblem("last_month is before first_month", ("body", "last_month"))
    if city and yuan_to_fen(contributions):
        raise InputProblem("give either city (contributions follow the gross) or contributions, not both",
                           ("body", "contributions"))
    law = load_law()
    check_kinds(law, allowances or {}, "allowances")  # an InputError naming allowances.<kind>
    allowance_fen = sum((yuan_to_fen(amount) for amount in (allowances or {}).values()), 0)
    found = grossup_package(
        yuan_to_fen(net), year, city=city, contributions=yuan_to_fen(contributions), resident=not nonresident,
        foreigner=foreigner, allowances=allowance_fen, special_additional_deductions=yuan_to_fen(special_additional_deductions),
        first_month=first_month, last_month=last_month, law=law,
    )
    bonus = None
    if bonus_net is not None:
        b = grossup_bonus(np.array([yuan_to_fen(bonus_net)]), year, bonus_month, resident=np.array([not nonresident]), law=law)
        bonus = {"gross_bonus": yuan_str(b.gross_bonus[0]), "net_paid": yuan_str(b.net_paid[0]),
                 "larger_bonus_same_net": yuan_str(b.larger_same_net[0]) if b.larger_same_net[0] else None}
    months = [{"month": m + 1, "gross_wages": yuan_str(found.gross_wages[m]), "allowances": yuan_str(found.allowances[m]),
               "employee_contributions": yuan_str(found.employee_contributions[m]), "iit": yuan_str(found.iit[m]),
               "net": yuan_str(found.net[m]), "target": yuan_str(found.target[m]), "exact": bool(found.net[m] == found.target[m])}
              for m in range(12) if found.employed[m]]
    totals = {k: str(sum((fen_to_decimal(yuan_to_fen(r[k])) for r in months), start=fen_to_decimal(0)))
              for k in ("gross_wages", "allowances", "employee_contributions", "iit", "net")}
    return {"year": year, "city": city or None, "months": months, "totals": totals, "bonus": bonus, "alerts": found.alerts}


# --- the company store --------------------------------------------------------------------------


def _employer(conn, tax_number: str | None = None):
    from expatcn.payroll.importer import the_employer

    return the_employer(conn, tax_number)


def company(engine: Engine) -> dict | None:
    """The employer of the database, or ``None`` while there is none."""
    from expatcn.payroll.models import Employer

    with read_transaction(engine) as conn:
        rows = conn.execute(select(Employer)).all()
        if not rows:
            return None
        e = rows[0]
        return {"name": e.name, "tax_number": e.tax_number, "city": e.city}


def employees(engine: Engine) -> list[dict]:
    """The roster, ID numbers masked."""
    from expatcn.io.exports.common import mask_id
    from expatcn.payroll.runs import list_employees

    return [{**row, "id_number": mask_id(row["id_number"])} for row in list_employees(engine)]


def _employee_row(conn, code: str):
    from expatcn.payroll.models import Employee

    employer = _employer(conn)
    row = conn.execute(select(Employee).where(Employee.employer_id == employer.id, Employee.code == code)).first()
    if row is None:
        raise NotFound(f"no employee {code!r}")
    return row


def employee(engine: Engine, code: str, *, reveal_id: bool = False) -> dict:
    """One employee's record; the ID number masked unless ``reveal_id``."""
    from expatcn.payroll.models import Employee
    from expatcn.io.exports.common import mask_id

    with read_transaction(engine) as conn:
        row = _employee_row(conn, code)
    data = {c.name: getattr(row, c.name) for c in Employee.__table__.columns if c.name not in ("id", "employer_id")}
    data["id"] = data.pop("code")
    data["id_number"] = data["id_number"] if reveal_id else mask_id(data["id_number"])
    return data


def employee_trips(engine: Engine, code: str) -> list[dict]:
    from expatcn.payroll.models import Trip

    with read_transaction(engine) as conn:
        emp = _employee_row(conn, code)
        rows = conn.execute(select(Trip).where(Trip.employee_id == emp.id).order_by(Trip.entry)).all()
    return [{"entry": r.entry, "exit": r.exit, "note": r.note} for r in rows]


def employee_pay(engine: Engine, code: str, year: int | None = None) -> list[dict]:
    from expatcn.payroll.models import PayItem

    with read_transaction(engine) as conn:
        emp = _employee_row(conn, code)
        q = select(PayItem).where(PayItem.employee_id == emp.id)
        if year is not None:
            q = q.where(PayItem.year == year)
        rows = conn.execute(q.order_by(PayItem.year, PayItem.month, PayItem.kind)).all()
    return [{"month": f"{r.year}-{r.month:02d}", "kind": r.kind, "amount": yuan_str(r.amount_fen)} for r in rows]


def employee_residency(engine: Engine, code: str, year: int) -> dict:
    """The employee's residency year from the stored trips (the residency engine, as a payroll
    run reads it): days per month, status, the clock, alerts, and the law's lines."""
    from expatcn.cli.residency import _report
    from expatcn.io.trips import build_trips, trip_record
    from expatcn.residency import assess_year

    with read_transaction(engine) as conn:
        emp = _employee_row(conn, code)
    trips = [t for t in employee_trips(engine, code) if t["entry"].year <= year]
    first = min([year] + [t["entry"].year for t in trips])
    records = [trip_record(i + 1, {"entry": t["entry"], "exit": t["exit"]}, "stored trips") for i, t in enumerate(trips)]
    if not records:
        return {"year": year, "person": None, "lines": None, "law": [], "trips": 0,
                "note": "no trips recorded: residency follows the roster (resident flag or domicile)"}
    book = build_trips(records, year, first_year=first, source="stored trips")
    a = assess_year(book.trips, year, law=load_law(), history_from=first, domiciled=[bool(emp.domiciled)],
                    treaty=[emp.treaty_country] if emp.treaty_country else None)
    report = _report([code], a)
    return {"year": year, "person": report["persons"][0], "lines": _lines(a), "law": report["law"], "trips": len(records),
            "note": None}


def import_uploads(engine: Engine, files: list[tuple[str, bytes]], kind: str | None = None) -> dict:
    """Import uploaded files (Excel/CSV) in one transaction, through the payroll importer."""
    if not files:
        raise InputProblem("no file uploaded", ("body", "files"))
    with tempfile.TemporaryDirectory(prefix="expatcn-upload-") as folder:
        paths = []
        for i, (name, content) in enumerate(files):
            suffix = Path(name or "").suffix.lower()
            if suffix not in (".csv", ".xlsx", ".xlsm"):
                raise InputProblem(f"{name or 'file'}: expected a .xlsx or .csv file", ("body", "files", i))
            stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in Path(name).stem)[:60] or "upload"
            path = Path(folder) / (f"{stem}{suffix}" if not any(p.name == f"{stem}{suffix}" for p in paths) else f"{stem}-{i}{suffix}")
            path.write_bytes(content)
            paths.append(path)
        summary = _import(engine, paths, kind, folder)
    return {"counts": summary.counts}


def _import(engine: Engine, paths: list[Path], kind: str | None, folder: str):
    """The importer on files in a temporary folder; messages name the files without the folder."""
    import zipfile

    from expatcn.payroll.importer import ImportFileError, import_files

    try:
        return import_files(engine, paths, kind)
    except ImportFileError as exc:
        raise ImportFileError([p.replace(folder + "/", "") for p in exc.problems]) from None
    except PayrollError as exc:
        raise PayrollError(str(exc).replace(folder + "/", "")) from None
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        raise InputProblem(f"cannot read the file: {exc}".replace(folder + "/", ""), ("body", "files")) from None


def import_example(engine: Engine) -> dict:
    from importlib.resources import files as resources

    from expatcn.cli.payroll_db import EXAMPLE_COMPANY
    from expatcn.payroll.importer import import_files

    folder = resources("expatcn.examples.company")
    summary = import_files(engine, [Path(str(folder / name)) for name in EXAMPLE_COMPANY])
    return {"counts": summary.counts}


def write_rows(engine: Engine, kind: str, rows: list[dict]) -> dict:
    """Employees, trips or pay items given as JSON rows, written through the payroll importer
    (a CSV with the template's field names), so that the same checks apply."""
    import csv
    import io

    from expatcn.payroll.importer import KINDS

    fields = [c.field for c in KINDS[kind]]
    if not rows:
        raise InputProblem("no rows", ("body",))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items() if k in fields})
    with tempfile.TemporaryDirectory(prefix="expatcn-rows-") as folder:
        path = Path(folder) / f"{kind}.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        summary = _import(engine, [path], kind, folder)
    return {"counts": summary.counts}


def runs(engine: Engine) -> list[dict]:
    from expatcn.payroll.models import Run, RunResult

    with read_transaction(engine) as conn:
        employer = _employer(conn)
        rows = conn.execute(select(Run).where(Run.employer_id == employer.id).order_by(Run.year, Run.month)).all()
        totals = dict(conn.execute(select(RunResult.run_id, func.sum(RunResult.iit)).group_by(RunResult.run_id)).all())
        costs = dict(conn.execute(select(RunResult.run_id, func.sum(RunResult.employer_cost)).group_by(RunResult.run_id)).all())
    return [{"month": f"{r.year}-{r.month:02d}", "status": r.status, "employees": r.employees,
             "computed_at": utc(r.computed_at), "closed_at": utc(r.closed_at), "iit": yuan_str(totals.get(r.id) or 0),
             "employer_cost": yuan_str(costs.get(r.id) or 0)} for r in rows]


RESULT_VIEW = ("gross", "employee_contributions", "iit", "net", "employer_contributions", "employer_cost")
TOTAL_KEYS = ("gross", "employee_contributions", "iit", "net", "employer_contributions", "employer_cost")


def run_detail(engine: Engine, year: int, month: int) -> dict:
    """A stored run: its header, one row per employee (figures in yuan), and the totals."""
    from expatcn.payroll.models import Correction, Employee, Run, RunResult

    with read_transaction(engine) as conn:
        employer = _employer(conn)
        run = conn.execute(select(Run).where(Run.employer_id == employer.id, Run.year == year, Run.month == month)).first()
        if run is None:
            raise NotFound(f"{Month(year, month)} has not been run")
        rows = conn.execute(select(Employee.code, Employee.name, RunResult).join(RunResult, RunResult.employee_id == Employee.id)
                            .where(RunResult.run_id == run.id).order_by(Employee.code)).all()
        corrections = conn.execute(select(Employee.code, Correction.treatment, Correction.tax_filed_fen,
                                          Correction.tax_corrected_fen, Correction.difference_fen, Correction.carried_to,
                                          Correction.note)
                                   .join(Employee, Employee.id == Correction.employee_id)
                                   .where(Correction.run_id == run.id).order_by(Correction.id)).all()
    results = []
    totals = dict.fromkeys(TOTAL_KEYS, 0)
    for r in rows:
        m = r._mapping
        item = {"id": m["code"], "name": m["name"], "resident": bool(m["resident"]), "complete": bool(m["complete"])}
        for k in RESULT_VIEW:
            item[k] = yuan_str(m[k])
        for k in TOTAL_KEYS:
            totals[k] += int(m[k])
        results.append(item)
    return {
        "month": str(Month(year, month)), "status": run.status, "employees": run.employees, "law_digest": run.law_digest,
        "computed_at": utc(run.computed_at), "closed_at": utc(run.closed_at),
        "totals": {k: yuan_str(v) for k, v in totals.items()},
        "results": results,
        "corrections": [{"employee": c.code, "treatment": c.treatment, "filed": yuan_str(c.tax_filed_fen),
                         "corrected": yuan_str(c.tax_corrected_fen), "difference": yuan_str(c.difference_fen),
                         "carried_to": c.carried_to, "note": c.note} for c in corrections],
    }


def run(engine: Engine, year: int, month: int, progress=None) -> dict:
    from expatcn.payroll.runs import run_month

    kwargs = {"progress": progress} if progress else {}
    s = run_month(engine, year, month, **kwargs)
    return {"month": str(Month(year, month)), "employees": s.employees, "replaced": s.replaced,
            "totals": {k: yuan_str(v) for k, v in s.totals.items()}, "law_digest": s.law_digest,
            "warnings": list(s.warnings), "due": due_line(year, month)}


def due_line(year: int, month: int) -> str | None:
    from expatcn.cli.payroll_run import due_date_line

    return due_date_line(year, month)


def close(engine: Engine, year: int, month: int) -> dict:
    from expatcn.payroll.runs import close_month

    done = close_month(engine, year, month)
    return {"month": done["month"], "employees": done["employees"], "closed_at": utc(done["closed_at"]),
            "due": due_line(year, month)}


def correct(engine: Engine, year: int, month: int, sets: list[tuple[str, str, Any]]) -> list[dict]:
    from expatcn.payroll.runs import correct_month

    lines = correct_month(engine, year, month, sets=[(code, kind, yuan_to_fen(amount)) for code, kind, amount in sets])
    return [{"employee": ln.code, "month": ln.month, "treatment": ln.treatment, "filed": yuan_str(ln.filed),
             "corrected": yuan_str(ln.corrected), "difference": yuan_str(ln.difference), "carried_to": ln.carried_to,
             "changes": ln.changes, "note": ln.note} for ln in lines]


def pay_kinds() -> dict[str, str]:
    """The kinds of pay item the payroll layer knows (kind → Chinese label), for pickers."""
    from expatcn.payroll.importer import PAY_KINDS

    return dict(PAY_KINDS)


def verify(engine: Engine, year: int, month: int) -> dict:
    from expatcn.payroll.runs import verify_month

    v = verify_month(engine, year, month)
    return {"month": v.month, "status": v.status, "employees": v.employees, "identical": v.identical,
            "inputs_intact": v.inputs_intact, "law_digest_stored": v.law_digest_stored, "law_digest_now": v.law_digest_now,
            "corrections_since": v.corrections_since,
            "differences": [{"employee": d[0], "figure": d[1], "stored": d[2], "recomputed": d[3]} for d in v.differences]}


EXPORT_KINDS = ("withholding", "social", "cost", "payslips", "reconciliation")


def export(engine: Engine, year: int, month: int, kind: str, fmt: str = "xlsx", trace: bool = False) -> tuple[str, bytes, str, list[str]]:
    """One export of a run as (file name, content, media type, notes): a single file as is,
    several (the withholding sheets of residents and non-residents) as one zip."""
    import io
    import zipfile

    from expatcn.payroll.exports import export_month

    with tempfile.TemporaryDirectory(prefix="expatcn-export-") as folder:
        written, notes = export_month(engine, year, month, [kind], Path(folder), fmt=fmt, traces=trace)
        if len(written) == 1:
            path = written[0]
            return path.name, path.read_bytes(), _media(path.suffix), notes
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.name)
        return f"{year}-{month:02d}-{kind}.zip", buffer.getvalue(), "application/zip", notes


def _media(suffix: str) -> str:
    return {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv",
            ".zip": "application/zip", ".pdf": "application/pdf"}.get(suffix, "application/octet-stream")


def pay_months(engine: Engine) -> list[str]:
    """The months that hold pay items (YYYY-MM), for the month picker."""
    from expatcn.payroll.models import PayItem

    with read_transaction(engine) as conn:
        rows = conn.execute(select(PayItem.year, PayItem.month).distinct()).all()
    return sorted(f"{y}-{m:02d}" for y, m in rows)


def grossup_trace(result: dict, body) -> list[dict]:
    """The explanation of a gross-up: the gross found, run forward through the engine it was
    solved against (the IIT engine, or the full month with a city), with every step's law."""
    from expatcn.io.month_scenario import MonthScenario
    from expatcn.io.scenario import Scenario

    months: dict[str, dict] = {}
    for row in result["months"]:
        items: dict[str, Any] = {"wages": row["gross_wages"]}
        if body.allowances:
            items["allowances"] = {k: str(v) for k, v in body.allowances.items()}
        if not body.city:
            items["employee_contributions"] = str(body.contributions)
        if body.special_additional_deductions:
            items["special_additional_deductions"] = str(body.special_additional_deductions)
        months[str(row["month"])] = items
    raw = {"name": "gross-up", "year": body.year,
           "person": {"resident": not body.nonresident, "foreigner": body.foreigner or bool(body.allowances),
                      "allowance_exemption": bool(body.allowances)},
           "employment": {"from": body.first_month, "to": body.last_month}, "months": months}
    if body.city:
        nationality = "DE" if raw["person"]["foreigner"] else "CN"  # any foreign nationality: no agreement certificate given
        scenario = MonthScenario.model_validate({**raw, "city": body.city, "social": {"nationality": nationality}})
        return full_month(scenario, explain=True).get("trace", [])
    return tax_year(Scenario.model_validate(raw), explain=True).get("trace", [])
