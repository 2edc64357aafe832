"""``expatcn social``: the table, JSON, a German certificate, and a clear error for a gap."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from expatcn.cli import app

RUNNER = CliRunner()


def test_social_json_german_with_certificate():
    result = RUNNER.invoke(app, ["social", "--city", "shanghai", "--month", "2026-03", "--wage", "50000",
                                 "--nationality", "DE", "--certificate-from", "2025-01-01",
                                 "--certificate-until", "2028-01-31", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by = {row["scheme"]: row for row in data["schemes"]}
    assert by["pension"]["exempt_by_agreement"] and not by["pension"]["participates"]
    assert by["medical"]["employee"] == "746.04"  # 37,302 × 2%
    assert data["totals"]["employee_total"] == "746.04"


def test_social_table_and_gap_error():
    ok = RUNNER.invoke(app, ["social", "--city", "beijing", "--month", "2024-09", "--wage", "20000"])
    assert ok.exit_code == 0 and "pension" in ok.stdout
    gap = RUNNER.invoke(app, ["social", "--city", "beijing", "--month", "2016-05", "--wage", "20000"])
    assert gap.exit_code == 2
    assert "no social insurance data for beijing in 2016-05" in gap.output


def test_a_certificate_for_a_chinese_national_is_refused_on_every_path(tmp_path):
    """A certificate of coverage exempts a partner country's national only (the agreements cover
    foreign nationals working in China): `expatcn social` and the month scenario give one message
    (the API: test_api_calc.test_social)."""
    message = "certificate of coverage only matters for a foreign national"
    out = RUNNER.invoke(app, ["social", "--city", "shanghai", "--month", "2026-03", "--wage", "50000",
                              "--nationality", "CN", "--certificate-until", "2028-01-31"])
    assert out.exit_code == 2 and f"certificate_until: a {message}" in out.output
    scenario = tmp_path / "month.yaml"
    scenario.write_text("year: 2026\ncity: shanghai\nsocial: {nationality: CN, certificate: {until: 2028-01-31}}\n"
                        "every_month: {wages: 20000}\n")
    out = RUNNER.invoke(app, ["month", str(scenario)])
    assert out.exit_code == 2 and f"social.certificate: a {message}" in out.output
