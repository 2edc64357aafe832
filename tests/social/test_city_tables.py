"""The city social insurance and housing fund tables (``law/social/<city>.yaml``) against the
figures their sources publish, to the fen, and the properties every city table must have: a
period for the current month, a name in English and Chinese, no code repository as a source.

Sources of the checkpoints (each named again where it is used):
- Link Compliance, "Shanghai and Beijing City Social Contribution & Housing Fund Adjustment
  Notice": employer caps for July 2023 – June 2024 and from July 2024.
  https://linkcompliance.com/shanghai-and-beijing-city-social-contribution-housing-fund-adjustment-notice
- 沪公积金管委会〔2025〕8号 and 〔2026〕3号: Shanghai housing fund monthly totals at 7%, 376–5,222
  (2025-26) and 384–5,282 (2026-27), each side rounded to the yuan.
- Xiamen housing fund centre, notice of 2026-06-29: monthly totals 226–7,904 (5% at the floor,
  12% at the ceiling), http://gjj.xm.gov.cn/zcfg/zfgjjgwhwj/2026n/202606/t20260629_3003625.htm
- The base notices cited in each table (bases only; the amounts are base × rate, half up).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from expatcn.errors import LawError, SocialDataGap
from expatcn.law import load_law
from expatcn.law.schemas.social import UNCONFIRMED
from expatcn.money import rate_to_ppm, yuan_to_fen
from expatcn.social.cities import cities, city_key
from expatcn.social.contributions import contributions

LAW = load_law()
TODAY = dt.date(2026, 12, 1)
NEW_CITIES = ("hangzhou", "nanjing", "suzhou", "chengdu", "tianjin", "wuhan", "chongqing", "xian",
              "qingdao", "dalian", "xiamen", "ningbo")


def yuan(amount_fen) -> Decimal:
    return Decimal(int(amount_fen)) / 100


def at(city: str, month: dt.date, wage: str, *, housing_fund_rate: str | None = None, work_injury_rate: str | None = None):
    """One employee's contributions (strict and partial: the checkpoints read only published figures)."""
    wages = np.array([yuan_to_fen(Decimal(wage))], dtype=np.int64)
    hf = housing_fund_rate is not None
    return contributions(
        LAW, city, month, wages, participates={"housing_fund": np.array([hf])},
        housing_fund_rate=np.array([rate_to_ppm(Decimal(housing_fund_rate))]) if hf else None,
        work_injury_rate=np.array([rate_to_ppm(Decimal(work_injury_rate))]) if work_injury_rate else None,
        allow_partial=True, carry_forward=False,
    )


def to_yuan(amount_fen) -> int:
    """A share rounded to the yuan, half up, as the housing fund centres publish monthly totals."""
    return int(yuan(amount_fen).quantize(Decimal(1), ROUND_HALF_UP))


# --- every city ------------------------------------------------------------------------------


def test_sixteen_cities_each_named_in_english_and_chinese():
    known = cities(LAW)
    assert {"beijing", "shanghai", "guangzhou", "shenzhen", *NEW_CITIES} <= set(known)
    assert all(name is not None and name.en and name.zh for name in known.values())


@pytest.mark.parametrize("city", sorted(cities(LAW)))
def test_every_city_has_a_period_for_this_month_and_since_july_2023(city):
    table = LAW.table(f"social/{city}")
    assert table.in_force_on(TODAY), f"{city}: no period covers {TODAY}"
    assert table.periods[0].start <= dt.date(2023, 7, 1)
    # the current period holds figures (partly unconfirmed), not a bare "no data"
    assert LAW.value(f"social/{city}", TODAY).no_data is None


@pytest.mark.parametrize("city", sorted(cities(LAW)))
def test_no_code_repository_is_a_source_from_july_2023(city):
    for period in LAW.table(f"social/{city}").periods:
        if period.end is not None and period.end < dt.date(2023, 7, 1):
            continue
        for source in period.sources:
            text = f"{source.title} {source.url or ''} {source.document or ''}".lower()
            assert "github" not in text and "repository" not in text, (city, period.start, source.title)


@pytest.mark.parametrize(
    "given, key",
    [("shanghai", "shanghai"), ("Shanghai", "shanghai"), ("上海", "shanghai"), ("上海市", "shanghai"),
     ("Xi'an", "xian"), ("XI AN", "xian"), ("西安", "xian"), ("xian", "xian"), (" 厦门市 ", "xiamen"),
     ("Chongqing", "chongqing"), ("重庆", "chongqing")],
)
def test_a_city_named_in_either_language_finds_its_table(given, key):
    assert city_key(LAW, given) == key


