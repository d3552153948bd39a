"""`grimoire check` keeps lessons honest: wrong answers rejected with their feedback, steps that
leave the model changed named, every quiz choice explained; arrays compared with a diagnosis."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grimoire.course.checks import check_array, check_choice, diagnose
from grimoire.course.loader import load_lesson

HEADER = """\
id: truth
title: Truth rules
summary: A lesson made to break the rules check enforces.
requires: []
minutes: 1
setup: |
  E = model.params["wte"]
steps:
"""

GOOD_EXERCISE = """\
  - title: Double it
    blocks:
      - exercise:
          prompt: Write `double(x)`, returning 2 x.
          starter: |
            def double(x):
                ...
          check: |
            x = np.arange(6.0).reshape(2, 3)
            check_array(double(x), 2 * x, "double(x)")
          solution: |
            def double(x):
                return x + x
          wrong:
{wrong}
"""

WRONG_OK = """\
            - code: |
                def double(x):
                    return x
              feedback: double(x) is the right answer times 0.5
            - code: |
                def double(x):
                    return (2 * x).T
              feedback: double(x) is the transpose of the right answer
"""


def write_lesson(folder: Path, steps: str) -> Path:
    path = folder / "01-truth.yaml"
    path.write_text(HEADER + steps, encoding="utf-8")
    return path


def grimoire_check(path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "grimoire", "--trust", "check", str(path)],
                          check=False, capture_output=True, text=True, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


def test_a_step_that_changes_the_model_fails_check_naming_the_step(tmp_path: Path) -> None:
    steps = textwrap.dedent("""\
      - title: Look only
        blocks:
          - code: |
              E.shape
      - title: Cut a row
        blocks:
          - code: |
              model.params["wte"][0] = 0.0
      - title: Change it and put it back
        blocks:
          - code: |
              saved = model.params["wpe"].copy()
              model.params["wpe"] *= 2
              model.params["wpe"][:] = saved
    """)
    steps = textwrap.indent(steps, "  ")
    done = grimoire_check(write_lesson(tmp_path, steps))
    assert done.returncode == 1
    out = done.stdout
    assert "Step 2 'Cut a row' leaves `E`, `model.params['wte']` changed" in out
    assert "restore what the step changes in the same cell" in out
    assert "Step 1" not in out and "Step 3" not in out  # reading, or restoring, is fine


def test_wrong_answers_must_be_rejected_with_their_feedback(tmp_path: Path) -> None:
    clean = write_lesson(tmp_path, GOOD_EXERCISE.format(wrong=WRONG_OK.rstrip("\n")))
    done = grimoire_check(clean)
    assert done.returncode == 0, done.stdout + done.stderr

    accepted = WRONG_OK.replace("return x\n", "return 2.0 * x\n")
    done = grimoire_check(write_lesson(tmp_path, GOOD_EXERCISE.format(wrong=accepted)))
    assert done.returncode == 1
    assert "Wrong answer 1 of the exercise passes its check; the check must reject it." \
        in done.stdout

    misread = WRONG_OK.replace("times 0.5", "times 3")
    done = grimoire_check(write_lesson(tmp_path, GOOD_EXERCISE.format(wrong=misread)))
    assert done.returncode == 1
    assert ("the learner would read \"Not yet: double(x) is the right answer times 0.5: a "
            "constant factor is off.\" instead of its listed feedback") in done.stdout


def test_an_exercise_needs_two_wrong_answers_and_every_choice_a_why(tmp_path: Path) -> None:
    one_wrong = "\n".join(WRONG_OK.splitlines()[:4])
    quiz = textwrap.indent(textwrap.dedent("""\
      - title: Pick
        blocks:
          - quiz:
              question: Which is bigger?
              choices:
                - text: one
                  why: One is less than two.
                - two
              answer: 1
              explanation: Counting.
    """), "  ")
    done = grimoire_check(write_lesson(tmp_path, GOOD_EXERCISE.format(wrong=one_wrong) + quiz))
    assert done.returncode == 1
    assert "The exercise lists 1 wrong answer under 'wrong:'; give at least 2" in done.stdout
    assert "Choice 1 of the quiz has no 'why:'" in done.stdout


def test_a_choice_is_answered_with_its_own_why(tmp_path: Path) -> None:
    quiz = textwrap.indent(textwrap.dedent("""\
      - title: Pick
        blocks:
          - quiz:
              question: Which is bigger?
              choices:
                - text: one
                  why: One comes before two when you count.
                - text: two
                  why: Two is one more than one.
              answer: 1
              explanation: Counting.
    """), "  ")
    lesson = load_lesson(write_lesson(tmp_path, quiz))
    (block,) = lesson.steps[0].blocks
    wrong = check_choice(block, [0])
    assert wrong.message == "Not quite: One comes before two when you count."
    right = check_choice(block, [1])
    assert right.correct and right.explanation == "Two is one more than one. Counting."


E = np.arange(12.0).reshape(3, 4) - 5.0


@pytest.mark.parametrize("yours, sentence", [
    (E, None),
    (E[:2], "x has shape (2, 4); it should be (3, 4)."),
    (E.T, "x is the transpose of the right answer: it has shape (4, 3) where (3, 4) is expected."),
    (E.ravel(), "x holds the right numbers in the wrong shape: (12,) where (3, 4) is expected."),
    (-E, "x has every sign flipped: it is minus the right answer."),
    (E * 0.125, "x is the right answer times 0.125: a constant factor is off."),
    (E + np.array([1.0, 0.0, 2.0, 0.0]),
     "every row of x is off by the same vector (size 2.24): a bias added twice or forgotten?"),
    (E + np.array([[1.0], [0.0], [2.0]]),
     "every column of x is off by the same vector (size 2.24): a bias added twice or forgotten?"),
    (E + np.outer([0, 1, 0], np.ones(4)), "x is right except in row 1."),
    (E + np.outer(np.ones(3), [0, 0, 0, 1]) * np.array([[1], [2], [3]]),
     "x is right except in column 3."),
    (None, "x is None; the function must return an array of shape (3, 4)."),
    ("text", "x is a str, not an array of numbers of shape (3, 4)."),
])
def test_diagnose_names_the_mistake(yours: object, sentence: str | None) -> None:
    assert diagnose(yours, E, "x") == sentence


def test_diagnose_a_square_transpose_and_a_vector_offset() -> None:
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert diagnose(square.T, square, "W") == \
        "W is the transpose of the right answer: rows and columns are swapped."
    v = np.array([1.0, 2.0, 3.0])
    assert diagnose(v + 0.5, v, "b") == \
        "b is off by the same amount, 0.5, in every entry: a constant is added or forgotten."


def test_check_array_draws_expected_yours_and_difference() -> None:
    drawn: list[tuple[str, np.ndarray]] = []

    class Show:
        def heatmap(self, values: np.ndarray, title: str) -> None:
            drawn.append((title, np.asarray(values)))

    check_array(E, E, "x", show=Show())
    assert drawn == []
    with pytest.raises(AssertionError, match="every sign flipped"):
        check_array(-E, E, "x", show=Show())
    assert [title for title, _ in drawn] == ["expected", "yours (x)",
                                             "difference (yours − expected)"]
    np.testing.assert_array_equal(drawn[2][1], -2 * E)
