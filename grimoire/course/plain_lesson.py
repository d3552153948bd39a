"""`grimoire learn LESSON --plain`: a lesson taken line by line, for screen readers and plain terminals.

Everything is printed as plain lines: prose with its math in Unicode, code indented by four
spaces, each cell's output, each picture said in words (`display.describe`). Nothing is drawn
with box characters and nothing is coloured. Questions are asked on stdin:

    quiz (choices)   the number of a choice ("2"; several as "1 3"); Enter alone skips
    quiz (numeric)   a number or a little arithmetic ("1/8", "2**-3"); Enter alone skips
    exercise         code, ended by a line holding a single "."; or "e" to write it in $EDITOR,
                     "h" for the next hint (the last one is the solution), Enter alone skips
    anywhere         "q" stops; progress is kept

It runs through the same LessonSession as the app, so answers, hints, code and finished steps go
to the same progress store, and the app opens where the plain lesson stopped.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from grimoire.course import mathtext
from grimoire.course.display import describe
from grimoire.course.progress import block_key
from grimoire.course.schema import Code, Exercise, Prose, Quiz, Source
from grimoire.course.session import LessonSession, fill_values

END_OF_CODE = "."
"""A line holding only this ends the code of an exercise typed at the prompt."""


class Stop(Exception):
    """The learner asked to stop (q) or the input ended."""


# -- prose as plain lines -------------------------------------------------------------------

_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_INLINE_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def plain_prose(markdown: str, width: int = 80) -> str:
    """Lesson Markdown as plain paragraphs: no emphasis marks, code indented, lines wrapped.

    A screen reader reads `**` as "star star"; the words are what matter, so marks go and
    fenced code stands indented as in the code cells.
    """
    out: list[str] = []
    paragraph: list[str] = []
    fence = False

    def flush() -> None:
        if paragraph:
            text = " ".join(line.strip() for line in paragraph)
            bullet = re.match(r"^([-*+]|\d+[.)])\s+", paragraph[0].strip())
            if bullet:
                marker = bullet.group(0)
                out.append(textwrap.fill(text[len(marker):], width, initial_indent=marker,
                                         subsequent_indent=" " * len(marker)))
            else:
                out.append(textwrap.fill(text, width))
            paragraph.clear()

    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            flush()
            fence = not fence
            continue
        if fence:
            out.append("    " + line)
            continue
        stripped = line.strip()
        if not stripped:
            flush()
            out.append("")
            continue
        if re.match(r"^([-*+]|\d+[.)])\s+", stripped) and paragraph:
            flush()
        heading = re.match(r"^#+\s+", stripped)
        if heading:
            flush()
            out.append(_inline(stripped[heading.end():]))
            continue
        paragraph.append(_inline(line))
    flush()
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _inline(text: str) -> str:
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = _INLINE_CODE.sub(lambda m: m.group(1), text)
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    return text


def visible(text: str) -> str:
    """Text from a cell or a lesson, with control characters (escape codes) made visible."""
    return "".join(ch if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127)
                   else f"\\x{ord(ch):02x}" for ch in text)


# -- the conversation -----------------------------------------------------------------------

@dataclass
class Console:
    """Where the lesson is printed and where answers come from."""

    read: TextIO
    write: TextIO
    width: int = 80
    editor: str | None = None
    """$VISUAL or $EDITOR, for writing exercise code; None to type it at the prompt only."""
    interactive: bool = False
    """stdin is a terminal: pause between steps."""

    def say(self, text: str = "") -> None:
        self.write.write(visible(text) + "\n")
        self.write.flush()

    def ask(self, prompt: str) -> str:
        """One line of answer; Stop on 'q' or at the end of the input."""
        self.write.write(prompt)
        self.write.flush()
        line = self.read.readline()
        if not line:
            self.say()
            raise Stop("the input ended")
        answer = line.rstrip("\n")
        if not self.interactive:
            self.say(answer)  # a typed answer echoes itself; a piped one is written out
        if answer.strip().lower() in ("q", "quit"):
            raise Stop("you asked to stop")
        return answer

    def code(self, first: str) -> str:
        """Lines up to a lone '.', after `first` (already read)."""
        lines = [first]
        while True:
            line = self.read.readline()
            if not line:
                raise Stop("the input ended inside your code")
            if line.rstrip("\n") == END_OF_CODE:
                if not self.interactive:
                    self.say(END_OF_CODE)
                return "\n".join(lines) + "\n"
            lines.append(line.rstrip("\n"))
            if not self.interactive:
                self.say(lines[-1])


def _indent(text: str, prefix: str = "    ") -> str:
    return textwrap.indent(text.rstrip("\n"), prefix, lambda line: True)


def say_result(console: Console, result: object) -> None:
    """A cell's output: what it printed, its pictures in words, its value or its error."""
    if result is None:
        console.say("    (this cell has not run)")
        return
    if result.stdout:
        console.say("Output:")
        console.say(_indent(result.stdout))
    if result.stderr:
        console.say("Warnings:")
        console.say(_indent(result.stderr))
    for number, display in enumerate(result.displays, start=1):
        console.say(f"Picture {number}:" if len(result.displays) > 1 else "Picture:")
        console.say(_indent(textwrap.fill(describe(display), console.width - 4)
                            if display.get("kind") != "table" else describe(display)))
    if result.value is not None:
        console.say("Value:")
        console.say(_indent(result.value))
    if result.error:
        console.say("Error:")
        console.say(_indent(result.error))


