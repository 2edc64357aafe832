"""Month runs in the background: a run reports its stage and progress, which the month page polls
(htmx); an error is shown on the page rather than lost in the thread."""

from __future__ import annotations

import datetime as dt
import threading

from expatcn.services import payroll
from expatcn.web.common import USER_ERRORS, messages_of

_jobs: dict[tuple[int, str], dict] = {}


_jobs_lock = threading.Lock()


def start_run(engine, month: str) -> dict:
    key = (id(engine), month)
    with _jobs_lock:
        job = _jobs.get(key)
        if job and job["state"] == "running":
            return job
        job = {"state": "running", "stage": "load", "done": 0, "total": 1, "message": "", "started": dt.datetime.now()}
        _jobs[key] = job

    def progress(stage: str, done: int, total: int) -> None:
        job.update(stage=stage, done=done, total=max(total, 1))

    def work() -> None:
        try:
            year, m = (int(x) for x in month.split("-"))
            result = payroll.run(engine, year, m, progress=progress)
            job.update(state="done", result=result)
        except USER_ERRORS as exc:
            job.update(state="error", message="; ".join(messages_of(exc)))
        except Exception as exc:  # shown on the page rather than lost in a thread
            job.update(state="error", message=f"{type(exc).__name__}: {exc}")

    threading.Thread(target=work, name=f"expatcn-run-{month}", daemon=True).start()
    return job


def job_of(engine, month: str) -> dict | None:
    return _jobs.get((id(engine), month))


STAGES = ("load", "compute", "write")


def percent(job: dict) -> int:
    if job["state"] != "running":
        return 100
    i = STAGES.index(job["stage"]) if job["stage"] in STAGES else 0
    return int(100 * (i + job["done"] / max(job["total"], 1)) / len(STAGES))
