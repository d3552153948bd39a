"""One lesson as it runs: its namespace, each step's cells and prose values, answers and progress.

`grimoire run`, `grimoire check`, the lesson screen and the tests all run a lesson through a
`LessonSession`, so what a learner sees and what `check` proves come from the same code. The
session blocks while the kernel works; the lesson screen calls it from a thread worker and draws
what it says.

    session = LessonSession(lesson, kernel, store)   # store=None: the book's code, nothing saved
    session.open()                        # a fresh namespace and the lesson's setup
    session.prepare(3)                    # the cells of steps 0-2 again (their names exist)
    session.run_step(3)                   # the step's cells, then its prose values
    session.cells_to_run(3); session.run_code(3, 1); session.finish_step(3)   # the same, by parts
    session.run_cell(3, 1, code)          # one cell (an edit), then the step's prose again
    session.prose_text(3, 0)              # the prose with its values in (… while pending)
    session.answer(3, 4, "0.25")          # a quiz: Verdict, recorded in the progress
    session.check_exercise(3, 5, code)    # an exercise: ExerciseVerdict, recorded
    session.take_hint(3, 5); session.step_settled(3); session.mark_done(3)
    session.reset_cell(3, 1); session.reset_exercise(3, 5); session.start_over()

Blocks are named by their place, `block_key(step, block)` ("3.1"), in results and progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grimoire.course import mathtext
from grimoire.course.controls import visible
from grimoire.course.progress import block_key
from grimoire.course.schema import (
    Block,
    Code,
    Exercise,
    Lesson,
    Predict,
    Problem,
    Prose,
    Quiz,
    Source,
)

if TYPE_CHECKING:
    from grimoire.course.checks import ExerciseVerdict, Verdict
    from grimoire.course.kernel import CellResult, Kernel
    from grimoire.course.predict import Outcome
    from grimoire.course.progress import ProgressStore

PENDING = "…"
"""What a {{ value }} reads as until the step's cells have run."""


@dataclass
class Note:
    """Something the learner should hear about while the session worked (a sentence)."""

    message: str
    severity: str = "information"  # or "warning", "error"


def fill_values(prose: Prose, values: list[str | None] | None) -> str:
    """The prose text with each placeholder replaced by its value (PENDING when not known)."""
    pieces: list[str] = []
    last = 0
    for index, placeholder in enumerate(prose.placeholders()):
        pieces.append(prose.text[last:placeholder.start])
        value = values[index] if values is not None and index < len(values) else None
        pieces.append(PENDING if value is None else value)
        last = placeholder.end
    pieces.append(prose.text[last:])
    return "".join(pieces)


def cell_problem(file: str, first_line: int, result: CellResult, what: str) -> Problem:
    """A failed cell as a Problem on the lesson line where it failed."""
    line = first_line + (result.error_line or 1) - 1 if first_line else 0
    if result.error_kind in ("exception", "syntax", "memory"):
        message = f"{what} raised {_last_line(result.error)}"
    else:
        message = f"{what} failed: {result.error}"
    if not message.endswith((".", "!", "?")):
        message += "."
    return Problem(file, line, 1 if line else 0, message)


def _last_line(text: str | None) -> str:
    stripped = (text or "").strip()
    return stripped.splitlines()[-1] if stripped else ""


