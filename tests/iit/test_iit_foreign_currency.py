"""Pay in a foreign currency (IIT Law art. 16; Regulations art. 32; ``law/iit/foreign_currency``):
the central parity of the last day of the month before the return's month — for wages, declared
the month after payment, the last day of the month paid — and the tax year's last day for tax
that falls due only at the reconciliation. Rates: the real CFETS parities of 2024-12-31 shipped in
``examples/fx/central_parity_2024-12.csv``."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.dates import Month
from expatcn.errors import InputError
from expatcn.examples import EXAMPLES
from expatcn.iit.foreign_currency import Parities, Parity, convert, rate_day
from expatcn.io.fx_rates import read_parities
from expatcn.io.scenario import Scenario
from expatcn.law import load_law

LAW = load_law()
RATES = EXAMPLES / "fx" / "central_parity_2024-12.csv"
DEC = read_parities(RATES)


def test_wages_of_a_month_use_that_month_end_the_last_day_before_the_return_month():
    """March wages are declared in April: the parity of 31 March (the last day of the month before
    the filing month); a bonus owed only at the reconciliation: 31 December of the tax year."""
    assert rate_day(LAW, Month(2025, 3), "withholding") == dt.date(2025, 3, 31)
    assert rate_day(LAW, Month(2024, 2), "withholding") == dt.date(2024, 2, 29)
    assert rate_day(LAW, Month(2025, 3), "reconciliation") == dt.date(2025, 12, 31)


def test_december_2024_eur_wages_at_the_published_parity():
    """CFETS 2024-12-31: 100 EUR = 752.57 yuan → EUR 10,000.00 = RMB 75,257.00; 100 JPY = 4.6233 yuan
    → JPY 1,000,000 = RMB 46,233.00."""
    eur = convert(LAW, Decimal("10000"), "EUR", Month(2024, 12), DEC, "withholding", "months.12.wages")
    assert eur.fen == 7_525_700 and eur.parity.day == dt.date(2024, 12, 31) and eur.parity.rate == Decimal("7.5257")
    jpy = convert(LAW, Decimal("1000000"), "JPY", Month(2024, 12), DEC, "withholding", "w")
    assert jpy.fen == 4_623_300


def test_a_missing_rate_is_an_error_naming_the_date_and_the_currency():
    with pytest.raises(InputError, match=r"no central parity for EUR on 2024-11-30 in .*central_parity_2024-12.csv"):
        convert(LAW, Decimal("8000"), "EUR", Month(2024, 11), DEC, "withholding", "months.11.wages")
    with pytest.raises(InputError, match="USD on 2024-12-31"):
        convert(LAW, Decimal("1"), "USD", Month(2024, 12), Parities([]), "withholding", "w")


def scenario(**data) -> Scenario:
    return Scenario.model_validate({"year": 2024, "person": {"foreigner": True}, **data}).with_rates(DEC)


def test_scenario_amounts_per_amount_and_in_the_file_currency():
    """``"10000 EUR"`` on one amount; ``currency: EUR`` for the months' bare amounts: the same RMB."""
    per_amount = scenario(employment={"from": 12, "to": 12}, months={12: {"wages": "10000 EUR"}}).prepare(LAW)
    in_file = scenario(currency="EUR", employment={"from": 12, "to": 12}, every_month={"wages": 10000}).prepare(LAW)
    assert per_amount.inputs.wages[0, 11] == in_file.inputs.wages[0, 11] == 7_525_700
    assert [c.parity.day for c in in_file.conversions] == [dt.date(2024, 12, 31)]


def test_tax_falling_due_at_the_reconciliation_converts_at_the_year_end():
    """Another payer abroad paid EUR 5,000 in June and withheld nothing: the tax on it is payable
    at the reconciliation, so the amount converts at 2024-12-31, not at 2024-06-30 (art. 32 ¶2)."""
    payer = {"name": "GmbH", "withheld": False, "employment": {"from": 6, "to": 6},
             "every_month": {"income": "5000 EUR"}}
    prepared = scenario(every_month={"wages": 20000}, other_payers=[payer]).prepare(LAW)
    (conversion,) = prepared.conversions
    assert conversion.basis == "reconciliation" and conversion.parity.day == dt.date(2024, 12, 31)
    assert prepared.inputs.other_wages[0, 5] == 3_762_850
    withheld = {**payer, "withheld": True}
    with pytest.raises(InputError, match="other_payers.0.months.6.income: .*EUR on 2024-06-30"):
        scenario(every_month={"wages": 20000}, other_payers=[withheld]).prepare(LAW)


def test_rates_file_errors_name_file_row_and_field(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("date,currency,rate\n2024-12-31,EUR,7.5257\n2024-12-31,usd,abc\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rates.csv, row 3, rate: expected RMB per unit"):
        read_parities(path)
    path.write_text("date,currency,rate\n2024-12-31,EUR,7.5257\n2024-12-31,EUR,7.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="EUR on 2024-12-31 is given twice"):
        read_parities(path)
    path.write_text("day,currency,rate\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 1: columns must be"):
        read_parities(path)
    assert read_parities(EXAMPLES / "fx" / "central_parity_template.csv").by_day == {}  # the template: its header only


@given(st.integers(0, 10**10), st.integers(1, 1_000_000), st.sampled_from([1, 100]))
def test_conversion_is_half_up_to_the_fen(cents, rate_units, unit):
    """RMB = amount × rate ÷ unit, rounded half up to the fen (independent Decimal oracle)."""
    rate = Decimal(rate_units) / 10_000
    amount = Decimal(cents) / 100
    parities = Parities([Parity(dt.date(2024, 12, 31), "EUR", rate, unit)])
    fen = convert(LAW, amount, "EUR", Month(2024, 12), parities, "withholding", "w").fen
    expected = (amount * rate / unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(fen) / 100 == expected


def test_expatcn_tax_shows_the_rate_used(tmp_path):
    path = tmp_path / "eur.yaml"
    path.write_text("year: 2024\nperson: {foreigner: true}\nemployment: {from: 12, to: 12}\n"
                    "months: {12: {wages: 10000 EUR}}\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["tax", str(path), "--fx", str(RATES), "--json"])
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.output)["fx"]
    assert (row["rate"], row["rate_date"], row["rmb"]) == ("7.5257", "2024-12-31", "75257.00")
    missing = runner.invoke(app, ["tax", str(path)])
    assert missing.exit_code != 0 and "--fx" in missing.output
