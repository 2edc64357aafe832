"""One use case, three front doors: ``expatcn plan``, ``POST /api/plan`` and the web planner all
call ``services.plan`` and offer the same features — alternatives, what-if overlays (shipped,
given as data, uploaded), projections — with the same figures to the fen."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from api_support import make_api
from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.money import fen_to_str, yuan_to_fen
from expatcn.services.plan import PlanAnswer, plan_data

EXAMPLES = Path(__file__).parents[2] / "src" / "expatcn" / "examples"
GERMAN = EXAMPLES / "assignment_german_engineer_shanghai.yaml"
US_VS_DE = EXAMPLES / "assignment_chinese_engineer_us_vs_de.yaml"
OVERLAYS = Path(__file__).parents[2] / "src" / "expatcn" / "law_overlays"

# a one-year inbound assignment with every input the three doors take: allowances, bonus, split share, fx
ONE_YEAR = {
    "title": "Doors — Munich to Shanghai 2026", "person": {"name": "Doors", "nationality": "DE"},
    "home_country": "DE", "host_country": "CN", "city": "shanghai", "start": "2026-01-01", "end": "2026-12-31",
    "package": {"currency": "CNY", "salary_monthly": "58000", "allowances": {"housing": "12000"},
                "bonus": {"amount": "90000", "month": 12}},
    "travel": {"business_days_per_month": 5}, "split_payroll": {"paid_abroad_share": "0.25"}, "fx": {"EUR": "7.80"},
    "projections": ["projections/shanghai_held_to_2028", "projections/de_held_to_2028"],
}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return make_api(tmp_path_factory.mktemp("plan") / "plan.sqlite", example=False)


@pytest.fixture(scope="module")
def web(api):
    from fastapi.testclient import TestClient

    client = TestClient(api.app)
    assert client.post("/login", data={"key": api.keys["viewer"]}, follow_redirects=False).status_code == 303
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', client.get("/plan").text).group(1)
    return client, token


def cli_json(*args: str) -> dict:
    out = CliRunner().invoke(app, ["plan", *args, "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def without_written(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "written"}


def web_figures(html: str) -> list[list[str]]:
    """The planner table's rows as the page shows them (structure rows and their year rows)."""
    table = html[html.index('id="plan-table"'):html.index("</table>", html.index('id="plan-table"'))]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', r, flags=re.S)]
            for r in rows]


def shown(yuan: str | None) -> str:
    return "—" if yuan is None else fen_to_str(yuan_to_fen(yuan))


