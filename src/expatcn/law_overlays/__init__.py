"""Law overlays shipped with expatcn: small YAML files in the form of a law table plus
``table: <name>``, applied with ``load_law(overlays=(path, ...))`` (see ``expatcn.law``).

Two kinds live here, and they are never mixed up in the outputs:

- **what-if overlays** (this folder): a possible change of the law. ``expatcn plan
  --law-overlay NAME`` runs the plan under current law and under the overlay and shows the
  difference;
- **projections** (``projections/``): not law at all, but a planner's explicit assumption for
  months the tables do not cover yet (e.g. "Shanghai's 2026-27 bases held to 2028"). They are
  applied to both sides of a comparison and listed as assumptions in every output.

A name given without a path (``allowance_exemption_extended_2030``,
``projections/shanghai_held_to_2028``) resolves to a file of this package.
"""

from __future__ import annotations

from pathlib import Path

OVERLAY_DIR = Path(__file__).parent


def overlay_path(name_or_path: str | Path, base: Path | None = None) -> Path:
    """A shipped overlay by name (``.yaml`` optional), else a path (relative to ``base`` if given)."""
    text = str(name_or_path)
    path = Path(text)
    if base is not None and not path.is_absolute() and (base / path).is_file():
        return base / path
    if path.is_file():
        return path
    shipped = OVERLAY_DIR / (text if text.endswith((".yaml", ".yml")) else f"{text}.yaml")
    if shipped.is_file():
        return shipped
    known = ", ".join(shipped_overlays())
    raise FileNotFoundError(f"no law overlay file {text!r} (shipped overlays: {known})")


def shipped_overlays() -> list[str]:
    """Names of the overlays in this package, e.g. ``projections/us_held_to_2028``."""
    return sorted(p.relative_to(OVERLAY_DIR).with_suffix("").as_posix() for p in OVERLAY_DIR.rglob("*.yaml"))
