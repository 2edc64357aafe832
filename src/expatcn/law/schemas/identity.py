"""Schema of the identity documents' number formats (``law/identity/documents.yaml``)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from expatcn.law.schemas import value_schema
from expatcn.law.schemas.common import LawValue, listed_once


class Document(LawValue):
    """One kind of identity document: its number's forms (full-match regular expressions), the
    check digit it carries (``gb11643``: the citizen identity number's ISO 7064 MOD 11-2 digit),
    and, for a citizen identity number given to a region's residents, its address codes."""

    id_type: str = Field(pattern=r"^[a-z][a-z_]*$")
    en: str
    zh: str
    patterns: list[str] = Field(min_length=1)
    checksum: str | None = Field(default=None, pattern=r"^gb11643$")
    address_codes: list[str] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns


@value_schema("identity_documents")
class IdentityDocuments(LawValue):
    """The documents whose numbers the importers can check."""

    documents: list[Document] = Field(min_length=1)

    def document(self, id_type: str) -> Document | None:
        return next((d for d in self.documents if d.id_type == id_type), None)

    def model_post_init(self, _context) -> None:
        listed_once([d.id_type for d in self.documents], "id_type")
