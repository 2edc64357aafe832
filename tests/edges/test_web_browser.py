"""The web app in Debian's Chromium (Playwright) against a live server on 127.0.0.1: log in,
import the example company, run a month and see its totals, download the withholding export,
verify and correct the closed month, create and revoke an API key, open an employee's residency
timeline, switch to Chinese, use the calculators and the planner.
Screenshots of the main pages go to ``test-artifacts/``."""

from __future__ import annotations

import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest
expect = pytest.importorskip("playwright.sync_api").expect

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
COMPANY = Path(__file__).parents[2] / "src" / "expatcn" / "examples" / "company"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from expatcn.server import create_app
    from expatcn.services.keys import create

    app = create_app(str(tmp_path_factory.mktemp("web") / "web.sqlite"), example_if_new=False)
    keys = {role: create(app.state.engine, role, f"{role} user").key for role in ("viewer", "admin")}
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "keys": keys, "app": app}
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def page(server):
    playwright = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
        context.set_default_timeout(15_000)
        pg = context.new_page()
        yield pg
        context.close()
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_whole_flow(server, page):
    base = server["url"]
    # log in (a wrong key first)
    page.goto(f"{base}/month")
    assert "/login" in page.url
    page.fill("#key", "xcn_wrong")
    page.click("button[type=submit]")
    expect(page.locator(".alert-error")).to_be_visible()
    page.fill("#key", server["keys"]["admin"])
    shot(page, "01-login")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/month")

    # import: a bad file shows its row-level errors; then the example company
    page.goto(f"{base}/import")
    bad = ARTIFACTS / "bad-pay.csv"
    bad.write_text("Employee ID / 工号,Month / 所属期,Kind / 项目,Amount (CNY) / 金额（元）\nE001,2025-13,salary,25000\nE001,2025-01,salary,abc\n",
                   encoding="utf-8")
    page.set_input_files("#files", str(bad))
    page.click("#import-form button[type=submit]")
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("row 2")
    expect(errors).to_contain_text("row 3")
    shot(page, "02-import-errors")
    page.set_input_files("#files", [str(COMPANY / f) for f in ("employer.csv", "roster.csv", "deductions.csv", "trips.csv", "pay.csv")])
    page.click("#import-form button[type=submit]")
    result = page.locator("#import-result")
    expect(result).to_contain_text("employees")
    shot(page, "03-import-done")

    # run a month with progress, then see the totals
    page.goto(f"{base}/month")
    page.click("text=2025-01")
    page.wait_for_url(f"{base}/month/2025-01")
    page.click("#run-button")
    page.wait_for_selector("#totals", timeout=30_000)
    from expatcn.services import payroll

    expected = payroll.run_detail(server["app"].state.engine, 2025, 1).totals
    from decimal import Decimal

    expect(page.locator("[data-total=iit]")).to_have_text(f"{Decimal(expected['iit']):,.2f}")
    expect(page.locator("#results tbody tr")).to_have_count(20)
    shot(page, "04-month-run")

    # download the withholding export
    with page.expect_download() as info:
        page.click("#export-withholding")
    download = info.value
    target = ARTIFACTS / download.suggested_filename
    download.save_as(str(target))
    assert target.suffix == ".zip" and any("withholding" in n for n in zipfile.ZipFile(target).namelist())

    # close the month (admin), with the confirmation
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-button")
    page.wait_for_selector("#run-status.pill-closed")

    # verify the closed month (identical), then correct one pay item of it
    page.click("#verify-link")
    page.wait_for_url(f"{base}/month/2025-01/verify")
    expect(page.locator("#verify-result")).to_contain_text("Identical")
    expect(page.locator("#difference-count")).to_have_text("0")
    shot(page, "12-verify")
    page.click("#correct-link")
    page.wait_for_url(f"{base}/corrections?month=2025-01")
    assert page.locator("#c-month").input_value() == "2025-01"
    page.select_option("#c-employee", "E001")
    page.select_option("#c-kind", "salary")
    page.fill("#c-amount", "99999.99")
    page.click("#correct-form button[type=submit]")
    page.wait_for_selector("#correct-result")
    expect(page.locator("#correction-lines")).to_contain_text("E001")
    shot(page, "13-correction")
    page.goto(f"{base}/month/2025-01/verify")
    expect(page.locator("#verify-result")).to_be_visible()

    # API keys: create one (shown once), then revoke it
    page.goto(f"{base}/keys")
    page.fill("#k-name", "HRIS sync")
    page.select_option("#k-role", "payroll")
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#new-key-value")
    new_key = page.locator("#new-key-value").inner_text().strip()
    assert new_key.startswith("xcn_")
    shot(page, "14-keys")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#keys tr", has_text="HRIS sync").locator("button").click()
    page.wait_for_selector("#keys tr:has-text('HRIS sync') .pill-warn")
    assert new_key not in page.content()

    # employees and a residency timeline
    page.goto(f"{base}/employees")
    expect(page.locator("#employees tbody tr")).to_have_count(22)
    assert "*" in page.locator("#employees tbody tr").first.inner_text()
    shot(page, "05-employees")
    page.click("text=Anna Schmidt")
    page.wait_for_selector("#timeline svg.chart")
    assert page.locator("svg .line183").count() == 1 and page.locator("svg .bar").count() == 12
    shot(page, "06-employee-timeline")

    # switch language
    page.click("#lang-switch")
    page.wait_for_selector("text=居住时间线")
    assert "员工" in page.locator("nav").inner_text()
    shot(page, "07-employee-zh")
    page.goto(f"{base}/month/2025-01")
    shot(page, "08-month-zh")
    page.goto(f"{base}/corrections?month=2025-01")
    shot(page, "15-correction-zh")
    page.goto(f"{base}/keys")
    shot(page, "16-keys-zh")
    page.goto(f"{base}/month/2025-01")
    page.click("#lang-switch")
    page.wait_for_selector("text=Monthly runs")


def test_calculators_and_planner(server, page):
    base = server["url"]
    page.goto(f"{base}/login")
    page.fill("#key", server["keys"]["viewer"])
    page.click("button[type=submit]")
    page.goto(f"{base}/calc/tax")
    page.fill("#bonus", "120000")
    page.click("#tax-form button[type=submit]")
    page.wait_for_selector("#trace")
    assert page.locator("#tax-months tbody tr").count() == 12
    assert page.locator("#trace .lawrow").count() > 3
    shot(page, "09-tax-calculator")
    page.goto(f"{base}/calc/grossup")
    page.select_option("#city", "shanghai")
    page.click("#grossup-form button[type=submit]")
    page.wait_for_selector("#grossup-months")
    shot(page, "10-grossup")
    page.goto(f"{base}/plan")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#plan-table")
    assert page.locator("#plan-result svg.chart").count() == 1
    shot(page, "11-planner")
    # a viewer cannot import or close
    page.goto(f"{base}/import")
    assert "role" in page.content()
