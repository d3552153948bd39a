"""`grimoire export LESSON`: the learner's own session of a lesson, as Markdown or a notebook.

What is written is the lesson as this learner left it: the prose with the numbers their run
computed, every cell as they last wrote it with its output, each picture as text (and, in a
notebook, a cell that redraws it from its numbers), their quiz answers and exercise solutions
with how many tries and hints they took. The lesson is run again (through the same
LessonSession as the app) to produce it, so every number is live.

    exported = replay(session)                  # run it: a list of ExportedStep
    to_markdown(exported) -> str
    to_notebook(exported) -> nbformat.NotebookNode   # validated by nbformat
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grimoire.course import mathtext
from grimoire.course.display import describe, render_text
from grimoire.course.progress import Answer, LessonProgress, block_key
from grimoire.course.schema import Code, Exercise, Lesson, Prose, Quiz, Source

if TYPE_CHECKING:
    from grimoire.course.kernel import CellResult
    from grimoire.course.session import LessonSession

PREAMBLE = '''\
# The names every cell of the Grimoire can use: numpy, scipy.linalg, the familiar, `show`.
import functools

import numpy as np
import scipy.linalg as la

from grimoire.course.checks import check_array as _check_array
from grimoire.course.display import Show, render_text
from grimoire.model import load_model

model = load_model()
show = Show()
check_array = functools.partial(_check_array, show=show)
'''
"""The first code cell of a notebook: the lesson namespace the app's kernel gives every cell."""


@dataclass
class ExportedBlock:
    """One block as the learner left it."""

    kind: str
    text: str = ""
    """Prose (values in, math as Unicode), a cell's or an exercise's code, a question."""
    result: CellResult | None = None
    choices: list[str] | None = None
    answer: Answer | None = None
    hints_used: int = 0
    total_hints: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExportedStep:
    title: str
    done: bool
    blocks: list[ExportedBlock]


@dataclass
class ExportedLesson:
    lesson: Lesson
    setup: CellResult | None
    steps: list[ExportedStep]


def replay(session: LessonSession) -> ExportedLesson:
    """Run the lesson as the learner left it and gather what each block shows."""
    lesson = session.lesson
    progress = (session.store.lesson(lesson.id) if session.store is not None
                else LessonProgress())
    setup = session.open()
    steps: list[ExportedStep] = []
    for step, content in enumerate(lesson.steps):
        session.run_step(step)
        blocks: list[ExportedBlock] = []
        for number, block in enumerate(content.blocks):
            key = block_key(step, number)
            if isinstance(block, Prose):
                blocks.append(ExportedBlock("prose", session.prose_text(step, number)))
            elif isinstance(block, Code):
                blocks.append(ExportedBlock("code", session.code_for(step, number),
                                            result=session.results.get(key),
                                            extra={"edited": key in progress.code}))
            elif isinstance(block, Quiz):
                blocks.append(ExportedBlock(
                    "quiz", mathtext.render(block.question, markdown=True),
                    choices=[mathtext.render(c, markdown=True) for c in block.choices]
                    if block.choices is not None else None,
                    answer=progress.answers.get(key)))
            elif isinstance(block, Exercise):
                blocks.append(ExportedBlock(
                    "exercise", progress.code.get(key, block.starter),
                    answer=progress.answers.get(key), hints_used=progress.hints_used.get(key, 0),
                    total_hints=len(block.hints),
                    extra={"prompt": mathtext.render(block.prompt, markdown=True)}))
            elif isinstance(block, Source):
                where = block.path + (f":{block.symbol}" if block.symbol else "")
                if block.lines:
                    where += f" lines {block.lines[0]}-{block.lines[1]}"
                blocks.append(ExportedBlock("source", where, extra={"why": block.why.strip()}))
        steps.append(ExportedStep(content.title, step in progress.steps_done, blocks))
    return ExportedLesson(lesson, setup, steps)


# -- Markdown ------------------------------------------------------------------------------

