"""The lesson session: one way a lesson runs, for `run`, `check`, the screen and the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grimoire.course.kernel import Kernel
from grimoire.course.loader import load_lesson
from grimoire.course.progress import ProgressStore
from grimoire.course.session import PENDING, LessonSession, run_lesson

LESSONS = Path(__file__).resolve().parents[2] / "data" / "session-lessons"


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with Kernel() as started:
        started.wait_ready()
        yield started


@pytest.fixture
def lesson_file() -> Path:
    return LESSONS / "01-counting.yaml"


def test_prose_fills_by_block_after_cells_and_after_an_exercise(kernel: Kernel,
                                                                lesson_file: Path) -> None:
    session = LessonSession(load_lesson(lesson_file, check_sources=False), kernel)
    session.open()
    assert PENDING in session.prose_text(0, 2)
    session.run_step(0)
    assert session.prose_text(0, 2) == "The cell made n = 12."
    session.run_step(1)
    # The exercise's prompt is not prose: the paragraph after it gets its own values.
    assert session.prose_text(1, 2) == "Three of these make 36."
    assert session.problems == []


def test_an_edited_cell_updates_the_prose_below_and_is_remembered(kernel: Kernel,
                                                                  lesson_file: Path) -> None:
    store = ProgressStore()
    session = LessonSession(load_lesson(lesson_file, check_sources=False), kernel, store)
    session.open()
    session.run_step(0)
    session.run_cell(0, 1, "n = base + 5\n")
    assert session.prose_text(0, 2) == "The cell made n = 15."
    assert store.lesson("counting").code == {"0.1": "n = base + 5\n"}
    # Running the book's code again forgets the edit: nothing is left to replay.
    session.run_cell(0, 1, "n = base + 2\n")
    assert store.lesson("counting").code == {}
    assert session.prose_text(0, 2) == "The cell made n = 12."


def test_a_replayed_edit_that_fails_falls_back_to_the_books_code(kernel: Kernel,
                                                                  lesson_file: Path) -> None:
    store = ProgressStore()
    store.save_code("counting", "0.1", "n = undefined_name\n")
    session = LessonSession(load_lesson(lesson_file, check_sources=False), kernel, store)
    session.open()
    session.prepare(1)
    notes = session.take_notes()
    assert len(notes) == 1 and "book's code ran in its place" in notes[0].message
    assert session.results["0.1"].ok
    session.run_step(1)
    assert session.prose_text(1, 2) == "Three of these make 36."


def test_answers_hints_resets_and_starting_over(kernel: Kernel, lesson_file: Path) -> None:
    store = ProgressStore()
    session = LessonSession(load_lesson(lesson_file, check_sources=False), kernel, store)
    session.open()
    session.run_step(0)
    session.run_step(1)
    assert session.answer(1, 3, "1/sqrt(64)").correct
    assert not session.answer(1, 3, "1/9").correct
    assert not session.check_exercise(1, 0, "k = 1").passed
    assert not session.step_settled(1)
    assert session.check_exercise(1, 0, "k = 2 * n").passed
    assert session.step_settled(1)
    assert session.take_hint(1, 0) == 1
    assert session.reset_exercise(1, 0) == "k = 0\n"
    progress = store.lesson("counting")
    assert "1.0" not in progress.code and "1.0" not in progress.answers
    assert "1.0" not in progress.hints_used and "1.3" in progress.answers
    session.run_cell(0, 1, "n = 1\n")
    assert session.reset_cell(0, 1) == "n = base + 2\n"
    assert store.lesson("counting").code == {}
    session.mark_done(0)
    session.start_over()
    assert store.lesson("counting").steps_done == [] and not session.results


def test_run_lesson_describes_every_block(kernel: Kernel, lesson_file: Path) -> None:
    run = run_lesson(load_lesson(lesson_file, check_sources=False), kernel)
    assert run.ok, run.problems
    kinds = [(block.step, block.kind) for block in run.blocks]
    assert kinds == [(0, "prose"), (0, "code"), (0, "prose"),
                     (1, "exercise"), (1, "code"), (1, "prose"), (1, "quiz")]
    assert run.blocks[5].text == "Three of these make 36."
    assert run.blocks[6].data["answer"] == pytest.approx(0.125)