def learn(session: LessonSession, console: Console, start: int = 0) -> bool:
    """Take the lesson from step `start`; True when every step is done at the end."""
    lesson = session.lesson
    console.say(f"Lesson {lesson.number:02d}: {lesson.title}")
    console.say(textwrap.fill(lesson.summary, console.width))
    console.say(f"{len(lesson.steps)} steps. Type q at any question to stop; your progress "
                "is kept.")
    if session.store is not None:
        session.store.open_lesson(lesson.id)
    setup = session.open()
    if setup is not None and not setup.ok:
        console.say("The lesson's setup failed, so its cells cannot run:")
        console.say(_indent(setup.error or ""))
        return False
    session.prepare(start)
    try:
        for step in range(start, len(lesson.steps)):
            _step(session, console, step)
            if console.interactive and step + 1 < len(lesson.steps):
                console.ask(f"Press Enter for step {step + 2}, or q to stop. ")
    except Stop as stop:
        console.say(f"Stopped ({stop}). Your progress is kept; "
                    f"`grimoire learn {lesson.id} --plain` goes on from here.")
        return False
    done = session.steps_done() if session.store is not None else set()
    console.say()
    if session.store is not None and len(done) == len(lesson.steps):
        console.say(f"The end of lesson {lesson.number:02d}: every step is done.")
        return True
    left = [str(s + 1) for s in range(len(lesson.steps)) if s not in done]
    console.say(f"The end of lesson {lesson.number:02d}. Steps still open: {', '.join(left)}.")
    return False


def _step(session: LessonSession, console: Console, step: int) -> None:
    lesson = session.lesson
    blocks = lesson.steps[step].blocks
    console.say()
    console.say(f"Step {step + 1} of {len(lesson.steps)}: {lesson.steps[step].title}")
    console.say()
    if session.store is not None:
        session.store.set_position(lesson.id, step)
    session.run_step(step)
    for note in session.take_notes():
        console.say(f"Note: {note.message}")
    cells = 0
    for number, block in enumerate(blocks):
        if isinstance(block, Prose):
            text = mathtext.render(fill_values(block, session.prose_values(step, number)))
            console.say(plain_prose(text, console.width))
        elif isinstance(block, Code):
            cells += 1
            console.say(f"Code cell {cells}:")
            console.say(_indent(session.code_for(step, number)))
            say_result(console, session.results.get(block_key(step, number)))
        elif isinstance(block, Quiz):
            _quiz(session, console, step, number, block)
        elif isinstance(block, Exercise):
            _exercise(session, console, step, number, block)
        elif isinstance(block, Source):
            where = block.path + (f", {block.symbol}" if block.symbol else "")
            if block.lines:
                where += f", lines {block.lines[0]} to {block.lines[1]}"
            console.say(textwrap.fill(f"In the source: {where}. {_inline(block.why.strip())}",
                                      console.width))
        console.say()
    if session.has_questions(step):
        if session.step_settled(step):
            session.mark_done(step)
    else:
        session.mark_done(step)


