"""A learner's whole evening, end to end: map, continue, run, answer, hint, source, quit, relaunch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from grimoire.course.progress import ProgressStore
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.lesson import LessonScreen
from grimoire.ui.screens.map import MapScreen
from grimoire.ui.widgets.code_cell import CodeCell
from grimoire.ui.widgets.exercise import ExerciseBlock
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.prose import Prose
from grimoire.ui.widgets.quiz import QuizBlock

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "example-lessons"


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 60.0) -> None:
    """Let the app work until `condition` holds (the limit only stops a hung test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the app never reached the expected state"
        await pilot.pause(0.05)


def shown_text(widget: Static) -> str:
    return str(widget.render())


def cells(app: GrimoireApp) -> list[CodeCell]:
    return [c for c in app.screen.query(CodeCell) if not isinstance(c.parent, ExerciseBlock)]


def all_ran(app: GrimoireApp) -> bool:
    found = cells(app)
    return bool(found) and all(c.result is not None and not c.running for c in found)


async def test_an_evening_with_a_lesson(tmp_path: Path) -> None:
    app = GrimoireApp(StartRequest(lessons=EXAMPLES, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        assert isinstance(app.screen, MapScreen)
        assert "begin" in shown_text(app.screen.query_one("#map-continue", Static))

        # Enter begins the highlighted lesson; its first step's cells run by themselves.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and all_ran(app))
        lesson = app.screen
        first, second = cells(app)
        assert "norm: 5.0" in str(first.output.children[0].render())
        assert first.result is not None and first.result.value == "5.0"
        assert second.result is not None and second.result.displays[0]["kind"] == "bars"
        await wait_for(pilot, lambda: lesson.settled)
        assert lesson.session.prose_values(0, 0) == ["5", "25.0"]
        assert "it is 5, and squared 25.0" in lesson.query(Prose).first().shown_markdown

        # A wrong answer, then the right one.
        choice, numeric = lesson.query(QuizBlock)
        assert lesson.focused is lesson.query_one("#step-body")
        await pilot.press("1")  # a digit on the page answers the step's open question
        await wait_for(pilot, lambda: choice.attempts == 1)
        assert "Not quite" in str(choice.feedback.render())
        assert not choice.settled
        await pilot.press("2")
        await wait_for(pilot, lambda: choice.answered_right)
        assert "Right" in str(choice.feedback.render())

        # The numeric answer is an expression the kernel computes: |3| + |4|.
        numeric.query_one("Input").focus()
        await pilot.press("7", "enter")
        await wait_for(pilot, lambda: numeric.answered_right)
        store = ProgressStore()
        assert 0 in store.lesson("example").steps_done
        assert store.lesson("example").answers["0.3"].correct

        # Re-running a cell replaces its output.
        first.editor.text = "length = np.linalg.norm(v) * 2\nprint('twice:', length)"
        first.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "twice" in first.result.stdout if first.result else False)
        outputs = [str(child.render()) for child in first.output.children]
        assert any("twice: 10.0" in text for text in outputs)
        assert not any("norm: 5.0" in text for text in outputs)

        # Next step: an exercise. A hint, then the source link and back.
        await pilot.press("escape")
        await pilot.press("n")
        await wait_for(pilot, lambda: bool(lesson.query(ExerciseBlock)))
        exercise = lesson.query_one(ExerciseBlock)
        await pilot.press("h")
        assert exercise.hints_used == 1
        assert "a @ b" in "".join(str(s.render()) for s in exercise.query(".exercise-hint"))
        assert ProgressStore().lesson("example").hints_used == {"1.0": 1}
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "SourceScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lesson and lesson.current == 1
        assert type(app.screen.focused).__name__ == "SourceLink"

        # A wrong attempt, then the right code.
        exercise.cell.editor.text = "def cosine(a, b):\n    return a @ b"
        exercise.cell.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Not yet" in str(exercise.verdict.render()))
        exercise.cell.editor.text = (
            "def cosine(a, b):\n    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: exercise.passed)
        assert 1 in ProgressStore().lesson("example").steps_done

        # The terminal shrinks and grows back: nothing is lost.
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert lesson.query_one(ExerciseBlock).passed
        await pilot.press("ctrl+q")

    # Relaunch: the map shows the lesson done; Enter opens it where the learner left it, with
    # the first step's cells re-run (and the learner's edit of the first cell kept).
    app = GrimoireApp(StartRequest(lessons=EXAMPLES, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        banner = shown_text(app.screen.query_one("#map-continue", Static))
        assert "Every lesson is done" in banner
        assert app.screen.shown[0].label == "done"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen)
                       and bool(app.screen.query(ExerciseBlock)))
        lesson = app.screen
        assert lesson.current == 1
        exercise = lesson.query_one(ExerciseBlock)
        assert exercise.passed and exercise.hints_used == 1
        await wait_for(pilot, lambda: "0.1" in lesson.session.results)
        assert lesson.session.results["0.1"].stdout.startswith("twice: 10.0")


async def test_a_looping_cell_is_interrupted_and_keys_still_work(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "01-loop.yaml").write_text(
        "id: loop\n"
        "title: A loop\n"
        "summary: It never ends, until you say so.\n"
        "requires: []\n"
        "minutes: 1\n"
        "steps:\n"
        "  - title: Forever\n"
        "    blocks:\n"
        "      - code: |\n"
        "          show.heatmap(np.eye(3) - 0.5, rows=['a', ' ', '\\n'], title='a heatmap')\n"
        "      - code: |\n"
        "          while True:\n"
        "              pass\n"
        "        timeout: 120\n"
        "  - title: After\n"
        "    blocks:\n"
        "      - prose: The end.\n",
        encoding="utf-8",
    )
    app = GrimoireApp(StartRequest(screen="lesson", lesson="loop", lessons=lessons, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen)
                       and len(cells(app)) == 2 and cells(app)[1].running)
        heatmap_cell, _ = cells(app)
        assert heatmap_cell.query_one(Heatmap).border_title == "a heatmap"
        lesson = app.screen
        # While the kernel computes, the interface keeps answering keys.
        await pilot.press("n")
        await wait_for(pilot, lambda: lesson.current == 1)
        await pilot.press("p")
        await wait_for(pilot, lambda: lesson.current == 0)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: lesson.session.results.get("0.1") is not None)
        assert lesson.session.results["0.1"].error_kind == "interrupted"
        shown = cells(app)[1]
        assert not shown.running and "interrupted" in str(shown.status.render())
