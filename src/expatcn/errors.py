"""The error families of expatcn: every error the project raises on purpose is one of these, so a
front door needs one ``except`` per family (a clean message and exit 2, a 422, a 409, a 404).

* :class:`InputError`: input the engines cannot use (a file, a field, a month, an amount); the
  message names where and what was expected. Also a ``ValueError``.
* :class:`LawError`: the law tables cannot answer (no table, no period in force, no sourced figure).
* :class:`StateError`: the stored payroll does not allow the operation now (a month not run, closed,
  changed since it was run; a database not initialised).
* :class:`NotFound`: no such employee, run or key. Also a ``LookupError``.

:class:`InputProblems` is an :class:`InputError` listing every problem of a file or of JSON rows.
"""

from __future__ import annotations


class ExpatcnError(Exception):
    """The root of every error expatcn raises on purpose."""


class InputError(ExpatcnError, ValueError):
    """Input the engines cannot use; the message says where (file, row, field, person) and why."""


class LawError(ExpatcnError):
    """A law table that cannot be loaded, or a question the law tables cannot answer."""


class LawNotInForce(LawError):
    """The table has no period covering the date asked for."""


class SocialDataGap(LawError):
    """The law tables have no sourced figure for what was asked (city, month, scheme, figure)."""


class StateError(ExpatcnError):
    """An operation the stored state does not allow now; the message says why and what to do."""


class NotFound(ExpatcnError, LookupError):
    """No such thing (employee, run, key, employer)."""


class InputProblems(InputError):
    """Input with several problems, each naming where (file, sheet, row, column) and what was
    expected; nothing was written. At most :attr:`MAX` are listed."""

    MAX = 20

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems[: self.MAX]
        more = f"\n… and more (first {self.MAX} shown)" if len(problems) >= self.MAX else ""
        super().__init__("nothing was imported:\n" + "\n".join(self.problems) + more)
