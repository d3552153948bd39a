"""Snapshot at 120x36: a wrong exercise answer named in one sentence, with expected, yours and
the difference drawn beside each other."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot

from grimoire.ui.app import GrimoireApp, StartRequest

LESSONS = Path(__file__).resolve().parent.parent / "data" / "diagnosis-lessons"


async def settle(pilot: Pilot, condition, limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the screen never settled"
        await pilot.pause(0.05)
    await pilot.pause(0.2)


def test_snap_exercise_wrong_answer_diagnosed(snap_compare) -> None:
    app = GrimoireApp(StartRequest("lesson", lesson="affine", lessons=LESSONS, trust=True))

    async def rejected(pilot: Pilot) -> None:
        from grimoire.ui.widgets.exercise import ExerciseBlock

        await settle(pilot, lambda: bool(app.screen.query(ExerciseBlock)))
        exercise = app.screen.query_one(ExerciseBlock)
        exercise.cell.editor.text = "def affine(x, W, b):\n    return x @ W"
        exercise.cell.editor.focus()
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: len(exercise.difference.children) == 3)
        app.screen.query_one("#step-body").focus()
        app.screen.query_one("#step-body").scroll_end(animate=False)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 36), run_before=rejected)
