"""Host income tax and China's foreign tax credit in outbound plans (issue 14 items 1–2 wired):
a Chinese engineer from Shanghai to Chicago and to Munich for 2025, every figure checked by hand.

employee net = gross − host income tax − host contributions − China tax after credit − China contributions
"""

from __future__ import annotations

import pytest

from expatcn.io.assignment_file import parse_assignment
from expatcn.law import load_law
from expatcn.planning import plan

ENGINEER = {
    "title": "Li Wei 2025", "person": {"name": "Li Wei", "nationality": "CN"}, "home_country": "CN",
    "city": "shanghai", "start": "2025-01-01", "end": "2025-12-31",
    "package": {"currency": "CNY", "salary_monthly": 50000, "china_contribution_wage": 20000},
    "fx": {"USD": "7.10", "EUR": "7.80"},
}


def domain(raw: dict):
    return parse_assignment(raw, "a.yaml").to_assignment()


@pytest.fixture(scope="module")
def plans():
    law = load_law()
    us = domain({**ENGINEER, "host_country": "US", "structures": ["double_contributions", "localization"]})
    de = domain({**ENGINEER, "host_country": "DE", "certificate": {"from": "2025-01-01"},
                 "structures": ["ssa_certificate"]})
    return plan([us, de], law)


# China, both destinations. Shanghai 2025, contribution wage 20,000 (inside the floor and ceiling all
# year): employee pension 8% 1,600 + medical 2% 400 + unemployment 0.5% 100 + housing fund 7% 1,400
# = 3,500 a month, 42,000 a year. Worldwide income 12 × 50,000 = 600,000; taxable = 600,000 − 60,000
# − 42,000 = 498,000 → annual table 30% − 52,920: 149,400 − 52,920 = 96,480 (China tax before credit).
CHINA_CONTRIBUTIONS = 42_000_00
CHINA_TAX = 96_480_00
GROSS = 600_000_00


def test_chicago_hand_checked(plans):
    """US 2025, single, federal only. Monthly wage 50,000 / 7.10 = 7,042.2535 → USD 7,042.25
    (half up to the cent); year 84,507.00. Employee FICA: OASDI on the year's running total (the
    cumulative base, rounded as a running total): 6.2% × 84,507.00 = 5,239.434 → 5,239.43; Medicare
    1.45% month by month = 102.112625 → 102.11, × 12 = 1,225.32; USD 6,464.75 (below the 176,100 base
    and the 200,000 Additional Medicare threshold) → × 7.10 = RMB 45,899.725 → 45,899.73.
    Income tax: taxable 84,507 − 15,750 = 68,757 → Tax Table row 68,750–68,800, midpoint 68,775:
    1,192.50 + 12% × 36,550 (4,386.00) + 22% × 20,300 (4,466.00) = 10,044.50 → USD 10,045 → RMB 71,319.50.
    Credit: the limit is the whole China tax (all income foreign-source): min(71,319.50, 96,480) =
    71,319.50; China tax after credit 25,160.50.
    Net = 600,000 − 71,319.50 − 45,899.73 − 25,160.50 − 42,000 = 415,620.27."""
    y = plans[0].structure("double_contributions").years[0]
    assert (y.abroad_currency, y.abroad_employee) == ("USD", 6_464_75)
    assert y.abroad_employee_cny == 45_899_73
    assert (y.host_tax, y.host_tax_cny, y.host_resident) == (10_045_00, 71_319_50, True)
    assert y.china_employee == CHINA_CONTRIBUTIONS and y.china_tax == CHINA_TAX
    assert (y.credit_limit, y.credit, y.excess, y.china_tax_after_credit) == (CHINA_TAX, 71_319_50, 0, 25_160_50)
    assert y.employee_net_cny == 415_620_27
    assert y.employee_net_cny == (GROSS - y.host_tax_cny - y.abroad_employee_cny - y.china_tax_after_credit
                                  - y.china_employee)
    # localized: no China contributions, so 60,000 less is deducted: taxable 540,000 → 162,000 − 52,920
    # = 109,080; credit 71,319.50 → after 37,760.50; net = 600,000 − 71,319.50 − 45,899.73 − 37,760.50
    local = plans[0].structure("localization").years[0]
    assert (local.china_employee, local.china_tax, local.china_tax_after_credit) == (0, 109_080_00, 37_760_50)
    assert local.employee_net_cny == 445_020_27


