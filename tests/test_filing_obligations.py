"""The filing and reporting obligations of ``calendar/filing_deadlines`` and
``calendar/status_change_reports`` and when each falls (issue 13 item 5): the reconciliation
window of IIT Law art. 11 (1 March – 30 June of the next year), the 15th of the next month for
income without a withholding agent (art. 13 ¶1), 30 June for tax an agent failed to withhold
(art. 13 ¶2), and No. 35 §5's 15-day reports (low confidence, as the table says)."""

from __future__ import annotations

import datetime as dt

import pytest

from expatcn.filing_calendar import CalendarError, obligation_due, obligations

DEPARTURE = dt.date(2026, 9, 15)


@pytest.mark.parametrize(("name", "month", "expected"), [
    ("annual_reconciliation", None, (dt.date(2027, 3, 1), dt.date(2027, 6, 30))),
    ("tax_not_withheld", None, (dt.date(2027, 1, 1), dt.date(2027, 6, 30))),
    ("self_filing_no_withholding_agent", 9, (None, dt.date(2026, 10, 15))),
    ("nonresident_two_payers", 12, (None, dt.date(2027, 1, 15))),
    ("resident_estimate_not_met", None, (None, dt.date(2027, 1, 15))),  # KPMG: 2020's due 15 January 2021
    ("short_stay_estimate_exceeded", 5, (None, dt.date(2026, 6, 15))),
    ("reconciliation_before_departure", None, (None, DEPARTURE)),
    ("arrears_before_exit", None, (None, DEPARTURE)),
])
def test_when_each_obligation_falls(law, name, month, expected):
    deadline, ref = obligations(law, dt.date(2026, 1, 1))[name]
    assert obligation_due(deadline, 2026, month=month, event=DEPARTURE) == expected
    assert ref.table in ("calendar/filing_deadlines", "calendar/status_change_reports")


def test_the_status_change_reports_carry_their_low_confidence(law):
    _, ref = obligations(law, dt.date(2026, 1, 1))["resident_estimate_not_met"]
    assert ref.confidence == "low"


def test_an_event_deadline_needs_its_day(law):
    deadline, _ = obligations(law, dt.date(2026, 1, 1))["arrears_before_exit"]
    with pytest.raises(CalendarError, match="departure"):
        obligation_due(deadline, 2026)
