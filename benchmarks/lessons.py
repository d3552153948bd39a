"""The map and `grimoire lessons` with 500 lessons beside the same with the 13 bundled, same run.

Run: `python benchmarks/lessons.py [--runs 5] [--count 500]`.

Two lesson folders are made: a copy of the bundled lessons (13), and --count lessons made of
copies of them under new ids (`vectors-7`, requiring `linear-maps-7`, ...), so every lesson is a
real one of real size. For each folder, alternating, this measures

- `grimoire --lessons DIR lessons`, from launch to exit;
- the map (`grimoire --lessons DIR`) to its whole first screen in a 120x36 pty, as
  `benchmarks/startup.py` measures it;

both as a learner returning to the folder (each was opened once before; the first look at a
folder of 500 lessons reads them all, once, and is printed separately). Medians and the ratios
500 / 13 are printed (goal <= 2 for both).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup import time_to_last_frame  # the pty measure, shared

REPO = Path(__file__).resolve().parents[1]
LESSONS = REPO / "lessons"
FILE = re.compile(r"^(\d+)-(.+)\.yaml$")


def make_folder(folder: Path, count: int) -> Path:
    """`count` lessons: the bundled ones, then copies of them with their ids numbered."""
    folder.mkdir(parents=True)
    bundled = sorted(LESSONS.glob("*.yaml"))
    made = 0
    copy = 0
    while made < count:
        for path in bundled:
            if made == count:
                break
            match = FILE.match(path.name)
            assert match is not None
            text = path.read_text(encoding="utf-8")
            lesson_id = match.group(2)
            if copy:
                ids = [FILE.match(p.name).group(2) for p in bundled]  # type: ignore[union-attr]
                renamed = {old: f"{old}-{copy}" for old in ids}
                text = re.sub(r"^id: .*$", f"id: {renamed[lesson_id]}", text, count=1,
                              flags=re.MULTILINE)
                text = re.sub(r"^requires: \[(.*)\]$", partial(_requires, renamed), text,
                              count=1, flags=re.MULTILINE)
                lesson_id = renamed[lesson_id]
            number = copy * len(bundled) + int(match.group(1))
            (folder / f"{number:03d}-{lesson_id}.yaml").write_text(text, encoding="utf-8")
            made += 1
        copy += 1
    return folder


def _requires(renamed: dict[str, str], match: re.Match[str]) -> str:
    names = [name.strip() for name in match.group(1).split(",") if name.strip()]
    return "requires: [" + ", ".join(renamed.get(name, name) for name in names) + "]"


def lessons_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "grimoire", "--lessons", str(folder), "lessons"]


def time_listing(folder: Path, home: Path) -> float:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["GRIMOIRE_HOME"] = str(home)
    start = time.perf_counter()
    done = subprocess.run(lessons_command(folder), env=env, capture_output=True, text=True,
                          check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"grimoire lessons failed on {folder}:\n{done.stderr[:2000]}")
    return took


def time_map(folder: Path, home: Path) -> float:
    command = [sys.executable, "-m", "grimoire", "--lessons", str(folder), "--trust"]
    took, written = time_to_last_frame(command, home)
    if b"Help" not in written:
        raise RuntimeError("the map's footer never showed its keys")
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--count", type=int, default=500, help="lessons in the big folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        home = base / "home"
        small = make_folder(base / "small", len(list(LESSONS.glob("*.yaml"))))
        big = make_folder(base / "big", args.count)
        folders = {"small": small, "big": big}
        first_look = {name: time_listing(folder, home) for name, folder in folders.items()}
        for folder in folders.values():
            time_map(folder, home)  # the map's own first look at the folder
        listing: dict[str, list[float]] = {name: [] for name in folders}
        mapping: dict[str, list[float]] = {name: [] for name in folders}
        for _ in range(args.runs):
            for name, folder in folders.items():
                listing[name].append(time_listing(folder, home))
                mapping[name].append(time_map(folder, home))
        counts = {name: len(list(folder.glob("*.yaml"))) for name, folder in folders.items()}
    load = os.getloadavg()
    print(f"{counts['big']} lessons beside {counts['small']}, {args.runs} runs each "
          f"(load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")
    for what, times in (("grimoire lessons", listing), ("the map, whole first screen", mapping)):
        small_ms, big_ms = (statistics.median(times[name]) * 1000 for name in ("small", "big"))
        print(f"{what:>28}: {counts['small']:>4} lessons {small_ms:6.0f} ms, "
              f"{counts['big']:>4} lessons {big_ms:6.0f} ms, ratio {big_ms / small_ms:.2f}"
              "   (goal <= 2)")
    print(f"{'first look (read them all)':>28}: grimoire lessons {first_look['small'] * 1000:.0f} "
          f"ms with {counts['small']}, {first_look['big'] * 1000:.0f} ms with {counts['big']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
