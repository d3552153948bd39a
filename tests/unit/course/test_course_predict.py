"""Predict blocks: read from YAML, guesses judged against the truth, run and check, the tally."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.course import predict
from grimoire.course.kernel import Kernel
from grimoire.course.lesson_check import check_lesson
from grimoire.course.loader import load_lesson
from grimoire.course.plaintext import render_block
from grimoire.course.progress import ProgressStore
from grimoire.course.schema import LessonError, Place, Predict
from grimoire.course.session import run_lesson

LESSON = """\
id: guesses
title: Guesses
summary: Predict, then compute.
requires: []
minutes: 1
steps:
  - title: Guess
    blocks:
{blocks}
"""

GOOD = """\
      - predict:
          question: How orthogonal are two random 64-d vectors (their cosine)?
          answer: cosine
          tolerance: 0.1
          explanation: In high dimensions random directions are nearly orthogonal.
      - code: |
          a, b = np.random.default_rng(0).normal(size=(2, 64))
          cosine = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
      - predict:
          question: Its sign?
          answer: cosine
          sign: true
      - predict:
          question: Which is longer?
          answer: "'a' if np.linalg.norm(a) > np.linalg.norm(b) else 'b'"
          choices: [a, b]
      - code: |
          longer = 'a' if np.linalg.norm(a) > np.linalg.norm(b) else 'b'
"""


def write(tmp_path: Path, blocks: str) -> Path:
    path = tmp_path / "01-guesses.yaml"
    path.write_text(LESSON.format(blocks=blocks), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, blocks: str) -> list[str]:
    with pytest.raises(LessonError) as raised:
        load_lesson(write(tmp_path, blocks))
    return [str(problem) for problem in raised.value.problems]


def test_a_predict_block_is_read_with_its_kind(tmp_path: Path) -> None:
    lesson = load_lesson(write(tmp_path, GOOD))
    kinds = [b.guess_kind for b in lesson.steps[0].blocks if isinstance(b, Predict)]
    assert kinds == ["number", "sign", "choice"]
    first = lesson.steps[0].blocks[0]
    assert first.answer == "cosine" and first.tolerance == 0.1 and first.answer_line == 11


MISTAKES = [
    (("      - code: |\n          x = 1\n      - predict:\n          question: Q?\n"
      "          answer: x\n"), "no code cell follows it"),
    (("      - predict:\n          question: Q?\n          answer: x\n          sign: true\n"
      "          choices: [a, b]\n      - code: |\n          x = 1\n"), "both 'choices' and 'sign"),
    (("      - predict:\n          question: Q?\n          answer: x\n          choices: [a, b]\n"
      "          tolerance: 1\n      - code: |\n          x = 1\n"), "'tolerance' belongs to"),
    (("      - predict:\n          question: Q?\n          answer: x +\n      - code: |\n"
      "          x = 1\n"), "not a Python expression"),
    ("      - predict:\n          question: Q?\n      - code: |\n          x = 1\n", "no 'answer'"),
    ("      - predcit:\n          question: Q?\n", "did you mean 'predict'"),
]


@pytest.mark.parametrize(("blocks", "words"), MISTAKES)
def test_mistakes_in_a_predict_block_are_named(tmp_path: Path, blocks: str, words: str) -> None:
    found = problems_of(tmp_path, blocks)
    assert any(words in problem for problem in found), found
    assert all("01-guesses.yaml:" in problem for problem in found)


def test_guesses_are_read_and_judged() -> None:
    place = Place("x.yaml", 1, 1)
    number = Predict("Q?", "t", place)
    assert predict.read_guess(number, "1/4") == 0.25
    with pytest.raises(predict.GuessError):
        predict.read_guess(number, "lots")
    assert predict.judge(number, 0.95, 1.0).close            # within the default 10 %
    assert not predict.judge(number, 0.85, 1.0).close
    absolute = Predict("Q?", "t", place, tolerance=0.1)
    assert predict.judge(absolute, 0.05, -0.04).close
    outcome = predict.judge(absolute, 0.3, -0.1674)
    assert not outcome.close and outcome.truth == "-0.1674" and "not this time" in outcome.sentence()
    sign = Predict("Q?", "t", place, sign=True)
    assert predict.read_guess(sign, "negative") == 1 and predict.read_guess(sign, "0") == 0
    assert predict.judge(sign, 1, -3.0).close and predict.judge(sign, 1, -3.0).truth == "negative"
    assert "right" in predict.judge(sign, 1, -3.0).sentence()
    assert predict.judge(sign, 2, 0).close
    choice = Predict("Q?", "t", place, choices=["rank 1", "rank 16"])
    assert predict.judge(choice, 1, "rank 16").close and predict.judge(choice, 1, 1).close
    with pytest.raises(predict.TruthError):
        predict.judge(choice, 0, 5)
    with pytest.raises(predict.TruthError):
        predict.judge(number, 0, "text")


def test_run_shows_question_and_truth_and_check_validates_the_answer(tmp_path: Path) -> None:
    kernel = Kernel()
    try:
        lesson = load_lesson(write(tmp_path, GOOD))
        run = run_lesson(lesson, kernel)
        assert run.ok, run.problems
        shown = [render_block(b) for b in run.blocks if b.kind == "predict"]
        assert "◇ Predict: How orthogonal" in shown[0] and "the truth: -0.1674" in shown[0]
        assert "within ±0.1 counts as close" in shown[0]
        assert "○ 1. negative" in shown[1] and "the truth: negative" in shown[1]
        assert "the truth: b" in shown[2]
        assert check_lesson(lesson, kernel) == []

        broken = GOOD.replace("answer: cosine\n          sign: true",
                              "answer: cosine_typo\n          sign: true")
        broken = broken.replace("else 'b'\"\n          choices", "else 'c'\"\n          choices")
        found = [str(p) for p in check_lesson(load_lesson(write(tmp_path, broken)), kernel)]
        assert any("'cosine_typo'" in p and "cannot be computed" in p for p in found), found
        assert any("one of its texts" in p for p in found), found
    finally:
        kernel.close()


def test_predictions_are_kept_and_tallied(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    store.record_prediction("guesses", "0.0", "0.3", "-0.1674", False)
    store.record_prediction("guesses", "0.2", "negative", "negative", True)
    again = ProgressStore(tmp_path / "progress.json")
    assert again.calibration("guesses") == (1, 2)
    assert again.lesson("guesses").predictions["0.0"].truth == "-0.1674"
    assert again.calibration("elsewhere") == (0, 0)

