"""The lesson screen draws what the lesson session says, and nothing a key does can lose it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from grimoire.course.kernel import Kernel
from grimoire.course.loader import load_lesson
from grimoire.course.progress import ProgressStore
from grimoire.course.session import PENDING, LessonSession
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.confirm import Confirm
from grimoire.ui.screens.lesson import LessonScreen, StepBody
from grimoire.ui.widgets.code_cell import CodeCell
from grimoire.ui.widgets.exercise import ExerciseBlock
from grimoire.ui.widgets.prose import Prose

LESSONS = Path(__file__).resolve().parents[1] / "data" / "session-lessons"


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 60.0) -> None:
    """Let the app work until `condition` holds (the limit only stops a hung test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the app never reached the expected state"
        await pilot.pause(0.05)


def counting_app() -> GrimoireApp:
    return GrimoireApp(StartRequest(screen="lesson", lesson="counting", lessons=LESSONS,
                                    trust=True))


def settled(app: GrimoireApp) -> bool:
    return isinstance(app.screen, LessonScreen) and app.screen.settled


def prose_shown(app: GrimoireApp) -> list[str]:
    return [p.shown_markdown for p in app.screen._page().query(Prose) if p.key is not None]


async def test_the_screen_shows_the_prose_the_session_computes() -> None:
    lesson = load_lesson(LESSONS / "01-counting.yaml", check_sources=False)
    with Kernel() as kernel:
        session = LessonSession(lesson, kernel)
        session.open()
        expected = []
        for step in range(len(lesson.steps)):
            session.run_step(step)
            expected.append([session.prose_text(step, n) for n, b in
                             enumerate(lesson.steps[step].blocks) if b.kind == "prose"])
    app = counting_app()
    async with app.run_test(size=(100, 30)) as pilot:
        seen = []
        for step in range(len(lesson.steps)):
            await wait_for(pilot, lambda step=step: settled(app) and app.screen.current == step)
            seen.append(prose_shown(app))
            await pilot.press("n")
    assert seen == expected
    # The paragraph after the exercise filled on the first visit (its prompt is no prose).
    assert seen[1] == ["Three of these make 36."]


async def test_ctrl_r_in_an_edited_cell_updates_the_prose_below() -> None:
    app = counting_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        cell = app.screen.query_one(CodeCell)
        cell.editor.text = "n = base + 30"
        cell.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "n = 40" in prose_shown(app)[-1])
        assert ProgressStore().lesson("counting").code == {"0.1": "n = base + 30"}


async def test_tab_indents_in_a_cell_and_letters_typed_there_stay_there() -> None:
    app = counting_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        cell = app.screen.query_one(CodeCell)
        cell.editor.focus()
        cell.editor.move_cursor((0, 0))
        await pilot.press("tab", "x", "n", "p", "h")
        assert cell.editor.has_focus and app.screen.current == 0
        assert cell.editor.text.startswith("    xnph")
        assert "esc leaves the cell" in str(cell.status.render())
        await pilot.press("escape")
        assert isinstance(app.screen.focused, StepBody)


async def test_skip_asks_once_before_it_marks_the_step_done() -> None:
    app = counting_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        lesson = app.screen
        await pilot.press("x")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert app.screen is lesson and lesson.current == 0
        await pilot.press("x")
        await pilot.press("y")
        await wait_for(pilot, lambda: lesson.current == 1)
        assert 0 in ProgressStore().lesson("counting").steps_done


async def test_a_cell_an_exercise_and_the_lesson_can_be_reset() -> None:
    store = ProgressStore()
    store.save_code("counting", "0.1", "n = base + 100")
    app = counting_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        lesson = app.screen
        assert prose_shown(app)[-1] == "The cell made n = 110."
        lesson.query_one(CodeCell).editor.focus()
        await pilot.press("escape")
        lesson.query_one(CodeCell).editor.focus()
        await pilot.press("r")  # typed into the cell: r is a letter there
        assert not isinstance(app.screen, Confirm)
        lesson.query_one(CodeCell).editor.text = "n = base + 100"
        lesson.query_one(CodeCell).editor.focus()
        lesson.action_reset()
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await wait_for(pilot, lambda: prose_shown(app)[-1] == "The cell made n = 12.")
        assert lesson.query_one(CodeCell).code == "n = base + 2"
        assert ProgressStore().lesson("counting").code == {}

        await pilot.press("escape", "n")
        await wait_for(pilot, lambda: settled(app) and lesson.current == 1)
        exercise = lesson.query_one(ExerciseBlock)
        exercise.cell.editor.text = "k = 2 * n"
        exercise.cell.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: lesson.query_one(ExerciseBlock).passed)
        lesson.query_one(ExerciseBlock).cell.editor.focus()
        lesson.action_reset()
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: settled(app) and bool(lesson.query(ExerciseBlock))
                       and not lesson.query_one(ExerciseBlock).passed)
        assert lesson.query_one(ExerciseBlock).cell.code == "k = 0"

        lesson.query_one(StepBody).focus()
        await pilot.press("R")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await wait_for(pilot, lambda: settled(app) and lesson.current == 0)
        assert ProgressStore().lesson("counting").answers == {}


