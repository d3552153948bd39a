"""Nothing typed is lost or reordered: a burst of keys reaches a text field as it was typed."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, TextArea

from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.widgets.code_editor import CodeEditor
from grimoire.ui.widgets.quiz import QuizBlock

BURST = ["backspace"] * 9 + list("welcome")


def post_burst(app: GrimoireApp, keys: list[str]) -> None:
    """Every key at once, as a terminal delivers a fast typist's burst (no pause between)."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def type_into(pilot, field: Input, text: str) -> None:
    await pilot.press(*text)
    await pilot.pause()
    assert field.value == text


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause(0.02)


async def test_a_burst_in_the_maps_filter_arrives_whole() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#map-filter", Input)
        await type_into(pilot, field, "condition")
        post_burst(app, BURST)
        await settle(pilot)
        assert field.value == "welcome"


async def test_a_burst_in_the_palette_arrives_whole() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await settle(pilot)
        field = app.screen.query_one(Input)
        await type_into(pilot, field, "condition")
        post_burst(app, BURST)
        await settle(pilot)
        assert field.value == "welcome"


QUIZ_LESSON = """\
id: burst
title: A numeric quiz
summary: One question.
requires: []
minutes: 1
steps:
  - title: Guess
    blocks:
      - quiz:
          question: What is one half?
          numeric: 0.5
          tolerance: 0.01
          explanation: Half of one.
"""


async def test_a_burst_in_a_quiz_field_arrives_whole(tmp_path: Path) -> None:
    (tmp_path / "01-burst.yaml").write_text(QUIZ_LESSON, encoding="utf-8")
    app = GrimoireApp(StartRequest("lesson", lesson="burst", lessons=tmp_path, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            # The step is drawn and settled: nothing will move the focus after this.
            if (getattr(app.screen, "settled", False) and app.screen.query(QuizBlock)
                    and app.screen.query(QuizBlock).first().query(Input)):
                break
        field = app.screen.query_one(QuizBlock).query_one(Input)
        field.focus()
        await pilot.pause()
        await type_into(pilot, field, "condition")
        post_burst(app, BURST)
        await settle(pilot)
        assert field.value == "welcome"


MIXED = list("abc") + ["backspace"] * 3 + list("xyz") + ["backspace"] * 2 + ["q"]
"""Letters, then the Backspaces that rub them out, then more: the field must read "xq"."""

MOVES = list("linear") + ["left"] * 6 + ["delete", "end", "backspace", "home", "x"]
"""Cursor keys in a burst: "linear", to its start, drop the l, drop the r, an x in front."""


async def test_letters_and_backspaces_keep_their_order_in_the_maps_filter() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#map-filter", Input)
        post_burst(app, MIXED)
        await settle(pilot)
        assert field.value == "xq"
        field.value = ""
        post_burst(app, MOVES)
        await settle(pilot)
        assert field.value == "xinea"


class Words(Screen[None]):
    def compose(self) -> ComposeResult:
        yield TextArea(id="words")
        yield CodeEditor(id="code")


async def test_letters_and_backspaces_keep_their_order_in_text_areas() -> None:
    # The playground's prompt and the training room's text are TextAreas; every code cell,
    # exercise and the scratchpad is a CodeEditor.
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await app.push_screen(Words())
        await pilot.pause()
        for name in ("words", "code"):
            area = app.screen.query_one(f"#{name}", TextArea)
            area.focus()
            await pilot.pause()
            post_burst(app, MIXED)
            await settle(pilot)
            assert area.text == "xq", name
            area.load_text("")
            post_burst(app, MOVES)
            await settle(pilot)
            assert area.text == "xinea", name
