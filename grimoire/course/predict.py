"""Predict, then compute: reading a learner's guess, and setting it beside the truth.

A `predict:` block (schema.Predict) asks for a guess before a cell runs; its `answer` is
computed in the kernel once the step's cells have run. This module turns what the learner typed
or picked into a guess, the computed value into the truth, and says whether the two are close:
the calibration tally of a lesson counts the close guesses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from grimoire.course.schema import Predict

DEFAULT_REL_TOLERANCE = 0.1
"""A guessed number is close when within a tenth of the truth, unless the block says otherwise."""

SIGNS = ("positive", "negative", "zero")


class GuessError(ValueError):
    """A guess that cannot be read; the message is a sentence for the learner."""


class TruthError(ValueError):
    """An answer whose value does not fit the block; the message is a sentence for the author."""


def options(predict: Predict) -> list[str]:
    """What the learner picks from: the choices, the three signs, or nothing (a number)."""
    if predict.choices is not None:
        return list(predict.choices)
    if predict.sign:
        return list(SIGNS)
    return []


def read_guess(predict: Predict, text: str) -> float | int:
    """A number typed (`0.25`, `1/4`, `2e-3`), or the index of the option picked."""
    text = text.strip()
    if predict.guess_kind != "number":
        picks = options(predict)
        if text.isdigit() and int(text) < len(picks):
            return int(text)
        lowered = [pick.lower() for pick in picks]
        if text.lower() in lowered:
            return lowered.index(text.lower())
        raise GuessError(f"Pick one of: {', '.join(picks)}.")
    from grimoire.course.checks import parse_number

    try:
        return parse_number(text)
    except ValueError as error:
        raise GuessError(str(error)) from None


def truth_of(predict: Predict, value: object) -> float | int:
    """The computed answer as a number (a number guess) or as the index of the right option."""
    kind = predict.guess_kind
    if kind == "choice":
        choices = predict.choices or []
        if isinstance(value, str) and value in choices:
            return choices.index(value)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(choices):
            return value
        raise TruthError(f"The answer {predict.answer!r} gave {value!r}; a choice's answer must "
                         f"be one of its texts or an index from 0 to {len(choices) - 1}.")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TruthError(f"The answer {predict.answer!r} gave {value!r}, not a finite number.")
    if kind == "sign":
        return SIGNS.index("positive" if value > 0 else "negative" if value < 0 else "zero")
    return value


def is_close(predict: Predict, guess: float, truth: float) -> bool:
    """Whether the guess is right (an option) or close enough (a number)."""
    if predict.guess_kind != "number":
        return int(guess) == int(truth)
    if predict.tolerance is not None:
        return abs(guess - truth) <= predict.tolerance
    rel = predict.rel_tolerance if predict.rel_tolerance is not None else DEFAULT_REL_TOLERANCE
    return abs(guess - truth) <= rel * abs(truth)


def shown(predict: Predict, value: float) -> str:
    """A guess or a truth as the learner reads it: an option's text, or the number."""
    if predict.guess_kind != "number":
        picks = options(predict)
        return picks[int(value)] if 0 <= int(value) < len(picks) else str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


@dataclass(frozen=True)
class Outcome:
    """A guess beside the truth."""

    guess: str
    truth: str
    close: bool
    exact: bool = False
    """An option picked (a choice or a sign): right or not, rather than close or not."""

    def sentence(self) -> str:
        verdict = ("right" if self.exact else "close") if self.close else "not this time"
        return f"you guessed {self.guess}; the truth is {self.truth} ({verdict})"


def judge(predict: Predict, guess: float, value: object) -> Outcome:
    """The learner's guess against the computed answer (TruthError if it does not fit)."""
    truth = truth_of(predict, value)
    return Outcome(shown(predict, guess), shown(predict, truth), is_close(predict, guess, truth),
                   exact=predict.guess_kind != "number")


def tolerance_words(predict: Predict) -> str:
    """How close counts, in words, for the question line."""
    if predict.guess_kind != "number":
        return ""
    if predict.tolerance is not None:
        return f"within ±{predict.tolerance:g} counts as close"
    rel = predict.rel_tolerance if predict.rel_tolerance is not None else DEFAULT_REL_TOLERANCE
    return f"within {rel:.0%} counts as close"
