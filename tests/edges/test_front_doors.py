"""One scenario through every front door: the command line (``--json``), the HTTP API and the web
calculator give the same figures to the fen, because all three call the same use case of
``expatcn.services``. The web has calculators for tax and gross-up only; social insurance and the
full month are compared between the command line and the API. Cities are given in Chinese
(``上海``): every door accepts a city by its key or its English or Chinese name."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from api_support import make_api
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.money import yuan_grouped

TAX = {"name": "front doors", "year": 2025,
       "person": {"resident": True, "foreigner": True, "allowance_exemption": True, "bonus_method": "separate"},
       "employment": {"from": 1, "to": 12},
       "every_month": {"wages": "50000", "employee_contributions": "3500", "allowances": {"housing": "8000"}},
       "months": {"12": {"bonus": "100000"}}}
TAX_FORM = {"year": "2025", "resident": "on", "foreigner": "on", "wages": "50000", "contributions": "3500",
            "housing": "8000", "bonus": "100000", "bonus_month": "12", "bonus_method": "separate",
            "from_month": "1", "to_month": "12"}
MONTH = {"name": "front doors", "year": 2025, "city": "上海",
         "person": {"resident": True, "foreigner": True, "allowance_exemption": True},
         "every_month": {"wages": "50000", "allowances": {"housing": "8000"}}, "months": {"12": {"bonus": "100000"}},
         "social": {"nationality": "DE", "housing_fund": True}}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return make_api(tmp_path_factory.mktemp("doors") / "doors.sqlite", example=False)


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def api_json(api, path: str, body: dict) -> dict:
    r = api.client.post(path, json=body, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    return r.json()


def web_rows(api, path: str, form: dict, table: str) -> tuple[list[list[str]], str]:
    """The rows of a calculator's result table (cells as shown) and the page."""
    browser = TestClient(api.app)
    assert browser.post("/login", data={"key": api.keys["viewer"]}, follow_redirects=False).status_code == 303
    token = re.search(r'name="csrf_token" value="(\w+)"', browser.get(path).text).group(1)
    page = browser.post(path, data={**form, "csrf_token": token})
    assert page.status_code == 200, page.text
    body = re.search(rf'<table class="data" id="{table}">.*?<tbody>(.*?)</tbody>', page.text, re.S).group(1)
    rows = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return rows, page.text


def test_tax_cli_api_web(api, tmp_path):
    scenario = tmp_path / "tax.yaml"
    scenario.write_text(yaml.safe_dump(TAX, allow_unicode=True), encoding="utf-8")
    cli, http = cli_json("tax", str(scenario)), api_json(api, "/api/tax", TAX)
    assert cli == http
    rows, page = web_rows(api, "/calc/tax", TAX_FORM, "tax-months")
    shown = [m for m in http["months"] if m["employed"] or m["total_tax"] != "0.00"]
    assert [[r[0], r[1], r[2], r[4], r[5], r[6]] for r in rows] == [
        [f"2025-{m['month']:02d}", *(yuan_grouped(m[k]) for k in ("income", "wage_taxable", "wage_tax", "bonus_tax",
                                                                   "total_tax"))] for m in shown]
    assert yuan_grouped(http["withheld"]) in page and yuan_grouped(http["year_tax"]) in page
    # by hand: 12 × (50,000 − 3,500 − 5,000) = 498,000 taxable → 30% − 52,920 = 96,480 (IIT Law, table 1);
    # bonus 100,000 on its own: 100,000 / 12 in the 10% band → 10,000 − 210 = 9,790 (Caishui [2018] No. 164)
    assert http["withheld"] == "106270.00"


def test_grossup_cli_api_web(api):
    cli = cli_json("grossup", "--net", "30000", "--year", "2025", "--city", "上海", "--bonus-net", "50000")
    http = api_json(api, "/api/grossup", {"net": "30000", "year": 2025, "city": "上海", "bonus_net": "50000"})
    assert cli == http and http["city"] == "shanghai"
    rows, page = web_rows(api, "/calc/grossup", {"net": "30000", "year": "2025", "city": "上海", "bonus_net": "50000",
                                                 "first_month": "1", "last_month": "12", "bonus_month": "12"},
                          "grossup-months")
    assert [r[:5] for r in rows] == [
        [f"2025-{m['month']:02d}", *(yuan_grouped(m[k]) for k in ("gross_wages", "allowances", "employee_contributions",
                                                                   "iit"))] for m in http["months"]]
    assert [r[5].rstrip(" *") for r in rows] == [yuan_grouped(m["net"]) for m in http["months"]]
    assert yuan_grouped(http["bonus"]["gross_bonus"]) in page


def test_social_cli_api(api):
    cli = cli_json("social", "--city", "上海", "--month", "2025-03", "--wage", "50000", "--nationality", "DE")
    http = api_json(api, "/api/social", {"city": "上海", "month": "2025-03", "wage": "50000", "nationality": "DE"})
    assert cli == http and http["city"] == "shanghai" and http["totals"]["complete"]


def test_month_cli_api(api, tmp_path):
    scenario = tmp_path / "month.yaml"
    scenario.write_text(yaml.safe_dump(MONTH, allow_unicode=True), encoding="utf-8")
    cli = cli_json("month", str(scenario), "--explain")
    r = api.client.post("/api/month?explain=true", json=MONTH, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    assert cli == r.json() and cli["city"] == "shanghai" and cli["trace"]
