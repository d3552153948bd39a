"""Snapshots of the learner's rooms at 120x36: the map, a lesson, the playground, the scratchpad.

Everything drawn is fixed: lessons written here, a model initialised from a seed (so retraining
the shipped model does not move the pictures), seeded sampling, and no timings on screen.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot

from grimoire.course.progress import ProgressStore
from grimoire.ui.app import GrimoireApp, StartRequest

SIZE = (120, 36)

MAP_LESSON = """\
id: {id}
title: {title}
summary: {summary}
requires: [{requires}]
minutes: {minutes}
steps:
  - title: One
    blocks:
      - prose: First.
  - title: Two
    blocks:
      - prose: Second.
"""

HEAT_LESSON = r"""
id: patterns
title: Patterns of attention
summary: A matrix as a picture, and a question about it.
requires: []
minutes: 10
setup: |
  scores = np.array([[2.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0],
                     [0.5, 0.5, 2.0, 0.0], [0.0, 1.0, 1.0, 1.0]])
steps:
  - title: Rows that sum to one
    blocks:
      - prose: |
          Each row of a pattern $A$ is a softmax, so $\sum_j A_{ij} = 1$; the first row
          puts {{ pattern[0, 0]:.2f }} of its weight on the first character.
      - code: |
          masked = np.where(np.tril(np.ones((4, 4))) > 0, scores, -np.inf)
          pattern = np.exp(masked) / np.exp(masked).sum(axis=1, keepdims=True)
          show.heatmap(pattern, rows=list("ab c"), cols=list("ab c"), title="attention pattern")
          pattern.sum(axis=1)
      - quiz:
          question: Which character does the third row attend to most?
          choices: ["a", "b", "the space", "c"]
          answer: 2
          explanation: Its own score, 2.0, is the largest it can see.
"""


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


async def settle(pilot: Pilot, condition, limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the screen never settled"
        await pilot.pause(0.05)
    await pilot.pause(0.2)


@pytest.fixture
def seeded_model(tmp_path: Path) -> Path:
    """A small model from a fixed seed, written where the playground can load it."""
    import string

    from grimoire.model.gpt import GPT, Config, init_params, save_model
    from grimoire.model.tokenizer import Tokenizer

    tokenizer = Tokenizer.from_text(string.printable)
    config = Config(2, 4, 32, 8, 64, 64, tokenizer.size)
    path = tmp_path / "seeded.npz"
    save_model(GPT(config, init_params(config, 7), tokenizer, {}), path)
    return path


def test_snap_map(snap_compare, tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    rows = [
        ("vectors", "Vectors and embeddings", "Characters as points in space.", "", 20),
        ("norms", "Norms and distances", "How long is a vector, and how far apart are two?",
         "vectors", 15),
        ("attention", "Attention patterns", "Who looks at whom, and why the rows sum to one.",
         "vectors, norms", 30),
        ("spectra", "Singular values", "The few directions a matrix cares about.",
         "attention", 25),
    ]
    for number, (lesson_id, title, summary, requires, minutes) in enumerate(rows, start=1):
        write(lessons, f"{number:02d}-{lesson_id}.yaml", MAP_LESSON.format(
            id=lesson_id, title=title, summary=summary, requires=requires, minutes=minutes))
    store = ProgressStore()
    store.open_lesson("vectors")
    store.mark_step_done("vectors", 0)
    store.mark_step_done("vectors", 1)
    store.open_lesson("norms")
    store.mark_step_done("norms", 0)
    store.set_position("norms", 1)
    app = GrimoireApp(StartRequest(lessons=lessons))

    async def unrolled(pilot: Pilot) -> None:
        await settle(pilot, lambda: getattr(app.screen, "loaded", False))

    assert snap_compare(app, terminal_size=SIZE, run_before=unrolled)


def test_snap_lesson_with_heatmap_and_quiz(snap_compare, tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    write(lessons, "01-patterns.yaml", HEAT_LESSON)
    app = GrimoireApp(StartRequest("lesson", lesson="patterns", lessons=lessons, trust=True))

    async def answered(pilot: Pilot) -> None:
        from grimoire.ui.widgets.quiz import QuizBlock

        await settle(pilot, lambda: getattr(app.screen, "settled", False))
        quiz = app.screen.query_one(QuizBlock)
        quiz.query_one("ChoiceList").focus()
        await pilot.press("2")
        await settle(pilot, lambda: quiz.attempts == 1)
        await pilot.press("3")
        await settle(pilot, lambda: quiz.answered_right)
        app.screen.query_one("#step-body").scroll_end(animate=False)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=answered)


def test_snap_playground(snap_compare, seeded_model: Path) -> None:
    app = GrimoireApp(StartRequest("playground",
                                   extra={"model_path": str(seeded_model), "seed": 3}))

    async def written(pilot: Pilot) -> None:
        await settle(pilot, lambda: getattr(app.screen, "model", None) is not None)
        app.screen.pace = 0
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: not app.screen.writing and len(app.screen.written) > 0)
        # and the panels have read the prompt (they follow the cursor, after a short pause)
        await settle(pilot, lambda: bool(app.screen.query_one("#nearest").display_data.get(
            "values")))

    assert snap_compare(app, terminal_size=SIZE, run_before=written)


def test_snap_scratchpad(snap_compare) -> None:
    app = GrimoireApp(StartRequest("scratchpad"))

    async def ran(pilot: Pilot) -> None:
        from grimoire.ui.screens.scratchpad import HistoryEditor
        from grimoire.ui.widgets.code_cell import CellOutput

        editor = app.screen.query_one(HistoryEditor)
        # A full-rank M: a rank-deficient one would show a singular value of rounding noise
        # (about 1e-16) whose digits differ between BLAS builds.
        editor.load_text("M = np.arange(12.0).reshape(3, 4) - 5.5 + np.eye(3, 4)\n"
                         "show.matrix(M, title='M')\n"
                         "np.linalg.norm(M)")
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: any(o.children for o in app.screen.query(CellOutput)))
        editor.load_text("show.bars(np.linalg.svd(M, compute_uv=False), log=True, "
                         "title='singular values of M')")
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: len([o for o in app.screen.query(CellOutput)
                                         if o.children]) == 2)

    assert snap_compare(app, terminal_size=SIZE, run_before=ran)


def test_snap_review_room(snap_compare, tmp_path: Path) -> None:
    import shutil

    lessons = tmp_path / "lessons"
    shutil.copytree(Path(__file__).parents[1] / "data" / "review-lessons", lessons)
    store = ProgressStore()
    store.mark_step_done("norms", 0)
    app = GrimoireApp(StartRequest("review", lessons=lessons, trust=True))

    async def answered(pilot: Pilot) -> None:
        await settle(pilot, lambda: getattr(app.screen, "card_widget", None) is not None)
        await pilot.press(*"np.linalg.norm(v)", "enter")
        await settle(pilot, lambda: app.screen.card_widget.answered)

    assert snap_compare(app, terminal_size=SIZE, run_before=answered)


def test_snap_playground_80x24(snap_compare, seeded_model: Path) -> None:
    app = GrimoireApp(StartRequest("playground",
                                   extra={"model_path": str(seeded_model), "seed": 3}))

    async def written(pilot: Pilot) -> None:
        await settle(pilot, lambda: getattr(app.screen, "model", None) is not None)
        app.screen.pace = 0
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: not app.screen.writing and len(app.screen.written) > 0)
        await settle(pilot, lambda: bool(app.screen.query_one("#nearest").display_data.get(
            "values")))

    assert snap_compare(app, terminal_size=(80, 24), run_before=written)
