"""The law's own cases: every published worked example in ``tests/cases/<domain>/<document>.yaml``
(a scenario in the user's format, the figures its source gives, the source) run through the use
cases of ``expatcn.services`` — the same path as ``expatcn tax``, ``month``, ``social``,
``grossup`` and ``residency`` — and the same check as ``expatcn check tests/cases``."""

from __future__ import annotations

from pathlib import Path

import pytest

from expatcn.io.cases import case_files, read_cases
from expatcn.services.check import check_case

HERE = Path(__file__).parent
CASES = [(file, case) for file in case_files(HERE) for case in read_cases(file)]


@pytest.mark.parametrize(("file", "case"), CASES,
                         ids=[f"{file.relative_to(HERE).with_suffix('')}: {case.name}" for file, case in CASES])
def test_case(file, case, law):
    result = check_case(case, file, law)
    assert result.passed, "\n".join(
        [f"{case.name} ({case.source.document})"]
        + ([f"refused: {result.error}"] if result.error else [])
        + [f"{d.field}: expected {d.expected}, got {d.got}" for d in result.differences])


def test_every_domain_has_cases():
    assert {file.parent.name for file, _ in CASES} >= {"iit"}
