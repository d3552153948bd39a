"""A whole lesson, headless: `grimoire run` prints it, `grimoire check` proves it, tests use both.

Public API::

    fill_prose(prose: Prose, kernel: Kernel) -> tuple[str, list[Problem]]
        the prose with each {{ expression:spec }} replaced by its value (math left as $...$);
        a placeholder that cannot be computed becomes «expression?» and a Problem at its line
    cell_problem(file: str, first_line: int, result: CellResult, what: str) -> Problem
    @dataclass BlockRun(step: int, block: int, kind: str, line: int, text: str = "",
                        result: CellResult | None = None, data: dict = {})
    @dataclass LessonRun(lesson: Lesson, setup: CellResult | None, blocks: list[BlockRun],
                         problems: list[Problem])      .ok -> bool; .to_json() -> dict
    run_lesson(lesson: Lesson, kernel: Kernel, on_block: Callable[[BlockRun], None] | None = None)
        -> LessonRun           # setup, then per step: code cells, then prose filled in
    check_lesson(lesson: Lesson, kernel: Kernel) -> list[Problem]
        # every cell runs, placeholders compute, math renders, numeric answers compute,
        # each exercise's solution passes its check and its starter does not
    render_block(block_run: BlockRun, width: int = 80) -> str      # the text `grimoire run` prints
    cli_run(args) -> int       # args.lesson, .json, .answers, .lessons, .trust
    cli_check(args) -> int     # args.paths, .json, .lessons, .trust; 0 clean, 1 not
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grimoire.course import mathtext
from grimoire.course.display import render_text, validate
from grimoire.course.loader import (
    check_requires,
    display_name,
    find_lesson,
    lesson_files,
    load_lesson,
    load_lessons,
    problem_lines,
)
from grimoire.course.schema import (
    FILE_PATTERN,
    Code,
    Exercise,
    Lesson,
    LessonError,
    Predict,
    Problem,
    Prose,
    Quiz,
    Source,
)

if TYPE_CHECKING:
    from grimoire.course.kernel import CellResult, Kernel


def fill_prose(prose: Prose, kernel: Kernel) -> tuple[str, list[Problem]]:
    """Replace each `{{ expression:spec }}` with its value computed in the kernel."""
    placeholders = prose.placeholders()
    if not placeholders:
        return prose.text, []
    evaluations = kernel.evaluate([(p.expression, p.format_spec) for p in placeholders])
    pieces, problems, last = [], [], 0
    for placeholder, evaluation in zip(placeholders, evaluations, strict=True):
        pieces.append(prose.text[last:placeholder.start])
        last = placeholder.end
        if evaluation.text is not None:
            pieces.append(evaluation.text)
            continue
        pieces.append(f"«{placeholder.expression}?»")
        where = prose.place_at(placeholder.start)
        quoted = f"{{{{ {placeholder.expression} }}}}"
        if evaluation.name:
            message = (f"The prose quotes {quoted}, but '{evaluation.name}' is not computed by "
                       "the setup or this step's code.")
        else:
            message = f"The prose quotes {quoted}, which cannot be computed: {evaluation.error}."
        problems.append(Problem.at(where, message))
    pieces.append(prose.text[last:])
    return "".join(pieces), problems


def _last_line(text: str | None) -> str:
    stripped = (text or "").strip()
    return stripped.splitlines()[-1] if stripped else ""


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


@dataclass
class BlockRun:
    """One block of a lesson as `grimoire run` saw it."""

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


@dataclass
class LessonRun:
    """A lesson run headless: the setup, every block, and what went wrong."""

    lesson: Lesson
    setup: CellResult | None
    blocks: list[BlockRun]
    problems: list[Problem]
    watched: list[str] = field(default_factory=list)   # the shared names a step may not change

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
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


def _file(lesson: Lesson) -> str:
    return lesson.place.file


def changed_shared_values(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The watched values whose fingerprint differs (or that vanished), in a stable order."""
    return sorted(name for name, digest in before.items() if after.get(name) != digest)


def _top_name(name: str) -> str:
    """`model.params['wte']` -> `model`: the namespace name a fingerprint entry belongs to."""
    return name.split(".")[0].split("[")[0]


def _changed_sentence(changed: list[str]) -> str:
    shown = ", ".join(f"`{name}`" for name in changed[:3])
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return f"{shown}{more}"


