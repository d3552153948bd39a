"""An exercise answers a wrong attempt with the mistake named and a picture of the difference,
and after a pass sets the book's solution beside the learner's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.widgets.exercise import ExerciseBlock
from grimoire.ui.widgets.heatmap import Heatmap

LESSONS = Path(__file__).resolve().parent.parent / "data" / "diagnosis-lessons"


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the app never reached the expected state"
        await pilot.pause(0.05)


async def test_a_forgotten_bias_is_named_and_drawn_then_the_book_is_shown_after_a_pass() -> None:
    app = GrimoireApp(StartRequest("lesson", lesson="affine", lessons=LESSONS, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query(ExerciseBlock)))
        exercise = app.screen.query_one(ExerciseBlock)

        # Before a pass, h climbs the hints; it never jumps to the book's solution.
        await pilot.press("h")
        assert exercise.hints_used == 1 and not exercise.book_solution_shown

        exercise.cell.editor.text = "def affine(x, W, b):\n    return x @ W"
        exercise.cell.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Not yet" in str(exercise.verdict.render()))
        said = str(exercise.verdict.render())
        assert "every row of affine(x, W, b) is off by the same vector" in said
        assert "a bias added twice or forgotten?" in said
        pictures = list(exercise.difference.query(Heatmap))
        assert [p.display_data["title"] for p in pictures] == [
            "expected", "yours (affine(x, W, b))", "difference (yours − expected)"]
        difference = [[round(v, 6) + 0.0 for v in row] for row in
                      pictures[2].display_data["values"]]
        assert difference == [[-0.5, 1.0, 0.0, -2.0, -1.0]] * 4  # minus b, in every row

        # A transposed answer is named as such, and the pictures are replaced, not added.
        exercise.cell.editor.text = "def affine(x, W, b):\n    return W.T @ x.T + b[:, None]"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "transpose" in str(exercise.verdict.render()))
        assert len(exercise.difference.query(Heatmap)) == 2  # shapes differ: no difference

        # Every kind of mistake the diagnosis knows, each named in its own sentence.
        kinds = [
            ("return -(x @ W + b)", "has every sign flipped"),
            ("return 0.5 * (x @ W + b)", "is the right answer times 0.5"),
            ("return (x @ W + b)[:3]", "has shape (3, 5); it should be (4, 5)"),
            ("y = x @ W + b\n    y[2] += 1.0\n    return y", "is right except in row 2"),
            ("y = x @ W + b\n    y[:, 4] *= 3.0\n    return y", "is right except in column 4"),
        ]
        for body, sentence in kinds:
            exercise.cell.editor.text = f"def affine(x, W, b):\n    {body}"
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda sentence=sentence: sentence in str(exercise.verdict.render()))
            assert exercise.difference.query(Heatmap), body

        exercise.cell.editor.text = "def affine(x, W, b):\n    return x @ W + b"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: exercise.passed)
        assert not exercise.difference.query(Heatmap)
        await pilot.press("escape")
        await pilot.press("h")
        await wait_for(pilot, lambda: exercise.book_solution_shown)
        editors = exercise.query(".exercise-compare CodeEditor")
        assert [e.text for e in editors] == ["def affine(x, W, b):\n    return x @ W + b"] * 2
        assert exercise.hints_used == 1  # comparing after a pass is not a hint


QUIZ_LESSON = """\
id: whys
title: Why each choice
summary: A quiz whose every choice says why it is right or wrong.
requires: []
minutes: 1
steps:
  - title: Pick
    blocks:
      - quiz:
          question: Which product stacks the rows of E for the ids?
          choices:
            - text: "`E.T[ids]`"
              why: "`E.T` is (d, V): its rows are coordinates, not characters."
            - text: "`E[ids]`"
              why: Indexing rows by id stacks each character's row.
          answer: 1
          explanation: A lookup is a product with one-hot rows.
"""


async def test_a_picked_choice_is_answered_with_its_own_why(tmp_path: Path) -> None:
    from grimoire.ui.widgets.quiz import QuizBlock

    (tmp_path / "01-whys.yaml").write_text(QUIZ_LESSON, encoding="utf-8")
    app = GrimoireApp(StartRequest("lesson", lesson="whys", lessons=tmp_path, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query(QuizBlock)))
        quiz = app.screen.query_one(QuizBlock)
        await pilot.press("1")
        await wait_for(pilot, lambda: quiz.attempts == 1)
        said = str(quiz.feedback.render())
        assert "Not quite: E.T is (d, V): its rows are coordinates, not characters." in said
        await pilot.press("2")
        await wait_for(pilot, lambda: quiz.answered_right)
        said = str(quiz.feedback.render())
        assert "Indexing rows by id stacks each character's row." in said
        assert "A lookup is a product with one-hot rows." in said
