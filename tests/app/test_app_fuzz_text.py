"""Fuzz: any text with markup and control characters, drawn in every place text is drawn.

Display titles and labels, table cells, printed output, errors, values, toasts and the header's
title are drawn by the app's own widgets and helpers; nothing may raise, and no control
character may reach the screen.
"""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header, Static

from grimoire.course.kernel import CellResult
from grimoire.ui.app import GrimoireApp
from grimoire.ui.plain import plain
from grimoire.ui.widgets.code_cell import CellOutput

CONTROLS = {chr(code) for code in range(0x20) if chr(code) not in "\n\t"} | {
    chr(code) for code in range(0x7F, 0xA0)}

MARKUP = st.sampled_from(["[/]", "[b]", "[/b]", "a[/2]", "x[i]", "[red]", "[@click=quit]",
                          "[link=x]", "$text", "\\[", "]", "[", "[on red]", "\x1b[2J",
                          "\x1b]0;PWNED\x07", "\x1b[6n", "\x9b", "\r", "\x00", "\x7f", "é", "✦"])
TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=6)), max_size=6).map("".join)


class Canvas(GrimoireApp):
    """The Grimoire's app (its toast and title rules) showing just the widgets under test."""

    def get_default_screen(self) -> Screen:
        return Board()

    def on_mount(self) -> None:
        pass  # no rooms, no kernel


class Board(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plain")
        yield CellOutput()


def _displays(texts: list[str]) -> list[dict]:
    one, two, three = texts[0], texts[1], texts[2]
    return [
        {"kind": "bars", "values": [1.0, -2.0], "labels": [one, two], "log": False,
         "title": three},
        {"kind": "heatmap", "values": [[1.0, 2.0], [3.0, 4.0]], "rows": [one, two],
         "cols": [three, one], "title": two},
        {"kind": "table", "rows": [[one, two], [three, "4"]], "header": [two, three],
         "title": one},
        {"kind": "line", "series": [[1.0, 2.0, 3.0]], "labels": [one], "title": three},
        {"kind": "scatter", "points": [[0.0, 1.0], [1.0, 0.0]], "labels": [two, three],
         "title": one},
        {"kind": "matrix", "values": [[1.0]], "title": two},
        {"kind": three},
    ]


async def _draw(texts: list[str]) -> None:
    app = Canvas()
    async with app.run_test(size=(90, 60)) as pilot:
        app.screen.title, app.screen.sub_title = texts[0], texts[1]
        app.query_one("#plain", Static).update(plain(texts[2]))
        app.query_one(CellOutput).show(CellResult(
            stdout=texts[0], stderr=texts[1], error=texts[2], value=texts[3],
            displays=_displays(texts)))
        app.notify(texts[3], title=texts[4])
        await pilot.pause(0.05)
        screen = app.export_screenshot()
        raw = sorted({repr(char) for char in screen if char in CONTROLS})
        assert not raw, f"raw control characters reached the screen: {raw}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=5, max_size=5))
def test_any_text_is_drawn_as_text(texts: list[str]) -> None:
    asyncio.run(_draw(texts))


def test_the_worst_text_is_drawn_as_text() -> None:
    asyncio.run(_draw(["[/]", "a[/2] \x1b[2J", "x[i] \x1b]0;PWNED\x07", "[b]\x9b", "[@click=quit]"]))


async def test_code_with_escapes_shows_them_in_the_editor() -> None:
    from grimoire.ui.widgets.code_editor import CodeEditor

    class Editing(Canvas):
        def get_default_screen(self) -> Screen:
            class Page(Screen):
                def compose(self) -> ComposeResult:
                    yield CodeEditor("print('\x1b[2J')\r\nx = 1")

            return Page()

    app = Editing()
    async with app.run_test(size=(60, 10)) as pilot:
        editor = app.screen.query_one(CodeEditor)
        assert editor.text == "print('␛[2J')\nx = 1"
        editor.focus()
        editor.insert("\x9b6n\x07")
        await pilot.pause(0.05)
        assert "⟨9B⟩6n␇" in editor.text
        screen = app.export_screenshot()
        assert not {char for char in screen if char in CONTROLS}


async def test_pasted_escapes_arrive_visible_in_an_input() -> None:
    from textual import events
    from textual.widgets import Input

    class Typing(Canvas):
        def get_default_screen(self) -> Screen:
            class Page(Screen):
                def compose(self) -> ComposeResult:
                    yield Input()

            return Page()

    app = Typing()
    async with app.run_test(size=(60, 10)) as pilot:
        field = app.screen.query_one(Input)
        field.focus()
        await pilot.pause()
        app.post_message(events.Paste("x\x1b[2Jy"))
        await pilot.pause(0.1)
        assert field.value == "x␛[2Jy"
        assert not {char for char in app.export_screenshot() if char in CONTROLS}
