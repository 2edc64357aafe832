"""``expatcn keys create|list|revoke``: API keys for the HTTP API and the web app."""

from __future__ import annotations

from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.common import print_json
from expatcn.cli.payroll_db import DbOption, payroll_errors

keys_app = typer.Typer(help="API keys (roles: viewer reads, payroll runs, admin manages keys and closes months).",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def create(role: Annotated[str, typer.Option("--role", help="viewer, payroll or admin")],
           name: Annotated[str, typer.Option("--name", help="who or what uses the key")] = "",
           db: DbOption = None) -> None:
    """Create a key; it is printed once (only its hash is stored)."""
    from expatcn.api.keystore import create_key
    from expatcn.payroll.db import get_engine, upgrade

    with payroll_errors():
        engine = get_engine(db)
        upgrade(engine)
        record, key = create_key(engine, role, name)
    typer.echo(f"created key {record['id']} ({record['role']}, {record['name']}); store it now, it is not shown again:",
               err=True)
    typer.echo(key)


@keys_app.command("list")
def list_(db: DbOption = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The keys: id, name, role, prefix, created, revoked."""
    from expatcn.api.keystore import list_keys
    from expatcn.payroll.db import get_engine

    with payroll_errors():
        rows = list_keys(get_engine(db))
    if as_json:
        print_json(rows)
        return
    for r in rows:
        state = f"revoked {r['revoked_at']:%Y-%m-%d}" if r["revoked_at"] else "active"
        typer.echo(f"{r['id']:>4}  {r['role']:<8} {r['prefix']}…  {r['name']}  ({state})")


@keys_app.command("revoke")
def revoke(key_id: Annotated[int, typer.Argument(help="the key's id (expatcn keys list)")], db: DbOption = None) -> None:
    """Revoke a key: it stops working at once in new processes, within seconds in running servers."""
    from expatcn.api.keystore import revoke_key
    from expatcn.payroll.db import get_engine

    with payroll_errors():
        try:
            r = revoke_key(get_engine(db), key_id)
        except LookupError as exc:
            from expatcn.payroll.db import PayrollError

            raise PayrollError(str(exc)) from None
    typer.echo(f"key {r['id']} ({r['name']}) revoked")
