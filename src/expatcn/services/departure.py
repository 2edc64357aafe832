"""Leaving China (``expatcn departure``, ``POST /api/departure``): the year computed to the month of
departure, and the checklist of what the employee and the employer must file or settle, each with
its date, its amount where the engine has one, and its law entry.

The dates come from ``calendar/withholding_deadlines``, ``calendar/filing_deadlines`` and
``calendar/status_change_reports`` (:mod:`expatcn.filing_calendar`): the last withholding return;
the reconciliation — before leaving, for a resident who leaves for good in the year (MOF/STA 2019
No. 35 §5(1)1, low confidence), or in the window of 1 March – 30 June of the next year (IIT Law
art. 11); tax owed settled before exit (Tax Collection Administration Law art. 44); tax an agent
failed to withhold, by 30 June (art. 13 ¶2); the 15-day reports where the first filing's estimate of
days turns out wrong (No. 35 §5, low); unpaid equity-tax instalments before leaving the employer
(MOF/STA 2024 No. 2).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from expatcn.dates import Month
from expatcn.errors import LawNotInForce
from expatcn.filing_calendar import due_date, obligation_due, obligations
from expatcn.iit.person_year import compute_year
from expatcn.iit.reconciliation import Filing
from expatcn.io.scenario import Scenario, ScenarioError, load_scenario
from expatcn.law import Law, load_law
from expatcn.law.tables import EQUITY_INSTALMENTS
from expatcn.money import yuan_str
from expatcn.residency.forecast import NOT_REACHED
from expatcn.residency.trips import to_date

Yuan = str  # an amount of yuan as an exact decimal string, "12345.60"
FILING_NOTES = {
    Filing.SETTLED: "prepaid equals the tax due / 已缴税款与应纳税额一致",
    Filing.REFUND_OPTIONAL: "refund; filing only to claim it / 可申请退税",
    Filing.PAYABLE_EXEMPT: "payable, but the filing exemption applies / 需补税但符合免予汇算条件",
    Filing.PAYABLE_MUST_FILE: "payable: must file and pay / 需办理汇算并补税",
}


class ChecklistItem(BaseModel):
    """One thing to file, report or settle: who, by when, how much, and the law."""

    obligation: str = Field(description="the obligation's key in the law tables (or withholding_return)")
    en: str
    zh: str
    party: Literal["taxpayer", "withholding_agent"]
    opens: dt.date | None = Field(None, description="the first day of a filing window")
    due: dt.date = Field(description="the last day (an event's day: before it)")
    amount: Yuan | None = Field(None, description="the amount concerned, where the engine has one")
    optional: bool = Field(False, description="a right the taxpayer may use, not a duty")
    law: str = Field(description="the article that sets it")
    source: str = Field(description="the law table entry (table, dates, documents)")
    note: str = ""


class Departure(BaseModel):
    """The year to the month of departure and the checklist, in date order."""

    name: str
    year: int
    departure: dt.date
    returns: bool
    resident: bool
    withheld: Yuan = Field(description="tax withheld by this agent in the year to the departure month")
    reconciliation_tax_due: Yuan
    reconciliation_balance: Yuan = Field(description="+ payable, − refund")
    reconciliation_filing: str
    checklist: list[ChecklistItem]
    alerts: list[str]


def departure(source: str | Path | Scenario, law: Law | None = None) -> Departure:
    """The departure checklist of a scenario with ``person.departure``."""
    law = law or load_law()
    scenario = load_scenario(source) if not isinstance(source, Scenario) else source
    day = scenario.person.departure
    if day is None:
        raise ScenarioError("person.departure: the day of departure is needed (YYYY-MM-DD)")
    if scenario.employment.end > day.month:  # the month of departure is the last one employed here
        employment = scenario.employment.model_copy(update={"end": day.month})
        if employment.start > employment.end:
            raise ScenarioError(f"employment.from: month {employment.start} is after person.departure {day}")
        scenario = scenario.model_copy(update={"employment": employment})
    prepared = scenario.prepare(law)
    inputs = prepared.inputs
    if prepared.residency is not None:
        _check_trips(prepared.residency.assessment, day)
    result = compute_year(inputs, law)
    a = {key: value[0] for key, value in result.annual.items()}
    filing = Filing(a["reconciliation_filing"])
    found = obligations(law, day)
    items = [_withholding_return(law, result, day)]

    def add(name: str, *, amount: int | None = None, month: int | None = None, note: str = "") -> None:
        deadline, ref = found[name]
        opens, due = obligation_due(deadline, scenario.year, month=month, event=day)
        items.append(ChecklistItem(obligation=name, en=deadline.en, zh=deadline.zh, party=deadline.party, opens=opens,
                                   due=due, amount=None if amount is None else yuan_str(amount),
                                   optional=deadline.optional, law=deadline.law, source=ref.describe(), note=note))

    balance = int(a["reconciliation_balance"])
    if filing != Filing.NOT_APPLICABLE:
        what = FILING_NOTES[filing]
        if not scenario.person.returns:
            add("resident_leaving_in_year", amount=balance,
                note=f"{what}; the table's entry is for a person first estimated non-resident (No. 35 §5(1)1, low "
                     "confidence)")
        add("annual_reconciliation", amount=balance, note=what)
    if day < dt.date(scenario.year, 3, 1):
        add("reconciliation_before_departure", note=f"the reconciliation of {scenario.year - 1}, not computed here")
    if balance > 0:
        add("arrears_before_exit", amount=balance, note="tax payable at the reconciliation")
    if inputs.not_withheld.any():
        add("tax_not_withheld", note="another payer did not withhold (other_payers: withheld: false)")
    other_wages = np.flatnonzero(inputs.other_wages[0] > 0)
    if not inputs.resident[0] and other_wages.size:
        add("nonresident_two_payers", month=int(other_wages[-1]) + 1,
            note="wages from two or more payers in China: for each such month, by the 15th of the next")
    _status_reports(prepared, add)
    equity_tax = int(result.monthly["equity_tax"][0].sum())
    if equity_tax:
        items += _equity_item(law, day, equity_tax)
    items.sort(key=lambda item: (item.due, item.opens or item.due))
    return Departure(
        name=scenario.name, year=scenario.year, departure=day, returns=scenario.person.returns,
        resident=bool(inputs.resident[0]), withheld=yuan_str(a["withheld"]),
        reconciliation_tax_due=yuan_str(a["reconciliation_tax_due"]), reconciliation_balance=yuan_str(balance),
        reconciliation_filing=filing.name.lower(), checklist=items, alerts=result.alerts(),
    )


def _check_trips(assessment, day: dt.date) -> None:
    """No day in China after the month of departure (the trips end by then)."""
    days = assessment.days.full[0] + assessment.days.partial[0]
    later = np.flatnonzero(days[day.month:] > 0)
    if later.size:
        raise ScenarioError(f"person.departure: {day}, but the trips have days in China in month "
                            f"{day.month + int(later[0]) + 1}")


def _withholding_return(law: Law, result, day: dt.date) -> ChecklistItem:
    due, ref, how = due_date(law, (day.year, day.month))
    month = Month(day.year, day.month)
    return ChecklistItem(
        obligation="withholding_return", en=f"Withholding return for {month}, the last payroll month",
        zh=f"最后一个工资月份（{month}）的扣缴申报", party="withholding_agent", due=due,
        amount=yuan_str(result.monthly["total_tax"][0, day.month - 1]), law="IIT Law art. 14", source=ref.describe(),
        note=how)


def _status_reports(prepared, add) -> None:
    """The No. 35 §5 reports, where travel records show how many days the year holds."""
    residency = prepared.residency
    if residency is None:
        return
    assessment = residency.assessment
    if not assessment.status.resident[0]:
        add("resident_estimate_not_met",
            note=f"{int(assessment.status.days[0])} days of residence: if the first filing estimated 183 days or more")
    ninety = int(assessment.reach[0, 0])
    if ninety != NOT_REACHED:
        reached = to_date(ninety)
        add("short_stay_estimate_exceeded", month=reached.month,
            note=f"the 90th day was {reached}: if the first filing estimated at most 90 days")


def _equity_item(law: Law, day: dt.date, equity_tax: int) -> list[ChecklistItem]:
    """Listed-company equity tax paid in instalments falls due before leaving the employer where the
    rule of the day says so (MOF/STA 2024 No. 2 §1; ``iit/equity_instalments``)."""
    try:
        entry = law.on(EQUITY_INSTALMENTS, day)
    except LawNotInForce:
        return []
    if not entry.value.settle_on_leaving:
        return []
    return [ChecklistItem(
        obligation="equity_instalments", en="Equity-incentive tax paid in instalments: what is unpaid falls due "
        "before leaving the employer", zh="股权激励分期缴纳的个人所得税：离职前缴清", party="taxpayer", due=day,
        amount=yuan_str(equity_tax), law="MOF/STA 2024 No. 2 §1", source=entry.ref.describe(),
        note="the year's equity tax, less what has been paid")]
