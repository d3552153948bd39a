"""Declining to trust a lesson folder means nothing of it is evaluated, anywhere."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from grimoire.course.trust import content_hash
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.lesson import LessonScreen
from grimoire.ui.widgets.quiz import QuizBlock

TRUST = Path(__file__).resolve().parent.parent / "hostile" / "trust"


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the app never reached the expected state"
        await pilot.pause(0.05)


async def test_after_a_refusal_no_lesson_expression_runs(tmp_path: Path, monkeypatch) -> None:
    marker = tmp_path / "marker"
    monkeypatch.setenv("HOSTILE_MARKER", str(marker))
    folder = tmp_path / "lessons"
    shutil.copytree(TRUST, folder)
    app = GrimoireApp(StartRequest(screen="lesson", lesson="trust", lessons=folder))
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TrustScreen")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen)
                       and bool(app.screen.query(QuizBlock)))
        quiz = app.screen.query_one(QuizBlock)
        quiz.query_one(Input).focus()
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: "cannot be checked" in str(quiz.feedback.render()))
        await pilot.press("escape", "ctrl+r")  # run the step again: still nothing evaluated
        await pilot.pause(0.5)
    assert not marker.exists()


def test_the_trust_hash_covers_every_file_of_the_folder(tmp_path: Path) -> None:
    shutil.copytree(TRUST, tmp_path / "lessons")
    folder = tmp_path / "lessons"
    (folder / "helper.py").write_text("VALUE = 1\n")
    before = content_hash(folder)
    (folder / "helper.py").write_text("VALUE = __import__('os').system('true')\n")
    assert content_hash(folder) != before
    changed = content_hash(folder)
    (folder / "data").mkdir()
    (folder / "data" / "table.csv").write_text("1,2\n")
    assert content_hash(folder) != changed
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "helper.cpython-311.pyc").write_bytes(b"\0")
    with_cache = content_hash(folder)
    (folder / "__pycache__" / "helper.cpython-311.pyc").write_bytes(b"\1")
    assert content_hash(folder) == with_cache  # Python's own cache is not the author's code
