"""Issue 12 item 7: a database that cannot be reached is one clear line (no traceback), and no
URL is printed with its password."""

from __future__ import annotations

from typer.testing import CliRunner

from expatcn.cli import app
from expatcn.payroll.db import display_url

UNREACHABLE = "postgresql+psycopg://payroll:s3cret@127.0.0.1:1/payroll"  # port 1: nothing listens


def test_an_unreachable_database_is_one_line_with_the_password_masked():
    for command in (["init"], ["employees"], ["run", "2026-01"], ["keys", "list"]):
        result = CliRunner().invoke(app, [*command, "--db", UNREACHABLE])
        assert result.exit_code == 2, (command, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.output, (command, result.output)
        assert lines[0].startswith("error: cannot use the database postgresql+psycopg://payroll:***@127.0.0.1:1/payroll: ")
        assert "s3cret" not in result.output


def test_init_prints_the_url_without_its_password(tmp_path):
    assert display_url(UNREACHABLE) == "postgresql+psycopg://payroll:***@127.0.0.1:1/payroll"
    result = CliRunner().invoke(app, ["init", "--db", str(tmp_path / "p.sqlite")])
    assert result.exit_code == 0 and result.output.startswith(f"database sqlite:///{tmp_path / 'p.sqlite'}: schema at revision")