class LessonSession:
    """A lesson being run in a kernel, with the learner's progress (or none, for run/check)."""

    def __init__(self, lesson: Lesson, kernel: Kernel, store: ProgressStore | None = None,
                 may_run: bool = True) -> None:
        self.lesson = lesson
        self.kernel = kernel
        self.store = store
        self.may_run = may_run
        """False when the learner declined to run the lesson's code: nothing of it is evaluated
        (cells, placeholders, computed answers)."""
        self.setup: CellResult | None = None
        self.results: dict[str, CellResult] = {}
        """The last result of each code cell, by block key."""
        self.values: dict[str, list[str | None]] = {}
        """Each prose block's placeholder values, by block key, once computed."""
        self.truths: dict[str, object] = {}
        """Each predict block's answer computed after its step's cells, by block key (an
        evaluation's error sentence when it could not be computed)."""
        self.steps_run: set[int] = set()
        """Steps whose cells have run (and whose prose has been filled)."""
        self.problems: list[Problem] = []
        """What went wrong in the lesson's own code (for `grimoire check`)."""
        self.notes: list[Note] = []
        """Sentences for the learner, collected as the session works; `take_notes` empties it."""
        self.on_block: Callable[[int, int], None] | None = None
        """Called with (step, block) as each block of a step is ready (`grimoire run` prints)."""

    @property
    def file(self) -> str:
        return self.lesson.place.file

    # -- the namespace -----------------------------------------------------------------------

    def open(self) -> CellResult:
        """A fresh namespace and the lesson's setup; everything computed before is forgotten."""
        self.results.clear()
        self.values.clear()
        self.truths.clear()
        self.steps_run.clear()
        self.setup = self.kernel.load_setup(self.lesson.setup)
        if self.lesson.setup and not self.setup.ok:
            self.problems.append(cell_problem(self.file, self.lesson.setup_line, self.setup,
                                              "The setup"))
            self.notes.append(Note(f"The lesson's setup failed: {_last_line(self.setup.error)}",
                                   "error"))
        return self.setup

    def prepare(self, step: int) -> None:
        """Run the cells of every step before `step`, so the names they define exist again."""
        for earlier in range(min(step, len(self.lesson.steps))):
            if earlier not in self.steps_run:
                self.run_step(earlier, replay=True)

    def take_notes(self) -> list[Note]:
        """The notes gathered since the last call."""
        notes, self.notes = self.notes, []
        return notes

    # -- the learner's code ------------------------------------------------------------------

    def block(self, step: int, block: int) -> Block:
        return self.lesson.steps[step].blocks[block]

    def saved_code(self, step: int, block: int) -> str | None:
        """The learner's own version of a cell or exercise, when they changed it."""
        if self.store is None:
            return None
        return self.store.lesson(self.lesson.id).code.get(block_key(step, block))

    def code_for(self, step: int, block: int) -> str:
        """What a code cell runs: the learner's edit, or the book's code."""
        saved = self.saved_code(step, block)
        if saved is not None:
            return saved
        found = self.block(step, block)
        assert isinstance(found, Code)
        return found.code

    # -- running -----------------------------------------------------------------------------

    def run_step(self, step: int, *, replay: bool = False) -> None:
        """Run the step's cells that have not run, in order, then fill in its prose."""
        if not self.may_run:
            return
        for number in self.cells_to_run(step):
            self.run_code(step, number, replay=replay)
        self.finish_step(step)

    def cells_to_run(self, step: int) -> list[int]:
        """The step's code cells without a result yet, in order."""
        return [number for number, block in enumerate(self.lesson.steps[step].blocks)
                if isinstance(block, Code) and block_key(step, number) not in self.results]

    def finish_step(self, step: int) -> None:
        """After the step's cells ran: its prose values, its predictions' truths; it has run."""
        self.fill_prose(step)
        self.compute_truths(step)
        self.steps_run.add(step)
        if self.on_block is not None:
            for number in range(len(self.lesson.steps[step].blocks)):
                self.on_block(step, number)

    def run_cell(self, step: int, block: int, code: str) -> CellResult:
        """Run one cell as the learner wrote it (remembered when it differs), then the prose."""
        found = self.block(step, block)
        assert isinstance(found, Code)
        if self.store is not None:
            key = block_key(step, block)
            if code.rstrip("\n") != found.code.rstrip("\n"):
                self.store.save_code(self.lesson.id, key, code)
            elif self.saved_code(step, block) is not None:
                self.store.forget_block(self.lesson.id, key)
        result = self.run_code(step, block, code)
        self.fill_prose(step)
        return result

    def run_code(self, step: int, block: int, code: str | None = None, replay: bool = False
                 ) -> CellResult:
        """Run a code cell (the learner's edit or the book's code unless `code` is given).

        `replay`: the cell runs again to rebuild the namespace; an edit that fails then is
        replaced by the book's code, with a note saying so.
        """
        found = self.block(step, block)
        assert isinstance(found, Code)
        if not self.may_run:
            raise PermissionError("The learner chose not to run this lesson's code.")
        code = self.code_for(step, block) if code is None else code
        key = block_key(step, block)
        result = self.kernel.run(code, timeout=found.timeout)
        if not result.ok and replay and code != found.code:
            self.notes.append(Note(
                f"Your edit of step {step + 1}'s cell failed when it was run again "
                f"({_last_line(result.error)}), so the book's code ran in its place.", "warning"))
            result = self.kernel.run(found.code, timeout=found.timeout)
        self.results[key] = result
        if not result.ok and code == found.code:
            self.problems.append(cell_problem(self.file, found.code_line, result, "The cell"))
        if result.ok:
            from grimoire.course.display import validate

            for display in result.displays:
                invalid = validate(display)
                if invalid:
                    self.problems.append(Problem.at(found.place, invalid))
        if result.restarted:
            self._after_restart(step)
        return result

    def _after_restart(self, step: int) -> None:
        """The kernel restarted (only the setup ran again): the earlier steps' cells again."""
        done_before = {s for s in self.steps_run if s < step}
        self.steps_run -= done_before
        for key in [k for k in self.results if int(k.split(".")[0]) < step]:
            del self.results[key]
        if done_before:
            self.notes.append(Note("The kernel restarted; the cells of the steps before this "
                                   "one ran again."))
            self.prepare(step)

    def fill_prose(self, step: int) -> None:
        """Compute every placeholder of the step's prose in the kernel, keyed by block."""
        if not self.may_run:
            return
        wanted: list[tuple[str, Prose, list[Any]]] = []
        for number, block in enumerate(self.lesson.steps[step].blocks):
            if isinstance(block, Prose):
                wanted.append((block_key(step, number), block, block.placeholders()))
        expressions = [(p.expression, p.format_spec) for _, _, found in wanted for p in found]
        evaluations = self.kernel.evaluate(expressions) if expressions else []
        position = 0
        for key, prose, placeholders in wanted:
            mine: list[str | None] = []
            for placeholder in placeholders:
                evaluation = evaluations[position] if position < len(evaluations) else None
                position += 1
                if evaluation is not None and evaluation.text is not None:
                    mine.append(evaluation.text)
                    continue
                mine.append(f"«{placeholder.expression}?»")
                if evaluation is not None:
                    self.problems.append(_placeholder_problem(prose, placeholder, evaluation))
            self.values[key] = mine

    def compute_truths(self, step: int) -> None:
        """The answer of every predict block of the step, computed now its cells have run."""
        if not self.may_run:
            return
        predicts = [(block_key(step, n), b) for n, b in enumerate(self.lesson.steps[step].blocks)
                    if isinstance(b, Predict)]
        if not predicts:
            return
        answers = self.kernel.evaluate([(block.answer, "") for _, block in predicts])
        for (key, _), evaluation in zip(predicts, answers, strict=False):
            self.truths[key] = (evaluation.value if evaluation.error is None
                                else f"The truth could not be computed: {evaluation.error}")

    def judge_prediction(self, step: int, block: int, guess: float) -> Outcome | str | None:
        """The guess beside the truth, recorded; a sentence when there is no truth to judge by;
        None while the step's cells still compute (judge again once they have)."""
        from grimoire.course import predict

        found = self.block(step, block)
        assert isinstance(found, Predict)
        if not self.may_run:
            return "This lesson's code does not run, so there is no truth to set beside your guess."
        key = block_key(step, block)
        if key not in self.truths:
            return None
        value = self.truths[key]
        if isinstance(value, str) and value.startswith("The truth could not be computed"):
            return value
        try:
            outcome = predict.judge(found, guess, value)
        except predict.TruthError as error:
            return str(error)
        if self.store is not None:
            self.store.record_prediction(self.lesson.id, key, outcome.guess, outcome.truth,
                                         outcome.close)
        return outcome

    def calibration(self) -> tuple[int, int] | None:
        """The learner's close guesses and guesses in this lesson, when progress is kept."""
        return self.store.calibration(self.lesson.id) if self.store is not None else None

    # -- what the learner reads --------------------------------------------------------------

    def prose_values(self, step: int, block: int) -> list[str | None] | None:
        """A prose block's values, or None while its step has not run."""
        return self.values.get(block_key(step, block))

    def prose_text(self, step: int, block: int) -> str:
        """A prose block as Markdown: values filled in, then `$math$` drawn as Unicode."""
        found = self.block(step, block)
        assert isinstance(found, Prose)
        filled = fill_values(found, self.prose_values(step, block))
        return visible(mathtext.render(filled, markdown=True))

    def step_filled(self, step: int) -> bool:
        """Every prose block of the step has its values."""
        return all(block_key(step, n) in self.values
                   for n, b in enumerate(self.lesson.steps[step].blocks) if isinstance(b, Prose))

    # -- answers -----------------------------------------------------------------------------

    def answer(self, step: int, block: int, answer: list[int] | str | float) -> Verdict:
        """Check a quiz answer (a numeric one may be computed in the kernel) and record it."""
        from grimoire.course.checks import CheckError, Verdict, check_choice, check_numeric

        quiz = self.block(step, block)
        assert isinstance(quiz, Quiz)
        if quiz.quiz_kind == "choice":
            verdict = check_choice(quiz, answer if isinstance(answer, list) else [])
        elif not self.may_run and isinstance(quiz.numeric, str):
            return Verdict(False, "This answer cannot be checked: the lesson computes the right "
                           "value with its own code, which you chose not to run.")
        else:
            try:
                verdict = check_numeric(quiz, answer if isinstance(answer, str | float)
                                        else str(answer), self.kernel if self.may_run else None)
            except CheckError as error:
                return Verdict(False, str(error))
        if self.store is not None and (verdict.expected is not None or verdict.correct):
            self.store.record_answer(self.lesson.id, block_key(step, block), answer,
                                     verdict.correct)
        return verdict

    def check_exercise(self, step: int, block: int, code: str) -> ExerciseVerdict:
        """Run the learner's attempt and the exercise's check; remember both."""
        from grimoire.course.checks import check_exercise

        exercise = self.block(step, block)
        assert isinstance(exercise, Exercise)
        key = block_key(step, block)
        if self.store is not None:
            self.store.save_code(self.lesson.id, key, code)
        verdict = check_exercise(exercise, code, self.kernel)
        if self.store is not None:
            self.store.record_answer(self.lesson.id, key, code, verdict.passed)
        return verdict

    def take_hint(self, step: int, block: int) -> int:
        """One more rung of an exercise's hint ladder; the number of rungs shown now."""
        if self.store is None:
            return 0
        return self.store.use_hint(self.lesson.id, block_key(step, block))

    def step_settled(self, step: int) -> bool:
        """Every quiz and exercise of the step is answered right, revealed or solved."""
        from grimoire.course.checks import REVEAL_AFTER

        if self.store is None:
            return False
        progress = self.store.lesson(self.lesson.id)
        questions = [(n, b) for n, b in enumerate(self.lesson.steps[step].blocks)
                     if isinstance(b, Quiz | Exercise)]
        if not questions:
            return False
        for number, block in questions:
            key = block_key(step, number)
            answer = progress.answers.get(key)
            if answer is not None and answer.correct:
                continue
            if isinstance(block, Quiz) and answer is not None and answer.attempts >= REVEAL_AFTER:
                continue
            if isinstance(block, Exercise) and progress.hints_used.get(key, 0) > len(block.hints):
                continue
            return False
        return True

    def has_questions(self, step: int) -> bool:
        return any(isinstance(b, Quiz | Exercise) for b in self.lesson.steps[step].blocks)

    def mark_done(self, step: int) -> None:
        """Count the step as done (written only when it was not already)."""
        if self.store is not None and step not in self.steps_done():
            self.store.mark_step_done(self.lesson.id, step)

    def steps_done(self) -> set[int]:
        if self.store is None:
            return set()
        return set(self.store.lesson(self.lesson.id).steps_done) & set(
            range(len(self.lesson.steps)))

    def complete(self) -> bool:
        return len(self.steps_done()) == len(self.lesson.steps)

    # -- undoing -----------------------------------------------------------------------------

    def reset_cell(self, step: int, block: int) -> str:
        """Forget the learner's edit of a cell; the book's code, to show and run."""
        found = self.block(step, block)
        assert isinstance(found, Code)
        if self.store is not None:
            self.store.forget_block(self.lesson.id, block_key(step, block))
        return found.code

    def reset_exercise(self, step: int, block: int) -> str:
        """Forget an exercise's attempt, verdict and hints; its starter code."""
        found = self.block(step, block)
        assert isinstance(found, Exercise)
        if self.store is not None:
            self.store.forget_block(self.lesson.id, block_key(step, block), everything=True)
        return found.starter

    def start_over(self) -> CellResult:
        """Forget all progress in this lesson and open it afresh."""
        if self.store is not None:
            self.store.forget(self.lesson.id)
            self.store.open_lesson(self.lesson.id)
        return self.open()


