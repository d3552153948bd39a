"""Predict, then compute: the learner commits to a guess, then sees it beside the truth.

The widget asks (a number typed, or a choice or a sign picked with its number key or enter);
the lesson screen computes the truth in the kernel and tells the widget the outcome, with the
lesson's calibration tally. Until the guess is made the rest of the step stays veiled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static

from grimoire.course import predict as predicting
from grimoire.course.schema import Predict
from grimoire.ui.widgets.paging import PagesWhenLaidOut
from grimoire.ui.widgets.prose import code_style_for, inline_text

if TYPE_CHECKING:
    from grimoire.course.predict import Outcome


class GuessList(PagesWhenLaidOut, OptionList):
    """The options of a choice or sign guess: up/down and enter, or the option's number."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)]

    def action_pick(self, index: int) -> None:
        if index < self.option_count:
            self.highlighted = index
            self.action_select()


class PredictBlock(Vertical):
    """A question to guess before a cell runs, the guess field, and the guess beside the truth."""

    DEFAULT_CSS = """
    PredictBlock {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        border: round $accent 50%;
        border-title-color: $text-accent;
        background: $surface;
    }
    PredictBlock:focus-within { border: round $accent; }
    PredictBlock > .predict-question { margin: 0 0 1 0; }
    PredictBlock > OptionList { height: auto; max-height: 8; border: none; padding: 0;
                                background: $surface; }
    PredictBlock > OptionList:focus { border: none; background-tint: $foreground 4%; }
    PredictBlock > Input { width: 40; }
    PredictBlock > .predict-how { color: $text-muted; }
    PredictBlock > .predict-outcome { margin: 1 0 0 0; height: auto; }
    PredictBlock > .predict-outcome.-hidden { display: none; }
    PredictBlock > .predict-outcome.-close { color: $text-success; }
    PredictBlock > .predict-outcome.-far { color: $text-warning; }
    PredictBlock > .predict-outcome.-error { color: $text-error; }
    """

    class Guessed(Message):
        """The learner committed to a guess: a number, or the index of an option."""

        def __init__(self, block: PredictBlock, guess: float) -> None:
            super().__init__()
            self.block = block
            self.guess = guess

    def __init__(self, predict: Predict, key: str, number: int,
                 outcome: Outcome | None = None) -> None:
        super().__init__()
        self.predict = predict
        self.key = key
        self.border_title = f"predict {number}: guess first, then the cell computes"
        self.outcome = outcome
        self.guess_text: str | None = outcome.guess if outcome else None
        """What the learner committed to (None until they do)."""
        self.result = Static(classes="predict-outcome -hidden")
        self.pending_guess: float | int | None = None
        """The guess, until the truth to judge it by has been computed."""

    @property
    def committed(self) -> bool:
        return self.guess_text is not None

    def compose(self) -> ComposeResult:
        predict = self.predict
        yield Static(inline_text(predict.question, style="bold", code_style=code_style_for(self)),
                     classes="predict-question")
        if not self.committed:
            options = predicting.options(predict)
            if options:
                yield GuessList(*[f"{n + 1}. {option}" for n, option in enumerate(options)])
                yield Static(Text("enter or the number commits your guess; no second tries"),
                             classes="predict-how")
            else:
                field = Input(placeholder="your guess, e.g. 0.5 or 1/3", compact=True)
                field.cursor_blink = False
                yield field
                yield Static(Text(f"enter commits; {predicting.tolerance_words(predict)}"),
                             classes="predict-how")
        yield self.result

    def on_mount(self) -> None:
        if self.outcome is not None:
            self.show_outcome(self.outcome, None)

    def _commit(self, guess: float, text: str) -> None:
        if self.committed:
            return
        self.guess_text = text
        for child in [*self.query(Input), *self.query(GuessList), *self.query(".predict-how")]:
            child.remove()
        self.result.update(Text(f"you guessed {text}; the cell computes the truth…"))
        self.result.set_classes("predict-outcome")
        self.post_message(self.Guessed(self, guess))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            guess = predicting.read_guess(self.predict, event.value)
        except predicting.GuessError as error:
            self.result.update(Text(str(error)))
            self.result.set_classes("predict-outcome -error")
            return
        self._commit(guess, predicting.shown(self.predict, guess))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        self._commit(index, predicting.shown(self.predict, index))

    def show_outcome(self, outcome: Outcome, tally: tuple[int, int] | None) -> None:
        """The guess beside the truth, and how the learner's guesses in this lesson stand."""
        self.outcome = outcome
        self.guess_text = outcome.guess
        self.border_title = self.border_title.split(":")[0] if self.border_title else None
        text = Text()
        text.append("◆ " if outcome.close else "◇ ")
        text.append(outcome.sentence())
        if tally is not None:
            close, total = tally
            text.append(f"\nyour guesses in this lesson: {close} of {total} on the mark")
        if self.predict.explanation:
            text.append("\n")
            text.append_text(inline_text(self.predict.explanation,
                                         code_style=code_style_for(self)))
        self.result.update(text)
        self.result.set_classes(f"predict-outcome {'-close' if outcome.close else '-far'}")

    def show_error(self, sentence: str) -> None:
        self.result.update(Text(sentence))
        self.result.set_classes("predict-outcome -error")