def _fence(text: str, language: str = "") -> str:
    """A fenced block whose fence is longer than any run of backticks inside it."""
    longest = max((len(run) for run in text.split("`")[1::2]), default=0)
    ticks = "`" * max(3, longest + 1)
    run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        if run >= len(ticks):
            ticks = "`" * (run + 1)
    return f"{ticks}{language}\n{text.rstrip()}\n{ticks}"


def _answer_words(answer: Answer | None, choices: list[str] | None) -> str:
    if answer is None:
        return "Not answered."
    value = answer.value
    if choices is not None and isinstance(value, list):
        shown = ", ".join(f"{i + 1}. {choices[i]}" for i in value
                          if isinstance(i, int) and 0 <= i < len(choices)) or str(value)
    else:
        shown = str(value)
    tries = f"{answer.attempts} {'try' if answer.attempts == 1 else 'tries'}"
    verdict = "right" if answer.correct else "not right"
    return f"Your answer: {shown} — {verdict} ({tries})."


def _output_text(result: CellResult | None, width: int = 80) -> list[str]:
    """A cell's output as text blocks: printed text, pictures (drawn and in words), value."""
    if result is None:
        return ["(this cell has not run)"]
    parts = []
    if result.stdout:
        parts.append(result.stdout.rstrip("\n"))
    if result.stderr:
        parts.append(result.stderr.rstrip("\n"))
    for display in result.displays:
        parts.append(render_text(display, width) + "\n" + describe(display))
    if result.value is not None:
        parts.append(result.value)
    if result.error:
        parts.append(result.error.rstrip("\n"))
    return parts


def to_markdown(exported: ExportedLesson) -> str:
    """The learner's session as one Markdown document."""
    lesson = exported.lesson
    out = [f"# Lesson {lesson.number:02d}: {lesson.title}", "", lesson.summary.strip(), ""]
    done = sum(step.done for step in exported.steps)
    out += [f"*Your session: {done} of {len(exported.steps)} steps done.*", ""]
    if exported.setup is not None and not exported.setup.ok:
        out += ["The lesson's setup failed:", "", _fence(exported.setup.error or "", "text"), ""]
    for number, step in enumerate(exported.steps, start=1):
        out += [f"## Step {number}: {step.title}" + (" ✓" if step.done else ""), ""]
        for block in step.blocks:
            if block.kind == "prose":
                out += [block.text.strip(), ""]
            elif block.kind == "code":
                mark = " (your edit)" if block.extra.get("edited") else ""
                out += [f"Code{mark}:", "", _fence(block.text, "python"), ""]
                outputs = _output_text(block.result)
                if outputs:
                    out += ["Output:", "", _fence("\n\n".join(outputs), "text"), ""]
            elif block.kind == "quiz":
                out += [f"**Question.** {block.text.strip()}", ""]
                for index, choice in enumerate(block.choices or [], start=1):
                    out.append(f"{index}. {choice}")
                if block.choices:
                    out.append("")
                out += [_answer_words(block.answer, block.choices), ""]
            elif block.kind == "exercise":
                out += [f"**Exercise.** {block.extra['prompt'].strip()}", ""]
                out += ["Your code:" if block.answer else "The starting code (not attempted):",
                        "", _fence(block.text, "python"), ""]
                out += [_exercise_words(block), ""]
            elif block.kind == "source":
                out += [f"*In the source:* `{block.text}` — {block.extra['why']}", ""]
    return "\n".join(out).rstrip() + "\n"


def _exercise_words(block: ExportedBlock) -> str:
    hints = f"{block.hints_used} of {block.total_hints} hints"
    if block.hints_used > block.total_hints:
        hints = f"{block.total_hints} hints and the solution"
    if block.answer is None:
        return f"Not attempted; {hints} seen."
    if block.answer.correct:
        return f"Solved on try {block.answer.attempts}, with {hints} seen."
    tries = block.answer.attempts
    return f"Not solved yet after {tries} {'try' if tries == 1 else 'tries'}, with {hints} seen."


# -- a notebook ----------------------------------------------------------------------------