def test_munich_with_certificate_hand_checked(plans):
    """DE 2025 with the Sino-German certificate (pension and unemployment removed). Monthly wage
    50,000 / 7.80 = 6,410.2564 → EUR 6,410.26; year 76,923.12. Health 8.55% and care 1.8% on the
    5,512.50 ceiling: 471.31875 → 471.32 and 99.225 → 99.23, 570.55 a month, EUR 6,846.60 a year →
    × 7.80 = RMB 53,403.48. Deductible (§10 EStG): health × 24/25 = 5,655.84 × 0.96 = 5,429.6064 →
    5,429.61, care 1,190.76: 6,620.37. zvE = 76,923.12 − 1,230 − 36 − 6,620.37 = 69,036.75 → 69,036;
    tariff 2025 zone 4: 0.42 × 69,036 − 10,911.92 = 18,083.20 → EUR 18,083 (below the 19,950 solidarity
    limit: no surcharge) → RMB 141,047.40. Credit: min(141,047.40, limit 96,480) = 96,480 — the limit
    binds; China tax after credit 0; 44,567.40 carried forward (five years, Germany only).
    Net = 600,000 − 141,047.40 − 53,403.48 − 0 − 42,000 = 363,549.12."""
    y = plans[1].structure("ssa_certificate").years[0]
    assert (y.abroad_currency, y.abroad_employee, y.abroad_employee_cny) == ("EUR", 6_846_60, 53_403_48)
    assert y.abroad_deductible == 6_620_37
    assert (y.host_tax, y.host_tax_cny) == (18_083_00, 141_047_40)
    assert y.china_employee == CHINA_CONTRIBUTIONS and y.china_tax == CHINA_TAX
    assert (y.credit, y.excess, y.carried_forward, y.china_tax_after_credit) == (CHINA_TAX, 44_567_40, 44_567_40, 0)
    assert y.employee_net_cny == 363_549_12
    assert y.employee_net_cny == (GROSS - y.host_tax_cny - y.abroad_employee_cny - y.china_tax_after_credit
                                  - y.china_employee)


def test_equalized_chicago_hand_checked():
    """Tax equalization on the same Chicago year (double contributions): the policy's hypothetical
    tax is 20% of the home gross (120,000) and contributions 3,500 a month (42,000). The employer
    pays what is actually due: US tax 71,319.50 + China tax after credit 25,160.50 + China
    contributions 42,000 + US contributions 45,899.73 = 184,379.73, and recovers 162,000: the
    equalization cost is 22,379.73. The assignee keeps 600,000 − 120,000 − 42,000 = 438,000."""
    raw = {**ENGINEER, "host_country": "US", "structures": ["double_contributions"],
           "equalization": {"hypothetical_tax": {"rate": "0.20"}, "hypothetical_contributions": {"monthly": 3500}}}
    [p] = plan([domain(raw)], load_law())
    y = p.structure("double_contributions").years[0]
    assert (y.hypothetical_tax, y.hypothetical_true_up, y.hypothetical_contributions) == (120_000_00, 0, 42_000_00)
    assert y.equalization_cost == 22_379_73
    assert y.employee_net_cny == 438_000_00
    assert y.employer_cost_cny == GROSS + y.china_employer + y.abroad_employer_cny + 22_379_73
    assert any("gross-up" in a for a in p.assumptions)


