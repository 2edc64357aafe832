"""Example data shipped with the package: scenarios, trips, companies."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).parent


def example_path(name: str) -> Path | None:
    """The shipped file called ``name`` (with or without its suffix), or None."""
    for candidate in (EXAMPLES / name, *EXAMPLES.glob(f"{name}.*")):
        if candidate.is_file():
            return candidate
    return None