async def test_a_failing_edit_is_replayed_as_the_books_code_and_said() -> None:
    store = ProgressStore()
    store.save_code("counting", "0.1", "n = no_such_name")
    store.set_position("counting", 1)
    app = counting_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        assert prose_shown(app) == ["Three of these make 36."]
        notes = [n.message for n in app._notifications]
        assert any("book's code ran in its place" in note for note in notes)


async def test_space_pages_within_a_long_step() -> None:
    app = counting_app()
    async with app.run_test(size=(60, 12)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        await pilot.press("n")
        await wait_for(pilot, lambda: settled(app) and app.screen.current == 1)
        body = app.screen.query_one(StepBody)
        assert body.max_scroll_y > 0
        await pilot.press("space")
        await pilot.pause()
        assert body.scroll_y > 0 and app.screen.current == 1
        await pilot.press("shift+space")
        await pilot.pause()
        assert body.scroll_y == 0


async def test_no_placeholder_is_left_pending() -> None:
    app = counting_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        assert not any(PENDING in text for text in prose_shown(app))


async def test_the_spellbook_marks_what_the_kernel_has_loaded() -> None:
    from grimoire.ui.widgets.source_tree import ALIVE_IN_KERNEL, SourceTree

    app = counting_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        app.show_source("grimoire/model/gpt.py")
        await wait_for(pilot, lambda: bool(app.screen.query(SourceTree)))
        tree = app.screen.query_one(SourceTree)
        await wait_for(pilot, lambda: tree.is_alive_in_kernel("grimoire/model/gpt.py"))
        assert ALIVE_IN_KERNEL in str(app.screen.query_one("#reading").border_title)
        assert "alive in the kernel" in str(app.screen.query_one("#alive-legend").render())


async def test_a_lesson_is_forgotten_from_the_map_after_asking() -> None:
    from grimoire.ui.screens.map import MapScreen

    store = ProgressStore()
    store.mark_step_done("counting", 0)
    store.save_code("counting", "0.1", "n = 1")
    app = GrimoireApp(StartRequest(lessons=LESSONS, trust=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        assert isinstance(app.screen, MapScreen)
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert ProgressStore().lesson("counting").steps_done == [0]
        await pilot.press("ctrl+d", "y")
        await wait_for(pilot, lambda: ProgressStore().lesson("counting").code == {})
        assert ProgressStore().lesson("counting").steps_done == []


async def test_r_after_leaving_a_cell_offers_that_cell() -> None:
    app = counting_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        lesson = app.screen
        cell = lesson.query_one(CodeCell)
        cell.editor.focus()
        await pilot.press("end", "1", "escape")
        assert isinstance(app.screen.focused, StepBody)
        await pilot.press("r")
        assert isinstance(app.screen, Confirm) and "cell 1" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: settled(app) and cell.code == "n = base + 2")


async def test_escape_then_tab_goes_past_the_cell_to_the_link_after_it() -> None:
    from grimoire.ui.widgets.source_link import SourceLink

    app = GrimoireApp(StartRequest(screen="lesson", lesson="grimoire"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        await pilot.press("tab")
        cell = app.screen._page().query_one(CodeCell)
        assert cell.editor.has_focus
        book = cell.editor.text
        await pilot.press("escape", "tab")
        # The learner is not sent back into the same cell (where Tab would indent its code).
        assert isinstance(app.screen.focused, SourceLink)
        assert cell.editor.text == book
        await pilot.press("shift+tab")
        assert cell.editor.has_focus