def _placeholder_problem(prose: Prose, placeholder: Any, evaluation: Any) -> Problem:
    where = prose.place_at(placeholder.start)
    quoted = f"{{{{ {placeholder.expression} }}}}"
    if evaluation.name:
        message = (f"The prose quotes {quoted}, but '{evaluation.name}' is not computed by "
                   "the setup or this step's code.")
    else:
        message = f"The prose quotes {quoted}, which cannot be computed: {evaluation.error}."
    return Problem.at(where, message)


# -- a whole lesson, headless ------------------------------------------------------------------


@dataclass
class BlockRun:
    """One block of a lesson as it reads once its step has run (what `grimoire run` prints)."""

    step: int
    block: int
    kind: str
    line: int
    text: str = ""
    result: CellResult | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.step, "block": self.block, "kind": self.kind,
                               "line": self.line}
        if self.text:
            out["text"] = self.text
        if self.result is not None:
            out["result"] = self.result.to_dict()
        out.update(self.data)
        return out


def _describe_prose(session: LessonSession, step: int, number: int, block: Prose) -> BlockRun:
    return BlockRun(step, number, "prose", block.text_line, text=session.prose_text(step, number))


def _describe_code(session: LessonSession, step: int, number: int, block: Code) -> BlockRun:
    return BlockRun(step, number, "code", block.code_line, text=session.code_for(step, number),
                    result=session.results.get(block_key(step, number)))


