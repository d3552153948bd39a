"""How the lesson loader's time grows with a lesson's length: it should be linear.

Run: `python benchmarks/loader_scaling.py [--steps 1500]`. Loads generated lessons of N and 10·N
steps (each step a `|` prose block, the case that was once quadratic), in the same run, and
prints seconds and the ratio; a linear loader gives a ratio near 10, a quadratic one near 100.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from grimoire.course.loader import load_lesson

HEAD = "id: long-{steps}\ntitle: Long\nsummary: Many steps.\nrequires: []\nminutes: 1\nsteps:\n"
STEP = "  - title: Step {n}\n    blocks:\n      - prose: |\n          Paragraph {n} of many.\n"


def lesson(folder: Path, steps: int) -> Path:
    path = folder / f"01-long-{steps}.yaml"
    path.write_text(HEAD.format(steps=steps) + "".join(STEP.format(n=n) for n in range(steps)), encoding="utf-8")
    return path


def seconds(path: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        load_lesson(path, check_sources=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        small = lesson(Path(folder), options.steps)
        large = lesson(Path(folder), options.steps * 10)
        size = large.stat().st_size / 1024 / 1024
        short, long = seconds(small, options.runs), seconds(large, options.runs)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"{options.steps:>7,} steps: {short:.3f} s")
    print(f"{options.steps * 10:>7,} steps: {long:.3f} s ({size:.1f} MB)")
    print(f"ratio {long / short:.1f} for 10× the steps (linear ≈ 10, quadratic ≈ 100)")


if __name__ == "__main__":
    main()
