"""`grimoire run` and `grimoire check` end to end, through a real subprocess without a terminal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
EXAMPLE_DIR = HERE.parents[1] / "data" / "example-lessons"
BAD = HERE / "lessons_bad"


def grimoire(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "grimoire", *args], check=False,
                          capture_output=True, text=True, timeout=120, env=env, cwd=cwd,
                          stdin=subprocess.DEVNULL)


def test_run_prints_prose_math_outputs_and_displays() -> None:
    done = grimoire("--trust", "run", str(EXAMPLE_DIR / "01-example.yaml"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "‖v‖₂ = √(∑ᵢ vᵢ²)" in out  # math rendered
    assert "it is 5, and squared 25.0." in out  # placeholders filled from the step's code
    assert "norm: 5.0" in out and "→ 5.0" in out  # stdout and the last value
    assert "the parts of v" in out and "█" in out  # the bars display drawn as text
    # The right answers stay hidden unless asked for.
    assert "○ 1. the 2-norm" in out and "●" not in out and "answer: 7" not in out
    assert "grimoire/paths.py:resolve_source" in out


def test_run_marks_the_right_answers_only_with_answers() -> None:
    out = grimoire("--trust", "run", str(EXAMPLE_DIR / "01-example.yaml"), "--answers").stdout
    assert "● 1. the 2-norm" in out and "answer: 7" in out


def test_run_by_id_with_lessons_option_and_json() -> None:
    done = grimoire("--lessons", str(EXAMPLE_DIR), "--trust", "run", "example", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["id"] == "example" and data["ok"] and data["problems"] == []
    code = [b for b in data["blocks"] if b["kind"] == "code"]
    assert code[0]["result"]["value"] == "5.0"
    assert code[1]["result"]["displays"][0]["kind"] == "bars"


def test_run_and_check_refuse_outside_lessons_without_trust() -> None:
    for args in (("run", str(EXAMPLE_DIR / "01-example.yaml")), ("check", str(EXAMPLE_DIR))):
        done = grimoire(*args)
        assert done.returncode == 1
        assert "--trust" in done.stderr and "Traceback" not in done.stderr


def test_run_unknown_lesson_is_a_sentence() -> None:
    done = grimoire("--lessons", str(EXAMPLE_DIR), "run", "exampel")
    assert done.returncode == 1
    assert "There is no lesson with the id 'exampel'. Did you mean 'example'?" in done.stderr


def test_check_clean_lesson_exits_zero() -> None:
    done = grimoire("--trust", "check", str(EXAMPLE_DIR))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "" and "all clean" in done.stderr


def _expectations(path: Path) -> tuple[int, str]:
    first = path.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    head, _, sentence = first.partition(": ")
    return int(head.split()[-1]), sentence


def test_check_names_every_problem_of_a_mixed_folder(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_DIR / "01-example.yaml", tmp_path)
    picked = ["02-unknown-key.yaml", "08-answer-range.yaml", "09-code-syntax.yaml",
              "11-source-symbol.yaml", "30-unknown-name.yaml", "31-cell-raises.yaml",
              "32-starter-passes.yaml", "33-solution-fails.yaml", "34-unknown-math.yaml",
              "35-numeric-fails.yaml"]
    for name in picked:
        shutil.copy(BAD / name, tmp_path)
    done = grimoire("--trust", "check", str(tmp_path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    for name in picked:
        line, sentence = _expectations(BAD / name)
        assert any(f"{name}:{line}: " in out and sentence in out for out in lines), (name, lines)
    assert not any("01-example.yaml" in out for out in lines)
    as_json = json.loads(grimoire("--trust", "check", "--json", str(tmp_path)).stdout)
    assert not as_json["ok"] and "example" in as_json["lessons"]
    assert {p["file"].rsplit("/", 1)[-1] for p in as_json["problems"]} == set(picked)
