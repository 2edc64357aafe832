"""``expatcn check``: files of cases (scenarios with the figures a published source gives, see
:mod:`expatcn.io.cases`) run through the same use cases as ``expatcn tax``, ``month``, ``social``,
``grossup`` and ``residency``; each case passes, or fails naming the field, the figure expected
and the figure got. A payroll team keeps its own golden cases and re-runs them after a law update;
the project's tests are the law's own cases (``tests/cases``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from expatcn.errors import InputError, LawError
from expatcn.io.cases import Case, Source, case_files, read_cases
from expatcn.io.files import describe
from expatcn.io.month_scenario import MonthScenario
from expatcn.io.requests import GrossUpRequest, ResidencyRequest, SocialRequest
from expatcn.io.scenario import Scenario
from expatcn.law import Law, load_law
from expatcn.services import grossup, month, residency, social, tax

ROW_KEYS = ("month", "scheme", "person")  # how the rows of an answer are named in a case


class Difference(BaseModel):
    field: str
    expected: str
    got: str | None


class CaseResult(BaseModel):
    file: str
    name: str
    source: Source
    passed: bool
    differences: list[Difference] = []
    error: str | None = None  # the use case refused the scenario, unexpectedly


class CheckReport(BaseModel):
    cases: list[CaseResult]
    passed: int
    failed: int


def answer(case: Case, where: Path, law: Law) -> BaseModel:
    """The case's scenario through its use case (trips files relative to ``where``)."""
    if case.use in ("tax", "month"):
        scenario = (Scenario if case.use == "tax" else MonthScenario).model_validate(case.scenario)
        scenario._source = where
        if case.use == "tax":
            return tax.tax_year(scenario, law=law)
        return month.full_month(scenario, law=law)
    if case.use == "social":
        return social.social_month(**SocialRequest.model_validate(case.scenario).arguments(), law=law)
    if case.use == "grossup":
        return grossup.gross_up(**GrossUpRequest.model_validate(case.scenario).arguments(), law=law)
    return residency.residency_year(**ResidencyRequest.model_validate(case.scenario).arguments(), law=law)


def check_case(case: Case, where: Path, law: Law) -> CaseResult:
    """One case: the figures it expects against the answer, or the refusal it expects."""
    result = CaseResult(file=str(where), name=case.name, source=case.source, passed=False)
    try:
        got = answer(case, where, law)
    except (InputError, LawError, ValidationError) as exc:
        message = describe(exc) if isinstance(exc, ValidationError) else str(exc)
        if case.error is not None and case.error in message:
            result.passed = True
        elif case.error is not None:
            result.differences = [Difference(field="error", expected=case.error, got=message)]
        else:
            result.error = message
        return result
    if case.error is not None:
        result.differences = [Difference(field="error", expected=case.error, got="no refusal: the scenario was computed")]
        return result
    result.differences = compare(got.model_dump(mode="json", by_alias=True), case.expect)
    result.passed = not result.differences
    return result


def check(paths: list[Path], *, law: Law | None = None) -> CheckReport:
    """Every case of every file at ``paths`` (files, or folders searched for case files)."""
    law = law or load_law()
    results = [check_case(case, file, law) for path in paths for file in case_files(path) for case in read_cases(file)]
    passed = sum(r.passed for r in results)
    return CheckReport(cases=results, passed=passed, failed=len(results) - passed)


# --- comparing an answer with what a case expects -----------------------------------------------


def compare(answer: dict, expect: dict, where: str = "") -> list[Difference]:
    """The figures of ``expect`` that ``answer`` does not have. A key is a field of the answer, or
    a field of its ``months`` rows given as ``{month: value}``."""
    out: list[Difference] = []
    rows = answer.get("months") if isinstance(answer.get("months"), list) else None
    for key, want in expect.items():
        path = f"{where}{key}"
        if key in answer:
            out += _compare(answer[key], want, path)
        elif rows and isinstance(want, dict) and key in rows[0]:
            out += _compare(rows, {m: {key: value} for m, value in want.items()}, f"{where}months")
        else:
            out.append(Difference(field=path, expected=_text(want), got=None))
    return out


def _compare(got: Any, want: Any, path: str) -> list[Difference]:
    if isinstance(want, dict) and isinstance(got, dict):
        return compare(got, want, f"{path}.")
    if isinstance(want, dict) and isinstance(got, list):
        out = []
        for name, fields in want.items():
            row = _row(got, name)
            if row is None:
                out.append(Difference(field=f"{path}.{name}", expected=_text(fields), got=None))
            else:
                out += _compare(row, fields, f"{path}.{name}")
        return out
    if isinstance(want, list) and isinstance(got, list) and all(isinstance(w, str) for w in want):
        return [Difference(field=path, expected=w, got="; ".join(map(str, got)) or "none")
                for w in want if not any(w in str(g) for g in got)]
    return [] if _same(got, want) else [Difference(field=path, expected=_text(want), got=_text(got))]


def _row(rows: list, name: Any) -> dict | None:
    """The row named ``name``: by month (``3``, ``"2025-03"``), scheme or person."""
    for row in rows:
        if not isinstance(row, dict):
            continue
        for key in ROW_KEYS:
            value = row.get(key)
            if value is None:
                continue
            if str(value) == str(name) or (key == "month" and str(value).endswith(f"-{int(name):02d}" if
                                                                                  str(name).isdigit() else "\0")):
                return row
    return None


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool) or got is None or want is None:
        return got == want
    try:
        return Decimal(str(got)) == Decimal(str(want))
    except InvalidOperation:
        return str(got) == str(want)


def _text(value: Any) -> str:
    return "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
