"""The HTTP API (FastAPI) and the web app's server: :func:`expatcn.api.app.create_app`."""

from __future__ import annotations


def create_app(*args, **kwargs):
    from expatcn.api.app import create_app as _create

    return _create(*args, **kwargs)
