"""The form every law table takes: dated periods, each with its sources and confidence.

A table file ``law/<domain>/<name>.yaml`` holds a title, the ``schema`` its values follow
(see ``expatcn.law.schemas``), optionally the ``name`` of what it is about in English and Chinese
(a city: ``{en: Shanghai, zh: 上海}``), and ``periods``: each with ``from`` (and ``to`` where it ended),
``sources``, ``confidence`` and ``value``. Periods are sorted, never overlap and leave no gap;
before the first and after the last period the table is not in force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

Confidence = Literal["high", "medium", "low"]


class Source(BaseModel):
    """The text that set a value: its title, document number and where to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    document: str | None = None
    url: HttpUrl | None = None
    section: str | None = None
    note: str | None = None

    def cite(self) -> str:
        parts = [self.title]
        if self.document:
            parts.append(self.document)
        if self.section:
            parts.append(self.section)
        text = ", ".join(parts)
        return f"{text} <{self.url}>" if self.url else text


class Period(BaseModel):
    """One dated value of a table."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    confidence: Confidence
    sources: list[Source] = Field(min_length=1)
    note: str | None = None
    value: Any

    @model_validator(mode="after")
    def _dates_in_order(self) -> Period:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Name(BaseModel):
    """What a table is about, as a person names it: in English and in Chinese (汉字)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    @field_validator("en")
    @classmethod
    def _latin(cls, en: str) -> str:
        if not en.isascii() or en != en.strip():
            raise ValueError(f"the English name {en!r} must be plain ASCII without surrounding spaces")
        return en

    @field_validator("zh")
    @classmethod
    def _chinese(cls, zh: str) -> str:
        if not all("\u4e00" <= ch <= "\u9fff" for ch in zh):
            raise ValueError(f"the Chinese name {zh!r} must be written in Chinese characters only")
        return zh


class TableFile(BaseModel):
    """A whole table file as written in YAML."""

    model_config = ConfigDict(extra="forbid")

    title: str
    name: Name | None = None
    description: str | None = None
    schema_: str = Field(alias="schema")
    unit: str | None = None
    periods: list[Period] = Field(min_length=1)

    @field_validator("periods")
    @classmethod
    def _contiguous(cls, periods: list[Period]) -> list[Period]:
        for before, after in zip(periods, periods[1:]):
            if before.end is None:
                raise ValueError(f"period from {before.start} has no end but another period follows it")
            if after.start <= before.end:
                raise ValueError(f"periods overlap: {before.start}..{before.end} and {after.start}..")
            if after.start != before.end + dt.timedelta(days=1):
                raise ValueError(
                    f"gap in dates: {before.start}..{before.end} is followed by {after.start}.. "
                    f"(a table must say what held on every day between; add a period for the gap)"
                )
        return periods


class LawRef(BaseModel):
    """Which dated entry of which table a figure used: enough for an auditor to look it up."""

    model_config = ConfigDict(frozen=True)

    table: str
    title: str
    start: dt.date
    end: dt.date | None
    confidence: Confidence
    sources: tuple[Source, ...]
    note: str | None = None

    def describe(self) -> str:
        until = f"..{self.end}" if self.end else ".."
        cites = "; ".join(s.cite() for s in self.sources)
        low = "" if self.confidence == "high" else f" [confidence: {self.confidence}]"
        return f"{self.table} ({self.start}{until}){low}: {cites}"
