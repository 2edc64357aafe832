"""Tax equalization and the employer-borne-tax gross-up formula."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import fen
from expatcn.cli import app
from expatcn.equalization import HypotheticalTax, equalize
from expatcn.examples import EXAMPLES
from expatcn.grossup import grossup_wages
from expatcn.iit.inputs import YearInputs
from expatcn.law import load_law
from expatcn.law.schemas.common import TaxSchedule

LAW = load_law()


def test_employer_borne_tax_formula_of_guoshuifa_1994_89():
    """Guoshuifa [1994] No. 89 (as summarised by Lehman, Lee & Xu, "How is the taxation liability
    for an expatriate employee calculated?"): where the employer bears the tax, taxable income =
    (net income − deduction − quick deduction) ÷ (1 − rate). A foreigner in 2016 netting 10,000:
    (10,000 − 4,800 − 555) ÷ 80% = 5,806.25 taxable → tax 606.25 → gross 10,606.25.
    https://lehmanlaw.com/resource-centre/faqs/taxation/how-is-the-taxation-liability-for-an-expatriate-employee-calculated.html"""
    template = YearInputs(year=2016, wages=np.zeros((1, 12)), foreigner=np.array([True]))
    found = grossup_wages(np.full((1, 12), fen(10000)), template, LAW)
    assert found.gross_wages[0, 0] == fen("10606.25")
    assert found.result.monthly["wage_tax"][0, 0] == fen("606.25")


def test_equalization_cost_is_actual_less_hypothetical_taxes():
    """Derived: home gross 50,000, hypothetical tax 25% and home contributions 2,000 → home net
    35,500; China (resident, fixed contributions 3,916.71) pays that net; the employer's cost each
    month = China IIT + China contributions − 12,500 − 2,000 = China gross − 50,000."""
    home = np.full((1, 12), fen(50000))
    china = YearInputs(year=2026, wages=np.zeros((1, 12)), employee_contributions=np.full((1, 12), fen("3916.71")))
    result = equalize(home, HypotheticalTax(rate=250_000), np.full((1, 12), fen(2000)), china, law=LAW)
    assert (result.guaranteed_net == fen(35500)).all()
    assert (result.china_net == fen(35500)).all()
    identity = result.china_iit + result.china_employee_contributions - result.hypothetical_tax \
        - result.hypothetical_contributions
    assert np.array_equal(result.cost, identity)
    assert np.array_equal(result.cost, result.china_gross - home)
    assert result.hypothetical_true_up[0] == 0  # a flat rate withheld monthly is already exact
    assert result.china_reconciliation_balance[0] == 0  # steady pay: withholding = the year's tax


def test_table_true_up_collects_the_bonus_month_difference():
    """With an annual table, a December home bonus is withheld at the month's annualised rate; the
    year-end true-up settles the difference (derived: 20% to 200,000, 35% − 30,000 above)."""
    table = TaxSchedule.model_validate({"brackets": [
        {"up_to": 200000, "rate": "0.20", "quick_deduction": 0},
        {"up_to": None, "rate": "0.35", "quick_deduction": 30000},
    ]})
    home = np.full((1, 12), fen(15000))
    home[0, 11] = fen(45000)
    china = YearInputs(year=2025, wages=np.zeros((1, 12)), employee_contributions=np.full((1, 12), fen(2000)))
    result = equalize(home, HypotheticalTax(table=table), np.zeros((1, 12), dtype=np.int64), china, law=LAW)
    withheld = result.hypothetical_tax.sum()
    year_tax = fen(210000) * 35 // 100 - fen(30000)  # 45,500 on 210,000
    assert result.hypothetical_true_up[0] == year_tax - withheld
    assert result.cost_for_year[0] == result.cost.sum() + result.china_reconciliation_balance[0] \
        - result.hypothetical_true_up[0]


def test_equalize_cli_runs_the_shipped_example():
    out = CliRunner().invoke(app, ["equalize", str(EXAMPLES / "equalized_expat_2025.yaml"), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert len(data["months"]) == 12
    for month in data["months"]:  # the assignee keeps the home net plus the China allowances
        assert Decimal(month["china_net"]) == Decimal(month["guaranteed_net"]) + Decimal("23000.00")


@pytest.mark.parametrize(("text", "message"), [
    ("year: 2025\nhome: {gross: 1}\nhypothetical_tax: {rate: '0.2', monthly: 5}\n"
     "hypothetical_contributions: {monthly: 0}\nchina: {contributions: 0}\n", "exactly one of monthly, rate or table"),
    ("year: 2025\nhome: {gross: 1}\nhypothetical_tax: {rate: '0.2'}\nhypothetical_contributions: {monthly: 0}\n"
     "china: {contributions: 0, allowances: {yacht: 5}}\n", "china.allowances.yacht: unknown allowance kind"),
    ("year: 2025\nhome: {gross: x}\n", "home.gross"),
])
def test_bad_equalization_files_name_the_field(tmp_path, text, message):
    path = tmp_path / "teq.yaml"
    path.write_text(text)
    out = CliRunner().invoke(app, ["equalize", str(path)])
    assert out.exit_code == 2 and message in out.output, out.output


def test_grossup_cli_prints_months_and_the_bonus_cliff():
    out = CliRunner().invoke(app, ["grossup", "--net", "40000", "--year", "2026", "--contributions", "3916.71",
                                   "--bonus-net", "34920", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["months"][0]["gross_wages"] == "45005.60"
    assert all(m["exact"] for m in data["months"])
    assert data["bonus"] == {"gross_bonus": "36000.00", "net_paid": "34920.00", "larger_bonus_same_net": "38566.67"}
    bad = CliRunner().invoke(app, ["grossup", "--net", "4x", "--year", "2026"])
    assert bad.exit_code == 2 and "--net" in bad.output