def _outputs(result: CellResult | None, count: int) -> list[Any]:
    import nbformat.v4 as nb

    if result is None:
        return []
    outputs = []
    if result.stdout:
        outputs.append(nb.new_output("stream", name="stdout", text=result.stdout))
    if result.stderr:
        outputs.append(nb.new_output("stream", name="stderr", text=result.stderr))
    for display in result.displays:
        outputs.append(nb.new_output("display_data", data={
            "text/plain": render_text(display, 80) + "\n" + describe(display)}))
    if result.value is not None:
        outputs.append(nb.new_output("execute_result", data={"text/plain": result.value},
                                     execution_count=count))
    if result.error:
        lines = result.error.rstrip("\n").splitlines()
        name = result.error_name or "Error"
        outputs.append(nb.new_output("error", ename=name, evalue=lines[-1] if lines else "",
                                     traceback=lines))
    return outputs


def _redraw(display: dict, number: int) -> str:
    """A code cell that draws a picture again from its numbers, with numpy and `show`."""
    kind = display["kind"]
    title = display.get("title")
    words = f"the {kind}" + (f" {title!r}" if title else "")
    lines = [f"# Picture {number} of the cell above: {words}, drawn again from its numbers."]
    if kind in ("heatmap", "matrix"):
        lines.append(f"values = np.array({json.dumps(display['values'])})")
        extra = ""
        if kind == "heatmap":
            extra = f", rows={display.get('rows')!r}, cols={display.get('cols')!r}"
        lines.append(f"print(render_text(show.{kind}(values{extra}, title={title!r})))")
    elif kind == "bars":
        lines.append(f"values = np.array({json.dumps(display['values'])})")
        lines.append(f"print(render_text(show.bars(values, labels={display.get('labels')!r}, "
                     f"log={bool(display.get('log'))!r}, title={title!r})))")
    elif kind == "line":
        lines.append("series = [np.array(s) for s in "
                     f"{json.dumps(display['series'])}]")
        x = display.get("x")
        lines.append(f"x = {('np.array(' + json.dumps(x) + ')') if x is not None else 'None'}")
        lines.append(f"print(render_text(show.line(*series, x=x, labels="
                     f"{display.get('labels')!r}, title={title!r})))")
    elif kind == "scatter":
        lines.append(f"points = np.array({json.dumps(display['points'])})")
        lines.append(f"print(render_text(show.scatter(points, labels="
                     f"{display.get('labels')!r}, title={title!r})))")
    else:
        lines.append(f"rows = {display['rows']!r}")
        lines.append(f"print(render_text(show.table(rows, header={display.get('header')!r}, "
                     f"title={title!r})))")
    return "\n".join(lines).replace("NaN", "np.nan").replace("Infinity", "np.inf")


def _flush(cells: list[Any], text: list[str]) -> None:
    """The Markdown gathered so far as one cell (prose, questions, exercises between code)."""
    import nbformat.v4 as nb

    if text:
        cells.append(nb.new_markdown_cell("\n\n".join(text)))
        text.clear()


