"""`grimoire report`: what a teacher collects — steps, tries and hints — from the progress store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def grimoire(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grimoire", *args], capture_output=True,
                          text=True, timeout=120, check=False, cwd=REPO,
                          env=dict(os.environ, GRIMOIRE_HOME=str(home), PYTHONPATH=str(REPO)))


def first_of(lesson, kind) -> tuple[int, str]:
    for step, content in enumerate(lesson.steps):
        for number, block in enumerate(content.blocks):
            if isinstance(block, kind):
                return step + 1, f"{step}.{number}"
    raise AssertionError(f"lesson {lesson.id} has no {kind.__name__}")


def test_report_tells_a_teacher_steps_tries_and_hints(tmp_path):
    from grimoire.course.loader import find_lesson, load_lesson
    from grimoire.course.schema import Exercise, Quiz

    lesson = load_lesson(find_lesson("vectors"))
    quiz_step, quiz = first_of(lesson, Quiz)
    exercise_step, exercise = first_of(lesson, Exercise)
    home = tmp_path / "home"
    home.mkdir()
    # Step 1 done; its question right after a wrong choice; an exercise tried once, one hint.
    progress = {"version": 1, "last_lesson": "vectors", "lessons": {"vectors": {
        "steps_done": [0], "hints_used": {exercise: 1}, "code": {exercise: "x = 0"},
        "answers": {quiz: {"value": [0], "correct": True, "attempts": 2},
                    exercise: {"value": "x = 0", "correct": False, "attempts": 1}},
        "position": [2, 0], "opened": 1_700_000_000.0}}}
    (home / "progress.json").write_text(json.dumps(progress))
    data = json.loads(grimoire("report", "--json", home=home).stdout)
    vectors = next(row for row in data["lessons"] if row["id"] == "vectors")
    steps = len(lesson.steps)
    assert vectors["steps_done"] == 1 and vectors["steps"] == steps and not vectors["complete"]
    assert vectors["quizzes"][0] == {"step": quiz_step, "block": quiz, "answered": True,
                                     "right": True, "tries": 2}
    assert next(e for e in vectors["exercises"] if e["block"] == exercise) == {
        "step": exercise_step, "block": exercise, "solved": False, "tries": 1, "hints": 1,
        "solution_shown": False}
    assert data["totals"]["lessons"] == len(data["lessons"]) >= 13
    text = grimoire("report", home=home)
    assert text.returncode == 0, text.stderr
    assert f"01 Vectors and embeddings: 1 of {steps} steps done, last opened" in text.stdout
    assert f"question in step {quiz_step}: right (2 tries)" in text.stdout
    assert f"exercise in step {exercise_step}: not solved after 1 try, 1 hint" in text.stdout
    assert "00 The Grimoire: 0 of" in text.stdout and "(not started)" in text.stdout
