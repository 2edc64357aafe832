"""A file of cases (YAML or JSON) for ``expatcn check``: scenarios in the user's own formats, each
with the figures its source publishes.

```yaml
- name: STA interpretation of Announcement 2018 No. 61, example 2
  source: {document: STA Announcement 2018 No. 61, note: relayed verbatim}
  scenario:                       # a tax scenario, as for `expatcn tax`
    year: 2019
    every_month: {wages: 30000, employee_contributions: 4500, special_additional_deductions: 2000}
  expect:
    wage_tax: {1: "555.00", 2: "625.00", 3: "1850.00"}   # a figure of the months, by month
    wage_taxable: {2: "37000.00"}
    reconciliation: {balance: "0.00"}                    # a figure of the year
- name: a refused input
  use: tax
  scenario: {year: 2017, every_month: {wages: 10000, special_additional_deductions: 1000}}
  error: start in 2019                                  # the use case must refuse it, saying this
```

``use`` names the use case (``tax`` by default; ``month``: a full-month scenario as for ``expatcn
month``; ``social``, ``grossup``, ``residency``: the fields of the command's options, as the API
takes them). ``expect`` holds figures of the answer (``expatcn <use> --json`` shows them all):
a field of the answer (nested mappings for nested fields, rows by their ``month``, ``scheme`` or
``person``), or a field of the months' rows with ``{month: value}``. Amounts compare as decimals
(``"555"`` equals ``"555.00"``); a list of texts (``alerts``) passes when each text expected is
part of one of the answer's. A trips file named in a scenario is read relative to the case file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from expatcn.errors import InputError
from expatcn.io.files import describe, read_mapping

USES = ("tax", "month", "social", "grossup", "residency")


class CaseError(InputError):
    """A case file that cannot be used; the message names the file, the case and the field."""


class Source(BaseModel):
    """Where the figures come from: the document (title and number), a link, how they were
    obtained (``note``: verbatim, relayed, derived from the published rule)."""

    model_config = ConfigDict(extra="forbid")

    document: str = Field(min_length=1)
    url: str | None = None
    note: str | None = None


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    source: Source
    use: Literal["tax", "month", "social", "grossup", "residency"] = "tax"
    scenario: dict[str, Any]
    expect: dict[str | int, Any] = {}
    error: str | None = Field(None, description="the use case refuses the scenario with a message holding this")

    @model_validator(mode="after")
    def _something_to_check(self) -> Case:
        if not self.expect and self.error is None:
            raise ValueError("give the figures to expect (expect) or the refusal (error)")
        if self.expect and self.error is not None:
            raise ValueError("give either expect or error, not both")
        return self


def read_cases(path: str | Path) -> list[Case]:
    """The cases of one file (a list of cases, or ``{cases: [...]}``); errors name the file and
    the case."""
    path = Path(path)
    raw = read_mapping(path, CaseError)
    items = raw.get("cases") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise CaseError(f"{path}: expected a list of cases (or {{cases: [...]}})")
    cases = []
    for number, item in enumerate(items, 1):
        try:
            cases.append(Case.model_validate(item))
        except ValidationError as exc:
            name = item.get("name") if isinstance(item, dict) else None
            raise CaseError(f"{path}, case {number}{f' ({name})' if name else ''}: {describe(exc)}") from None
    return cases


def case_files(path: str | Path) -> list[Path]:
    """The case files at ``path``: the file itself, or every ``*.yaml``/``*.yml``/``*.json`` below a
    folder, in name order."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in (".yaml", ".yml", ".json") and p.is_file())
    if not path.exists():
        raise CaseError(f"{path}: no such file or folder")
    return [path]