def to_notebook(exported: ExportedLesson) -> Any:
    """The learner's session as a Jupyter notebook (nbformat 4), validated."""
    import nbformat
    import nbformat.v4 as nb

    lesson = exported.lesson
    cells = [nb.new_markdown_cell(
        f"# Lesson {lesson.number:02d}: {lesson.title}\n\n{lesson.summary.strip()}\n\n"
        "*Exported from Lilith's Grimoire: your cells as you left them, with their output. "
        "Run it top to bottom with numpy and the Grimoire installed.*")]
    cells.append(nb.new_code_cell(PREAMBLE.rstrip()))
    count = 1
    if lesson.setup:
        cells.append(nb.new_code_cell("# The lesson's setup\n" + lesson.setup.rstrip(),
                                      outputs=_outputs(exported.setup, count),
                                      execution_count=count))
        count += 1
    for number, step in enumerate(exported.steps, start=1):
        text: list[str] = [f"## Step {number}: {step.title}" + (" ✓" if step.done else "")]
        for block in step.blocks:
            if block.kind == "prose":
                text.append(block.text.strip())
            elif block.kind == "code":
                _flush(cells, text)
                failed = block.result is not None and not block.result.ok
                cell = nb.new_code_cell(block.text.rstrip(), outputs=_outputs(block.result, count),
                                        execution_count=count)
                if failed:
                    # Jupyter's own mark for a cell that is expected to raise.
                    cell.metadata["tags"] = ["raises-exception"]
                cells.append(cell)
                count += 1
                if block.result is not None:
                    for picture, display in enumerate(block.result.displays, start=1):
                        cells.append(nb.new_code_cell(_redraw(display, picture)))
            elif block.kind == "quiz":
                lines = [f"**Question.** {block.text.strip()}"]
                lines += [f"{i}. {choice}" for i, choice in enumerate(block.choices or [], 1)]
                text.append("\n".join(lines))
                text.append(_answer_words(block.answer, block.choices))
            elif block.kind == "exercise":
                heading = "Your code:" if block.answer else "The starting code (not attempted):"
                text.append(f"**Exercise.** {block.extra['prompt'].strip()}\n\n{heading}\n\n"
                            + _fence(block.text, "python") + "\n\n" + _exercise_words(block))
            elif block.kind == "source":
                text.append(f"*In the source:* `{block.text}` — {block.extra['why']}")
        _flush(cells, text)
    notebook = nb.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "grimoire": {"lesson": lesson.id},
    })
    nbformat.validate(notebook)
    return notebook


def write(exported: ExportedLesson, fmt: str, path: Path | None) -> str:
    """Write the export (to stdout when `path` is None); the sentence saying where it went."""
    if fmt == "ipynb":
        import nbformat

        text = nbformat.writes(to_notebook(exported))
    else:
        text = to_markdown(exported)
    if path is None:
        sys.stdout.write(text)
        return ""
    from grimoire.course.progress import atomic_write

    atomic_write(path, text)
    return f"Your session of lesson {exported.lesson.number:02d} is in {path}."


def cli_export(args: Any, make_kernel: Any, open_lesson: Any) -> int:
    """`grimoire export LESSON [--to md|ipynb] [-o FILE]`."""
    from grimoire.course.progress import ProgressStore
    from grimoire.course.session import LessonSession

    fmt = args.to or ("ipynb" if args.output and str(args.output).endswith(".ipynb") else "md")
    if fmt == "ipynb":
        try:
            import nbformat  # noqa: F401
        except ImportError:
            print('grimoire: notebooks are written with nbformat: '
                  'pip install "lilith-grimoire[notebook]".', file=sys.stderr)
            return 2
    lesson = open_lesson()  # found, loaded and trusted, or it has said why not
    if lesson is None:
        return 1
    kernel = make_kernel()
    try:
        exported = replay(LessonSession(lesson, kernel, ProgressStore()))
    finally:
        kernel.close()
    try:
        sentence = write(exported, fmt, Path(args.output) if args.output else None)
    except OSError as error:
        print(f"grimoire: cannot write {args.output}: {error.strerror or error}.",
              file=sys.stderr)
        return 1
    if sentence:
        print(sentence, file=sys.stderr)
    return 0


def export_to_folder(lesson: Lesson, folder: Path, store: Any = None) -> list[Path]:
    """Export the learner's session, run in a kernel of its own, as Markdown and (when nbformat
    is installed) a notebook in `folder`; the files written.

    A kernel of its own, so the export never disturbs the namespace the learner is working in.
    """
    from grimoire.course.kernel import Kernel
    from grimoire.course.progress import ProgressStore, atomic_write
    from grimoire.course.session import LessonSession

    kernel = Kernel()
    kernel.start()
    try:
        exported = replay(LessonSession(lesson, kernel, store or ProgressStore()))
    finally:
        kernel.close()
    stem = f"{lesson.number:02d}-{lesson.id}"
    written = [folder / f"{stem}.md"]
    atomic_write(written[0], to_markdown(exported))
    try:
        import nbformat
    except ImportError:
        return written
    written.append(folder / f"{stem}.ipynb")
    atomic_write(written[1], nbformat.writes(to_notebook(exported)))
    return written
