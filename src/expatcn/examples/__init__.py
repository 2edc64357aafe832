"""Example data shipped with the package: scenarios, trips, companies."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).parent
# Which command reads a shipped file, by the start of its name; the rest are `expatcn tax` scenarios.
COMMAND_BY_PREFIX = {"assignment_": "plan", "cases_": "check", "equalized_": "equalize", "month_": "month", "outbound_": "outbound",
                     "trips_": "residency", "web_": "serve"}


def command_for(path: Path) -> str:
    """The ``expatcn`` command that reads this shipped example."""
    return next((c for prefix, c in COMMAND_BY_PREFIX.items() if path.name.startswith(prefix)), "tax")


def example_path(name: str) -> Path | None:
    """The shipped file called ``name`` (with or without its suffix), or None."""
    for candidate in (EXAMPLES / name, *EXAMPLES.glob(f"{name}.*")):
        if candidate.is_file():
            return candidate
    return None
