"""The lump sum a foreigner leaving China may take from the basic pension personal account
(MOHRSS Decree No. 16 art. 6; the account is the employee's own contributions, Guo Fa [2005]
No. 38 art. 6; interest at the crediting rate, Social Insurance Law art. 14) —
``law/social/pension_refund.yaml``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from expatcn.law import Law
from expatcn.law.model import LawRef
from expatcn.law.schemas.social_refund import PensionRefund
from expatcn.law.tables import PENSION_REFUND



@dataclass
class PensionRefundEstimate:
    """What a foreigner leaving China could take as a lump sum from the personal pension account:
    (N,) fen. ``eligible``: foreigners where the table allows the lump sum; ``interest_included``:
    False (no crediting rate is applied within the months computed)."""

    amount: np.ndarray
    eligible: np.ndarray
    interest_included: bool
    ref: LawRef
    note: str


def pension_refund_estimate(law: Law, day: dt.date, foreign: np.ndarray,
                            employee_pension: np.ndarray) -> PensionRefundEstimate:
    """The personal account built up by ``employee_pension`` (N,) fen, the employee's own pension
    contributions (the employer's go to the pooled fund), payable in one sum to a foreigner who
    leaves — under the table in force on ``day``."""
    entry = law.on(PENSION_REFUND, day)
    rule: PensionRefund = entry.value
    eligible = np.asarray(foreign, dtype=bool) & rule.lump_sum_on_departure
    terms = [f"personal account = the employee's pension contributions ({(rule.account_rate * 100).normalize()}% "
             "of the base)"]
    if rule.requires_written_application:
        terms.append("paid on written application" + (", which ends the pension relationship"
                                                      if rule.ends_pension_relationship else ""))
    # interest is credited once a year on the balance; within the months computed it is left out
    terms.append("excludes interest" + ("" if rule.interest_rates else " (no crediting rate in the law tables)"))
    amount = np.where(eligible, np.asarray(employee_pension, dtype=np.int64), 0)
    return PensionRefundEstimate(amount, eligible, False, entry.ref, "; ".join(terms))
