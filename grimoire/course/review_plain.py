"""`grimoire review --plain`: the review room line by line, for a terminal without the app.

Each due card is printed as text and the answer read from a line of input: a choice's number
(or several, `1 3`), a number, or a Python expression computed in the lesson's namespace. The
verdict, the recomputed answer, the solution and when the card comes back follow; the schedule
is written to the progress store after every answer, as in the app. An empty line skips a card
(it stays due); `q` or the end of the input stops.

    run_plain(lessons_dir, kernel, read_line, write, when=now, rng=None) -> int   # answered
    cli_review(args) -> int
"""

from __future__ import annotations

import argparse
import math
import random
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from grimoire.course import mathtext, review

if TYPE_CHECKING:
    from grimoire.course.kernel import Kernel
    from grimoire.course.review import Card, CardAnswer

WIDTH = 78


def _wrap(text: str, indent: str = "  ") -> str:
    """Lesson text as plain indented lines: math in Unicode, no Markdown marks (as `learn
    --plain` prints it, so a screen reader reads words, not stars)."""
    from grimoire.course.plain_lesson import plain_prose

    return textwrap.indent(plain_prose(mathtext.render(text), WIDTH - len(indent)), indent)


def card_text(card: Card, answer: CardAnswer, number: int, total: int) -> str:
    """A card as the plain mode prints it, before the answer."""
    head = {"choice": "a question", "numeric": "a number", "compute": "compute this",
            "predict": "predict"}
    lines = [(f"── card {number} of {total} · {head.get(card.kind, card.kind)} · "
             f"{card.where}")]
    if card.kind == "compute":
        lines.append(_wrap("From the lesson: “" + answer.context + "”"))
        ask = f"Compute {review.BLANK} = {answer.target}"
        if answer.binding:
            ask += " again, this time with " + ", ".join(
                f"{name} = {value!r}" for name, value in answer.binding.items())
            used = ", ".join(f"{name} = {card.defaults[name]!r}"
                             for name in answer.binding if name in card.defaults)
            ask += f". (The lesson used {used}.)" if used else "."
        else:
            ask += "."
        lines.append(_wrap(ask))
    else:
        lines.append(_wrap(card.question))
    if card.kind == "predict" and card.prediction is not None:
        from grimoire.course import predict

        picks = predict.options(card.prediction)
        for index, pick in enumerate(picks):
            lines.append(_wrap(f"{index + 1}. {pick}", "    "))
        lines.append("  (type the number of your pick)" if picks else
                     f"  (your guess, a number: {predict.tolerance_words(card.prediction)})")
    elif card.kind == "choice" and card.quiz is not None:
        for index, choice in enumerate(card.quiz.choices or []):
            lines.append(_wrap(f"{index + 1}. {choice}", "    "))
        several = card.quiz.multiple
        lines.append("  (type the number of your choice" +
                     (", or several: 1 3)" if several else ")"))
    else:
        lines.append("  (a number, or a Python expression computed in the lesson's namespace)")
    return "\n".join(lines)


def _choices(text: str, count: int) -> list[int] | None:
    picked = []
    for word in text.replace(",", " ").split():
        if not word.isdigit() or not 1 <= int(word) <= count:
            return None
        picked.append(int(word) - 1)
    return sorted(set(picked)) or None


def _picks(card: Card) -> int:
    """How many options the card offers (0: it wants a number)."""
    if card.kind == "choice" and card.quiz is not None:
        return len(card.quiz.choices or [])
    if card.kind == "predict" and card.prediction is not None:
        from grimoire.course import predict

        return len(predict.options(card.prediction))
    return 0


def _number(text: str, kernel: Kernel) -> float | None:
    try:
        return review.parse_answer(text)
    except ValueError:
        pass
    try:
        compile(text.strip(), "<answer>", "eval")
    except (SyntaxError, ValueError):
        return None
    (evaluation,) = kernel.evaluate([(text.strip(), "")])
    value = evaluation.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(float(value)) else None