def run_lesson(
    lesson: Lesson, kernel: Kernel, on_block: Callable[[BlockRun], None] | None = None,
    watch: bool = False,
) -> LessonRun:
    """Run the setup and every code cell; fill in the prose; describe quizzes and exercises.

    With `watch`, the model's parameters and every value the setup made are fingerprinted
    before and after each step; a step that leaves one changed is a Problem naming the step,
    since the steps after it (and a learner who skips around) would read a different model.
    """
    problems: list[Problem] = []
    file = _file(lesson)
    setup = kernel.load_setup(lesson.setup)
    if lesson.setup and not setup.ok:
        problems.append(cell_problem(file, lesson.setup_line, setup, "The setup"))
    # The names the setup left (with `model`): what every step may read but not change.
    watched = sorted({_top_name(name) for name in kernel.fingerprint()}) if watch else []
    blocks: list[BlockRun] = []
    for step_index, step in enumerate(lesson.steps):
        before = kernel.fingerprint(watched) if watch else {}
        results: dict[int, CellResult] = {}
        for block_index, block in enumerate(step.blocks):
            if isinstance(block, Code):
                result = kernel.run(block.code, timeout=block.timeout)
                results[block_index] = result
                if not result.ok:
                    problems.append(cell_problem(file, block.code_line, result, "The cell"))
                for display in result.displays:
                    invalid = validate(display)
                    if invalid:
                        problems.append(Problem.at(block.place, invalid))
        if watch:
            changed = changed_shared_values(before, kernel.fingerprint(watched))
            if changed:
                problems.append(Problem.at(step.place, (
                    f"Step {step_index + 1} '{step.title}' leaves {_changed_sentence(changed)} "
                    "changed, so the steps after it see a different model or setup; restore "
                    "what the step changes in the same cell (or work on a copy).")))
        for block_index, block in enumerate(step.blocks):
            run = _describe_block(lesson, kernel, step_index, block_index, block, results,
                                  problems)
            blocks.append(run)
            if on_block is not None:
                on_block(run)
    return LessonRun(lesson, setup, blocks, problems, watched)


def _describe_block(
    lesson: Lesson, kernel: Kernel, step_index: int, block_index: int, block: Any,
    results: dict[int, CellResult], problems: list[Problem],
) -> BlockRun:
    line = block.place.line
    if isinstance(block, Prose):
        text, prose_problems = fill_prose(block, kernel)
        problems.extend(prose_problems)
        return BlockRun(step_index, block_index, "prose", block.text_line,
                        text=mathtext.render(text))
    if isinstance(block, Code):
        return BlockRun(step_index, block_index, "code", block.code_line, text=block.code,
                        result=results.get(block_index))
    if isinstance(block, Quiz):
        data: dict[str, Any] = {"question": mathtext.render(block.question),
                                "explanation": mathtext.render(block.explanation)}
        if block.choices is not None:
            data["choices"] = [mathtext.render(c) for c in block.choices]
            data["answer"] = block.answer
            data["why"] = [mathtext.render(block.why_of(i)) for i in range(len(block.choices))]
        else:
            from grimoire.course.checks import CheckError, expected_number

            try:
                data["answer"] = expected_number(block, kernel)
            except CheckError as error:
                problems.append(Problem(block.place.file, block.numeric_line or line, 1,
                                        str(error)))
                data["answer"] = None
        return BlockRun(step_index, block_index, "quiz", line, data=data)
    if isinstance(block, Exercise):
        return BlockRun(step_index, block_index, "exercise", line, text=block.starter,
                        data={"prompt": mathtext.render(block.prompt), "hints": block.hints})
    if isinstance(block, Predict):
        return BlockRun(step_index, block_index, "predict", line,
                        data=_predict_data(block, kernel, problems))
    if isinstance(block, Source):
        data = {"path": block.path, "symbol": block.symbol,
                "lines": list(block.lines) if block.lines else None, "why": block.why}
        return BlockRun(step_index, block_index, "source", line, data=data)
    raise AssertionError(f"unknown block {block!r}")


def _predict_data(block: Predict, kernel: Kernel, problems: list[Problem]) -> dict[str, Any]:
    """A predict block's question, options and truth (computed now: the step's cells ran)."""
    from grimoire.course import predict

    data: dict[str, Any] = {"question": mathtext.render(block.question),
                            "guess": block.guess_kind, "options": predict.options(block),
                            "close": predict.tolerance_words(block), "truth": None,
                            "explanation": mathtext.render(block.explanation)}
    evaluation = kernel.evaluate([(block.answer, "")])[0]
    if evaluation.error is not None:
        problems.append(Problem(block.place.file, block.answer_line or block.place.line, 1,
                                f"The answer {block.answer!r} of the predict block cannot be "
                                f"computed after the step's cells: {evaluation.error}"))
        return data
    try:
        data["truth"] = predict.shown(block, predict.truth_of(block, evaluation.value))
    except predict.TruthError as error:
        problems.append(Problem(block.place.file, block.answer_line or block.place.line, 1,
                                str(error)))
    return data


