"""A seeded monkey in every room but the lessons: a fast burst of the room's keys, no crash.

The lessons have their own (test_app_lesson_monkey.py). Here the map, the spellbook, the
playground, the scratchpad, the training room, the review room and the welcome page each get
keys with no pause for the workers they start (a search, the familiar writing, training).
`pytest tests/app/test_app_rooms_monkey.py --monkey-keys 3000 --monkey-seed 7` presses more.
"""

from __future__ import annotations

import random

import pytest

from grimoire.ui.app import GrimoireApp, StartRequest

COMMON = ["up", "down", "left", "right", "pageup", "pagedown", "home", "end", "tab",
          "shift+tab", "enter", "space", "backspace", "delete", "a", "e", "x", "1", "2", "[",
          "/", "question_mark", "escape"]
"""Keys any room is given; `escape` may leave it (the room is then opened again)."""

ROOM_KEYS = {
    "map": ["ctrl+r", "v", "e", "c"],
    "source": ["f", "slash", "colon", "n", "N", "p", "c", "o", "ctrl+r", "g"],
    "playground": ["ctrl+r", "ctrl+k", "ctrl+r", "ctrl+l", "ctrl+h"],
    "scratchpad": ["ctrl+r", "ctrl+l", "p", "r", "i", "n", "t", "(", ")"],
    "training": ["ctrl+r", "s", "t", "r", "ctrl+s", "ctrl+t"],
    "review": ["1", "2", "3", "y", "n", "s"],
    "welcome": ["l", "s", "p"],
}


@pytest.mark.parametrize("room", sorted(ROOM_KEYS))
async def test_a_burst_of_keys_in_a_room(room: str, request: pytest.FixtureRequest) -> None:
    total = request.config.getoption("--monkey-keys")
    chance = random.Random(f"{request.config.getoption('--monkey-seed')}-{room}")
    keys = COMMON + ROOM_KEYS[room]
    app = GrimoireApp(StartRequest(room))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for _ in range(max(40, total // len(ROOM_KEYS))):
            if len(app.screen_stack) == 1 and room != "map":
                app.open_room(room)  # escape went home: back into the room
                await pilot.pause()
            await pilot.press(chance.choice(keys))
        for _ in range(10):
            await pilot.pause(0.05)
        assert app.crash is None, repr(app.crash)
        assert app.is_running
