"""The bundled curriculum: every lesson keeps the rules of the course and runs clean."""

from __future__ import annotations

import re

import pytest

from grimoire.course.kernel import Kernel
from grimoire.course.lesson_check import check_lesson
from grimoire.course.loader import load_lessons
from grimoire.course.schema import Code, Exercise, Prose, Quiz, Source

CURRICULUM = [
    "grimoire", "vectors", "linear-maps", "orthogonality", "eigen", "svd", "tensors",
    "factorization", "rank", "projection", "quadratic-forms", "condition", "forward-pass",
    "learning",
]
DISPLAY = re.compile(r"\bshow\.(heatmap|bars|scatter|line)\(")

LESSONS, PROBLEMS = load_lessons()
BY_ID = {lesson.id: lesson for lesson in LESSONS}


def _blocks(lesson, kind):
    return [block for step in lesson.steps for block in step.blocks if isinstance(block, kind)]


def test_the_curriculum_loads_whole_and_in_order():
    assert PROBLEMS == []
    assert [lesson.id for lesson in sorted(LESSONS, key=lambda item: item.number)] == CURRICULUM
    for lesson in LESSONS:
        assert all(BY_ID[need].number < lesson.number for need in lesson.requires), lesson.id


@pytest.mark.parametrize("lesson_id", CURRICULUM)
def test_every_lesson_keeps_the_rules_of_the_course(lesson_id):
    lesson = BY_ID[lesson_id]
    assert len(lesson.steps) >= 6
    cells = [block.code for block in _blocks(lesson, Code)]
    assert len(cells) >= 3 and "model" in "".join(cells) + (lesson.setup or "")
    code = cells + [lesson.setup or ""]
    assert any(DISPLAY.search(cell) for cell in code), "at least one picture"
    assert len(_blocks(lesson, Quiz)) + len(_blocks(lesson, Exercise)) >= 2
    for exercise in _blocks(lesson, Exercise):
        assert exercise.hints and exercise.solution.strip()
    assert _blocks(lesson, Source), "a link into the Grimoire's own code"
    assert any(prose.placeholders() for prose in _blocks(lesson, Prose)), "prose quotes its code"


def test_every_cell_runs_and_every_exercise_and_quiz_is_consistent():
    kernel = Kernel()
    kernel.start()
    try:
        problems = [problem for lesson in LESSONS for problem in check_lesson(lesson, kernel)]
    finally:
        kernel.close()
    assert [problem.short() for problem in problems] == []
