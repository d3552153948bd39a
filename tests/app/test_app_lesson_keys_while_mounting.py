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


async def test_a_page_key_before_a_list_is_laid_out() -> None:
    # Page Down as a quiz appears: the list is mounted and focused but not yet laid out, and
    # Textual's OptionList looked up a line it had not measured (KeyError; found by the
    # monkey test). Every option list of the Grimoire waits for its first layout instead.
    from textual.widgets import Static

    from grimoire.ui.widgets.predict import GuessList
    from grimoire.ui.widgets.quiz import ChecklistChoices, ChoiceList
    from grimoire.ui.widgets.row_list import RowList

    class Holder(App):
        def compose(self) -> ComposeResult:
            yield Static("above")

    for make in (lambda: ChoiceList("a", "b", "c"), lambda: GuessList("a", "b", "c"),
                 lambda: RowList("a", "b", "c"), lambda: ChecklistChoices(("a", 0), ("b", 1))):
        app = Holder()
        async with app.run_test(size=(40, 12)) as pilot:
            options = make()
            await app.screen.mount(options)
            options.highlighted = 0
            options.action_page_down()
            options.action_page_up()
            assert options.highlighted == 0
            await pilot.pause()
            options.action_page_down()  # laid out now: a page moves as Textual's does
            assert options.highlighted == options.option_count - 1