def run_plain(lessons_dir: Path | None, kernel: Kernel, read_line: Callable[[], str | None],
              write: Callable[[str], None], when: Callable[[], datetime] | None = None,
              rng: random.Random | None = None) -> int:
    """Ask every due card; returns how many were answered."""
    from grimoire.course.checks import CheckError
    from grimoire.course.loader import find_lesson, lesson_summaries, load_lesson
    from grimoire.course.progress import ProgressStore

    clock = when or review.now
    store = ProgressStore()
    if store.warning:
        write(store.warning)
    deck = review.build_deck(lesson_summaries(lessons_dir), store, lambda lesson_id: load_lesson(
        find_lesson(lesson_id, lessons_dir), check_sources=False))
    for sentence in deck.unreadable:
        write(sentence)
    queue = deck.due(clock())
    if not deck.cards:
        write("The review room is empty for now: when you finish a lesson, its questions "
              "come here.")
        return 0
    if not queue:
        upcoming = deck.next_due()
        later = review.in_words(upcoming - clock().timestamp()) if upcoming else "later"
        write(f"Nothing is due. The next of the deck's {len(deck.cards)} cards falls due "
              f"{later}.")
        return 0
    draw = review.random_other(rng or random.Random())
    answers: dict[str, CardAnswer] = {}
    answered = 0
    total = len(queue)
    for lesson_id in dict.fromkeys(card.lesson_id for card in queue):
        lesson = deck.lessons[lesson_id]
        cards = [card for card in queue if card.lesson_id == lesson_id]
        write(f"(recomputing the answers of «{lesson.title}» in the kernel…)")
        for card_id, computed in review.compute_answers(lesson, cards, kernel, draw).items():
            if computed:
                answers[card_id] = computed[0]
        review.hide_answers(cards, kernel)
        for card in cards:
            answer = answers.get(card.id) or review.CardAnswer(
                card.id, {}, error="Its answer could not be computed.")
            if answer.lasting:
                store.record_review(card.id, review.retire(answer.error or "", clock()))
                total -= 1
                continue
            number = answered + 1
            write("")
            write(card_text(card, answer, number, total) if answer.error is None else
                  f"── card {number} of {total} · {card.where}\n  This card cannot be asked "
                  f"now: {answer.error} It stays due.")
            if answer.error is not None:
                continue
            while True:
                line = read_line()
                if line is None or line.strip().lower() in ("q", "quit"):
                    write(f"Stopped: {answered} answered; the rest stay due.")
                    return answered
                if not line.strip():
                    write("  (skipped: it stays due)")
                    break
                value: list[int] | float | None
                picks = _picks(card)
                if picks:
                    value = _choices(line, picks)
                    hint = "Type the number of a choice."
                    if value is not None and card.kind == "predict" and len(value) != 1:
                        value = None
                elif card.kind == "predict":
                    try:
                        value = review.parse_answer(line)
                    except ValueError:
                        value = None
                    hint = "A prediction is a guess: type a number."
                else:
                    value = _number(line, kernel)
                    hint = "Type a number, or an expression that computes one here."
                if value is None:
                    write(f"  {hint}")
                    continue
                try:
                    verdict = review.grade(card, value, answer.expected, answer.target)
                except CheckError as error:
                    write(f"  {error}")
                    break
                moment = clock()
                state = review.schedule(deck.states.get(card.id), verdict.correct, moment)
                store.record_review(card.id, state)
                deck.states[card.id] = state
                answered += 1
                if card.kind == "predict":
                    write(f"  {'✓' if verdict.correct else '✗'} {verdict.message}")
                else:
                    write("  ✓ Right." if verdict.correct else f"  ✗ {verdict.message}")
                if card.kind != "predict" and verdict.expected is not None and (
                        card.kind != "choice" or not verdict.correct):
                    write(f"  The answer: {verdict.expected}.")
                if verdict.explanation:
                    write(_wrap(verdict.explanation))
                if answer.solution:
                    write("  The lesson's cell, the solution:")
                    write(textwrap.indent(answer.solution.rstrip("\n"), "  │ "))
                write(f"  Next time: {review.in_words(state['due'] - moment.timestamp())}.")
                break
    write("")
    write(f"✦ That was every card due: {answered} answered.")
    return answered


def cli_review(args: argparse.Namespace) -> int:
    """`grimoire review --plain`: the due cards, line by line; 0 when done."""
    import sys

    from grimoire.course.kernel import Kernel
    from grimoire.course.trust import is_trusted, lesson_folder

    lessons_dir = Path(args.lessons) if getattr(args, "lessons", None) else None
    if lessons_dir is not None and not (getattr(args, "trust", False)
                                        or is_trusted(lesson_folder(lessons_dir))):
        print(f"grimoire: the lessons in {lessons_dir} come from outside the Grimoire; their "
              "code runs only with your agreement: add --trust, or open them in the app once.",
              file=sys.stderr)
        return 2

    from grimoire.course.plain_lesson import Stop, console_from_environment

    # The same console as `grimoire learn --plain`: answers echoed when piped, controls shown.
    console = console_from_environment()

    def read_line() -> str | None:
        try:
            return console.ask("› ")
        except Stop:
            return None

    with Kernel() as kernel:
        kernel.start()
        run_plain(lessons_dir, kernel, read_line, console.say)
    return 0
