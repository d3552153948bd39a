"""`grimoire review --plain`: the due cards asked line by line, the schedule saved after each."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grimoire.course.kernel import Kernel
from grimoire.course.progress import ProgressStore
from grimoire.course.review_plain import run_plain

LESSONS = Path(__file__).parents[2] / "data" / "review-lessons"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    k = Kernel()
    k.start()
    yield k
    k.close()


def ask(kernel: Kernel, answers: list[str], when: datetime = START) -> tuple[int, str]:
    lines = iter(answers)
    said: list[str] = []
    answered = run_plain(LESSONS, kernel, lambda: next(lines, None), said.append,
                         when=lambda: when, rng=random.Random(1))
    return answered, "\n".join(said)


def test_plain_review_asks_checks_and_reschedules(kernel: Kernel) -> None:
    store = ProgressStore()
    store.mark_step_done("norms", 0)
    answered, text = ask(kernel, ["5", "7", "1"])
    assert answered == 2  # "7" is not a choice of card 2, so it is asked again
    assert "From the lesson: “The length of v is ▢, by Euclid's rule.”" in text
    assert "Type the number of a choice." in text
    assert "Stopped: 2 answered; the rest stay due." in text
    assert "│ length = float(np.linalg.norm(v))" in text
    assert len(ProgressStore().review_states()) == 2

    # The next sitting asks only what is still due (and the card answered wrong, ten minutes
    # later); three days on, everything again.
    answered, text = ask(kernel, ["abs(v).sum()"])
    assert answered == 1 and "card 1 of 1" in text and "✦ That was every card due" in text
    answered, text = ask(kernel, ["2"], when=START + timedelta(minutes=11))
    assert answered == 1 and "Which norm is the length?" in text
    answered, text = ask(kernel, [])
    assert answered == 0 and text.startswith("Nothing is due.")
    answered, text = ask(kernel, [], when=START + timedelta(days=3))
    assert "card 1 of 3" in text and "Stopped: 0 answered" in text


def test_plain_review_with_nothing_finished_says_how_it_fills(kernel: Kernel) -> None:
    answered, text = ask(kernel, [])
    assert answered == 0 and "The review room is empty for now" in text


def test_plain_review_of_lessons_from_elsewhere_needs_agreement(capsys) -> None:
    from grimoire.cli import main

    assert main(["--lessons", str(LESSONS), "review", "--plain"]) == 2
    assert "come from outside the Grimoire" in capsys.readouterr().err
