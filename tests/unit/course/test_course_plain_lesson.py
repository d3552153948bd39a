"""`grimoire learn LESSON --plain`: a whole lesson taken from a script, in plain lines."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from grimoire.course.checks import expected_number
from grimoire.course.kernel import Kernel
from grimoire.course.loader import find_lesson, load_lesson
from grimoire.course.plain_lesson import plain_prose
from grimoire.course.schema import Exercise, Quiz
from grimoire.course.session import LessonSession

REPO = Path(__file__).resolve().parents[3]
BOX_DRAWING = {chr(c) for c in range(0x2500, 0x2580)}


def right_answers(lesson_id: str) -> list[str]:
    """What a learner who knows every answer types, question by question (in-process)."""
    lesson = load_lesson(find_lesson(lesson_id))
    kernel = Kernel()
    kernel.start()
    lines: list[str] = []
    try:
        session = LessonSession(lesson, kernel)
        session.open()
        for step, content in enumerate(lesson.steps):
            session.run_step(step)
            for block in content.blocks:
                if isinstance(block, Quiz) and block.choices is not None:
                    lines.append(" ".join(str(i + 1) for i in block.answer))
                elif isinstance(block, Quiz):
                    lines.append(repr(expected_number(block, kernel)))
                elif isinstance(block, Exercise):
                    lines.append("h")  # a hint first, as a learner might
                    lines.extend(block.solution.rstrip("\n").splitlines())
                    lines.append(".")
    finally:
        kernel.close()
    return lines


def test_a_script_takes_the_vectors_lesson_to_the_end(tmp_path):
    script = "\n".join(["2", *right_answers("vectors")]) + "\n"  # one wrong choice first
    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-m", "grimoire", "learn", "vectors", "--plain"], input=script,
        capture_output=True, text=True, timeout=240, check=False, cwd=REPO,
        env=dict(os.environ, GRIMOIRE_HOME=str(home), PYTHONPATH=str(REPO), TERM="xterm-256color"))
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "every step is done" in out, out[-2000:]
    assert "Step 7 of 7" in out and "Not quite" in out and "Hint 1 of" in out
    assert "Picture:" in out and "rows by" in out  # pictures said in words
    assert "\x1b" not in out  # no colour codes
    # No frames, rules or gutters drawn with box characters (the model's own vocabulary, quoted
    # in prose or printed by a cell, may hold one: that is data, not drawing).
    framing = [line for line in out.splitlines()
               if line[:1] in BOX_DRAWING or re.search(f"[{''.join(BOX_DRAWING)}]{{3}}", line)]
    assert not framing, framing[:3]
    progress = json.loads((home / "progress.json").read_text())["lessons"]["vectors"]
    assert sorted(progress["steps_done"]) == list(range(7))
    assert progress["hints_used"] and all(a["correct"] for a in progress["answers"].values())


def test_stopping_keeps_what_was_done(tmp_path):
    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-m", "grimoire", "learn", "vectors", "--plain"], input="1\nq\n",
        capture_output=True, text=True, timeout=120, check=False, cwd=REPO,
        env=dict(os.environ, GRIMOIRE_HOME=str(home), PYTHONPATH=str(REPO)))
    assert done.returncode == 0, done.stderr
    assert "Right." in done.stdout and "Stopped" in done.stdout
    progress = json.loads((home / "progress.json").read_text())["lessons"]["vectors"]
    assert progress["answers"]["0.4"]["correct"] or any(
        a["correct"] for a in progress["answers"].values())


def test_markdown_becomes_plain_words():
    text = plain_prose("A **bold** and *soft* word with `code`.\n\n```\nx = 1\n```\n- one\n- two")
    assert text.splitlines() == ["A bold and soft word with code.", "", "    x = 1", "- one",
                                 "- two"]
