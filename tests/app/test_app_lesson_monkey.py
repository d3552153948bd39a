"""A seeded monkey at the keyboard: every lesson, a fast burst of lesson keys, no crash, no `…`.

`pytest tests/app/test_app_lesson_monkey.py --monkey-keys 5000 --monkey-seed 7` presses more.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from textual.pilot import Pilot

from grimoire.course.loader import load_lessons
from grimoire.course.session import PENDING
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.confirm import Confirm
from grimoire.ui.screens.lesson import LessonScreen
from grimoire.ui.widgets.prose import Prose

KEYS = ["n", "n", "p", "ctrl+r", "ctrl+r", "tab", "tab", "shift+tab", "h", "escape", "1", "2",
        "3", "space", "x", "y", "r", "s", "enter", "0", ".", "5", "pagedown"]
"""What a hurried learner presses on a lesson page; `escape` may leave it (the burst ends)."""


async def settle(pilot: Pilot, screen: LessonScreen, limit: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not screen.settled:
        assert loop.time() < deadline, f"lesson {screen.lesson_name} never settled"
        await pilot.pause(0.05)


async def test_a_burst_of_keys_on_every_lesson(request: pytest.FixtureRequest) -> None:
    total = request.config.getoption("--monkey-keys")
    chance = random.Random(request.config.getoption("--monkey-seed"))
    lessons, _ = load_lessons()
    per_lesson = max(1, total // len(lessons))
    app = GrimoireApp(StartRequest())
    async with app.run_test(size=(100, 30)) as pilot:
        for lesson in lessons:
            app.open_room("lesson", lesson=lesson.id)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, LessonScreen)
            for _ in range(per_lesson):
                if screen not in app.screen_stack:
                    break  # escape left the lesson
                if app.screen is not screen and not isinstance(app.screen, Confirm):
                    await pilot.press("escape")  # back from the spellbook or help
                    continue
                await pilot.press(chance.choice(KEYS))
            if isinstance(app.screen, Confirm):
                await pilot.press("n")
            if screen in app.screen_stack:
                while app.screen is not screen:
                    app.pop_screen()
                    await pilot.pause()
                await settle(pilot, screen)
                session = screen.session
                assert session is not None
                # Every page the burst visited, turned back to as a learner would: what it
                # shows is the session's prose, filled in. (A hidden page is brought up to
                # date when it is shown again, so pages are checked shown, one at a time.)
                visited = sorted({prose.key.split(".")[0] for prose in screen.query(Prose)
                                  if prose.key is not None}, key=int)
                for step in map(int, visited):
                    screen.current = step
                    await settle(pilot, screen)
                    for prose in screen.query(Prose):
                        if prose.key is None or not prose.key.startswith(f"{step}."):
                            continue
                        number = int(prose.key.split(".")[1])
                        values = session.prose_values(step, number) or []
                        assert PENDING not in values and None not in values, prose.key
                        assert prose.shown_markdown == session.prose_text(step, number), \
                            prose.key
                app.pop_screen()
            await pilot.pause()