def test_an_unknown_city_lists_the_known_ones_in_both_languages():
    with pytest.raises(LawError, match=r"no social insurance table for city '杭州湾'.*hangzhou \(杭州\)"):
        city_key(LAW, "杭州湾")


def test_employer_rate_parts_must_add_up_to_the_rate():
    from expatcn.law.schemas.social import SchemeLaw

    with pytest.raises(ValueError, match="add up"):
        SchemeLaw(base_floor=1, base_ceiling=2, employer_rate="0.09", employer_rate_parts=["0.085", "0.004"],
                  employee_rate="0.02")


def test_a_table_name_must_be_written_in_its_language():
    from expatcn.law import parse_table

    text = "title: t\nname: {en: 上海, zh: Shanghai}\nschema: amount\nperiods:\n" \
           "  - {from: 2020-01-01, confidence: high, sources: [{title: s}], value: {amount: 1}}\n"
    with pytest.raises(LawError, match="English name"):
        parse_table("x/y", text, "test")


# --- Beijing and Shanghai: Link Compliance employer caps (2023-24) ---------------------------


@pytest.mark.parametrize(
    "city, month, pension, medical, unemployment",
    [("beijing", dt.date(2023, 10, 1), "5422.56", "3321.32", "169.46"),   # 33,891 × 16% / 9.8% / 0.5%
     ("beijing", dt.date(2024, 10, 1), "5645.28", "3457.73", "176.42"),   # 35,283
     # 36,549 × 16% / (8.5% + 0.5%, each to the fen: 3,106.67 + 182.75; 9% would be 3,289.41) / 0.5%
     ("shanghai", dt.date(2023, 10, 1), "5847.84", "3289.42", "182.75"),
     ("shanghai", dt.date(2024, 10, 1), "5907.36", "3322.90", "184.61")],  # 36,921 (9% would be 3,322.89)
)
def test_link_compliance_employer_caps(city, month, pension, medical, unemployment):
    r = at(city, month, "100000")
    assert yuan(r.schemes["pension"].employer[0]) == Decimal(pension)
    assert yuan(r.schemes["medical"].employer[0]) == Decimal(medical)
    assert yuan(r.schemes["unemployment"].employer[0]) == Decimal(unemployment)


@pytest.mark.parametrize("city", ["beijing", "shanghai"])
def test_2023_24_floors_known_only_as_a_bound(city):
    """The 2023-24 floors appear only in calculator code; 60% of the average wage bounds them."""
    assert at(city, dt.date(2023, 10, 1), "5000").schemes["pension"].employee_unknown[0]
    assert not at(city, dt.date(2023, 10, 1), "7400").schemes["pension"].employee_unknown[0]


def test_beijing_2026_27_bases_and_the_2025_housing_fund_floor():
    """京人社发〔2026〕7号: 7,270–36,348; 京房公积金管委会办〔2026〕6号: housing fund 2,540–36,348."""
    r = at("beijing", dt.date(2026, 12, 1), "2000", housing_fund_rate="0.12")
    assert yuan(r.schemes["pension"].employee[0]) == Decimal("581.60")       # 7,270 × 8%
    assert yuan(r.schemes["housing_fund"].employee[0]) == Decimal("304.80")  # 2,540 × 12%
    top = at("beijing", dt.date(2026, 12, 1), "50000")
    assert yuan(top.schemes["medical"].employee[0]) == Decimal("729.96")     # 36,348 × 2% + RMB 3
    # July–August 2025: the floor is the minimum wage, 2,420 or 2,540 — wages from 2,540 decided
    july = at("beijing", dt.date(2025, 7, 1), "2500", housing_fund_rate="0.12")
    assert july.schemes["housing_fund"].employee_unknown[0]
    sept = at("beijing", dt.date(2025, 9, 1), "2500", housing_fund_rate="0.12")
    assert yuan(sept.schemes["housing_fund"].employee[0]) == Decimal("304.80")


@pytest.mark.parametrize(
    "month, floor_total, ceiling_total",
    [(dt.date(2025, 9, 1), 376, 5_222),   # 沪公积金管委会〔2025〕8号: 2,690–37,302 at 7%
     (dt.date(2026, 9, 1), 384, 5_282)],  # 沪公积金管委会〔2026〕3号: 2,740–37,731 at 7%
)
def test_shanghai_housing_fund_monthly_totals_as_published(month, floor_total, ceiling_total):
    low = at("shanghai", month, "1000", housing_fund_rate="0.07")
    high = at("shanghai", month, "100000", housing_fund_rate="0.07")
    assert 2 * to_yuan(low.schemes["housing_fund"].employee[0]) == floor_total
    assert 2 * to_yuan(high.schemes["housing_fund"].employee[0]) == ceiling_total


