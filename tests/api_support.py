"""Shared set-up for the API tests: an application on a fresh SQLite database holding the
example company, and one key per role."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient


@dataclass
class Api:
    app: object
    client: TestClient
    keys: dict[str, str]

    def h(self, role: str = "admin") -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}


def make_api(path, example: bool = True) -> Api:
    from expatcn.server import create_app
    from expatcn.services.keys import create

    app = create_app(str(path), example_if_new=example)
    keys = {role: create(app.state.engine, role, f"test {role}").key for role in ("viewer", "payroll", "admin")}
    return Api(app, TestClient(app), keys)