MIN_WRONG_ANSWERS = 2
"""Each exercise lists at least this many known wrong solutions (`wrong:`) for check to try."""


def _plain_words(text: str) -> str:
    return " ".join(text.split())


def _check_exercise_block(
    block: Exercise, kernel: Kernel, file: str, watched: list[str]
) -> list[Problem]:
    """The solution passes, the starter and every listed wrong answer fail with their feedback,
    and none of them changes the model or the setup's values."""
    from grimoire.course.checks import check_exercise

    problems: list[Problem] = []

    def attempt(code: str):
        before = kernel.fingerprint(watched)
        verdict = check_exercise(block, code, kernel)
        changed = changed_shared_values(before, kernel.fingerprint(watched))
        return verdict, changed

    solved, changed = attempt(block.solution)
    if not solved.passed:
        where = block.solution_line
        if solved.check is not None and not solved.check.ok:
            where = block.check_line + (solved.check.error_line or 1) - 1
        elif not solved.attempt.ok and solved.attempt.error_line:
            where = block.solution_line + solved.attempt.error_line - 1
        problems.append(Problem(file, where, 1, "The exercise's solution does not "
                                f"pass its check: {solved.message}"))
    if changed:
        problems.append(Problem(file, block.solution_line, 1, "The exercise's solution (or its "
                                f"check) leaves {_changed_sentence(changed)} changed; a "
                                "learner's next attempt would meet a different model."))
    started, _ = attempt(block.starter)
    if started.passed:
        problems.append(Problem(file, block.starter_line, 1, "The exercise's starter "
                                "code already passes the check, so the check cannot "
                                "tell a learner's work from none."))
    if len(block.wrong) < MIN_WRONG_ANSWERS:
        problems.append(Problem.at(block.place, (
            f"The exercise lists {len(block.wrong)} wrong answer"
            f"{'s' * (len(block.wrong) != 1)} under 'wrong:'; give at least "
            f"{MIN_WRONG_ANSWERS}, one for each requirement of the prompt, so check proves "
            "the check rejects them.")))
    for number, wrong in enumerate(block.wrong, 1):
        verdict, changed = attempt(wrong.code)
        line = wrong.code_line or wrong.place.line
        if verdict.passed:
            problems.append(Problem(file, line, 1, f"Wrong answer {number} of the exercise "
                                    "passes its check; the check must reject it."))
        elif _plain_words(wrong.feedback) not in _plain_words(verdict.message):
            problems.append(Problem(file, line, 1, (
                f"Wrong answer {number} of the exercise is rejected, but the learner would "
                f"read \"{verdict.message}\" instead of its listed feedback "
                f"\"{wrong.feedback}\".")))
        if changed:
            problems.append(Problem(file, line, 1, f"Wrong answer {number} of the exercise "
                                    f"leaves {_changed_sentence(changed)} changed; run the "
                                    "check on a copy so one attempt cannot spoil the next."))
    return problems


def check_lesson(lesson: Lesson, kernel: Kernel) -> list[Problem]:
    """Everything `grimoire check` proves about one (already valid) lesson."""
    run = run_lesson(lesson, kernel, watch=True)
    problems = list(run.problems)
    file = _file(lesson)
    watched = run.watched
    for step in lesson.steps:
        for block in step.blocks:
            if isinstance(block, Prose):
                for command in mathtext.unknown_commands(block.text):
                    problems.append(Problem(file, block.text_line, 1, f"The math uses {command}, "
                                            "which the Grimoire cannot draw; see "
                                            "docs/lesson-format.md for the commands it knows."))
            elif isinstance(block, Quiz) and block.choices is not None:
                unexplained = [index for index in range(len(block.choices))
                               if not block.why_of(index).strip()]
                if unexplained:
                    listed = ", ".join(str(index) for index in unexplained)
                    problems.append(Problem.at(block.place, (
                        f"Choice{'s' * (len(unexplained) != 1)} {listed} of the quiz "
                        f"{'have' if len(unexplained) != 1 else 'has'} no 'why:'; every choice "
                        "says why it is right or wrong, shown when the learner picks it.")))
            elif isinstance(block, Exercise):
                problems.extend(_check_exercise_block(block, kernel, file, watched))
    from grimoire.course.review import check_cards

    # Last: it replays the lesson with other values of the cells' variants.
    problems.extend(check_cards(lesson, kernel))
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))


