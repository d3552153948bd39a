"""`e` on a lesson writes the learner's session to files, without disturbing the lesson; the
last step's warning names only what is missing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.lesson import LessonScreen

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "example-lessons"


async def wait_for(pilot, condition, limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the app never reached the expected state"
        await pilot.pause(0.05)


async def test_e_exports_the_session_as_markdown_and_a_notebook(grimoire_home):
    app = GrimoireApp(StartRequest(screen="lesson", lesson="example", lessons=EXAMPLES,
                                   trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.settled)
        await pilot.press("e")
        folder = grimoire_home / "exports"
        # Both finished files (a file being written atomically has another name first).
        await wait_for(pilot, lambda: any(folder.glob("*.md")) and any(folder.glob("*.ipynb")))
        markdown = next(folder.glob("*.md")).read_text()
        assert markdown.startswith("# Lesson") and "it is 5, and squared 25.0" in markdown
        assert next(folder.glob("*.ipynb")).read_text().startswith("{")
        assert app.screen.settled  # the lesson itself goes on as before


async def test_the_last_steps_warning_does_not_blame_done_steps(grimoire_home):
    app = GrimoireApp(StartRequest(screen="lesson", lesson="example", lessons=EXAMPLES,
                                   trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.settled)
        screen = app.screen
        last = len(screen.session.lesson.steps) - 1
        for step in range(last):
            screen.session.mark_done(step)
        screen.current = last
        await wait_for(pilot, lambda: screen.settled)
        seen: list[str] = []
        original = screen.notify
        screen.notify = lambda message, **kw: (seen.append(str(message)), original(message, **kw))
        await pilot.press("n")
        await pilot.pause()
        assert seen and "last step" in seen[-1] and "before" not in seen[-1]
