"""``expatcn keys create|list|revoke``: API keys for the HTTP API and the web app."""

from __future__ import annotations

from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json, user_errors
from expatcn.cli.payroll_db import DbOption, payroll_errors
from expatcn.errors import NotFound

keys_app = typer.Typer(help="API keys (roles: viewer reads, payroll runs, admin manages keys and closes months).",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def create(role: Annotated[str, typer.Option("--role", help="viewer, payroll or admin")],
           name: Annotated[str, typer.Option("--name", help="who or what uses the key")] = "",
           db: DbOption = None) -> None:
    """Create a key; it is printed once (only its hash is stored)."""
    from expatcn.services import keys, payroll

    with payroll_errors():
        store = payroll.open_store(db)
        payroll.upgrade(store)
        created = keys.create(store, role, name)
    typer.echo(f"created key {created.id} ({created.role}, {created.name}); store it now, it is not shown again:",
               err=True)
    typer.echo(created.key)


@keys_app.command("list")
def list_(db: DbOption = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The keys: id, name, role, prefix, created, revoked."""
    from expatcn.services import keys, payroll

    with payroll_errors():
        rows = keys.list_keys(payroll.open_store(db))
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        state = f"revoked {r.revoked_at:%Y-%m-%d}" if r.revoked_at else "active"
        typer.echo(f"{r.id:>4}  {r.role:<8} {r.prefix}…  {r.name}  ({state})")


@keys_app.command("revoke")
def revoke(key_id: Annotated[int, typer.Argument(help="the key's id (expatcn keys list)")], db: DbOption = None) -> None:
    """Revoke a key: it stops working at once in new processes, within seconds in running servers."""
    from expatcn.services import keys, payroll

    with payroll_errors(), user_errors(NotFound):
        r = keys.revoke(payroll.open_store(db), key_id)
    typer.echo(f"key {r.id} ({r.name}) revoked")
