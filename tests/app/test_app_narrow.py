"""At 80x24 every room is laid out for the width: nothing needed is cut away or off screen."""

from __future__ import annotations

import asyncio
import string
from pathlib import Path

import pytest
from textual.pilot import Pilot

from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens import playground
from grimoire.ui.screens.source import SourceScreen
from grimoire.ui.widgets.code_cell import CodeCell
from grimoire.ui.widgets.code_view import CodeView

NARROW = (80, 24)


async def until(pilot: Pilot, condition, limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the screen never got there"
        await pilot.pause(0.05)


async def test_the_spellbooks_panels_fold_away_and_come_back() -> None:
    app = GrimoireApp(StartRequest("source", path="grimoire/paths.py"))
    async with app.run_test(size=NARROW) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.pause()
        screen = app.screen
        pages, outline = screen.query_one("#pages"), screen.query_one("#outline-pane")
        view = screen.query_one(CodeView)
        assert not pages.display and not outline.display
        assert view.size.width >= 70  # the page has the width
        assert "p: pages and outline" in str(screen.query_one("#reading").border_subtitle)
        await pilot.press("p")
        await pilot.pause()
        assert pages.display and outline.display
        await pilot.press("p")
        await pilot.pause()
        assert not pages.display
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert pages.display and outline.display
        assert "p: pages" not in str(screen.query_one("#reading").border_subtitle)


def small_model(folder: Path) -> Path:
    from grimoire.model.gpt import GPT, Config, init_params, save_model
    from grimoire.model.tokenizer import Tokenizer

    tokenizer = Tokenizer.from_text(string.printable)
    config = Config(2, 4, 32, 8, 64, 64, tokenizer.size)
    path = folder / "small.npz"
    save_model(GPT(config, init_params(config, 7), tokenizer, {}), path)
    return path


async def test_the_playground_is_one_column_and_follows_the_writing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(playground, "MAX_NEW", 600)  # more than its box holds at this width
    app = GrimoireApp(StartRequest("playground", extra={
        "model_path": str(small_model(tmp_path)), "seed": 3}))
    async with app.run_test(size=NARROW) as pilot:
        await until(pilot, lambda: getattr(app.screen, "model", None) is not None)
        screen = app.screen
        screen.pace = 0
        assert screen.query_one("#playground").has_class("-narrow")
        left, right = screen.query_one("#play-left"), screen.query_one("#play-right")
        assert right.display and left.size.width >= 70 and right.size.width >= 70
        assert right.region.y >= left.region.bottom  # the panels are below, not cut away
        box = screen.query_one("#continuation")
        for _ in range(2):  # and again after keeping what it wrote
            await pilot.press("ctrl+r")
            await until(pilot, lambda: not screen.writing and len(screen.written) > 0)
            await pilot.pause()
            await pilot.pause()
            assert box.max_scroll_y > 0  # more than the box holds...
            assert box.scroll_y == box.max_scroll_y  # ...and its newest line in sight
            await pilot.press("ctrl+k")
            await pilot.pause()


async def test_help_fits_a_short_terminal() -> None:
    app = GrimoireApp()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one("#help-box")
        assert box.region.y >= 0 and box.region.bottom <= NARROW[1]
        assert box.region.right <= NARROW[0]


LONG_LINE = """\
id: long
title: A long line
summary: A cell wider than the screen.
requires: []
minutes: 1
steps:
  - title: Wide
    blocks:
      - code: |
          total = sum(value * value for value in [1, 2, 3]) + 1000 * 3  # and a comment that runs on
          total
"""


async def test_a_long_code_line_scrolls_visibly(tmp_path: Path) -> None:
    (tmp_path / "01-long.yaml").write_text(LONG_LINE, encoding="utf-8")
    app = GrimoireApp(StartRequest("lesson", lesson="long", lessons=tmp_path, trust=True))
    async with app.run_test(size=NARROW) as pilot:
        await until(pilot, lambda: bool(app.screen.query(CodeCell)))
        await pilot.pause()
        editor = app.screen.query_one(CodeCell).editor
        assert editor.virtual_size.width > editor.size.width
        assert editor.show_horizontal_scrollbar  # the cut is shown, and the rest reachable
