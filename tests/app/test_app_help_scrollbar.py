"""Help fits the screen and scrolls in one place: one scrollbar thumb, at any terminal size."""

from __future__ import annotations

import pytest

from grimoire.ui.app import GrimoireApp, StartRequest


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_help_has_one_scrollbar_and_fits_the_screen(size):
    app = GrimoireApp(StartRequest(screen="home"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        screen = app.screen
        scrolling = [widget for widget in [screen, *screen.walk_children()]
                     if widget.show_vertical_scrollbar or widget.show_horizontal_scrollbar]
        assert [widget.id for widget in scrolling] == ["help-scroll"]
        box = screen.query_one("#help-box").region
        assert box.y >= 0 and box.bottom <= size[1] and box.right <= size[0]
