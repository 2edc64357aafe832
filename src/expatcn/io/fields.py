"""Field types of the user files' models: a day is read the same way in every file, form and API
body (:func:`expatcn.dates.parse_day`: the whole text, a real calendar day, a sane year)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BeforeValidator

from expatcn.dates import parse_day

Day = Annotated[dt.date, BeforeValidator(parse_day)]