# -- text output -------------------------------------------------------------------------------

def _indent(text: str, prefix: str = "    ") -> str:
    return textwrap.indent(text.rstrip("\n"), prefix, lambda line: True)


def render_block(run: BlockRun, width: int = 80, answers: bool = False) -> str:
    """One block as plain text, the way `grimoire run` prints it.

    Quizzes are printed as questions; the right choices (●) and numeric answers are shown only
    with `answers=True` (`grimoire run --answers`), so a printed lesson can still be taken.
    """
    if run.kind == "prose":
        return run.text.rstrip()
    if run.kind == "code":
        parts = [_indent(run.text, "  │ ")]
        result = run.result
        if result is not None:
            if result.stdout:
                parts.append(_indent(result.stdout))
            if result.stderr:
                parts.append(_indent(result.stderr, "    ! "))
            for display in result.displays:
                parts.append(_indent(render_text(display, width - 4)))
            if result.value is not None:
                parts.append(_indent(result.value, "  → "))
            if result.error:
                parts.append(_indent(result.error, "  ✗ "))
        return "\n".join(parts)
    if run.kind == "quiz":
        data = run.data
        lines = [f"  ? {data['question'].strip()}"]
        if "choices" in data:
            right = set(data.get("answer") or []) if answers else set()
            for index, choice in enumerate(data["choices"]):
                mark = "●" if index in right else "○"
                lines.append(f"    {mark} {index}. {choice}")
        elif answers:
            answer = data.get("answer")
            lines.append(f"    answer: {answer:.6g}" if isinstance(answer, float)
                         else "    answer: (cannot be computed)")
        else:
            lines.append("    answer: a number")
        return "\n".join(lines)
    if run.kind == "predict":
        data = run.data
        lines = [f"  ◇ Predict: {data['question'].strip()}"]
        if data["options"]:
            lines += [f"    ○ {index}. {option}" for index, option in enumerate(data["options"])]
        else:
            lines.append(f"    a number ({data['close']})")
        truth = data.get("truth")
        lines.append(f"    the truth: {truth if truth is not None else '(cannot be computed)'}")
        if data.get("explanation"):
            lines.append(_indent(data["explanation"].strip(), "    "))
        return "\n".join(lines)
    if run.kind == "exercise":
        lines = [f"  ✎ {run.data['prompt'].strip()}", _indent(run.text, "  │ ")]
        return "\n".join(lines)
    if run.kind == "source":
        data = run.data
        where = data["path"] + (f":{data['symbol']}" if data.get("symbol") else "")
        if data.get("lines"):
            where += f" lines {data['lines'][0]}-{data['lines'][1]}"
        return f"  ⌘ {where} — {data['why'].strip()}"
    return ""


def _output_width() -> int:
    return max(40, min(120, shutil.get_terminal_size((80, 24)).columns))


def _safe_stdout() -> None:
    # `grimoire run | less` under a C locale must not die on a Σ.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def _kernel() -> Kernel:
    from grimoire.course.kernel import Kernel

    kernel = Kernel()
    kernel.start()
    return kernel


def _lessons_option(args: argparse.Namespace) -> Path | None:
    folder = getattr(args, "lessons", None)
    return Path(folder) if folder is not None else None


def _allowed(path: Path, args: argparse.Namespace) -> bool:
    from grimoire.course.trust import is_trusted

    return bool(getattr(args, "trust", False)) or is_trusted(path)


