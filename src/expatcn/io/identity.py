"""Checks of identity document numbers against their published formats
(``law/identity/documents.yaml``): the citizen identity number's check digit (GB 11643-1999), the
residence permits of Hong Kong, Macao and Taiwan residents, and their travel permits."""

from __future__ import annotations

import datetime as dt
import re

from expatcn.errors import InputError
from expatcn.law import Law
from expatcn.law.tables import IDENTITY_DOCUMENTS

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999: 2^(17−i) mod 11
CHECK = "10X98765432"


def gb11643_check_digit(first17: str) -> str:
    """The check character of a citizen identity number (ISO 7064 MOD 11-2)."""
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def check_id_number(law: Law, id_type: str, number: str, where: str, day: dt.date | None = None) -> str:
    """``number`` written as the document prints it (upper case, no spaces), or an
    :class:`InputError` naming ``where``, the document and the form expected. A type without a
    published format (a passport) is returned as given."""
    documents = law.value(IDENTITY_DOCUMENTS, day or dt.date.today())
    document = documents.document(id_type)
    text = "".join(str(number).split()).upper()
    if document is None:
        return text
    if not any(re.fullmatch(p, text) for p in document.patterns):
        forms = " or ".join(p for p in document.patterns)
        raise InputError(f"{where}: {number!r} is not a number of a {document.en} ({document.zh}); expected the form {forms}")
    if document.checksum == "gb11643" and gb11643_check_digit(text[:17]) != text[17]:
        raise InputError(f"{where}: {number!r} fails the check digit of a {document.en} ({document.zh}): "
                         f"the last character should be {gb11643_check_digit(text[:17])}")
    if document.checksum == "gb11643" and not _valid_birth_date(text[6:14]):
        raise InputError(f"{where}: {number!r} holds no valid birth date ({text[6:14]}) for a {document.en}")
    return text


def _valid_birth_date(digits: str) -> bool:
    try:
        dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True
