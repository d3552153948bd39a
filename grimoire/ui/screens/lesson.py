"""A lesson, one step at a time: prose with math, live code cells, quizzes, exercises, source links.

The lesson session (`grimoire.course.session`) runs the lesson: setup, cells, prose values,
answers and progress. This screen draws what the session says and passes on what the learner
does. Every session call that waits on the kernel goes through the app's KernelClient (a thread
worker, queued), so keys keep working while a cell computes, and ctrl+c stops it. Results are
drawn only on the step whose widgets are mounted, whatever page the learner turned to meanwhile.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Header, Static
from textual.worker import WorkerFailed

from grimoire.course.progress import ProgressStore, block_key
from grimoire.course.schema import Block, Lesson, LessonError
from grimoire.course.session import LessonSession
from grimoire.ui.kernel_client import KernelClient, kernel_client
from grimoire.ui.lesson_cache import read_lesson
from grimoire.ui.messages import ShowSource
from grimoire.ui.screens.confirm import Confirm
from grimoire.ui.widgets.code_cell import CodeCell
from grimoire.ui.widgets.exercise import ExerciseBlock
from grimoire.ui.widgets.footer import KeyFooter
from grimoire.ui.widgets.predict import PredictBlock
from grimoire.ui.widgets.prose import Prose as ProseWidget
from grimoire.ui.widgets.quiz import QuizBlock
from grimoire.ui.widgets.source_link import SourceLink
from grimoire.ui.widgets.step_progress import StepProgress


class StepBody(VerticalScroll, can_focus=True):
    """The blocks of the current step; Space and Shift+Space page within a long step."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "page_down", "Page down", show=False),
        Binding("shift+space", "page_up", "Page up", show=False),
    ]


class StepPage(Vertical):
    """The blocks of one step; a visited step's page stays mounted, hidden, for turning back."""

    DEFAULT_CSS = """
    StepPage { height: auto; }
    """


