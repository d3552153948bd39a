"""Hostile files and a hostile machine: huge, looping, blocking, empty; no terminal, full disk.

Each is run as the learner or CI would run it (`python -m grimoire ...`) and must end in one
sentence and the right exit code, never a traceback or a hang.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from grimoire.course.loader import lesson_summaries, load_lessons

LESSON = """id: {id}
title: Lesson {id}
summary: One of many.
requires: [{requires}]
minutes: 1
steps:
  - title: One step
    blocks:
      - prose: Nothing here.
"""


def grimoire(*args: str, stdin=subprocess.DEVNULL, env: dict | None = None,
             home: Path | None = None, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **(env or {}))
    if home is not None:
        full["GRIMOIRE_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "grimoire", *args], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, env=full, timeout=60, check=False)


def test_a_requires_chain_of_thousands_is_walked_without_recursion(tmp_path: Path) -> None:
    for number in range(1500):  # each lesson requires the next: a walk 1500 deep
        requires = f"l{number + 1}" if number < 1499 else ""
        (tmp_path / f"{number:02d}-l{number}.yaml").write_text(
            LESSON.format(id=f"l{number}", requires=requires))
    lessons, problems = load_lessons(tmp_path)
    assert len(lessons) == 1500 and not problems
    # A circle round all of them is still found, once.
    (tmp_path / "1499-l1499.yaml").write_text(LESSON.format(id="l1499", requires="l0"))
    lessons, problems = load_lessons(tmp_path)
    assert len(problems) == 1 and "go round in a circle" in problems[0].message


def test_a_file_over_the_size_cap_is_refused_at_once(tmp_path: Path) -> None:
    big = tmp_path / "01-big.yaml"
    big.write_text(LESSON.format(id="big", requires="") + "#" * (3 * 1024 * 1024))
    done = grimoire("check", str(tmp_path))
    assert done.returncode == 1
    assert "a lesson file may be at most 2 MB" in done.stdout


def test_check_prints_at_most_fifty_problems_a_file(tmp_path: Path) -> None:
    steps = "".join(f"  - title: Step {n}\n    blocks: oops\n" for n in range(300))
    (tmp_path / "01-many.yaml").write_text(
        "id: many\ntitle: Many\nsummary: Many.\nrequires: []\nminutes: 1\nsteps:\n" + steps)
    done = grimoire("check", str(tmp_path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 51
    assert "and 250 more problems in this file (the first 50 are shown)" in lines[-1]


def test_a_link_to_a_file_that_blocks_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "01-stuck.yaml").symlink_to(fifo)
    (lessons / "02-kmsg.yaml").symlink_to("/proc/kmsg")
    (lessons / "03-fine.yaml").write_text(LESSON.format(id="fine", requires=""))
    done = grimoire("--lessons", str(lessons), "lessons")  # would wait for ever on the pipe
    assert "03  fine" in done.stdout
    assert "02-kmsg.yaml: The file is not read" in done.stderr  # a sentence, not a hang
    assert [s.id for s in lesson_summaries(lessons)] == ["fine"]


def test_a_billion_laughs_never_reaches_the_map(tmp_path: Path) -> None:
    pack = Path(__file__).resolve().parent / "laughs"
    assert lesson_summaries(pack) == [] or all(len(s.summary) < 1000
                                               for s in lesson_summaries(pack))
    done = grimoire("--lessons", str(pack), "lessons")
    assert done.returncode == 1 and "'summary' of the lesson should be text" in done.stderr


def test_check_on_a_folder_without_lessons_fails(tmp_path: Path) -> None:
    done = grimoire("check", str(tmp_path))
    assert done.returncode == 1
    assert "No lesson was found here" in done.stdout
    empty = grimoire("--lessons", "", "check")
    assert empty.returncode == 2 and "an empty path was given" in empty.stderr


@pytest.mark.parametrize("how", ["closed", "devnull"])
def test_the_app_without_a_terminal_says_so(how: str, tmp_path: Path) -> None:
    if how == "closed":
        script = "import os, sys; os.close(0); sys.stdin = None; from grimoire.cli import main; "\
                 "raise SystemExit(main([]))"
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path),
                                       GRIMOIRE_HOME=str(tmp_path)), timeout=60, check=False)
    else:
        done = grimoire(home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("grimoire needs a terminal")
    assert "Traceback" not in done.stderr


def test_term_dumb_is_refused_with_a_pointer_to_run(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    try:
        done = grimoire("open", stdin=follower, env={"TERM": "dumb"}, home=tmp_path)
    finally:
        os.close(leader)
        os.close(follower)
    assert done.returncode == 2
    assert "TERM=dumb" in done.stderr and "grimoire run" in done.stderr


def test_an_ascii_locale_lists_the_lessons(tmp_path: Path) -> None:
    done = grimoire("lessons", env={"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0",
                                    "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": ""})
    assert done.returncode == 0, done.stderr
    assert "00  grimoire" in done.stdout


def test_a_full_disk_behind_stdout_is_one_sentence(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = grimoire("lessons", stdout=full)
    assert done.returncode == 1
    assert done.stderr.strip() == ("grimoire: the output could not be written "
                                   "(No space left on device).")


def test_the_app_draws_utf8_under_an_ascii_locale(monkeypatch) -> None:
    import io

    from grimoire import cli

    screen = io.BytesIO()
    ascii_stream = io.TextIOWrapper(screen, encoding="ascii")
    monkeypatch.setattr(sys, "__stderr__", ascii_stream)
    cli._utf8_terminal()
    ascii_stream.write("☾ the map\n")
    ascii_stream.flush()
    assert screen.getvalue() == "☾ the map\n".encode()  # not "\\u263e"
