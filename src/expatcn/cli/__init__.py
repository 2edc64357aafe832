"""The ``expatcn`` command line (Typer). Each command lives in its own module of this package
and imports the engine lazily, inside the command, so that start-up stays fast."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="expatcn",
    help="China payroll for cross-border employees: IIT, residency, social insurance, costs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that add commands to ``app``; a new command is a new module named here.
COMMAND_MODULES = ("law", "tax", "example", "outbound", "social", "residency", "month", "payroll_db", "payroll_run", "payroll_export", "grossup", "equalize", "keys", "serve", "plan")

for _module in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_module}")


def main() -> None:
    app()
