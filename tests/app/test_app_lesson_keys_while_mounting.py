"""No result ever reaches a widget that is not mounted (the crash of a fast key after opening)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical

from grimoire.course.kernel import CellResult
from grimoire.ui.widgets.code_cell import CellOutput, CodeCell


async def test_a_result_before_the_output_is_mounted_is_drawn_once_it_is() -> None:
    # A cell's result could arrive between the step's widgets being made and mounted: the
    # output then mounted its children into a widget not yet mounted (MountError).
    class Holder(App):
        def compose(self) -> ComposeResult:
            yield Vertical(id="page")

    app = Holder()
    async with app.run_test() as pilot:
        cell = CodeCell("x = 1", key="0.0", label="cell 1")
        cell.show_result(CellResult(stdout="early"))
        assert not cell.output.is_mounted
        await app.query_one("#page").mount(cell)
        await pilot.pause()
        assert "early" in str(cell.output.children[0].render())
        lone = CellOutput()
        lone.show(CellResult(stdout="late"))
        lone.clear()
        await app.query_one("#page").mount(lone)
        await pilot.pause()
        assert not lone.children


async def test_keys_pressed_while_a_lesson_opens() -> None:
    from grimoire.ui.app import GrimoireApp, StartRequest
    from grimoire.ui.screens.lesson import LessonScreen

    app = GrimoireApp(StartRequest("lesson", lesson="quadratic-forms"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("3", "1", "n", "p", "n", "3", "ctrl+r", "n", "p")
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        for _ in range(2400):
            if screen.settled:
                break
            await pilot.pause(0.05)
        assert screen.settled
