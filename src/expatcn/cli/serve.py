"""``expatcn serve``: the HTTP API and the web app in one process (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from expatcn.cli import app
from expatcn.cli.payroll_db import DbOption, payroll_errors


@app.command("serve")
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port")] = 8000,
    example: Annotated[bool, typer.Option("--example/--no-example", help="a new database opens on the example company")] = True,
) -> None:
    """Serve the API (/api, OpenAPI at /openapi.json) and the web app (/login). A new database is
    created (with the example company unless --no-example); with no API key yet, an admin key is
    created and printed once."""
    import uvicorn

    from expatcn.server import create_app
    from expatcn.services import keys

    with payroll_errors():
        application = create_app(db, example_if_new=example)
        first = keys.first_admin(application.state.engine, "first admin (expatcn serve)")
        if first is not None:
            typer.echo(f"no API key yet: created an admin key — store it now, it is not shown again:\n{first.key}", err=True)
    url = application.state.engine.url.render_as_string(hide_password=True)
    typer.echo(f"expatcn on {url}: open http://{host}:{port}/login", err=True)
    uvicorn.run(application, host=host, port=port, log_level="info")
