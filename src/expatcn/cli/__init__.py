"""The ``expatcn`` command line (Typer). Each command lives in its own module of this package:
it reads the arguments, calls one use case of :mod:`expatcn.services` and renders the answer
(a Rich table, or ``--json``: the answer as the API returns it).

Start-up speed: a command imports its service inside the command function (``from
expatcn.services import tax as service``), the one function-local import of a command. At the
top a command module imports only Typer, Rich and the kernel (``money``, ``dates``, ``errors``),
so that ``expatcn --help`` or a mistyped option does not load every engine, pydantic model and
plotting library (importing the CLI took 0.8–1.3 s, with every service 4.1–5.4 s, on the shared
development machine at a load average of 7.5)."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="expatcn",
    help="China payroll for cross-border employees: IIT, residency, social insurance, costs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Rich's help layout costs more start-up than the rest of --help
)

# Modules that add commands to ``app``; a new command is a new module named here.
COMMAND_MODULES = ("law", "tax", "example", "outbound", "social", "residency", "month", "payroll_db", "payroll_run",
                   "payroll_export", "grossup", "equalize", "keys", "serve", "plan", "departure", "check", "rates",
                   "parities")

for _module in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_module}")


def main() -> None:
    app()
