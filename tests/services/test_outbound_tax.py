"""``expatcn outbound`` with income tax on both sides (issue 14 items 1–2): the host tax, China tax
before and after the foreign tax credit, the carry-forward and the true net, checked by hand."""

from __future__ import annotations

from decimal import Decimal

from expatcn.io.outbound_file import OutboundScenario
from expatcn.law import load_law
from expatcn.services.outbound import outbound

LAW = load_law()


def scenario(**extra) -> OutboundScenario:
    return OutboundScenario.model_validate({"assignments": [{
        "name": "Li Wei — Chicago 2025", "host_country": "US", "start": "2025-01-01", "end": "2025-12-31",
        "host_wage_monthly": "7000.00", "home_city": "shanghai", "china_base_monthly": "20000", **extra}],
        "fx_cny_per_unit": {"USD": "7.00"}})


def test_chicago_year_hand_checked():
    """USD 7,000 a month at 7.00 = RMB 49,000; the year 84,000 USD = 588,000 RMB.
    US: FICA OASDI 6.2% × 84,000 = 5,208.00 + Medicare 1.45% × 7,000 = 101.50 × 12 = 1,218.00 →
    USD 6,426.00 = RMB 44,982.00. Tax: 84,000 − 15,750 = 68,250 → Tax Table row 68,250–68,300,
    midpoint 68,275: 1,192.50 + 4,386.00 + 22% × 19,800 (4,356.00) = 9,934.50 → USD 9,935 = RMB 69,545.00.
    China (Shanghai 2025 on 20,000: 8% + 2% + 0.5% + housing fund 7% = 3,500 a month, 42,000):
    588,000 − 60,000 − 42,000 = 486,000 → 30% − 52,920 = 92,880; credit min(69,545, 92,880) = 69,545;
    after credit 23,335. Net = 588,000 − 69,545 − 44,982 − 23,335 − 42,000 = 408,138.00."""
    [a] = outbound(scenario(), law=LAW).assignments
    [y] = a.taxes.years
    assert (y.host_income, y.host_tax, y.host_tax_cny, y.host_resident) == ("84000.00", "9935.00", "69545.00", True)
    assert (y.host_contributions_cny, y.china_contributions) == ("44982.00", "42000.00")
    assert (y.china_income, y.china_tax_before_credit, y.credit_limit) == ("588000.00", "92880.00", "92880.00")
    assert (y.credit, y.excess, y.china_tax_after_credit, y.carried_forward) == ("69545.00", "0.00", "23335.00", "0.00")
    assert y.net_cny == "408138.00"
    assert Decimal(y.net_cny) == (Decimal(y.china_income) - Decimal(y.host_tax_cny) - Decimal(y.host_contributions_cny)
                                  - Decimal(y.china_tax_after_credit) - Decimal(y.china_contributions))


def test_not_taxed_on_worldwide_income():
    """A foreigner not (yet) past the six-year clock: no China tax on the pay abroad, no credit;
    net = 588,000 − 69,545 − 44,982 − 42,000 = 431,473.00."""
    [a] = outbound(scenario(china_worldwide_income=False), law=LAW).assignments
    [y] = a.taxes.years
    assert (y.china_tax_before_credit, y.credit, y.china_tax_after_credit) == ("0.00", "0.00", "0.00")
    assert y.net_cny == "431473.00"
    assert any("no China tax on the income earned abroad" in n for n in a.taxes.notes)


def test_without_a_rate_only_the_host_tax():
    s = scenario()
    s.fx_cny_per_unit = {}
    [a] = outbound(s, law=LAW).assignments
    [y] = a.taxes.years
    assert y.host_tax == "9935.00" and y.host_tax_cny is None and y.net_cny is None
    assert any("fx_cny_per_unit.USD" in n for n in a.taxes.notes)


def test_a_country_without_an_income_tax_table_says_so():
    s = OutboundScenario.model_validate({"assignments": [{
        "name": "Zurich", "host_country": "CH", "start": "2025-01-01", "end": "2025-12-31",
        "host_wage_monthly": "10000.00", "china_contributions_continue": False}], "fx_cny_per_unit": {"CHF": "8"}})
    [a] = outbound(s, law=LAW).assignments
    [y] = a.taxes.years
    assert y.host_tax is None and y.china_tax_before_credit is not None
    assert any("host income tax for CH is not modelled" in n for n in a.taxes.notes)
