"""A quiz in a lesson: pick one or several choices, or type a number; feedback comes at once.

The widget asks; the lesson screen checks (a numeric answer may be an expression computed in
the kernel) and tells the widget the verdict. After a right answer, or after two wrong ones,
the explanation shows and the quiz counts as answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from grimoire.course.checks import REVEAL_AFTER
from grimoire.course.schema import Quiz
from grimoire.ui.widgets.paging import PagesWhenLaidOut
from grimoire.ui.widgets.prose import code_style_for, inline_text

if TYPE_CHECKING:
    from grimoire.course.checks import Verdict



class ChoiceList(PagesWhenLaidOut, OptionList):
    """One right choice: up/down and enter, or the choice's number."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)]

    def action_pick(self, index: int) -> None:
        if index < self.option_count:
            self.highlighted = index
            self.action_select()


class ChecklistChoices(PagesWhenLaidOut, SelectionList[int]):
    """Several right choices: space (or the number) marks one, enter checks the whole set."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Check the marked choices", show=False),
        *[Binding(str(n), f"mark({n - 1})", show=False) for n in range(1, 10)],
    ]

    class Submitted(Message):
        """The learner asked to check the marked choices."""

        def __init__(self, choices: ChecklistChoices) -> None:
            super().__init__()
            self.choices = choices

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self))

    def action_mark(self, index: int) -> None:
        if index < self.option_count:
            self.highlighted = index
            self.toggle(index)


class QuizBlock(Vertical):
    """A question, its answer field, and the feedback."""

    DEFAULT_CSS = """
    QuizBlock {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        border: round $primary 40%;
        border-title-color: $text-accent;
        background: $surface;
    }
    QuizBlock:focus-within { border: round $primary; }
    QuizBlock.-right { border: round $success 70%; }
    QuizBlock > .quiz-question { margin: 0 0 1 0; }
    QuizBlock > OptionList, QuizBlock > SelectionList {
        height: auto; max-height: 12; border: none; padding: 0; background: $surface;
    }
    QuizBlock > OptionList:focus, QuizBlock > SelectionList:focus {
        border: none; background-tint: $foreground 4%;
    }
    QuizBlock > Input { width: 40; }
    QuizBlock > .quiz-how { color: $text-muted; }
    QuizBlock > .quiz-feedback { margin: 1 0 0 0; height: auto; }
    QuizBlock > .quiz-feedback.-hidden { display: none; }
    QuizBlock > .quiz-feedback.-success { color: $text-success; }
    QuizBlock > .quiz-feedback.-error { color: $text-error; }
    QuizBlock > .quiz-feedback.-warning { color: $text-warning; }
    """

    class Answered(Message):
        """The learner gave an answer: a list of choice indices, or the text of a number."""

        def __init__(self, block: QuizBlock, answer: list[int] | str) -> None:
            super().__init__()
            self.block = block
            self.answer = answer

    def __init__(self, quiz: Quiz, key: str, number: int, attempts: int = 0,
                 answered_right: bool = False, last_answer: object = None) -> None:
        super().__init__()
        self.quiz = quiz
        self.key = key
        self.attempts = attempts
        self.settled = answered_right or attempts >= REVEAL_AFTER
        """Answered right, or shown the answer: the quiz counts as done."""
        self.answered_right = answered_right
        self.last_answer = last_answer
        self.border_title = f"question {number}"
        self.feedback = Static(classes="quiz-feedback -hidden")

    def compose(self) -> ComposeResult:
        quiz = self.quiz
        code = code_style_for(self)
        yield Static(inline_text(quiz.question, style="bold", code_style=code),
                     classes="quiz-question")
        if quiz.quiz_kind == "choice" and quiz.multiple:
            choices = ChecklistChoices(*[
                (Text(f"{n + 1}  ") + inline_text(choice, code_style=code), n)
                for n, choice in enumerate(quiz.choices or [])
            ])
            if isinstance(self.last_answer, list):
                for index in self.last_answer:
                    if isinstance(index, int):
                        choices.select(index)
            yield choices
            yield Static("several are right: space marks a choice, enter checks",
                         classes="quiz-how")
        elif quiz.quiz_kind == "choice":
            yield ChoiceList(*[
                Option(Text(f"{n + 1}  ") + inline_text(choice, code_style=code),
                       id=f"choice-{n}")
                for n, choice in enumerate(quiz.choices or [])
            ])
            yield Static("enter (or the choice's number) answers", classes="quiz-how")
        else:
            value = str(self.last_answer) if self.last_answer is not None else ""
            field = Input(value, placeholder="a number, e.g. 0.25, 1/4 or 1/sqrt(64)", compact=True)
            field.cursor_blink = False
            yield field
            yield Static("enter checks; arithmetic such as 3/4 or 1/sqrt(64) is fine", classes="quiz-how")
        yield self.feedback

    def on_mount(self) -> None:
        if self.answered_right:
            self._show_settled()
        elif self.settled:
            self._show_reveal(Text())

    # -- the learner answers -----------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if isinstance(event.option_list, ChoiceList):
            event.stop()
            self.post_message(self.Answered(self, [event.option_index]))

    def on_checklist_choices_submitted(self, event: ChecklistChoices.Submitted) -> None:
        event.stop()
        self.post_message(self.Answered(self, list(event.choices.selected)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Answered(self, event.value))

    # -- the verdict -------------------------------------------------------------------------

    def show_verdict(self, verdict: Verdict) -> None:
        """Show whether the answer was right, and the explanation when it is time."""
        self._judge(verdict)
        self.call_after_refresh(self.feedback.scroll_visible, animate=False)

    def _judge(self, verdict: Verdict) -> None:
        if not verdict.correct and verdict.expected is None:
            # Not an answer at all (nothing picked, not a number): no attempt is counted.
            self._feedback(Text(verdict.message, style="italic"))
            return
        self.attempts += 1
        if verdict.correct:
            self.answered_right = True
            self.settled = True
            self._show_settled(verdict.explanation)
            return
        text = Text()
        text.append("✗ ", style="bold")
        # The message carries the lesson's `why:` for the picked choice: math and code drawn.
        text.append_text(inline_text(verdict.message, code_style=code_style_for(self)))
        if self.attempts >= REVEAL_AFTER:
            self.settled = True
            self._show_reveal(text, verdict)
        else:
            text.append("  Try again.", style="italic")
            self.remove_class("-right")
            self._feedback(text, "error")

    def _show_settled(self, explanation: str | None = None) -> None:
        text = Text()
        text.append("✓ Right.", style="bold")
        explanation = explanation if explanation is not None else self.quiz.explanation
        if explanation:
            text.append(" ")
            text.append_text(inline_text(explanation, code_style=code_style_for(self)))
        self.add_class("-right")
        self._feedback(text, "success")

    def _show_reveal(self, text: Text, verdict: Verdict | None = None) -> None:
        expected = verdict.expected if verdict is not None else None
        if expected is None and self.quiz.quiz_kind == "choice" and self.quiz.answer:
            expected = " and ".join(f"'{(self.quiz.choices or [])[i]}'" for i in self.quiz.answer)
        if text.plain:
            text.append("\n")
        if expected:
            text.append_text(inline_text(f"The answer: {expected}. ", style="bold",
                                         code_style=code_style_for(self)))
        if self.quiz.explanation:
            text.append_text(inline_text(self.quiz.explanation, code_style=code_style_for(self)))
        self._feedback(text, "warning")

    def _feedback(self, text: Text, tone: str | None = None) -> None:
        self.feedback.set_classes(f"quiz-feedback -{tone or 'plain'}")
        self.feedback.update(text)
