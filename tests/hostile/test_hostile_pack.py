"""The hostile-lesson pack: each folder here is one finding of the reliability review.

Run the way an author or CI would, `grimoire --trust check` and `grimoire --trust run`, each test
asserts the sentence the learner reads, the exit code, that the cell after the hostile one ran,
and that no process the lesson started is left behind.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

PACK = Path(__file__).resolve().parent
FOLDERS = sorted(p for p in PACK.iterdir() if p.is_dir() and not p.name.startswith("__"))


def _left_behind(mark: str) -> list[int]:
    """Processes still running (not zombies) whose environment carries this run's mark."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(int(entry.name))
    return found


def grimoire(*args: str, home: Path, marker: Path | None = None) -> subprocess.CompletedProcess:
    """`grimoire ARGS` in its own session; fails the test if it leaves any process behind."""
    mark = f"hostile-{uuid.uuid4().hex}"
    env = dict(os.environ, GRIMOIRE_HOME=str(home), GRIMOIRE_KERNEL_MEMORY_MB="768",
               HOSTILE_RUN=mark, HOSTILE_MARKER=str(marker or home / "marker"),
               PYTHONPATH=os.pathsep.join(sys.path), OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-m", "grimoire", *args], capture_output=True,
                          text=True, env=env, timeout=240, check=False, start_new_session=True)
    if sys.platform.startswith("linux"):
        import time

        for _ in range(20):  # the kernel's group is killed at exit; give the reaper a moment
            if not _left_behind(mark):
                break
            time.sleep(0.1)
        assert not _left_behind(mark), f"processes outlived `grimoire {' '.join(args)}`"
    return done


@functools.cache
def _checked(home: str) -> subprocess.CompletedProcess:
    return grimoire("--trust", "check", *map(str, FOLDERS), home=Path(home))


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> subprocess.CompletedProcess:
    """One `check` of the whole pack (one kernel for all of it)."""
    return _checked(str(tmp_path_factory.mktemp("home")))


@functools.cache
def _ran(lesson: str, home: str) -> dict:
    done = grimoire("--lessons", str(PACK / lesson), "--trust", "run", lesson, "--json",
                    home=Path(home))
    assert "Traceback" not in done.stderr
    result = json.loads(done.stdout)
    result["exit"] = done.returncode
    result["stderr"] = done.stderr
    return result


def ran(lesson: str, tmp_path: Path) -> dict:
    return _ran(lesson, str(tmp_path))


def outputs(result: dict) -> str:
    return "\n".join(json.dumps(block.get("result") or {}, ensure_ascii=False) for block in result["blocks"])


def next_cell_ran(result: dict, lesson: str) -> bool:
    return any(f"NEXT CELL RAN {lesson}" in ((block.get("result") or {}).get("stdout") or "")
               for block in result["blocks"])


# -- check over the whole pack -----------------------------------------------------------------

SENTENCES = {
    "markup": "The cell raised ValueError: bad [/] thing ␛[2J.",
    "setup-markup": 'The setup raised RuntimeError: split("[/]") failed ␛[2J.',
    "escapes": "The cell raised ValueError: in the error ␛[2J.",
    "memory": "stayed full after it, so the kernel was restarted",
    "format-width": "':99999999999.2f' after 'x' is refused: the format width 99999999999",
    "nan-answer": "'numeric' of the quiz of step 1 is nan, which no answer can ever match",
    "laughs": "'summary' of the lesson should be text, not a list.",
    "displays": "The cell raised RecursionError: maximum recursion depth exceeded.",
}


@pytest.mark.parametrize("finding", sorted(SENTENCES))
def test_check_tells_each_finding_in_a_sentence(checked, finding: str) -> None:
    assert checked.returncode == 1
    assert "Traceback" not in checked.stdout + checked.stderr
    lines = [line for line in checked.stdout.splitlines() if f"/{finding}/" in line]
    assert any(SENTENCES[finding] in line for line in lines), lines
    # The cell after the hostile one ran cleanly: no problem is reported on a later line.
    assert not any("NEXT" in line for line in lines)


def test_check_blames_no_clean_lesson(checked) -> None:
    for clean in ("orphans",):
        assert not [line for line in checked.stdout.splitlines() if f"/{clean}/" in line]
    assert "\x1b" not in checked.stdout + checked.stderr


# -- run, lesson by lesson ---------------------------------------------------------------------

def test_escape_codes_are_shown_not_sent(tmp_path: Path) -> None:
    result = ran("escapes", tmp_path)
    assert result["exit"] == 1 and next_cell_ran(result, "escapes")
    shown = outputs(result)
    assert "␛[2J" in shown and "␛]0;PWNED␇" in shown and "⟨9B⟩2J" in shown
    assert "\\u001b" not in shown and "\x1b" not in shown
    plain = grimoire("--lessons", str(PACK / "escapes"), "--trust", "run", "escapes",
                     home=tmp_path)
    assert "\x1b" not in plain.stdout + plain.stderr and "\x9b" not in plain.stdout
    assert "␛[2J" in plain.stdout


def test_a_cell_that_fills_memory_leaves_a_working_kernel(tmp_path: Path) -> None:
    result = ran("memory", tmp_path)
    assert result["exit"] == 1 and next_cell_ran(result, "memory")
    assert "was restarted" in outputs(result)


def test_children_of_a_cell_die_with_the_kernel_and_a_fork_never_answers(tmp_path) -> None:
    result = ran("orphans", tmp_path)  # `grimoire` asserts nothing is left running
    assert result["exit"] == 0, result["stderr"]
    assert next_cell_ran(result, "orphans")


def test_displays_are_capped_and_huge_arrays_cut_first(tmp_path: Path) -> None:
    result = ran("displays", tmp_path)
    assert next_cell_ran(result, "displays")
    cells = [block["result"] for block in result["blocks"] if block.get("result")]
    assert len(cells[0]["displays"]) == 50
    assert "9,950 more displays were not shown" in cells[0]["stdout"]
    heatmap = cells[1]["displays"][0]
    assert heatmap["truncated"] == [10000, 10000] and len(heatmap["values"]) == 256
    recursion = cells[2]["error"]
    assert "repeated" in recursion and len(recursion) < 2000