def test_equalization_true_up_with_a_progressive_policy():
    """A bonus month under a progressive hypothetical table (10% to 600,000; 20% − 60,000 to
    1,200,000; 30% − 180,000 above), withheld as 1/12 of the table on 12 × the month: January–
    November 50,000 → 600,000 → 60,000 / 12 = 5,000 a month (55,000); December 150,000 →
    1,800,000 → 540,000 − 180,000 = 360,000 / 12 = 30,000. Withheld 85,000; the year's 700,000 →
    140,000 − 60,000 = 80,000: the employer owes a true-up of 5,000."""
    table = [{"up_to": 600000, "rate": "0.10"}, {"up_to": 1200000, "rate": "0.20", "quick_deduction": 60000},
             {"up_to": None, "rate": "0.30", "quick_deduction": 180000}]
    raw = {**ENGINEER, "host_country": "DE", "structures": ["double_contributions"],
           "package": {**ENGINEER["package"], "bonus": {"amount": 100000, "month": 12}},
           "equalization": {"hypothetical_tax": {"table": table}, "hypothetical_contributions": {"monthly": 3500}}}
    [p] = plan([domain(raw)], load_law())
    y = p.structure("double_contributions").years[0]
    assert (y.hypothetical_tax, y.hypothetical_true_up) == (80_000_00, -5_000_00)
    actual = y.host_tax_cny + y.china_tax_after_credit + y.china_employee + y.abroad_employee_cny
    assert y.equalization_cost == actual - 80_000_00 - 42_000_00
    assert y.employee_net_cny == 700_000_00 - 80_000_00 - 42_000_00


def test_carry_forward_used_in_a_later_plan_year():
    """Munich from January 2025 to March 2026 (double contributions). 2025: the German tax is above
    the China tax, the excess is carried forward. 2026 has only three months: China taxes 150,000
    with the full 60,000 basic deduction (10,500 of contributions: 79,500 → 10% − 2,520 = 5,430),
    while Germany's tax on three months' wages falls in its second zone (a few hundred euros): the
    room under the 2026 limit takes up part of the 2025 excess, and the rest stays carried forward.
    In each year the ledger balances: end = start − used − lapsed + this year's excess."""
    raw = {**ENGINEER, "host_country": "DE", "end": "2026-03-31", "structures": ["double_contributions"]}
    [p] = plan([domain(raw)], load_law())
    y1, y2 = p.structure("double_contributions").years
    assert y1.excess > 0 and y1.carried_forward == y1.excess and y1.china_tax_after_credit == 0
    assert y2.china_tax == 5_430_00 and 0 < y2.host_tax_cny < y2.china_tax
    room = y2.credit_limit - (y2.credit - y2.carry_forward_used)
    assert y2.carry_forward_used == min(room, y1.excess) > 0
    assert y2.carried_forward == y1.carried_forward - y2.carry_forward_used - y2.lapsed + y2.excess
    assert y2.china_tax_after_credit == y2.china_tax - y2.credit == 0
    assert y2.employee_net_cny == (3 * 50_000_00 - y2.host_tax_cny - y2.abroad_employee_cny
                                   - y2.china_tax_after_credit - y2.china_employee)


def test_carry_forward_ledger_balances_in_the_shipped_plan():
    """The shipped US-or-Germany file: in every structure-year what is carried forward at a year end
    is last year's balance, less what this year's room used and what lapsed, plus this year's
    excess; China tax after credit is never below zero and the credit never above the limit."""
    from pathlib import Path

    from expatcn.io.assignment_file import load_assignments
    from expatcn.law_overlays import overlay_path

    path = Path(__file__).parents[2] / "src" / "expatcn" / "examples" / "assignment_chinese_engineer_us_vs_de.yaml"
    files = [f.to_assignment() for f in load_assignments(path)]
    law = load_law(tuple(str(overlay_path(n)) for n in files[0].projections))
    for p in plan(files, law):
        for st in p.structures:
            before = 0
            for y in st.years:
                assert y.carried_forward == before - y.carry_forward_used - y.lapsed + y.excess
                assert 0 <= y.china_tax_after_credit == y.china_tax - y.credit
                assert y.credit <= y.credit_limit
                before = y.carried_forward