def _describe_quiz(session: LessonSession, step: int, number: int, block: Quiz) -> BlockRun:
    data: dict[str, Any] = {"question": mathtext.render(block.question),
                            "explanation": mathtext.render(block.explanation)}
    if block.choices is not None:
        data["choices"] = [mathtext.render(c) for c in block.choices]
        data["answer"] = block.answer
        data["why"] = [mathtext.render(block.why_of(i)) for i in range(len(block.choices))]
    else:
        from grimoire.course.checks import CheckError, expected_number

        try:
            data["answer"] = expected_number(block, session.kernel)
        except CheckError as error:
            session.problems.append(Problem(block.place.file, block.numeric_line
                                            or block.place.line, 1, str(error)))
            data["answer"] = None
    return BlockRun(step, number, "quiz", block.place.line, data=data)


def _describe_exercise(session: LessonSession, step: int, number: int, block: Exercise
                       ) -> BlockRun:
    return BlockRun(step, number, "exercise", block.place.line, text=block.starter,
                    data={"prompt": mathtext.render(block.prompt), "hints": block.hints})


def _describe_source(session: LessonSession, step: int, number: int, block: Source) -> BlockRun:
    data = {"path": block.path, "symbol": block.symbol,
            "lines": list(block.lines) if block.lines else None, "why": block.why}
    return BlockRun(step, number, "source", block.place.line, data=data)


