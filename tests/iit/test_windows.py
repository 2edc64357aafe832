"""Windows that close: the expat allowance exemption (MOF/STA [2023] No. 29) and the separate
taxation of the annual bonus (MOF/STA [2023] No. 30) both run to 2027-12-31 (issue 11, item 5)."""

from __future__ import annotations

import numpy as np

from expatcn.iit.inputs import BonusMethod, YearInputs
from expatcn.iit.person_year import compute_year
from expatcn.law import load_law

LAW = load_law()


def _year(year: int, method=BonusMethod.SEPARATE):
    wages = np.full((2, 12), 3_000_000, dtype=np.int64)
    allowances = np.zeros((2, 12), dtype=np.int64)
    allowances[:, 0] = 1_000_000  # 10,000 of housing in January
    bonus = np.zeros((2, 12), dtype=np.int64)
    bonus[:, 1] = 6_000_000  # 60,000 in February
    return compute_year(YearInputs(year=year, wages=wages, allowances=allowances, bonus=bonus,
                                   foreigner=np.array([True, True]), allowance_election=np.array([True, False]),
                                   bonus_method=np.array([method, BonusMethod.COMBINED]), ids=["A", "B"]), LAW)


def test_elections_after_2027_are_told_the_window_closed():
    alerts = _year(2028).alerts()
    allowance = [a for a in alerts if a.startswith("the expat allowance exemption")]
    bonus = [a for a in alerts if a.startswith("separate taxation")]
    assert allowance == ["the expat allowance exemption ended on 2027-12-31 under current law (MOF/STA Announcement "
                         "[2023] No. 29): 10,000.00 elected for later months is taxed as wages (A) / 外籍个人津补贴免税优惠"
                         "已于2027-12-31到期（MOF/STA Announcement [2023] No. 29），按现行规定10,000.00并入工资薪金计税"]
    assert len(bonus) == 1 and "60,000.00" in bonus[0] and "(A)" in bonus[0] and "No. 30" in bonus[0]


def test_no_warning_inside_the_window_or_without_an_election():
    assert not any("ended on" in a for a in _year(2027).alerts())
    assert not any("ended on" in a for a in _year(2028, BonusMethod.COMBINED).alerts([1]))
