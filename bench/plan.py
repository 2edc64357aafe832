"""Assignment planner speed: N assignments (the two shipped examples, repeated) × every structure ×
every year, with the projections applied. Usage: ``python bench/plan.py [N]`` (default 600)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from expatcn.io.assignment_file import load_assignment, load_assignments
from expatcn.planning import plan
from expatcn.law import load_law
from expatcn.law_overlays import overlay_path

EXAMPLES = Path(__file__).parents[1] / "src" / "expatcn" / "examples"


def main(n: int) -> None:
    german = load_assignment(EXAMPLES / "assignment_german_engineer_shanghai.yaml").to_assignment()
    outbound = [f.to_assignment() for f in load_assignments(EXAMPLES / "assignment_chinese_engineer_us_vs_de.yaml")]
    names = ("projections/shanghai_held_to_2028", "projections/de_held_to_2028", "projections/us_held_to_2028")
    law = load_law(tuple(str(overlay_path(name)) for name in names))
    files = ([german, *outbound] * (n // 3 + 1))[:n]
    plan(files[:3], law)  # warm-up
    best = None
    for _ in range(3):
        start = time.perf_counter()
        plans = plan(files, law)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    rows = sum(len(p.structures) * len(p.assignment.years) for p in plans)
    print(f"{n} assignments, {rows} structure-years: best of 3 {best:.2f} s = {rows / best:,.0f} structure-years/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
