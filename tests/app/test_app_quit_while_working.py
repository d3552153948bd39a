"""A worker's result that arrives while the learner quits is dropped, never an error at goodbye."""

from __future__ import annotations

import threading

import pytest
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from grimoire.ui.app import GrimoireApp, StartRequest


async def test_a_result_arriving_as_the_app_closes_is_dropped() -> None:
    # The playground's reading of the familiar once arrived as the app was closing: its
    # panels were already taken down, and the app ended on NoMatches. Here the result is
    # held back until the room's widgets are being removed, then delivered.
    removed = threading.Event()
    finished = threading.Event()
    outcome: list[tuple[str, object]] = []

    class Target(Static):
        def on_unmount(self) -> None:
            removed.set()

    class Room(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Target(id="target")

        def draw(self, text: str) -> None:
            self.query_one("#target", Static).update(text)

    def late_result() -> None:
        removed.wait(timeout=10)
        try:
            outcome.append(("returned", app.call_from_thread(room.draw, "too late")))
        except Exception as error:  # noqa: BLE001 - what the worker would have died of
            outcome.append(("raised", error))
        finally:
            finished.set()

    app = GrimoireApp()
    room = Room()
    async with app.run_test() as pilot:
        await app.push_screen(room)
        await pilot.pause()
        threading.Thread(target=late_result, daemon=True).start()
        await pilot.pause()
    assert finished.wait(timeout=10)
    assert outcome == [("returned", None)]
    assert app.crash is None


async def test_a_result_while_the_app_runs_is_drawn() -> None:
    app = GrimoireApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        shown: list[str] = []
        worker = app.run_worker(
            lambda: shown.append(app.call_from_thread(lambda: app.screen.__class__.__name__)),
            thread=True)
        await worker.wait()
        assert shown == ["MapScreen"]


@pytest.mark.parametrize(("room", "keys"), [
    ("playground", ["ctrl+r"]),  # the familiar writing, its reading of the prompt
    ("training", ["ctrl+r"]),  # a training run starting in its own process
    ("source", ["f", "s", "e", "l", "f", "enter"]),  # a search across every page
    ("scratchpad", ["x", "enter", "ctrl+r"]),  # a cell running in the kernel
    ("lesson", ["n", "ctrl+r"]),  # a step's cells running
    ("map", ["v"]),  # the filter, the review count in its thread
])
async def test_quitting_at_once_while_a_room_works(room: str, keys: list[str]) -> None:
    request = StartRequest(room, lesson="vectors") if room == "lesson" else StartRequest(room)
    app = GrimoireApp(request)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        await pilot.press(*keys)
        await pilot.press("ctrl+q")  # the learner leaves without waiting
    assert app.crash is None, repr(app.crash)
