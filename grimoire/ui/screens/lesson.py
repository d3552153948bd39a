"""A lesson, one step at a time: prose with math, live code cells, quizzes, exercises, source links.

The screen loads the lesson, gives the kernel the lesson's namespace (its setup run), and then
shows the step the learner left off at, after quietly re-running the cells of the steps before
it so every name they define exists again. Each step's cells run when the step first shows;
its prose is filled in with the values they computed. All kernel calls go through the app's
KernelClient (thread workers), so keys keep working while a cell computes, and ctrl+c stops it.
Progress (the step, answers, hints, edited code) is written at every change.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Static
from textual.worker import WorkerFailed

from grimoire.course.progress import ProgressStore, block_key
from grimoire.course.schema import Code, Exercise, Lesson, LessonError, Predict, Prose, Quiz, Source
from grimoire.ui.kernel_client import KernelClient, kernel_client
from grimoire.ui.lesson_cache import read_lesson
from grimoire.ui.widgets.code_cell import CodeCell
from grimoire.ui.widgets.exercise import ExerciseBlock
from grimoire.ui.widgets.predict import PredictBlock
from grimoire.ui.widgets.prose import Prose as ProseWidget
from grimoire.ui.widgets.quiz import QuizBlock
from grimoire.ui.widgets.source_link import SourceLink
from grimoire.ui.widgets.step_progress import StepProgress

if TYPE_CHECKING:
    from grimoire.course.kernel import CellResult



class StepBody(VerticalScroll, can_focus=True):
    """The blocks of the current step; PageDown/PageUp turn the page instead of scrolling."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "screen.next_step", "Next step", show=False),
        Binding("pageup", "screen.previous_step", "Previous step", show=False),
    ]


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
        Binding("x", "skip", "Skip the step", show=False),
        Binding("tab", "app.focus_next", "Next cell or question", show=False),
        *[Binding(str(n), f"choose({n - 1})", "Answer (or mark) that choice", show=False)
          for n in range(1, 10)],
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, lesson: str, lessons: Path | None = None, trust: bool = False) -> None:
        super().__init__()
        self.lesson_name = lesson
        self.lessons_dir = lessons
        self.trust_given = trust
        self.lesson: Lesson | None = None
        self.store = ProgressStore()
        self.current = 0
        self.results: dict[str, CellResult] = {}
        """The last result of each cell, by its key, so going back shows outputs at once."""
        self.prose_values: dict[int, list[list[str | None]]] = {}
        """Per step: each prose block's placeholder values, once computed."""
        self.truths: dict[int, dict[str, object]] = {}
        """Per step: each predict block's computed answer (or an error sentence), by its key."""
        self.steps_run: set[int] = set()
        self.running_keys: set[str] = set()
        """Cells computing in the kernel now (their widget may have been redrawn since)."""
        self.may_run = True
        self._opening = True
        self._prepared = asyncio.Event()
        """Set once the lesson's namespace is ready (setup and earlier steps run)."""
        self._prepared.set()

    @classmethod
    def from_request(cls, request: Any) -> LessonScreen:
        return cls(request.lesson or "", lessons=request.lessons, trust=request.trust)

    @property
    def settled(self) -> bool:
        """The step is shown, its cells have run and its prose is filled in (or cannot run)."""
        if self.lesson is None or self._opening:
            return False
        return not self.may_run or (self.current in self.prose_values and not self.running_keys)

    @property
    def client(self) -> KernelClient:
        return kernel_client(self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        yield StepProgress(id="step-progress")
        with StepBody(id="step-body"):
            yield Static("Opening the lesson…", classes="lesson-note")
        yield Footer()

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
        self.store.open_lesson(lesson.id)
        if self.store.unsaved:
            self.notify(self.store.unsaved, severity="warning", timeout=10)
        progress = self.store.lesson(lesson.id)
        step = min(max(0, progress.position[0]), max(0, len(lesson.steps) - 1))
        if self.may_run:
            # The namespace is made ready while the step mounts; the step's cells wait for it.
            self._prepared.clear()
            self.run_worker(self._prepare(lesson, step), group="cells")
        self._opening = False
        await self.show_step(step)

    async def _prepare(self, lesson: Lesson, step: int) -> None:
        """The lesson's setup, then every earlier step's cells, so their names exist again."""
        try:
            setup = await self.client.open_lesson(lesson.id, lesson.setup, fresh=True)
            if setup is not None and not setup.ok:
                last = (setup.error or "").strip().splitlines()[-1:] or ["it did not finish"]
                self.notify(f"The lesson's setup failed: {last[0]}", severity="error",
                            timeout=10)
            if step:
                steps = "step" if step == 1 else f"{step} steps"
                self.notify(f"Re-running the cells of the {steps} before this one…", timeout=3)
            for earlier in range(step):
                await self._run_step(earlier, prepared=True)
        finally:
            self._prepared.set()

    def _say(self, message: str, error: bool = False) -> None:
        if not self.query("#step-body"):
            return  # the screen is closing
        body = self.query_one("#step-body", StepBody)
        body.remove_children()
        body.mount(Static(Text(message), classes="lesson-error" if error else "lesson-note"))

    # -- showing a step ----------------------------------------------------------------------

    async def show_step(self, index: int) -> None:
        """Show step `index` (its cells run the first time), and remember it as the position."""
        lesson = self.lesson
        if lesson is None or not lesson.steps or not self.query("#step-body"):
            return
        index = max(0, min(index, len(lesson.steps) - 1))
        self.current = index
        progress = self.store.lesson(lesson.id)
        if progress.position[0] != index:
            self.store.set_position(lesson.id, index)  # written at once: progress is never lost
        step = lesson.steps[index]
        if self.may_run and index not in self.steps_run:
            # Started before the widgets mount: the kernel computes while the page is drawn.
            self.run_worker(self._run_step(index), group="cells")
        body = self.query_one("#step-body", StepBody)
        await body.remove_children()
        widgets: list[Widget] = [Static(Text(step.title), classes="step-title")]
        if not self.may_run:
            widgets.append(Static("You chose not to run this lesson's code: cells are shown but "
                                  "do not run.", classes="lesson-note"))
        values = self.prose_values.get(index)
        prose_number = cell_number = quiz_number = predict_number = 0
        veil: str | None = None
        """The predict block not yet guessed that hides what follows it, until its guess."""
        for number, block in enumerate(step.blocks):
            key = block_key(index, number)
            first = len(widgets)
            if isinstance(block, Predict):
                predict_number += 1
                made = progress.predictions.get(key)
                from grimoire.course.predict import Outcome

                outcome = (Outcome(made.guess, made.truth, made.close,
                                   exact=block.guess_kind != "number") if made else None)
                widgets.append(PredictBlock(block, key, predict_number, outcome=outcome))
                if made is None and self.may_run:
                    note = Static(Text("The rest of this step shows once you have committed "
                                       "to a guess."), classes="lesson-note predict-veil")
                    note.veils = key  # type: ignore[attr-defined]
                    widgets.append(note)
                    self._veil(widgets[first:], veil)
                    veil = key
                    continue
            elif isinstance(block, Prose):
                shown = values[prose_number] if values and prose_number < len(values) else None
                widgets.append(ProseWidget(block.text, block.placeholders(), shown))
                prose_number += 1
            elif isinstance(block, Code):
                cell_number += 1
                widgets.append(CodeCell(progress.code.get(key, block.code), key=key,
                                        label=f"cell {cell_number}", original=block.code,
                                        timeout=block.timeout))
            elif isinstance(block, Quiz):
                quiz_number += 1
                answer = progress.answers.get(key)
                widgets.append(QuizBlock(
                    block, key, quiz_number,
                    attempts=answer.attempts if answer else 0,
                    answered_right=bool(answer and answer.correct),
                    last_answer=answer.value if answer else None,
                ))
            elif isinstance(block, Exercise):
                answer = progress.answers.get(key)
                widgets.append(ExerciseBlock(
                    block, key, code=progress.code.get(key),
                    hints_used=progress.hints_used.get(key, 0),
                    passed=bool(answer and answer.correct),
                ))
            elif isinstance(block, Source):
                widgets.append(SourceLink(block))
            self._veil(widgets[first:], veil)
        await body.mount_all(widgets)
        for cell in body.query(CodeCell):
            if isinstance(cell.parent, ExerciseBlock):
                continue
            if cell.key in self.results:
                cell.show_result(self.results[cell.key])
            if cell.key in self.running_keys:
                cell.set_running(True)
        body.scroll_home(animate=False)
        body.focus()
        self._show_progress()

    def _show_progress(self) -> None:
        lesson = self.lesson
        beads = self.query(StepProgress)
        if lesson is None or not beads:
            return  # the screen is closing
        done = set(self.store.lesson(lesson.id).steps_done)
        beads.first().show_position(
            self.current, len(lesson.steps), done, lesson.steps[self.current].title)

    async def _run_step(self, index: int, prepared: bool = False) -> None:
        """Run the step's cells in order, then fill in its prose (even if the page turned)."""
        assert self.lesson is not None
        if not self.may_run:
            return  # the learner declined: nothing of the lesson is evaluated
        self.steps_run.add(index)
        if not prepared:
            await self._prepared.wait()
        saved = self.store.lesson(self.lesson.id).code
        for number, block in enumerate(self.lesson.steps[index].blocks):
            if not isinstance(block, Code):
                continue
            key = block_key(index, number)
            if key in self.results or key in self.running_keys:
                continue
            shown = self._cell_for(key)
            code = shown.code if shown is not None else saved.get(key, block.code)
            await self.run_code(key, code, block.timeout)
        await self._compute_prose(index)
        if self.current == index:
            self._fill_prose()

    async def run_cell(self, cell: CodeCell) -> None:
        """Run one cell in the kernel and show what it did."""
        lesson = self.lesson
        if lesson is None or cell.running:
            return
        if not self.may_run:
            self.notify("This lesson's code does not run: you chose not to trust it.")
            return
        if cell.edited:
            self.store.save_code(lesson.id, cell.key, cell.code)
        await self.run_code(cell.key, cell.code, cell.timeout)

    async def run_code(self, key: str, code: str, timeout: float | None) -> None:
        """Run a cell's code; its result shows on whichever widget shows that cell by then."""
        shown = self._cell_for(key)
        if shown is not None:
            shown.set_running(True)
        self.running_keys.add(key)
        try:
            result = await self.client.run(code, timeout)
        finally:
            self.running_keys.discard(key)
        self.results[key] = result
        # The learner may have turned the page meanwhile: show it on the cell shown now.
        shown = self._cell_for(key)
        if shown is not None:
            shown.show_result(result)
        if result.restarted:
            await self._replay_before(self.current)

    async def _replay_before(self, index: int) -> None:
        """After a kernel restart (only the setup ran again): the earlier steps' cells again."""
        if self.lesson is None or index == 0:
            return
        self.notify("The kernel restarted; the cells of the steps before this one run again.",
                    timeout=5)
        saved = self.store.lesson(self.lesson.id).code
        for earlier in range(index):
            for number, block in enumerate(self.lesson.steps[earlier].blocks):
                if isinstance(block, Code):
                    key = block_key(earlier, number)
                    self.results[key] = await self.client.run(saved.get(key, block.code),
                                                              block.timeout)

    def _cell_for(self, key: str) -> CodeCell | None:
        for cell in self.query(CodeCell):
            if cell.key == key and not isinstance(cell.parent, ExerciseBlock):
                return cell
        return None

    async def _compute_prose(self, index: int) -> None:
        """Evaluate the placeholders of the step's prose in the kernel (after its cells ran)."""
        assert self.lesson is not None
        if not self.may_run:
            return  # the learner declined to run this lesson's code, placeholders included
        proses = [b for b in self.lesson.steps[index].blocks if isinstance(b, Prose)]
        wanted = [(p.expression, p.format_spec) for prose in proses for p in prose.placeholders()]
        found = await self.client.evaluate(wanted) if wanted else []
        values: list[list[str | None]] = []
        position = 0
        for prose in proses:
            mine = []
            for placeholder in prose.placeholders():
                evaluation = found[position] if position < len(found) else None
                position += 1
                if evaluation is not None and evaluation.text is not None:
                    mine.append(evaluation.text)
                else:
                    mine.append(f"«{placeholder.expression}?»")
            values.append(mine)
        predicts = [(block_key(index, number), block)
                    for number, block in enumerate(self.lesson.steps[index].blocks)
                    if isinstance(block, Predict)]
        if predicts:
            answers = await self.client.evaluate([(block.answer, "") for _, block in predicts])
            self.truths[index] = {
                key: (evaluation.value if evaluation.error is None
                      else f"The truth could not be computed: {evaluation.error}")
                for (key, _), evaluation in zip(predicts, answers, strict=False)
            }
        self.prose_values[index] = values
        self._judge_waiting()

    def _judge_waiting(self) -> None:
        """Guesses made before their truth was computed are judged as soon as it is."""
        for block in self.query(PredictBlock):
            if block.committed and block.outcome is None and block.pending_guess is not None:
                self._judge(block, block.pending_guess)

    @staticmethod
    def _veil(widgets: list[Widget], key: str | None) -> None:
        """Hide widgets behind the predict block `key` (None: nothing hides them)."""
        if key is None:
            return
        for widget in widgets:
            widget.veiled_by = key  # type: ignore[attr-defined]
            widget.add_class("-veiled")

    @on(PredictBlock.Guessed)
    def _guessed(self, event: PredictBlock.Guessed) -> None:
        key = event.block.key
        event.block.pending_guess = event.guess
        for widget in self.query(".-veiled"):
            if getattr(widget, "veiled_by", None) == key:
                widget.remove_class("-veiled")
        for note in self.query(".predict-veil"):
            if getattr(note, "veils", None) == key:
                note.remove()
        self._judge(event.block, event.guess)

    def _judge(self, block: PredictBlock, guess: float) -> None:
        from grimoire.course import predict

        lesson = self.lesson
        truths = self.truths.get(self.current)
        if lesson is None or truths is None or block.key not in truths:
            if not self.may_run:
                block.show_error("This lesson's code does not run, so there is no truth to "
                                 "set beside your guess.")
            return  # the step's cells are still computing: judged when they are done
        value = truths[block.key]
        if isinstance(value, str) and value.startswith("The truth could not be computed"):
            block.show_error(value)
            return
        try:
            outcome = predict.judge(block.predict, guess, value)
        except predict.TruthError as error:
            block.show_error(str(error))
            return
        self.store.record_prediction(lesson.id, block.key, outcome.guess, outcome.truth,
                                     outcome.close)
        block.show_outcome(outcome, self.store.calibration(lesson.id))

    def _fill_prose(self) -> None:
        values = self.prose_values.get(self.current)
        if not values:
            return
        for widget, shown in zip(self.query(ProseWidget), values, strict=False):
            if widget.placeholders:
                widget.fill(shown)

    # -- the learner acts ----------------------------------------------------------------------

    def _focused_within(self, kind: type[Widget]) -> Widget | None:
        node = self.focused
        while node is not None and node is not self:
            if isinstance(node, kind):
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    def action_run(self) -> None:
        exercise = self._focused_within(ExerciseBlock)
        if isinstance(exercise, ExerciseBlock):
            self.run_worker(self._check_exercise(exercise), group="cells")
            return
        cell = self._focused_within(CodeCell)
        if isinstance(cell, CodeCell):
            self.run_worker(self.run_cell(cell), group="cells")
            return
        cells = [c for c in self.query_one("#step-body").query(CodeCell)
                 if not isinstance(c.parent, ExerciseBlock)]
        if cells:
            self.run_worker(self._rerun_step(cells), group="cells")
        else:
            self.notify("This step has no code cell to run.", timeout=3)

    async def _rerun_step(self, cells: list[CodeCell]) -> None:
        for cell in cells:
            await self.run_cell(cell)
        await self._compute_prose(self.current)
        self._fill_prose()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "interrupt":
            # Only while something computes; otherwise ctrl+c falls through (copy text).
            return self.client.running > 0
        return True

    def action_interrupt(self) -> None:
        self.client.interrupt()

    def action_next_step(self) -> None:
        lesson = self.lesson
        if lesson is None or self._opening:
            return
        if not self._questions():
            self._mark_done(self.current)
        if self.current + 1 < len(lesson.steps):
            self.run_worker(self.show_step(self.current + 1), group="steps", exclusive=True)
        else:
            done = set(self.store.lesson(lesson.id).steps_done)
            if len(done & set(range(len(lesson.steps)))) == len(lesson.steps):
                self.notify(f"✦ “{lesson.title}” is complete.", timeout=5)
                self.app.pop_screen()
            else:
                self.notify("This is the last step; some steps before are not done yet "
                            "(the beads at the top show which).", timeout=5)

    def action_previous_step(self) -> None:
        if self.lesson is None or self._opening or self.current == 0:
            return
        self.run_worker(self.show_step(self.current - 1), group="steps", exclusive=True)

    def action_skip(self) -> None:
        if self.lesson is None or self._opening:
            return
        self._mark_done(self.current)
        self.action_next_step()

    def action_leave(self) -> None:
        body = self.query_one("#step-body", StepBody)
        if self.focused is not None and self.focused is not body:
            body.focus()
            return
        self.app.pop_screen()

    def action_hint(self) -> None:
        lesson = self.lesson
        exercises = list(self.query_one("#step-body").query(ExerciseBlock))
        if lesson is None or not exercises:
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
            self.store.use_hint(lesson.id, target.key)
            target.scroll_visible(animate=False)
            self._update_done()
        else:
            self.notify("The solution is already shown.", timeout=3)

    def action_choose(self, index: int) -> None:
        """A digit on the page answers the step's first open choice question (or marks one)."""
        from grimoire.ui.widgets.quiz import ChecklistChoices, ChoiceList

        quizzes = [q for q in self.query_one("#step-body").query(QuizBlock)
                   if q.quiz.quiz_kind == "choice"]
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
        links = list(self.query_one("#step-body").query(SourceLink))
        target = link if isinstance(link, SourceLink) else (links[0] if links else None)
        if target is None:
            self.notify("This step points at no source.", timeout=3)
            return
        self._open_source(target)

    def _open_source(self, link: SourceLink) -> None:
        source = link.source
        link.focus()  # so Escape in the spellbook brings the learner back right here
        self.app.show_source(source.path, symbol=source.symbol,  # type: ignore[attr-defined]
                             lines=source.lines)

    @on(SourceLink.Opened)
    def _link_opened(self, event: SourceLink.Opened) -> None:
        self._open_source(event.link)

    @on(QuizBlock.Answered)
    def _quiz_answered(self, event: QuizBlock.Answered) -> None:
        self.run_worker(self._check_quiz(event.block, event.answer), group="answers")

    async def _check_quiz(self, block: QuizBlock, answer: list[int] | str) -> None:
        from grimoire.course.checks import CheckError, Verdict, check_choice

        lesson = self.lesson
        if lesson is None:
            return
        if block.settled and block.answered_right:
            return
        quiz = block.quiz
        if quiz.quiz_kind == "choice":
            verdict = check_choice(quiz, answer if isinstance(answer, list) else [])
        else:
            try:
                verdict = await self.client.check_numeric(quiz, str(answer), self.may_run)
            except WorkerFailed as failed:
                error = failed.error
                sentence = str(error) if isinstance(error, CheckError) else (
                    f"The answer could not be checked: {error}")
                verdict = Verdict(False, sentence)
                block.show_verdict(verdict)
                return
        block.show_verdict(verdict)
        if verdict.expected is not None or verdict.correct:
            self.store.record_answer(lesson.id, block.key, answer, verdict.correct)
        self._update_done()

    async def _check_exercise(self, block: ExerciseBlock) -> None:
        lesson = self.lesson
        if lesson is None or block.cell.running:
            return
        if not self.may_run:
            self.notify("This lesson's code does not run: you chose not to trust it.")
            return
        code = block.cell.code
        self.store.save_code(lesson.id, block.key, code)
        block.cell.set_running(True)
        try:
            verdict = await self.client.check_exercise(block.exercise, code)
        except WorkerFailed as failed:
            block.cell.set_running(False)
            self.notify(f"The check could not run: {failed.error}", severity="error")
            return
        if block.is_attached:
            block.show_verdict(verdict)
        self.store.record_answer(lesson.id, block.key, code, verdict.passed)
        self._update_done()

    # -- done-ness -----------------------------------------------------------------------------

    def _questions(self) -> list[QuizBlock | ExerciseBlock]:
        body = self.query_one("#step-body")
        return [*body.query(QuizBlock), *body.query(ExerciseBlock)]

    def _update_done(self) -> None:
        questions = self._questions()
        if questions and all(q.settled for q in questions):
            self._mark_done(self.current)

    def _mark_done(self, index: int) -> None:
        if self.lesson is None:
            return
        self.store.mark_step_done(self.lesson.id, index)
        self._show_progress()