def test_shanghai_2026_27_bases_with_rates():
    """2026-08-18 announcement: 7,546–37,731; 16% / 9% employer (沪医保规〔2026〕2号)."""
    r = at("shanghai", dt.date(2026, 12, 1), "100000")
    assert yuan(r.schemes["pension"].employer[0]) == Decimal("6036.96")  # 37,731 × 16%
    assert yuan(r.schemes["medical"].employer[0]) == Decimal("3395.80")  # 3,207.14 + 188.66 (8.5% + 0.5%)
    assert yuan(r.employee_total[0]) == Decimal("3961.76")               # 37,731 × 10.5% = 3,961.755


# --- Guangzhou and Shenzhen ------------------------------------------------------------------


def test_guangzhou_pension_2025_26_and_housing_fund_floor_from_september_2026():
    """粤人社发〔2025〕32号: 5,510–27,549; the centre's notice under 粤府函〔2026〕188号: 2,680."""
    r = at("guangzhou", dt.date(2025, 10, 1), "100000")
    assert yuan(r.schemes["pension"].employee[0]) == Decimal("2203.92")  # 27,549 × 8%
    assert yuan(r.schemes["pension"].employer[0]) == Decimal("4407.84")  # 27,549 × 16%
    aug = at("guangzhou", dt.date(2026, 8, 1), "2000", housing_fund_rate="0.05")
    sep = at("guangzhou", dt.date(2026, 9, 1), "2000", housing_fund_rate="0.05")
    assert yuan(aug.schemes["housing_fund"].employee[0]) == Decimal("125.00")  # 2,500 × 5%
    assert yuan(sep.schemes["housing_fund"].employee[0]) == Decimal("134.00")  # 2,680 × 5%


def test_shenzhen_2026_medical_tier_one_and_maternity():
    """Shenzhen healthcare security bureau, 2025-12-29: 6,727–33,633, tier 1 6% / 2%, maternity 0.5%."""
    r = at("shenzhen", dt.date(2026, 12, 1), "100000")
    assert yuan(r.schemes["medical"].employer[0]) == Decimal("2017.98")   # 33,633 × 6%
    assert yuan(r.schemes["medical"].employee[0]) == Decimal("672.66")    # 33,633 × 2%
    assert yuan(r.schemes["maternity"].employer[0]) == Decimal("168.17")  # 33,633 × 0.5% = 168.165
    assert r.schemes["maternity"].employee[0] == 0
    # 2024-25 and 2025 maternity: not found in any source
    assert at("shenzhen", dt.date(2025, 9, 1), "20000").schemes["maternity"].employer_unknown[0]


# --- the new cities: published bases × rates ---------------------------------------------------


@pytest.mark.parametrize(
    "city, month, wage, scheme, side, expected",
    [
        # 浙人社发〔2025〕52号: 4,986–25,299
        ("hangzhou", dt.date(2025, 5, 1), "3000", "pension", "employee", "398.88"),
        # 苏人社发〔2025〕33号: 4,952–24,762; 宁医发〔2022〕62号: 2% + RMB 10
        ("nanjing", dt.date(2025, 11, 1), "100000", "medical", "employee", "505.24"),
        # the same Jiangsu range; Suzhou 2% + RMB 5 (Jiangsu tax bureau, 2026-04-14)
        ("suzhou", dt.date(2025, 11, 1), "3000", "medical", "employee", "104.04"),
        # 川人社办发〔2026〕50号: 4,699–23,493
        ("chengdu", dt.date(2026, 12, 1), "100000", "pension", "employer", "3758.88"),
        # 津人社局发〔2026〕5号: 5,180–25,902; 津医保规字〔2026〕1号: 10.5%
        ("tianjin", dt.date(2026, 12, 1), "100000", "medical", "employer", "2719.71"),
        # 鄂人社发〔2025〕28号 (tier 1): 4,498–22,488
        ("wuhan", dt.date(2025, 12, 1), "100000", "pension", "employee", "1799.04"),
        # Chongqing tax bureau, 2026-09-20: 4,553–22,765
        ("chongqing", dt.date(2026, 12, 1), "3000", "pension", "employer", "728.48"),
        # 陕人社函〔2026〕326号: 4,737–23,685
        ("xian", dt.date(2026, 12, 1), "100000", "pension", "employee", "1894.80"),
        # 鲁人社字〔2026〕75号: 4,573–22,863; Qingdao 2% + RMB 5
        ("qingdao", dt.date(2026, 12, 1), "3000", "medical", "employee", "96.46"),
        # 辽人社〔2026〕19号: 4,533–22,665
        ("dalian", dt.date(2026, 12, 1), "100000", "pension", "employer", "3626.40"),
        # 闽医保函〔2026〕65号: 4,579–22,893; Xiamen 7.5% (as reported)
        ("xiamen", dt.date(2026, 12, 1), "100000", "medical", "employer", "1716.98"),
    ],
)
def test_published_bases_times_rates(city, month, wage, scheme, side, expected):
    r = at(city, month, wage)
    result = r.schemes[scheme]
    assert not getattr(result, f"{side}_unknown")[0]
    assert yuan(getattr(result, side)[0]) == Decimal(expected)