def _describe_predict(session: LessonSession, step: int, number: int, block: Predict
                      ) -> BlockRun:
    """A predict block's question, options and truth (computed now: the step's cells ran)."""
    from grimoire.course import predict

    data: dict[str, Any] = {"question": mathtext.render(block.question),
                            "guess": block.guess_kind, "options": predict.options(block),
                            "close": predict.tolerance_words(block), "truth": None,
                            "explanation": mathtext.render(block.explanation)}
    value = session.truths.get(block_key(step, number))
    if isinstance(value, str) and value.startswith("The truth could not be computed"):
        session.problems.append(Problem(block.place.file, block.answer_line or block.place.line,
                                        1, f"The answer {block.answer!r} of the predict block "
                                        f"cannot be computed after the step's cells: {value}"))
    elif block_key(step, number) in session.truths:
        try:
            data["truth"] = predict.shown(block, predict.truth_of(block, value))
        except predict.TruthError as error:
            session.problems.append(Problem(block.place.file,
                                            block.answer_line or block.place.line, 1, str(error)))
    return BlockRun(step, number, "predict", block.place.line, data=data)


DESCRIBE: dict[str, Callable[..., BlockRun]] = {
    "prose": _describe_prose,
    "code": _describe_code,
    "quiz": _describe_quiz,
    "exercise": _describe_exercise,
    "source": _describe_source,
    "predict": _describe_predict,
}
"""How each block kind reads once its step has run, by `block.kind`."""


