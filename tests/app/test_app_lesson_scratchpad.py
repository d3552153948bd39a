"""The scratchpad: free cells in the kernel's namespace, a log of what ran, history on up/down."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot

from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.scratchpad import HistoryEditor, ScratchpadScreen
from grimoire.ui.widgets.code_cell import CellOutput
from grimoire.ui.widgets.heatmap import Heatmap


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the scratchpad never reached the expected state"
        await pilot.pause(0.05)


def outputs(screen: ScratchpadScreen) -> list[str]:
    return ["\n".join(str(child.render()) for child in output.children
                      if not isinstance(child, Heatmap))
            for output in screen.query(CellOutput)]


async def test_scratch_cells_share_a_namespace_and_remember_history() -> None:
    app = GrimoireApp(StartRequest(screen="scratchpad"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScratchpadScreen)
        editor = screen.query_one(HistoryEditor)
        assert screen.focused is editor
        editor.load_text("x = model.params['wte'].shape[1]\nprint('width', x)")
        await pilot.press("ctrl+r")
        assert editor.text == ""
        await wait_for(pilot, lambda: len(outputs(screen)) == 1 and outputs(screen)[0] != "")
        editor.load_text("show.heatmap(np.eye(2) * x, title='scaled')\nx * 2")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(outputs(screen)) == 2 and "⇒" in outputs(screen)[1])
        width = int(outputs(screen)[0].split()[-1])
        assert outputs(screen)[1] == f"⇒ {width * 2}"
        assert screen.query_one(Heatmap).border_title == "scaled"

        # Up on the first line brings back the last cell, then the one before; down returns.
        editor.load_text("draft")
        await pilot.press("up")
        assert editor.text.startswith("show.heatmap")
        await pilot.press("up")
        assert editor.text.startswith("x = model")
        await pilot.press("down", "down")
        assert editor.text.startswith("show.heatmap")
        await pilot.press("down", "down")
        assert editor.text == "draft"

    # The history outlives the session.
    app = GrimoireApp(StartRequest(screen="scratchpad"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScratchpadScreen)
        await pilot.press("up")
        assert screen.query_one(HistoryEditor).text.startswith("show.heatmap")