def _quiz(session: LessonSession, console: Console, step: int, number: int, quiz: Quiz) -> None:
    console.say("Question: " + plain_prose(mathtext.render(quiz.question), console.width))
    if quiz.choices is not None:
        for index, choice in enumerate(quiz.choices, start=1):
            console.say(f"  {index}. {_inline(mathtext.render(choice))}")
        how = ("the numbers of every right choice, such as 1 3" if quiz.multiple
               else "the number of your choice")
    else:
        how = "a number (1/8 and 2**-3 are fine)"
    while True:
        reply = console.ask(f"Your answer ({how}; Enter skips): ").strip()
        if not reply:
            console.say("Skipped.")
            return
        if quiz.choices is not None:
            picked = [int(n) - 1 for n in re.findall(r"\d+", reply)]
            if not picked or any(not 0 <= p < len(quiz.choices) for p in picked):
                console.say(f"Answer with numbers from 1 to {len(quiz.choices)}.")
                continue
            verdict = session.answer(step, number, picked)
        else:
            verdict = session.answer(step, number, reply)
        explanation = verdict.explanation.strip() if verdict.correct else ""
        if not explanation.startswith(verdict.message.rstrip(".")):
            console.say(verdict.message)  # (a choice's own reason may already begin "Right")
        if verdict.correct:
            if explanation:
                console.say(plain_prose(mathtext.render(explanation), console.width))
            return


def _exercise(session: LessonSession, console: Console, step: int, number: int,
              exercise: Exercise) -> None:
    console.say("Exercise: " + plain_prose(mathtext.render(exercise.prompt), console.width))
    console.say("Starting code:")
    console.say(_indent(exercise.starter))
    hints_shown = 0
    ways = "type your code and end it with a line holding a single dot"
    if console.editor:
        ways += ", or e to write it in your editor"
    while True:
        first = console.ask(f"Your code ({ways}; h for a hint; Enter skips): ")
        if not first.strip():
            console.say("Skipped.")
            return
        if first.strip().lower() == "h":
            if hints_shown >= len(exercise.hints) + 1:
                console.say("There are no more hints: the last one was the solution.")
                continue
            hints_shown = session.take_hint(step, number) or hints_shown + 1
            if hints_shown <= len(exercise.hints):
                console.say(f"Hint {hints_shown} of {len(exercise.hints)}: "
                            + plain_prose(mathtext.render(exercise.hints[hints_shown - 1]),
                                          console.width))
            else:
                console.say("The solution:")
                console.say(_indent(exercise.solution))
            continue
        if first.strip().lower() == "e" and console.editor:
            code = _edit(console.editor, exercise.starter)
            if code is None:
                console.say("The editor did not save any code.")
                continue
        else:
            code = console.code(first)
        verdict = session.check_exercise(step, number, code)
        console.say(verdict.message)
        if not verdict.passed and verdict.attempt is not None and verdict.attempt.stdout:
            console.say("Your code printed:")
            console.say(_indent(verdict.attempt.stdout))
        if verdict.passed:
            return


def _edit(editor: str, starter: str) -> str | None:
    """Open the learner's editor on the starter code; what they saved, or None."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False,
                                     encoding="utf-8") as handle:
        handle.write(starter)
        path = handle.name
    try:
        done = subprocess.run([*shlex.split(editor), path], check=False)
        with open(path, encoding="utf-8") as saved:
            code = saved.read()
    finally:
        os.unlink(path)
    if done.returncode != 0 or not code.strip():
        return None
    return code


def console_from_environment() -> Console:
    """The terminal this command runs in: stdin, stdout, its width, the learner's editor."""
    import shutil

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
    width = max(40, min(100, shutil.get_terminal_size((80, 24)).columns))
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or None
    return Console(sys.stdin, sys.stdout, width, editor, sys.stdin.isatty())


def first_open_step(session: LessonSession) -> int:
    """Where a returning learner goes on: the first step not done (0 for a new lesson)."""
    done = session.steps_done()
    for step in range(len(session.lesson.steps)):
        if step not in done:
            return step
    return 0


def cli_learn(args: object, make_kernel: Callable[[], object],
              open_lesson: Callable[[], object]) -> int:
    """`grimoire learn LESSON --plain [--from STEP]`."""
    from grimoire.course.progress import ProgressStore

    if not getattr(args, "plain", False):
        print("grimoire: learn needs --plain (the app itself is `grimoire open LESSON`).",
              file=sys.stderr)
        return 2
    lesson = open_lesson()  # found, loaded and trusted, or it has said why not
    if lesson is None:
        return 1
    store = ProgressStore()
    if store.warning:
        print(f"grimoire: {store.warning}", file=sys.stderr)
    kernel = make_kernel()
    try:
        session = LessonSession(lesson, kernel, store)
        start = getattr(args, "from_step", None)
        start = first_open_step(session) if start is None else max(0, min(
            len(lesson.steps) - 1, start - 1))
        learn(session, console_from_environment(), start)
    finally:
        kernel.close()
    return 0
