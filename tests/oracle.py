"""An independent, plain-Decimal oracle for the IIT engine: one person, one month at a time,
written straight from the published rules, with its own copy of the published tables (so a
mistyped law table is caught too). Used only by the tests.

Sources of the tables: IIT Law 2018 Table 1 and its monthly conversion (PwC Worldwide Tax
Summaries, Tables I and II); the 2011 wages table (JCK Shanghai); STA 2018 No. 61 Table 2.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

D = Decimal
CENT = D("0.01")

ANNUAL_2019 = [(36000, "0.03", 0), (144000, "0.10", 2520), (300000, "0.20", 16920), (420000, "0.25", 31920),
               (660000, "0.30", 52920), (960000, "0.35", 85920), (None, "0.45", 181920)]
MONTHLY_2018 = [(3000, "0.03", 0), (12000, "0.10", 210), (25000, "0.20", 1410), (35000, "0.25", 2660),
                (55000, "0.30", 4410), (80000, "0.35", 7160), (None, "0.45", 15160)]
MONTHLY_2011 = [(1500, "0.03", 0), (4500, "0.10", 105), (9000, "0.20", 555), (35000, "0.25", 1005),
                (55000, "0.30", 2755), (80000, "0.35", 5505), (None, "0.45", 13505)]
LABOUR = [(20000, "0.20", 0), (50000, "0.30", 2000), (None, "0.40", 7000)]


def band(amount: Decimal, table, spread: int = 1):
    for up_to, rate, quick in table:
        if up_to is None or amount / spread <= up_to:
            return D(rate), D(quick)
    raise AssertionError("unreachable")


def tax(amount: Decimal, table, spread: int = 1, quick_times: int = 1) -> Decimal:
    if amount <= 0:
        return D(0)
    rate, quick = band(amount, table, spread)
    return max((amount * rate).quantize(CENT, ROUND_HALF_UP) - quick * quick_times, D(0))


def resident_cumulative(wages, exempt, special, sad, other, employed) -> list[Decimal]:
    """STA 2018 No. 61 art. 6, month by month."""
    withheld_total = D(0)
    taxable = D(0)
    months_employed = 0
    out = []
    for month in range(12):
        if employed[month]:
            months_employed += 1
        taxable += wages[month] - exempt[month] - special[month] - sad[month] - other[month]
        due = tax(taxable - 5000 * months_employed, ANNUAL_2019)
        this_month = max(due - withheld_total, D(0))
        withheld_total += this_month
        out.append(this_month)
    return out


def nonresident_month(income: Decimal) -> Decimal:
    """IIT Law art. 6(1)(2): (income − 5,000) on the monthly table."""
    return tax(income - 5000, MONTHLY_2018)


def annual_bonus(bonus: Decimal) -> Decimal:
    """Caishui [2018] No. 164 §1(1)."""
    return tax(bonus, MONTHLY_2018, spread=12)


def nonresident_bonus(bonus: Decimal) -> Decimal:
    """MOF/STA 2019 No. 35 formula 5, literally: [(B ÷ 6) × r − QD] × 6."""
    if bonus <= 0:
        return D(0)
    rate, quick = band(bonus, MONTHLY_2018, spread=6)
    exact = (Fraction(bonus) / 6 * Fraction(rate) - Fraction(quick)) * 6  # exact: no 28-digit cut
    return (D(exact.numerator) / D(exact.denominator)).quantize(CENT, ROUND_HALF_UP)


def resident_labour_prepayment(receipts: Decimal) -> Decimal:
    """STA 2018 No. 61 art. 8. The expense deduction is a figure of its own on the withholding
    return, so it is stated in fen (half up) before the rate applies."""
    expenses = min(receipts, D(800)) if receipts <= 4000 else (receipts * D("0.2")).quantize(CENT, ROUND_HALF_UP)
    return tax(receipts - expenses, LABOUR)


def reconciliation(comprehensive_income: Decimal, deductions: Decimal) -> Decimal:
    return tax(comprehensive_income - 60000 - deductions, ANNUAL_2019)


def monthly_2011(income: Decimal, foreigner: bool, special: Decimal) -> Decimal:
    return tax(income - special - (4800 if foreigner else 3500), MONTHLY_2011)