def describe(session: LessonSession, step: int, number: int) -> BlockRun:
    """One block as plain data, after its step ran."""
    block = session.block(step, number)
    return DESCRIBE[block.kind](session, step, number, block)


@dataclass
class LessonRun:
    """A lesson run headless: the setup, every block, and what went wrong."""

    lesson: Lesson
    setup: CellResult | None
    blocks: list[BlockRun]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        from grimoire.course.loader import display_name

        return {
            "id": self.lesson.id,
            "title": self.lesson.title,
            "file": display_name(self.lesson.path),
            "setup": self.setup.to_dict() if self.setup is not None else None,
            "steps": [{"title": step.title, "index": index}
                      for index, step in enumerate(self.lesson.steps)],
            "blocks": [block.to_json() for block in self.blocks],
            "problems": [problem.to_dict() for problem in self.problems],
            "ok": self.ok,
        }


def run_lesson(lesson: Lesson, kernel: Kernel,
               on_block: Callable[[BlockRun], None] | None = None) -> LessonRun:
    """Every step through a session with the book's code: setup, cells, prose, answers."""
    return _run(LessonSession(lesson, kernel), on_block, None, None)


def _run(session: LessonSession, on_block: Callable[[BlockRun], None] | None,
         before_step: Callable[[int], None] | None,
         after_step: Callable[[int], None] | None) -> LessonRun:
    blocks: list[BlockRun] = []

    def ready(step: int, number: int) -> None:
        run = describe(session, step, number)
        blocks.append(run)
        if on_block is not None:
            on_block(run)

    session.on_block = ready
    session.open()
    for step in range(len(session.lesson.steps)):
        if before_step is not None:
            before_step(step)
        for number in session.cells_to_run(step):
            session.run_code(step, number)
        if after_step is not None:
            after_step(step)
        session.finish_step(step)
    return LessonRun(session.lesson, session.setup, blocks, sorted_problems(session.problems))


def run_lesson_watched(session: LessonSession, before_step: Callable[[int], None],
                       after_step: Callable[[int], None]) -> LessonRun:
    """`run_lesson` with hooks around each step's cells (before its prose is filled)."""
    return _run(session, None, before_step, after_step)


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Problems without repeats, in file and line order."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))
