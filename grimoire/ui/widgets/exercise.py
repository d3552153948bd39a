"""An exercise in a lesson: a prompt, code to write, a check, and hints that climb to the solution.

ctrl+r in the exercise's cell runs the learner's code and then the lesson's check (the lesson
screen does that in the kernel); `h` shows the next hint, and after the last hint the solution.
The exercise counts as done when the check passes or the solution has been shown.

A failed check says what is wrong in one sentence; when the check compared arrays, heatmaps of
the expected array, the learner's and their difference are drawn under it. After a pass, `h`
sets the book's solution beside the learner's, to compare (never before a pass).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from grimoire.course.mathtext import render as render_math
from grimoire.course.schema import Exercise
from grimoire.ui.widgets.code_cell import CodeCell
from grimoire.ui.widgets.code_editor import CodeEditor
from grimoire.ui.widgets.displays import display_widget
from grimoire.ui.widgets.prose import Prose, code_style_for, inline_text

if TYPE_CHECKING:
    from grimoire.course.checks import ExerciseVerdict


class ExerciseBlock(Vertical):
    """The prompt, the learner's cell, the check's verdict, and the hints taken so far."""

    DEFAULT_CSS = """
    ExerciseBlock {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        border: round $accent 40%;
        border-title-color: $text-accent;
        border-subtitle-color: $text-muted;
        background: $surface;
    }
    ExerciseBlock:focus-within { border: round $accent; }
    ExerciseBlock.-passed { border: round $success 70%; }
    ExerciseBlock > Prose { margin: 0 0 1 0; padding: 0; }
    ExerciseBlock > .exercise-verdict { height: auto; margin: 0 0 1 0; }
    ExerciseBlock > .exercise-verdict.-empty { display: none; }
    ExerciseBlock > .exercise-verdict.-passed { color: $text-success; }
    ExerciseBlock > .exercise-verdict.-failed { color: $text-error; }
    ExerciseBlock > .exercise-hint {
        height: auto; color: $text-warning; padding: 0 1; margin: 0 0 1 0;
        border-left: outer $warning 60%;
    }
    ExerciseBlock > .exercise-solution-title { color: $text-warning; text-style: bold; }
    ExerciseBlock > CodeEditor { margin: 0 0 1 0; }
    ExerciseBlock > .exercise-difference { height: auto; }
    ExerciseBlock > .exercise-difference > Picture { width: 1fr; margin: 0 1 1 0; }
    ExerciseBlock > .exercise-compare { height: auto; margin: 0 0 1 0; }
    ExerciseBlock > .exercise-compare > Vertical { width: 1fr; height: auto; margin: 0 1 0 0; }
    ExerciseBlock > .exercise-compare .exercise-compare-title { color: $text-success; }
    """

    def __init__(self, exercise: Exercise, key: str, code: str | None = None,
                 hints_used: int = 0, passed: bool = False) -> None:
        super().__init__()
        self.exercise = exercise
        self.key = key
        self.hints_used = 0
        self._hints_to_show = hints_used
        self.passed = passed
        self.border_title = "exercise"
        self.border_subtitle = "ctrl+r checks · h for a hint"
        self.cell = CodeCell(
            code if code is not None else exercise.starter,
            key=key,
            label="your answer",
            original=exercise.starter,
            run_word="checks",
        )
        self.verdict = Static(classes="exercise-verdict -empty")
        self.difference = Horizontal(classes="exercise-difference")
        self.book_solution_shown = False

    @property
    def solution_shown(self) -> bool:
        return self.hints_used > len(self.exercise.hints)

    @property
    def settled(self) -> bool:
        """Passed, or the solution was shown: the exercise counts as done."""
        return self.passed or self.solution_shown

    def compose(self) -> ComposeResult:
        yield Prose(render_math(self.exercise.prompt, markdown=True))
        yield self.cell
        yield self.verdict
        yield self.difference
        # Hints taken in an earlier session are there from the start, not added after.
        for _ in range(self._hints_to_show):
            yield from self._next_hint()

    def on_mount(self) -> None:
        if self.passed:
            self._say("✓ Passed earlier: the check agreed with your code.", "passed")
            self.border_subtitle = "ctrl+r checks · h compares with the book's solution"

    def _next_hint(self) -> list[Static | CodeEditor]:
        """The widgets of the next rung of the ladder, counting it as taken."""
        if self.solution_shown:
            return []
        hints = self.exercise.hints
        widgets: list[Static | CodeEditor] = []
        if self.hints_used < len(hints):
            number = self.hints_used + 1
            text = Text()
            text.append(f"hint {number} of {len(hints)}  ", style="bold")
            hint = hints[self.hints_used]
            text.append_text(inline_text(hint, code_style=code_style_for(self)))
            widgets.append(Static(text, classes="exercise-hint"))
        else:
            widgets.append(Static("the solution", classes="exercise-solution-title"))
            widgets.append(CodeEditor(self.exercise.solution.rstrip("\n"), read_only=True,
                                      classes="exercise-solution"))
        self.hints_used += 1
        left = len(hints) - self.hints_used
        if self.solution_shown:
            self.border_subtitle = "ctrl+r checks · solution shown"
        elif left > 0:
            self.border_subtitle = f"ctrl+r checks · h for a hint ({left} left)"
        else:
            self.border_subtitle = "ctrl+r checks · h shows the solution"
        return widgets

    def show_next_hint(self) -> bool:
        """Show one more hint, or the solution after the last; False when all are shown."""
        widgets = self._next_hint()
        if not widgets:
            return False
        self.mount_all(widgets)
        self.call_after_refresh(widgets[-1].scroll_visible, animate=False)
        return True

    def show_book_solution(self) -> bool:
        """After a pass: the learner's code and the book's side by side; False before a pass."""
        if not self.passed or self.book_solution_shown:
            return False
        self.book_solution_shown = True
        yours = Vertical(Static("yours", classes="exercise-compare-title"),
                         CodeEditor(self.cell.code.rstrip("\n"), read_only=True))
        book = Vertical(Static("the book's", classes="exercise-compare-title"),
                        CodeEditor(self.exercise.solution.rstrip("\n"), read_only=True,
                                   classes="exercise-solution"))
        compare = Horizontal(yours, book, classes="exercise-compare")
        self.mount(compare, after=self.difference)
        self.border_subtitle = "ctrl+r checks · the book's solution shown"
        self.call_after_refresh(compare.scroll_visible, animate=False)
        return True

    def show_verdict(self, verdict: ExerciseVerdict) -> None:
        """The check's answer, and what the learner's code printed or raised."""
        self.cell.show_result(verdict.attempt)
        self.difference.remove_children()
        if verdict.passed:
            self.passed = True
            self._say("✓ " + verdict.message + "  (h: compare with the book's solution)",
                      "passed")
            if not self.book_solution_shown:
                self.border_subtitle = "ctrl+r checks · h compares with the book's solution"
        else:
            self._say("✗ " + verdict.message, "failed")
            pictures = verdict.check.displays if verdict.check is not None else []
            if pictures:
                self.difference.mount_all([display_widget(display) for display in pictures])

    def _say(self, message: str, tone: str) -> None:
        self.verdict.set_classes(f"exercise-verdict -{tone}")
        self.set_class(tone == "passed", "-passed")
        self.verdict.update(Text(message))
        self.call_after_refresh(self.verdict.scroll_visible, animate=False)