class TrustScreen(ModalScreen[bool]):
    """Asks before running the code of lessons from outside the Grimoire."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Run it"),
        Binding("n,escape", "answer(False)", "Do not run it"),
    ]

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="trust-box") as box:
            box.border_title = "lessons from elsewhere"
            yield Static(
                Text.assemble(
                    "These lessons come from ",
                    (str(self.folder), "bold"),
                    ", outside the Grimoire. Their code would run on your computer with your "
                    "rights. Run it? (The Grimoire remembers your answer for exactly these "
                    "files; if they change, it asks again.)",
                ),
                id="trust-text",
            )
            with Horizontal(id="trust-buttons"):
                yield Button("y  run their code", id="trust-yes", variant="warning")
                yield Button("n  do not", id="trust-no", variant="primary")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "trust-yes")


def _code_cell(screen: LessonScreen, step: int, number: int, block: Any, numbers: dict) -> Widget:
    numbers["cell"] = numbers.get("cell", 0) + 1
    key = block_key(step, number)
    assert screen.session is not None
    return CodeCell(screen.session.code_for(step, number), key=key,
                    label=f"cell {numbers['cell']}", original=block.code,
                    timeout=block.timeout)


def _prose(screen: LessonScreen, step: int, number: int, block: Any, numbers: dict) -> Widget:
    assert screen.session is not None
    return ProseWidget(screen.session.prose_text(step, number), key=block_key(step, number))


def _quiz(screen: LessonScreen, step: int, number: int, block: Any, numbers: dict) -> Widget:
    numbers["quiz"] = numbers.get("quiz", 0) + 1
    key = block_key(step, number)
    answer = screen.store.lesson(screen.session.lesson.id).answers.get(key) \
        if screen.session is not None else None
    return QuizBlock(block, key, numbers["quiz"], attempts=answer.attempts if answer else 0,
                     answered_right=bool(answer and answer.correct),
                     last_answer=answer.value if answer else None)


def _exercise(screen: LessonScreen, step: int, number: int, block: Any, numbers: dict
              ) -> Widget:
    assert screen.session is not None
    key = block_key(step, number)
    progress = screen.store.lesson(screen.session.lesson.id)
    answer = progress.answers.get(key)
    return ExerciseBlock(block, key, code=progress.code.get(key),
                         hints_used=progress.hints_used.get(key, 0),
                         passed=bool(answer and answer.correct))


def _source(screen: LessonScreen, step: int, number: int, block: Any, numbers: dict) -> Widget:
    return SourceLink(block)


def _predict(screen: LessonScreen, step: int, number: int, block: Any, numbers: dict) -> Widget:
    from grimoire.course.predict import Outcome

    assert screen.session is not None
    numbers["predict"] = numbers.get("predict", 0) + 1
    key = block_key(step, number)
    made = screen.store.lesson(screen.session.lesson.id).predictions.get(key)
    outcome = (Outcome(made.guess, made.truth, made.close, exact=block.guess_kind != "number")
               if made else None)
    return PredictBlock(block, key, numbers["predict"], outcome=outcome)


BLOCK_WIDGETS = {
    "prose": _prose,
    "code": _code_cell,
    "quiz": _quiz,
    "exercise": _exercise,
    "source": _source,
    "predict": _predict,
}
"""The widget that draws each block kind, by `block.kind`."""


def block_widget(screen: LessonScreen, step: int, number: int, block: Block,
                 numbers: dict) -> Widget:
    """A new widget for one block of a step (`numbers` counts cells and questions so far)."""
    return BLOCK_WIDGETS[block.kind](screen, step, number, block, numbers)


class LessonScreen(Screen[None]):
    """One lesson: its steps, one at a time, with a bead for each at the top."""

    TITLE = "Lilith's Grimoire"
    CSS_PATH = "../lessons.tcss"
    """Read when the room is first built (see GrimoireApp.build_room), not at start-up."""
    HELP_TITLE = "A lesson"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_step", "Next step"),
        Binding("p", "previous_step", "Previous step", show=False),
        Binding("pagedown", "next_step", "Next step", show=False),
        Binding("pageup", "previous_step", "Previous step", show=False),
        Binding("ctrl+r", "run", "Run cell / check"),
        # Not in the footer (the running cell says it); only active while something computes.
        Binding("ctrl+c", "interrupt", "Stop the running cell", priority=True, show=False),
        Binding("h", "hint", "Hint"),
        Binding("s", "source", "Source"),
        Binding("r", "reset", "Reset this cell or exercise to the book's (asks)", show=False),
        Binding("R", "start_over", "Start the lesson over (asks)", show=False),
        Binding("x", "skip", "Skip the step (asks)", show=False),
        Binding("e", "export", "Export your session (Markdown, notebook)", show=False),
        Binding("tab", "next_block", "Next cell or question", show=False),
        Binding("shift+tab", "previous_block", "Previous cell or question", show=False),
        *[Binding(str(n), f"choose({n - 1})", "Answer (or mark) that choice", show=False)
          for n in range(1, 10)],
        Binding("escape", "leave", "Back"),
    ]

    current: var[int] = var(-1, init=False)
    """The step shown; setting it turns the page (see watch_current)."""

    def __init__(self, lesson: str, lessons: Path | None = None, trust: bool = False) -> None:
        super().__init__()
        self.lesson_name = lesson
        self.lessons_dir = lessons
        self.trust_given = trust
        self.lesson: Lesson | None = None
        self.session: LessonSession | None = None
        self.store = ProgressStore()
        self.shown = -1
        """The step whose page is shown (results are drawn only there)."""
        self._pages: dict[int, StepPage] = {}
        """The page of each step visited, by step."""
        self._last_block: Widget | None = None
        """The cell or exercise the learner last worked in (what `r` resets)."""
        self.running_keys: set[str] = set()
        """Cells computing in the kernel now (their widget may have been redrawn since)."""
        self.may_run = True
        self._prepared = asyncio.Event()
        """Set once the lesson's namespace is ready (setup and earlier steps run)."""

    @classmethod
    def from_request(cls, request: Any) -> LessonScreen:
        return cls(request.lesson or "", lessons=request.lessons, trust=request.trust)

    @property
    def settled(self) -> bool:
        """The step is shown, its cells have run and its prose is filled in (or cannot run)."""
        if self.session is None or self.shown < 0 or self.shown != self.current:
            return False
        if not self.may_run:
            return True
        session = self.session
        if not session.step_filled(self.current) or self.current not in session.steps_run \
                or self.running_keys:
            return False
        return all(prose.shown_markdown == session.prose_text(*self._place(prose.key))
                   for prose in self._page().query(ProseWidget) if prose.key is not None)

    @staticmethod
    def _place(key: str) -> tuple[int, int]:
        """("2.3") -> (2, 3): the step and block a widget draws."""
        step, _, block = key.partition(".")
        return int(step), int(block)

    @property
    def client(self) -> KernelClient:
        return kernel_client(self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        yield StepProgress(id="step-progress")
        with StepBody(id="step-body"):
            yield Static("Opening the lesson…", classes="lesson-note")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.run_worker(self._open(), group="lesson-open", exclusive=True)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._show_progress())

    def on_unmount(self) -> None:
        # Leaving the lesson stops what it was computing, so the next room need not wait.
        if self.running_keys:
            self.client.interrupt()

    # -- opening -----------------------------------------------------------------------------

    async def _open(self) -> None:
        from grimoire.course import trust as trust_rules

        try:
            lesson = await asyncio.to_thread(read_lesson, self.lesson_name, self.lessons_dir)
        except LessonError as error:
            problems = error.problems or []
            sentence = str(problems[0]) if problems else str(error)
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            self._say(f"This lesson cannot be opened: {sentence}{more}", error=True)
            return
        self.lesson = lesson
        self.sub_title = lesson.title
        folder = trust_rules.lesson_folder(lesson.path)
        if not self.trust_given and not trust_rules.is_trusted(folder):
            # --trust agrees for this run only; an answer here is remembered for these files.
            if await self.app.push_screen_wait(TrustScreen(folder)):
                try:
                    trust_rules.trust(folder)
                except OSError as error:
                    self.notify(f"Your answer cannot be remembered ({error.strerror or error}); "
                                "the Grimoire will ask again next time.", severity="warning")
            else:
                self.may_run = False
        self.session = LessonSession(lesson, self.client.kernel, self.store,
                                     may_run=self.may_run)
        self.store.open_lesson(lesson.id)
        if self.store.unsaved:
            self.notify(self.store.unsaved, severity="warning", timeout=10)
        progress = self.store.lesson(lesson.id)
        step = min(max(0, progress.position[0]), max(0, len(lesson.steps) - 1))
        if self.may_run:
            # The namespace is made ready while the step mounts; the step's cells wait for it.
            self.run_worker(self._prepare(step), group="cells")
        else:
            self._prepared.set()
        if lesson.steps:
            self.current = step
        else:
            self._say("This lesson has no steps.")

    async def _prepare(self, step: int) -> None:
        """The lesson's setup, then every earlier step's cells, so their names exist again."""
        session = self.session
        assert session is not None
        try:
            self.client.lesson_id = session.lesson.id
            await self.client.call(session.open)
            if step:
                steps = "step" if step == 1 else f"{step} steps"
                self.notify(f"Re-running the cells of the {steps} before this one…", timeout=3)
            await self.client.call(session.prepare, step)
        finally:
            self._prepared.set()
            self._tell_notes()

    def _tell_notes(self) -> None:
        if self.session is None:
            return
        for note in self.session.take_notes():
            self.notify(note.message, severity=note.severity,  # type: ignore[arg-type]
                        timeout=8 if note.severity != "information" else 4)

    def _say(self, message: str, error: bool = False) -> None:
        if not self.query("#step-body"):
            return  # the screen is closing
        body = self.query_one("#step-body", StepBody)
        body.remove_children()
        body.mount(Static(Text(message), classes="lesson-error" if error else "lesson-note"))

    # -- showing a step ----------------------------------------------------------------------

    def validate_current(self, index: int) -> int:
        steps = len(self.lesson.steps) if self.lesson is not None else 0
        return max(0, min(index, steps - 1)) if steps else -1

    def watch_current(self, index: int) -> None:
        if index < 0:
            return
        page = self._pages.get(index)
        if page is not None and page.is_attached and self.session is not None:
            # A visited step: shown again at once, in this very key press, one layout pass.
            self.workers.cancel_group(self, "steps")
            self._show_page(page, index)
            self.run_worker(self._save_position(index), group="position")
            return
        self.run_worker(self.show_step(index), group="steps", exclusive=True)

    def _show_page(self, page: StepPage, index: int) -> None:
        """Show a mounted page, hide the others, and draw the session's results on it."""
        body = self.query_one("#step-body", StepBody)
        with self.app.batch_update():
            for other in self._pages.values():
                other.display = other is page
            self.shown = index
            self._draw_results()
            body.scroll_home(animate=False)
            body.focus()
            self._show_progress()

    async def _save_position(self, index: int) -> None:
        lesson_id = self.session.lesson.id if self.session is not None else None
        if lesson_id is not None and self.store.lesson(lesson_id).position[0] != index:
            # Written at once (progress is never lost), beside the drawing, not before it.
            await asyncio.to_thread(self.store.set_position, lesson_id, index)

    async def show_step(self, index: int) -> None:
        """Draw step `index` (its cells run the first time), and remember it as the position.

        A visited step's page stays mounted, hidden: turning back to it only shows it again.
        """
        session = self.session
        if session is None or not self.query("#step-body"):
            return
        self.shown = -1
        if self.may_run and index not in session.steps_run:
            # Started before the widgets mount: the kernel computes while the page is drawn.
            self.run_worker(self._run_step(index), group="cells")
        body = self.query_one("#step-body", StepBody)
        page = self._pages.get(index)
        if page is None or not page.is_attached:
            for note in body.query(".lesson-note, .lesson-error"):
                if note.parent is body:
                    await note.remove()
            page = StepPage(*self._page_widgets(index))
            page.display = False
            self._pages[index] = page
            with self.app.batch_update():
                await body.mount(page)
        self._show_page(page, index)
        await self._save_position(index)

    def _page_widgets(self, index: int) -> list[Widget]:
        step = self.lesson.steps[index] if self.lesson is not None else None
        assert step is not None
        widgets: list[Widget] = [Static(Text(step.title), classes="step-title")]
        if not self.may_run:
            widgets.append(Static("You chose not to run this lesson's code: cells are shown but "
                                  "do not run.", classes="lesson-note"))
        numbers: dict[str, int] = {}
        made = self.store.lesson(self.session.lesson.id).predictions if self.session else {}
        veil: str | None = None
        """The predict block not yet guessed that hides what follows it, until its guess."""
        for number, block in enumerate(step.blocks):
            widget = block_widget(self, index, number, block, numbers)
            self._veil(widget, veil)
            widgets.append(widget)
            key = block_key(index, number)
            if block.kind == "predict" and key not in made and self.may_run:
                note = Static(Text("The rest of this step shows once you have committed to a "
                                   "guess."), classes="lesson-note predict-veil")
                note.veils = key  # type: ignore[attr-defined]
                self._veil(note, veil)
                widgets.append(note)
                veil = key
        return widgets

    @staticmethod
    def _veil(widget: Widget, key: str | None) -> None:
        """Hide a widget behind the predict block `key` (None: nothing hides it)."""
        if key is not None:
            widget.veiled_by = key  # type: ignore[attr-defined]
            widget.add_class("-veiled")

    @on(PredictBlock.Guessed)
    def _guessed(self, event: PredictBlock.Guessed) -> None:
        key = event.block.key
        event.block.pending_guess = event.guess
        page = self._page()
        for widget in page.query(".-veiled"):
            if getattr(widget, "veiled_by", None) == key:
                widget.remove_class("-veiled")
        for note in page.query(".predict-veil"):
            if getattr(note, "veils", None) == key:
                note.remove()
        self._judge(event.block, event.guess)

    def _judge(self, block: PredictBlock, guess: float) -> None:
        if self.session is None:
            return
        outcome = self.session.judge_prediction(*self._place(block.key), guess)
        if outcome is None:
            return  # the step's cells are still computing: judged when they are done
        if isinstance(outcome, str):
            block.show_error(outcome)
        else:
            block.show_outcome(outcome, self.session.calibration())

    def _judge_waiting(self, page: Widget) -> None:
        """Guesses made before their truth was computed are judged as soon as it is."""
        for block in page.query(PredictBlock):
            if block.committed and block.outcome is None and block.pending_guess is not None:
                self._judge(block, block.pending_guess)

    async def _redraw(self, index: int | None = None) -> None:
        """Build a step's page again (all pages when None), from the progress as it is now."""
        for number in list(self._pages) if index is None else [index]:
            page = self._pages.pop(number, None)
            if page is not None and page.is_attached:
                await page.remove()
        if self.current >= 0:
            await self.show_step(self.current)

    def _page(self) -> Widget:
        """The shown step's page (the body itself before any step is shown)."""
        page = self._pages.get(self.shown)
        return page if page is not None and page.is_attached else self._step_body()

    def _draw_results(self) -> None:
        """Show the session's results and prose values on the shown step's widgets."""
        session = self.session
        if session is None or self.shown != self.current or self.shown < 0:
            return
        page = self._page()
        for cell in self._cells(page):
            result = session.results.get(cell.key)
            if result is not None and cell.key not in self.running_keys:
                cell.show_result(result)
            cell.set_running(cell.key in self.running_keys)
        for prose in page.query(ProseWidget):
            if prose.key is not None:
                prose.show(session.prose_text(*self._place(prose.key)))
        self._judge_waiting(page)

    @staticmethod
    def _cells(body: Widget) -> list[CodeCell]:
        return [c for c in body.query(CodeCell) if not isinstance(c.parent, ExerciseBlock)]

    def _show_progress(self) -> None:
        lesson = self.lesson
        beads = self.query(StepProgress)
        if lesson is None or not beads or self.current < 0:
            return  # the screen is closing
        done = set(self.store.lesson(lesson.id).steps_done)
        beads.first().show_position(
            self.current, len(lesson.steps), done, lesson.steps[self.current].title)

    async def _run_step(self, index: int) -> None:
        """Run the step's cells in order, then fill in its prose (even if the page turned)."""
        session = self.session
        assert session is not None
        await self._prepared.wait()
        if index in session.steps_run:
            self._draw_results()
            return
        numbers = session.cells_to_run(index)
        keys = [block_key(index, number) for number in numbers]
        try:
            for number, key in zip(numbers, keys, strict=True):
                self.running_keys.add(key)
                self._draw_results()
                try:
                    await self.client.call(session.run_code, index, number)
                finally:
                    self.running_keys.discard(key)
                    if self.is_attached:
                        self._draw_results()
            await self.client.call(session.finish_step, index)
        finally:
            self.running_keys.difference_update(keys)
            if self.is_attached:
                self._draw_results()
                self._tell_notes()

    async def _run_cells(self, cells: list[CodeCell]) -> None:
        """Run these cells as the learner wrote them, in order; the prose below follows."""
        session = self.session
        if session is None:
            return
        if not self.may_run:
            self.notify("This lesson's code does not run: you chose not to trust it.")
            return
        await self._prepared.wait()
        jobs = [(cell.key, cell.code) for cell in cells if cell.key not in self.running_keys]
        try:
            for key, code in jobs:
                step, number = self._place(key)
                self.running_keys.add(key)
                self._draw_results()
                try:
                    await self.client.call(session.run_cell, step, number, code)
                finally:
                    self.running_keys.discard(key)
                    if self.is_attached:
                        self._draw_results()
        finally:
            self.running_keys.difference_update(key for key, _ in jobs)
            if self.is_attached:
                self._draw_results()
                self._tell_notes()

    # -- the learner acts ----------------------------------------------------------------------

    def _focused_within(self, kind: type[Widget]) -> Widget | None:
        node = self.focused
        while node is not None and node is not self:
            if isinstance(node, kind):
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    def _step_body(self) -> StepBody:
        return self.query_one("#step-body", StepBody)

    def action_run(self) -> None:
        if self.session is None or self.shown < 0:
            return
        exercise = self._focused_within(ExerciseBlock)
        if isinstance(exercise, ExerciseBlock):
            self.run_worker(self._check_exercise(exercise), group="cells")
            return
        cell = self._focused_within(CodeCell)
        cells = [cell] if isinstance(cell, CodeCell) else self._cells(self._page())
        if cells:
            self.run_worker(self._run_cells(cells), group="cells")  # type: ignore[arg-type]
        else:
            self.notify("This step has no code cell to run.", timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "interrupt":
            # Only while something computes; otherwise ctrl+c falls through (copy text).
            return self.client.running > 0
        return True

    def action_interrupt(self) -> None:
        self.client.interrupt()

    def action_next_step(self) -> None:
        session = self.session
        if session is None or self.current < 0:
            return
        if not session.has_questions(self.current):
            self._mark_done(self.current)
        if self.current + 1 < len(session.lesson.steps):
            self.current += 1
        elif session.complete():
            self.notify(f"✦ “{session.lesson.title}” is complete.", timeout=5)
            self.app.pop_screen()
        else:
            missing = sorted(set(range(len(session.lesson.steps))) - session.steps_done())
            if missing == [self.current]:
                self.notify("This last step is not done yet: answer its questions, or press x "
                            "to skip it.", timeout=5)
            else:
                names = ", ".join(str(step + 1) for step in missing)
                self.notify(f"Not every step is done yet: step{'s' * (len(missing) > 1)} "
                            f"{names} (the beads at the top show which).", timeout=5)

    def action_previous_step(self) -> None:
        if self.session is None or self.current <= 0:
            return
        self.current -= 1

    def action_skip(self) -> None:
        if self.session is None or self.current < 0:
            return

        def skip(sure: bool | None) -> None:
            if sure and self.session is not None:
                self._mark_done(self.current)
                self.action_next_step()

        self.app.push_screen(Confirm("Skip this step? It counts as done without its questions "
                                     "answered.", yes="skip it"), skip)

    def action_leave(self) -> None:
        body = self._step_body()
        if self.focused is not None and self.focused is not body:
            body.focus()
            return
        self.app.pop_screen()

    def action_next_block(self) -> None:
        self._tab_from_page(forward=True)

    def action_previous_block(self) -> None:
        self._tab_from_page(forward=False)

    def _tab_from_page(self, forward: bool) -> None:
        """Tab on the page goes on from the block last worked in, not back into it.

        A code cell keeps Tab for indenting, so the way past it is Escape then Tab: the focus
        moves to the next block after that cell (a link, a question, the next cell).
        """
        last = self._last_block
        if self.focused is self._step_body() and last is not None and last.is_attached \
                and last.display and self._page() in last.ancestors:
            chain = self.focus_chain
            inside = [n for n, widget in enumerate(chain)
                      if widget is last or last in widget.ancestors]
            if inside:
                beyond = chain[inside[-1] + 1:] if forward else chain[:inside[0]][::-1]
                for widget in beyond:
                    if widget is not self.focused:
                        widget.focus()
                        widget.scroll_visible(animate=False)
                        return
        if forward:
            self.app.action_focus_next()
        else:
            self.app.action_focus_previous()

    def on_descendant_focus(self, event: Any) -> None:
        # The block last worked in: Escape leaves a cell, and `r` still means that cell.
        node = event.widget
        while node is not None and node is not self:
            if isinstance(node, ExerciseBlock | CodeCell):
                self._last_block = node
                return
            node = node.parent

    def action_reset(self) -> None:
        """Put the book's code back in the cell (or exercise) being worked in, after asking."""
        session = self.session
        if session is None or self.shown < 0:
            return
        target = self._focused_within(ExerciseBlock) or self._focused_within(CodeCell)
        last = self._last_block
        if target is None and last is not None and last.is_attached and last.display \
                and self._page() in last.ancestors:
            target = last
        if isinstance(target, CodeCell) and isinstance(target.parent, ExerciseBlock):
            target = target.parent
        if isinstance(target, ExerciseBlock):
            question = "Start this exercise afresh? Your code, its verdict and hints are forgotten."
            self.app.push_screen(Confirm(question, yes="reset the exercise"),
                                 lambda sure: sure and self._reset_exercise(target))
        elif isinstance(target, CodeCell):
            question = f"Put the book's code back in {target.label}? Your edit is forgotten."
            self.app.push_screen(Confirm(question, yes="reset the cell"),
                                 lambda sure: sure and self._reset_cell(target))
        else:
            self.notify("Nothing here to reset: work in a cell or an exercise first (R starts "
                        "the whole lesson over).", timeout=4)

    def action_start_over(self) -> None:
        """Forget everything done in this lesson and begin it again, after asking."""
        session = self.session
        if session is None:
            return
        question = (f"Start “{session.lesson.title}” over? Every answer, edit and hint in it is "
                    "forgotten.")
        self.app.push_screen(Confirm(question, yes="start over"),
                             lambda sure: sure and self._start_over())

    def _reset_cell(self, cell: CodeCell) -> None:
        assert self.session is not None
        step, number = self._place(cell.key)
        cell.reset_code(self.session.reset_cell(step, number))
        self.run_worker(self._run_cells([cell]), group="cells")
        self.notify("The cell has the book's code again.", timeout=3)

    def _reset_exercise(self, exercise: ExerciseBlock) -> None:
        assert self.session is not None
        step, number = self._place(exercise.key)
        self.session.reset_exercise(step, number)
        self.run_worker(self._redraw(step), group="steps", exclusive=True)
        self.notify("The exercise starts afresh.", timeout=3)

    def _start_over(self) -> None:
        self.run_worker(self._begin_again(), group="cells")

    async def _begin_again(self) -> None:
        session = self.session
        assert session is not None
        self._prepared.clear()
        try:
            await self.client.call(session.start_over)
        finally:
            self._prepared.set()
        self.current = 0
        self.run_worker(self._redraw(), group="steps", exclusive=True)
        self.notify(f"“{session.lesson.title}” starts over.", timeout=3)

    def action_export(self) -> None:
        """Write the learner's session of this lesson to files (in a browser, download them)."""
        if self.lesson is None:
            return
        if not self.may_run:
            self.notify("This lesson's code does not run, so there is no session to export.")
            return
        self.notify("Writing your session of this lesson…", timeout=3)
        self._export(self.lesson)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, lesson: Lesson) -> None:
        from grimoire.course.export import export_to_folder
        from grimoire.paths import user_data_dir

        try:
            written = export_to_folder(lesson, user_data_dir() / "exports", self.store)
        except Exception as error:  # noqa: BLE001 - any failure is a sentence, not a crash
            self.app.call_from_thread(self.notify, f"The export failed: {error}",
                                      severity="error")
            return
        self.app.call_from_thread(self._exported, written)

    def _exported(self, written: list[Path]) -> None:
        names = " and ".join(str(path) for path in written)
        self.notify(f"Your session is in {names}.", timeout=10)
        if self.app.is_web:
            for path in written:
                self.app.deliver_binary(path, save_filename=path.name)

    def action_hint(self) -> None:
        session = self.session
        exercises = list(self._page().query(ExerciseBlock))
        if session is None or not exercises:
            self.notify("Hints belong to exercises, and this step has none.", timeout=3)
            return
        focused = self._focused_within(ExerciseBlock)
        target = focused if isinstance(focused, ExerciseBlock) else next(
            (e for e in exercises if not e.settled), exercises[0])
        if target.passed:
            if not target.show_book_solution():
                self.notify("The book's solution is already beside yours.", timeout=3)
            return
        if target.show_next_hint():
            step, number = self._place(target.key)
            session.take_hint(step, number)
            target.scroll_visible(animate=False)
            self._update_done()
        else:
            self.notify("The solution is already shown.", timeout=3)

    def action_choose(self, index: int) -> None:
        """A digit on the page answers the step's first open choice question (or marks one)."""
        from grimoire.ui.widgets.quiz import ChecklistChoices, ChoiceList

        if self.shown < 0:
            return
        quizzes = [q for q in self._page().query(QuizBlock) if q.quiz.quiz_kind == "choice"]
        focused = self._focused_within(QuizBlock)
        target = focused if isinstance(focused, QuizBlock) else next(
            (q for q in quizzes if not q.settled), None)
        if target is None:
            self.notify("No question on this step is waiting for a choice.", timeout=3)
            return
        for checklist in target.query(ChecklistChoices):
            checklist.focus()
            checklist.action_mark(index)
        for choices in target.query(ChoiceList):
            choices.focus()
            choices.action_pick(index)
        target.scroll_visible(animate=False)

    def action_source(self) -> None:
        link = self._focused_within(SourceLink)
        links = list(self._page().query(SourceLink))
        target = link if isinstance(link, SourceLink) else (links[0] if links else None)
        if target is None:
            self.notify("This step points at no source.", timeout=3)
            return
        self._open_source(target)

    def _open_source(self, link: SourceLink) -> None:
        source = link.source
        link.focus()  # so Escape in the spellbook brings the learner back right here
        self.post_message(ShowSource(source.path, symbol=source.symbol, lines=source.lines))

    @on(SourceLink.Opened)
    def _link_opened(self, event: SourceLink.Opened) -> None:
        self._open_source(event.link)

    @on(QuizBlock.Answered)
    def _quiz_answered(self, event: QuizBlock.Answered) -> None:
        self.run_worker(self._check_quiz(event.block, event.answer), group="answers")

    async def _check_quiz(self, block: QuizBlock, answer: list[int] | str) -> None:
        from grimoire.course.checks import Verdict

        session = self.session
        if session is None or (block.settled and block.answered_right):
            return
        step, number = self._place(block.key)
        if block.quiz.quiz_kind == "choice":
            verdict = session.answer(step, number, answer)
        else:
            try:
                verdict = await self.client.call(session.answer, step, number, answer)
            except WorkerFailed as failed:
                verdict = Verdict(False, f"The answer could not be checked: {failed.error}")
        if block.is_attached:
            block.show_verdict(verdict)
        self._update_done(step)

    async def _check_exercise(self, block: ExerciseBlock) -> None:
        session = self.session
        if session is None or block.cell.running:
            return
        if not self.may_run:
            self.notify("This lesson's code does not run: you chose not to trust it.")
            return
        await self._prepared.wait()
        step, number = self._place(block.key)
        block.cell.set_running(True)
        try:
            verdict = await self.client.call(session.check_exercise, step, number,
                                             block.cell.code)
        except WorkerFailed as failed:
            if block.is_attached:
                block.cell.set_running(False)
            self.notify(f"The check could not run: {failed.error}", severity="error")
            return
        if block.is_attached:
            block.show_verdict(verdict)
        self._update_done(step)

    # -- done-ness -----------------------------------------------------------------------------

    def _update_done(self, step: int | None = None) -> None:
        step = self.current if step is None else step
        if self.session is not None and self.session.step_settled(step):
            self._mark_done(step)

    def _mark_done(self, index: int) -> None:
        if self.session is None:
            return
        self.session.mark_done(index)
        self._show_progress()
