"""City social insurance contributions against sourced figures, an independent Decimal oracle,
and properties. Sources: seed 004_a036c588d34d5f7c (2011); Forvis Mazars China, Dec. 2024 —
Social Insurance Base of 2024 (2024-25 tables)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expatcn.law import LawError, load_law
from expatcn.money import yuan_to_fen
from expatcn.social.contributions import SocialDataGap, cities, contributions
from expatcn.social.figures import CARRIED_FORWARD

LAW = load_law()


def fen(yuan) -> int:
    return yuan_to_fen(Decimal(str(yuan)))


def run(city, month, wages, **kw):
    wages = np.array([fen(w) for w in wages], dtype=np.int64)
    kw.setdefault("participates", {"housing_fund": np.zeros(wages.size, dtype=bool)})
    return contributions(LAW, city, month, wages, **kw)


def yuan(amount_fen) -> Decimal:
    return Decimal(int(amount_fen)) / 100


# --- seed 004 (2011-10-21) -------------------------------------------------------------------


def test_beijing_2011_ceiling_employee_1289_employer_4046_to_4134():
    low = run("beijing", dt.date(2011, 11, 1), [12_603, 30_000])
    high = run("beijing", dt.date(2011, 11, 1), [12_603], work_injury_rate=np.array([10_000]))
    # 12,603 × 10.2% + RMB 3 = 1,288.51 -> "RMB 1,289"
    assert [yuan(x) for x in low.employee_total] == [Decimal("1288.51")] * 2
    assert round(yuan(low.employee_total[0])) == 1_289
    assert round(yuan(low.employer_total[0])) == 4_046  # 32.1%
    assert round(yuan(high.employer_total[0])) == 4_134  # 32.8%


def test_shanghai_2011_ceiling_employee_1286_employer_4325():
    r = run("shanghai", dt.date(2011, 10, 1), [11_688, 50_000])
    assert [yuan(x) for x in r.employee_total] == [Decimal("1285.68")] * 2
    assert round(yuan(r.employer_total[0])) == 4_325


def test_guangzhou_2011_seed_ranges():
    # employee 943–1,216 and employer 1,831–2,893 (non-Guangzhou vs Guangzhou citizen, injury 0.5%–1.5%)
    r = run("guangzhou", dt.date(2011, 12, 1), [13_623, 13_623], local_hukou=np.array([False, True]),
            work_injury_rate=np.array([5_000, 15_000]))
    assert [round(yuan(x)) for x in r.employee_total] == [943, 1_216]
    assert [round(yuan(x)) for x in r.employer_total] == [1_831, 2_893]


def test_2011_below_ceiling_without_sourced_floor_is_an_error():
    with pytest.raises(SocialDataGap, match=r"beijing 2011-11: .*unconfirmed for: pension"):
        run("beijing", dt.date(2011, 11, 1), [5_000])


# --- Forvis Mazars 2024-25: cases in tests/cases/social/forvis_mazars_2024.yaml --------------


# --- gaps are errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "city, month, message",
    [
        ("beijing", dt.date(2016, 5, 1), "no social insurance data for beijing in 2016-05"),
        ("shanghai", dt.date(2010, 1, 1), "no social insurance data for shanghai in 2010-01"),
        ("guangzhou", dt.date(2028, 1, 1), "no social insurance data for guangzhou in 2028-01"),
        ("shenzhen", dt.date(2011, 11, 1), "no social insurance data for shenzhen in 2011-11"),
    ],
)
def test_month_without_data_names_city_and_month(city, month, message):
    with pytest.raises(SocialDataGap, match=message):
        run(city, month, [10_000])


def test_unknown_city():
    with pytest.raises(LawError, match="no social insurance table for city 'atlantis'"):
        run("atlantis", dt.date(2025, 1, 1), [10_000])


def test_shanghai_medical_rate_after_the_2026_notice_unconfirmed():
    # 沪医保规〔2026〕2号 sets 9% to 2027-02-28; nothing is published for the months after it
    run("shanghai", dt.date(2027, 2, 1), [10_000])
    with pytest.raises(SocialDataGap, match=r"shanghai 2027-03: .*medical \(employer.*strict"):
        run("shanghai", dt.date(2027, 3, 1), [10_000], carry_forward=False)


def test_shanghai_medical_rate_carried_forward_from_the_2026_notice():
    """Not strict: March 2027 declares on the last published 9% (8.5% + 0.5%, each to the fen),
    flagged as carried forward from the 2026-07..2027-02 period; the employee side is published."""
    r = run("shanghai", dt.date(2027, 3, 1), [50_000, 10_000])
    medical = r.schemes["medical"]
    # 37,731 × 8.5% = 3,207.135 -> 3,207.14; × 0.5% = 188.655 -> 188.66; 10,000: 850.00 + 50.00
    assert [yuan(x) for x in medical.employer] == [Decimal("3395.80"), Decimal("900.00")]
    assert medical.sources["employer_rate"].kind == CARRIED_FORWARD
    assert medical.sources["employer_rate"].text() == "carried forward from 2026-07..2027-02"
    assert medical.employer_carried.all() and not medical.employee_carried.any()
    assert r.employer_carried.all() and not r.employee_carried.any()
    assert not r.schemes["pension"].employer_carried.any()


def test_work_injury_rate_outside_range_rejected():
    with pytest.raises(LawError, match="outside the legal range"):
        run("beijing", dt.date(2024, 9, 1), [10_000], work_injury_rate=np.array([50_000]))


def test_floor_at_most_decides_wages_above_it():
    # Guangzhou 2024-25 work-injury floor: Forvis prints 2,100 (an old minimum wage), the minimum
    # wage was 2,300; the floor is at most 2,300: a wage of 10,000 is decided, 2,200 is not
    r = run("guangzhou", dt.date(2024, 9, 1), [10_000, 2_200], allow_partial=True, carry_forward=False)
    w = r.schemes["work_injury"]
    assert not w.employer_unknown[0] and w.employer_unknown[1]
    # not strict: the floor published last is carried forward, no higher than the bound 2,300 —
    # and only the wage below the bound rests on it
    carried = run("guangzhou", dt.date(2024, 9, 1), [10_000, 2_200]).schemes["work_injury"]
    assert carried.sources["base_floor"].kind == CARRIED_FORWARD
    assert list(carried.employer_carried) == [False, True]
    assert 220_000 <= carried.base[1] <= 230_000


# --- Decimal oracle -------------------------------------------------------------------------

CENT = Decimal("0.01")


def oracle(city: str, month: dt.date, wage: Decimal) -> tuple[Decimal, Decimal]:
    """Employee and employer totals with plain Decimal, read from the table's raw YAML values
    (lowest work-injury rate, no housing fund, non-local). An unconfirmed floor is bounded by
    ``base_floor_at_most``; the wages drawn lie above it."""
    v = LAW.value(f"social/{city}", month)
    ee = er = Decimal(0)
    for name, s in v.schemes.items():
        base = max(wage, Decimal(s.base_floor_at_most if s.base_floor == "unconfirmed" else s.base_floor))
        if s.base_ceiling is not None:
            base = min(base, Decimal(s.base_ceiling))
        er_rate = s.employer_rate_range[0] if s.employer_rate_range else (s.employer_rate_nonlocal or s.employer_rate)
        ee_rate = s.employee_rate_nonlocal or s.employee_rate
        ee += (base * Decimal(ee_rate)).quantize(CENT, ROUND_HALF_UP) + s.employee_fixed
        for part in s.employer_rate_parts or (er_rate,):  # parts collected apart, each to the fen
            er += (base * Decimal(part)).quantize(CENT, ROUND_HALF_UP)
    return ee, er


MINIMUM_WAGE = 254_000  # fen: wages from Beijing's 2,540 up, above every floor known only as a bound
ORACLE_CASES = [("beijing", dt.date(2024, 9, 1)), ("shanghai", dt.date(2024, 9, 1)),
                ("guangzhou", dt.date(2024, 9, 1)), ("beijing", dt.date(2019, 9, 1)),
                ("shanghai", dt.date(2019, 9, 1)), ("shanghai", dt.date(2021, 9, 1))]


@settings(max_examples=150, deadline=None)
@given(case=st.sampled_from(ORACLE_CASES), cents=st.integers(min_value=MINIMUM_WAGE, max_value=20_000_000))
def test_engine_matches_decimal_oracle(case, cents):
    city, month = case
    wage = Decimal(cents) / 100
    r = run(city, month, [wage])
    ee, er = oracle(city, month, wage)
    assert yuan(r.employee_total[0]) == ee
    assert yuan(r.employer_total[0]) == er


HF_CASES = [("beijing", dt.date(2024, 9, 1)), ("shanghai", dt.date(2024, 9, 1)), ("guangzhou", dt.date(2024, 9, 1)),
            ("beijing", dt.date(2025, 9, 1)), ("shanghai", dt.date(2025, 9, 1))]


@settings(max_examples=100, deadline=None)
@given(case=st.sampled_from(HF_CASES),
       wages=st.lists(st.integers(min_value=MINIMUM_WAGE, max_value=20_000_000), min_size=2, max_size=40))
def test_contributions_never_decrease_as_wages_rise(case, wages):
    city, month = case
    ordered = np.sort(np.array(wages, dtype=np.int64))
    r = contributions(LAW, city, month, ordered,
                      participates={"housing_fund": np.ones(ordered.size, dtype=bool)})
    for total in (r.employee_total, r.employer_total, r.employee_deduction):
        assert (np.diff(total) >= 0).all()


def test_each_city_and_month_from_its_own_table():
    """The same wage in different cities and months: each from its own table (gross_to_net groups
    employees by city and month the same way)."""
    rows = [("beijing", dt.date(2024, 9, 1), "2103.00"), ("shanghai", dt.date(2024, 9, 1), "2100.00"),
            ("beijing", dt.date(2025, 3, 1), "2103.00"), ("guangzhou", dt.date(2024, 10, 1), "2040.00")]
    for city, month, employee_total in rows:
        assert yuan(run(city, month, [20_000]).employee_total[0]) == Decimal(employee_total), (city, month)


def test_cities_are_the_city_tables_only():
    """One test of "which cities have tables" (the importer, the planner, the forms and the engine
    use it): the social_city tables, not the agreements, foreigners or host-country tables."""
    known = cities(LAW)
    assert {"beijing", "guangzhou", "shanghai", "shenzhen"} <= set(known) and known == sorted(known)
    assert not {"agreements", "foreigners", "housing_fund_tax_cap", "pension_refund"} & set(known)
    assert all("/" not in city for city in known)
    with pytest.raises(LawError, match="known cities: " + ", ".join(known)):
        contributions(LAW, "agreements", dt.date(2025, 1, 1), np.array([1_000_000]))


def test_contribution_base_is_the_clip_and_says_what_is_known():
    """The base rule the engine runs (the city tables' floor and ceiling; "known" where the known
    limits decide it)."""
    from expatcn.social.contributions import contribution_base

    wage = np.array([100_000, 1_000_000, 5_000_000], dtype=np.int64)
    base, known = contribution_base(wage, 700_000, 3_600_000)
    assert base.tolist() == [700_000, 1_000_000, 3_600_000] and known is None  # both limits known
    base, known = contribution_base(wage, 700_000, None)  # ceiling unconfirmed
    assert base.tolist() == [700_000, 1_000_000, 5_000_000] and known.tolist() == [True, False, False]
    base, known = contribution_base(wage, None, 3_600_000, floor_at_most=800_000)  # floor unconfirmed, ≤ 8,000
    assert base.tolist() == [100_000, 1_000_000, 3_600_000] and known.tolist() == [False, True, True]
    base, known = contribution_base(wage, 700_000, "none")  # no ceiling
    assert base.tolist() == [700_000, 1_000_000, 5_000_000] and known is None