def _quiet_broken_pipe(command: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """`grimoire run x | head` ends quietly when the reader stops reading."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1

    wrapped.__doc__ = command.__doc__
    return wrapped


def cli_run(args: argparse.Namespace) -> int:
    """`grimoire run LESSON [--json] [--answers]`: run a lesson headless, print what it shows."""
    return _quiet_broken_pipe(_cli_run)(args)


def cli_check(args: argparse.Namespace) -> int:
    """`grimoire check [PATH...] [--json]`: validate, run every cell and check; 0 when clean."""
    return _quiet_broken_pipe(_cli_check)(args)


def _cli_run(args: argparse.Namespace) -> int:
    _safe_stdout()
    as_json = bool(getattr(args, "json", False))
    try:
        path = find_lesson(args.lesson, _lessons_option(args))
        lesson = load_lesson(path)
    except LessonError as error:
        for problem in error.problems:
            print(problem.short(), file=sys.stderr)
        return 1
    from grimoire.course.trust import refusal

    if not _allowed(path, args):
        print(f"grimoire: {refusal(path)}", file=sys.stderr)
        return 1
    width = _output_width()
    state = {"step": -1}

    def show(block: BlockRun) -> None:
        if as_json:
            return
        if block.step != state["step"]:
            state["step"] = block.step
            title = lesson.steps[block.step].title
            print(f"\n═══ {block.step + 1}. {title} " + "═" * max(3, width - len(title) - 9))
        text = render_block(block, width, answers=bool(getattr(args, "answers", False)))
        if text:
            print(text + "\n", flush=True)

    if not as_json:
        print(f"{lesson.title}\n{lesson.summary}")
    kernel = _kernel()
    try:
        run = run_lesson(lesson, kernel, on_block=show)
    finally:
        kernel.close()
    if not as_json and run.setup is not None and not run.setup.ok:
        print(f"The setup failed:\n{_indent(run.setup.error or '')}", file=sys.stderr)
    if as_json:
        data = run.to_json()
        if not getattr(args, "answers", False):
            for block in data["blocks"]:
                if block["kind"] == "quiz":
                    block.pop("answer", None)
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False, default=str)
        print()
    for problem in run.problems:
        print(problem.short(), file=sys.stderr)
    return 0 if run.ok else 1


def _sibling_ids(path: Path) -> set[str]:
    ids = set()
    for other in lesson_files(path.parent):
        match = FILE_PATTERN.match(other.name)
        if match:
            ids.add(match.group(2))
    return ids


def _collect(paths: list[Path]) -> tuple[list[Lesson], list[Problem]]:
    lessons: list[Lesson] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            good, found = load_lessons(path)
            lessons.extend(good)
            problems.extend(found)
        elif path.exists():
            try:
                lesson = load_lesson(path)
            except LessonError as error:
                problems.extend(error.problems)
                continue
            good, found = check_requires([lesson], _sibling_ids(path))
            lessons.extend(good)
            problems.extend(found)
        else:
            problems.append(Problem(str(path), 0, 0, "There is no such file or folder."))
    return lessons, problems


def _cli_check(args: argparse.Namespace) -> int:
    _safe_stdout()
    as_json = bool(getattr(args, "json", False))
    paths = [Path(p) for p in (getattr(args, "paths", None) or [])]
    if not paths:
        from grimoire.paths import lessons_dir

        paths = [_lessons_option(args) or lessons_dir()]
    lessons, problems = _collect(paths)
    if not lessons and not problems:
        # A mistyped folder in CI must not pass as "all clean".
        where = ", ".join(str(path) for path in paths)
        problems.append(Problem(where, 0, 0, "No lesson was found here (lessons are files named "
                                "NN-id.yaml)."))
    refused: list[str] = []
    runnable = []
    for lesson in lessons:
        if _allowed(lesson.path, args):
            runnable.append(lesson)
        else:
            from grimoire.course.trust import refusal

            sentence = refusal(lesson.path)
            if sentence not in refused:
                refused.append(sentence)
    if runnable:
        kernel = _kernel()
        try:
            for lesson in runnable:
                problems.extend(check_lesson(lesson, kernel))
        finally:
            kernel.close()
    problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))
    ok = not problems and not refused
    if as_json:
        json.dump({
            "ok": ok,
            "lessons": [lesson.id for lesson in lessons],
            "checked": [lesson.id for lesson in runnable],
            "problems": [problem.to_dict() for problem in problems],
            "refused": refused,
        }, sys.stdout, indent=1, ensure_ascii=False)
        print()
    else:
        for line in problem_lines(problems):
            print(line)
    for sentence in refused:
        print(f"grimoire: {sentence}", file=sys.stderr)
    if not as_json:
        noun = "lesson" if len(lessons) == 1 else "lessons"
        verdict = "all clean" if ok else f"{len(problems)} problem{'s' * (len(problems) != 1)}"
        if refused:
            verdict += f"; {len(lessons) - len(runnable)} not run without --trust"
        print(f"grimoire check: {len(lessons)} {noun} loaded, {len(runnable)} run; {verdict}.",
              file=sys.stderr)
    return 0 if ok else 1