def test_one_assignment_through_cli_api_and_web_gives_the_same_figures(tmp_path, api, web):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(ONE_YEAR))
    by_cli = cli_json(str(path))
    r = api.client.post("/api/plan", json=ONE_YEAR, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    by_api = r.json()
    assert without_written(by_cli) == without_written(by_api)
    [p] = by_api["plans"]
    assert p["cheapest_compliant"] and len(p["structures"]) == 5
    assert by_api["projections"] == ["projections/shanghai_held_to_2028", "projections/de_held_to_2028"]
    # the web page: the same assignment uploaded, every figure of the table equal to the fen
    client, token = web
    page = client.post("/plan", data={"csrf_token": token},
                       files={"file": ("one.json", json.dumps(ONE_YEAR).encode(), "application/json")})
    assert page.status_code == 200, page.text
    expected = []
    keys = ("host_tax_cny", "china_tax_before_credit", "credit", "china_tax_after_credit", "china_employee",
            "china_employer", "equalization_cost", "gross_cny", "employee_net_cny", "employer_cost_cny")
    for s in p["structures"]:
        expected.append([shown(s["totals"][k]) for k in keys])
        for y in s["years"]:
            host, china, eq = y["host_tax"], y["china_tax"], y["equalization"]
            expected.append([shown(host and host["tax_cny"]), shown(china["before_credit"]), shown(china["credit"]),
                             shown(china["after_credit"])]
                            + [shown(y[k]) for k in ("china_employee_contributions", "china_employer_contributions")]
                            + [shown(eq and eq["cost"])]
                            + [shown(y[k]) for k in ("gross_cny", "employee_net_cny", "employer_cost_cny")])
    assert web_figures(page.text) == expected
    assert p["reason"] in page.text.replace("&#39;", "'")


def test_alternatives_through_the_api_and_the_web_as_through_the_cli(api, web):
    """The shipped US-vs-Germany file (shared fields, two alternatives): refused by the API and the
    web before; now planned by each door with the comparison across the alternatives."""
    by_cli = cli_json(str(US_VS_DE))
    raw = yaml.safe_load(US_VS_DE.read_text())
    r = api.client.post("/api/plan", json=json.loads(json.dumps(raw, default=str)), headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    assert without_written(r.json()) == without_written(by_cli)
    assert [p["host_country"] for p in by_cli["plans"]] == ["US", "DE"] and by_cli["across_alternatives"]
    client, token = web
    page = client.post("/plan", data={"csrf_token": token},
                       files={"file": (US_VS_DE.name, US_VS_DE.read_bytes(), "application/x-yaml")})
    assert page.status_code == 200, page.text
    assert page.text.count('id="plan-table"') == 2 and 'id="plan-across"' in page.text


def test_what_if_overlays_by_name_as_data_and_uploaded_agree(api, web):
    """``--law-overlay`` (CLI), ``law_overlays`` by shipped name or as the overlay table itself (API)
    and an uploaded overlay file (web) give the same differences against current law."""
    by_cli = cli_json(str(GERMAN), "--law-overlay", "allowance_exemption_extended_2030")
    raw = json.loads(json.dumps(yaml.safe_load(GERMAN.read_text()), default=str))
    overlay = yaml.safe_load((OVERLAYS / "allowance_exemption_extended_2030.yaml").read_text())
    by_name = api.client.post("/api/plan", json={**raw, "law_overlays": ["allowance_exemption_extended_2030"]},
                              headers=api.h("viewer")).json()
    as_data = api.client.post("/api/plan", json={**raw, "law_overlays": [json.loads(json.dumps(overlay, default=str))]},
                              headers=api.h("viewer")).json()
    diffs = [p["what_if"]["differences"] for p in by_cli["plans"]]
    assert [p["what_if"]["differences"] for p in by_name["plans"]] == diffs
    assert [p["what_if"]["differences"] for p in as_data["plans"]] == diffs
    local_2028 = next(d for d in diffs[0] if d["structure"] == "local_hire" and d["year"] == 2028)
    assert yuan_to_fen(local_2028["china_iit"]) < -100_000_00  # the allowances exempt again in 2028
    client, token = web
    page = client.post("/plan", data={"csrf_token": token},
                       files={"file": (GERMAN.name, GERMAN.read_bytes(), "application/x-yaml"),
                              "law_overlay_file": ("allowance_exemption_extended_2030.yaml",
                                                   (OVERLAYS / "allowance_exemption_extended_2030.yaml").read_bytes(),
                                                   "application/x-yaml")})
    assert page.status_code == 200, page.text
    assert 'id="plan-what-if"' in page.text and shown(local_2028["china_iit"]) in page.text


def test_the_doors_refuse_what_a_server_must_not_read(api, web):
    raw = dict(ONE_YEAR)
    for body, loc in (({**raw, "travel": {"trips": "../../secret.csv"}}, ["body", "travel", "trips"]),
                      ({**raw, "projections": ["/etc/hosts"]}, ["body", "projections"]),
                      ({**raw, "law_overlays": ["/etc/hosts"]}, ["body", "law_overlays", 0])):
        r = api.client.post("/api/plan", json=body, headers=api.h("viewer"))
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == loc, r.text
    r = api.client.post("/api/plan", json={**raw, "alternatives": [{"city": "beijing"}, {"start": "2026-13-01"}]},
                        headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "alternatives", 1, "start"], r.text
    r = api.client.post("/api/plan", json={**raw, "alternatives": [{"city": "beijing"}, {"city": "atlantis"}]},
                        headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "alternatives", 1, "city"], r.text
    client, token = web
    page = client.post("/plan", data={"csrf_token": token, "law_overlays": "no_such_overlay"})
    assert page.status_code == 422 and "no shipped overlay" in page.text


def test_a_batch_without_files_is_one_call():
    """The service takes assignments already built (a batch): the same answer as from data."""
    from expatcn.io.assignment_file import parse_assignment
    from expatcn.services.plan import plan

    answer = plan([parse_assignment(ONE_YEAR, None).to_assignment()])
    assert isinstance(answer, PlanAnswer)
    assert answer == plan_data(ONE_YEAR)


def test_the_web_chart_marks_the_cheapest_and_the_non_compliant(web):
    """20 business days a month make the business traveller resident in substance (240 days): not
    compliant. The page's chart highlights the cheapest compliant structure and labels the
    non-compliant one, and the table tags both."""
    client, token = web
    raw = {**ONE_YEAR, "travel": {"business_days_per_month": 20}}
    page = client.post("/plan", data={"csrf_token": token},
                       files={"file": ("one.json", json.dumps(raw).encode(), "application/json")})
    assert page.status_code == 200, page.text
    svg = page.text[page.text.index("<svg"):page.text.index("</svg>")]
    assert svg.count('class="bar best"') == 1 and "cheapest compliant" in svg
    assert 'class="bar faded"' in svg and "not compliant" in svg
    assert 'tag tag-warn">not compliant<' in page.text
