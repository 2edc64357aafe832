"""Preferential windows that close on a date the law tables give: the expat allowance exemption
(MOF/STA 2023 No. 29, to 2027-12-31) and the separate taxation of the annual one-off bonus
(MOF/STA 2023 No. 30, to 2027-12-31). A person who elects either for a month after its table's
last day is told that the window has closed under current law and how the amount was taxed
instead — the engine never extends a window on its own (an overlay can: ``law_overlays/``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from expatcn.iit.inputs import BonusMethod, YearInputs
from expatcn.law import Law
from expatcn.law.tables import ANNUAL_BONUS, EXPAT_ALLOWANCE_EXEMPTION, TableRef
from expatcn.money import fen_to_str


@dataclass(frozen=True)
class Window:
    table: TableRef
    column: str  # the monthly input the election applies to
    en: str
    zh: str
    instead_en: str
    instead_zh: str


WINDOWS = (
    Window(EXPAT_ALLOWANCE_EXEMPTION, "allowances", "the expat allowance exemption", "外籍个人津补贴免税优惠",
           "taxed as wages", "并入工资薪金计税"),
    Window(ANNUAL_BONUS, "bonus", "separate taxation of the annual one-off bonus", "全年一次性奖金单独计税",
           "added to the month's wages", "并入当月工资薪金计税"),
)


def _elected(inputs: YearInputs, window: Window) -> np.ndarray:
    if window.column == "allowances":
        return inputs.allowance_election & inputs.foreigner
    return inputs.bonus_method != BonusMethod.COMBINED


def closed_windows(inputs: YearInputs, law: Law, rows: np.ndarray) -> list[str]:
    """One message per window elected by ``rows`` for months after the window's last day."""
    out = []
    for window in WINDOWS:
        table = law.table(window.table)
        end = table.periods[-1].end
        if end is None:
            continue
        months = [m for m in range(12) if dt.date(inputs.year, m + 1, 1) > end]
        if not months:
            continue
        amounts = np.asarray(getattr(inputs, window.column))[rows][:, months].sum(axis=1)
        amounts = np.where(_elected(inputs, window)[rows], amounts, 0)
        if not amounts.any():
            continue
        source = table.periods[-1].sources[0]
        document = source.document or source.title
        hit = rows[amounts > 0]
        who = f" ({', '.join(str(inputs.ids[r]) for r in hit[:5])})" if inputs.ids else ""
        total = fen_to_str(int(amounts.sum()))
        out.append(f"{window.en} ended on {end} under current law ({document}): {total} elected for later months "
                   f"is {window.instead_en}{who} / {window.zh}已于{end}到期（{document}），按现行规定{total}"
                   f"{window.instead_zh}")
    return out