@pytest.mark.parametrize(
    "city, ceiling_share",
    [("hangzhou", "5058.12"),   # 杭公积金〔2026〕38号: ceiling 42,151 × 12%
     ("nanjing", "5088.00"),    # 宁金管规〔2026〕2号: 42,400 × 12%
     ("chengdu", "3956.28"),    # 成公积金委〔2026〕5号: 32,969 × 12%
     ("tianjin", "3470.04"),    # 津公积金委〔2026〕3号: 28,917 × 12%
     ("chongqing", "3767.16"),  # 渝公积金发〔2026〕51号: 31,393 × 12%
     ("xian", "3927.12"),       # 西房金管发〔2026〕1号: 32,726 × 12%
     ("qingdao", "4121.13"),    # 青住金发〔2026〕5号: 34,342.75 × 12% = 4,121.13
     ("dalian", "3831.48")],    # 大房金发〔2026〕12号: 31,929 × 12%
)
def test_housing_fund_2026_27_ceilings(city, ceiling_share):
    r = at(city, dt.date(2026, 12, 1), "100000", housing_fund_rate="0.12")
    assert yuan(r.schemes["housing_fund"].employee[0]) == Decimal(ceiling_share)
    assert r.schemes["housing_fund"].employer[0] == r.schemes["housing_fund"].employee[0]


def test_xiamen_housing_fund_monthly_totals_as_published():
    """Xiamen housing fund centre, 2026-06-29: 2,265–32,937; monthly totals 226 (5%) to 7,904 (12%)."""
    low = at("xiamen", dt.date(2026, 9, 1), "1000", housing_fund_rate="0.05")
    high = at("xiamen", dt.date(2026, 9, 1), "100000", housing_fund_rate="0.12")
    assert yuan(low.schemes["housing_fund"].employee[0]) == Decimal("113.25")
    assert 2 * to_yuan(low.schemes["housing_fund"].employee[0]) == 226
    assert 2 * to_yuan(high.schemes["housing_fund"].employee[0]) == 7_904


def test_xiamen_work_injury_base_from_august_2026_with_the_employers_rate():
    """闽人社文〔2026〕10号: 4,579–22,893 from August 2026; July's base is not sourced."""
    aug = at("xiamen", dt.date(2026, 8, 1), "3000", work_injury_rate="0.002")
    assert yuan(aug.schemes["work_injury"].employer[0]) == Decimal("9.16")  # 4,579 × 0.2% = 9.158
    assert at("xiamen", dt.date(2026, 7, 1), "3000", work_injury_rate="0.002").schemes["work_injury"].employer_unknown[0]


def test_ningbo_housing_fund_floor_only():
    """甬房金管委〔2026〕2号: floor 2,660; the ceiling is reported two ways (unconfirmed)."""
    r = at("ningbo", dt.date(2026, 12, 1), "2000", housing_fund_rate="0.05")
    assert yuan(r.schemes["housing_fund"].employee[0]) == Decimal("133.00")  # 2,660 × 5%
    assert at("ningbo", dt.date(2026, 12, 1), "30000", housing_fund_rate="0.05").schemes["housing_fund"].employee_unknown[0]


def test_unpublished_2026_bases_stay_unconfirmed():
    """Jiangsu and Zhejiang have not set 2026 ranges; Guangdong has no 2026-27 pension range."""
    for city in ("nanjing", "suzhou", "hangzhou"):
        assert LAW.value(f"social/{city}", TODAY).schemes["pension"].base_floor == UNCONFIRMED
    assert LAW.value("social/guangzhou", TODAY).schemes["pension"].base_ceiling == UNCONFIRMED
    with pytest.raises(SocialDataGap, match=r"nanjing 2026-12: .*pension.*strict"):
        contributions(LAW, "nanjing", TODAY, np.array([yuan_to_fen(Decimal(10_000))]), carry_forward=False)
