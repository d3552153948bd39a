"""The review deck: which cards a lesson gives, how they are scheduled, how answers are recomputed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grimoire.course import review
from grimoire.course.kernel import Kernel
from grimoire.course.loader import load_lesson
from grimoire.course.progress import ProgressStore
from grimoire.course.schema import LessonError

LESSONS = Path(__file__).parents[2] / "data" / "review-lessons"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    k = Kernel()
    k.start()
    yield k
    k.close()


def norms():
    return load_lesson(LESSONS / "01-norms.yaml")


def layers():
    return load_lesson(LESSONS / "02-layers.yaml")


def problems(tmp_path: Path, blocks: str) -> list[str]:
    """The loader's sentences for a one-step lesson with these blocks."""
    path = tmp_path / "01-bad.yaml"
    path.write_text("id: bad\ntitle: Bad\nsummary: s\nminutes: 1\nsteps:\n  - title: One\n"
                    "    blocks:\n" + blocks, encoding="utf-8")
    with pytest.raises(LessonError) as error:
        load_lesson(path)
    return [problem.short().replace(str(tmp_path) + "/", "")
            for problem in error.value.problems]


# -- cards ---------------------------------------------------------------------------------------


def test_a_lesson_gives_its_quizzes_and_a_compute_card_but_not_review_false() -> None:
    cards = review.cards_for_lesson(norms())
    assert [card.kind for card in cards] == ["compute", "choice", "numeric"]
    compute = cards[0]
    assert compute.targets == ("length", "word")
    assert compute.code.startswith("length = float(np.linalg.norm(v))")
    assert compute.where == "step 1 of «Norms»: Length"
    assert not any("Asked once" in card.question for card in cards)
    # Ids stay the same when the lesson is read again, so schedules find their cards.
    assert [c.id for c in review.cards_for_lesson(norms())] == [c.id for c in cards]


def test_a_variant_name_is_what_the_card_changes_not_what_it_asks() -> None:
    (card,) = review.cards_for_lesson(layers())
    assert card.targets == ("total", "biggest")
    assert card.variants == {"layer": "range(model.config.n_layer)"}
    assert card.defaults == {"layer": 0}


def test_with_binding_sets_the_value_and_keeps_the_comment() -> None:
    code = 'layer = 0          # the layer\nname = "é"\ntotal = layer + 1\n'
    assert review.with_binding(code, {"layer": 2, "name": "x"}) == (
        "layer = 2          # the layer\nname = 'x'\ntotal = layer + 1\n")


# -- what `grimoire check` says about review: and variants: ---------------------------------------


def test_review_must_be_true_or_false(tmp_path: Path) -> None:
    found = problems(tmp_path, "      - code: x = 1\n        review: maybe\n")
    assert found == [("01-bad.yaml:9: 'review' of the code block of step 1 should be true or "
                     "false, not text ('maybe').")]


def test_review_and_variants_belong_to_cards(tmp_path: Path) -> None:
    found = problems(tmp_path, "      - prose: Hello.\n        review: false\n"
                     "      - quiz: {question: q, choices: [a, b], answer: 0, explanation: e}\n"
                     "        variants: {layer: [0, 1]}\n")
    assert found[0].startswith("01-bad.yaml:9: 'review' is for blocks the review room draws")
    assert found[1].startswith("01-bad.yaml:11: 'variants' belong to code cells")


def test_a_variant_must_be_set_once_by_the_cell(tmp_path: Path) -> None:
    found = problems(tmp_path, "      - prose: 'It is {{ total }}.'\n"
                     "      - code: |\n          total = 2 * layer\n"
                     "        variants:\n          layer: [0, 1]\n")
    assert found == [("01-bad.yaml:12: The variant 'layer' must be set once by the cell, on a "
                     "line of its own such as 'layer = 0', so a review card can set it "
                     "otherwise; the cell never sets it so.")]


def test_variant_values_are_a_list_or_an_expression(tmp_path: Path) -> None:
    found = problems(tmp_path, "      - prose: 'It is {{ total }}.'\n"
                     "      - code: |\n          layer = 0\n          total = 2 * layer\n"
                     "        variants:\n          layer: []\n")
    assert found == [("01-bad.yaml:13: The values of 'layer' in 'variants' of the code block of "
                     "step 1 are an empty list; give at least one value the lesson did not use.")]
    found = problems(tmp_path, "      - prose: 'It is {{ total }}.'\n"
                     "      - code: |\n          layer = 0\n          total = 2 * layer\n"
                     "        variants:\n          layer: [0, 0]\n")
    assert found == [("01-bad.yaml:13: 'layer' in 'variants' of the code block of step 1 lists "
                     "0 twice.")]


def test_a_cell_with_variants_needs_a_number_in_the_prose(tmp_path: Path) -> None:
    found = problems(tmp_path, "      - code: |\n          layer = 0\n          total = layer\n"
                     "        variants:\n          layer: [0, 1]\n")
    assert found == [("01-bad.yaml:8: This cell has 'variants', but its step's prose quotes no "
                     "name the cell sets (such as {{ rank }}), so a review card has nothing to "
                     "ask; quote one, or drop the 'variants'.")]


# -- scheduling, with a clock of our own ---------------------------------------------------------


def test_a_right_answer_waits_days_a_wrong_one_minutes() -> None:
    right = review.schedule(None, True, START)
    assert right["due"] == (START + timedelta(days=2)).timestamp()
    wrong = review.schedule(None, False, START)
    assert wrong["due"] == (START + timedelta(minutes=10)).timestamp()
    assert wrong["lapses"] == 1 and wrong["reviews"] == 1
    # Right again on the due day: the interval grows.
    later = datetime.fromtimestamp(right["due"], UTC)
    again = review.schedule(right, True, later)
    assert again["due"] - later.timestamp() > 2 * 86400
    assert again["reviews"] == 2


def test_due_cards_follow_the_clock() -> None:
    cards = review.cards_for_lesson(norms())
    states = {cards[0].id: review.schedule(None, True, START)}
    assert review.due_cards(cards, states, START) == cards[1:]  # never asked: due at once
    assert review.due_cards(cards, states, START + timedelta(days=3)) == cards
    assert review.next_due(cards[:1], states) == (START + timedelta(days=2)).timestamp()
    assert review.in_words(2 * 86400) == "in 2 days"
    assert review.in_words(600) == "in 10 minutes"


def test_review_state_lives_in_the_progress_store(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.mark_step_done("norms", 0)
    store.record_review("norms:choice:abc", review.schedule(None, True, START))
    again = ProgressStore(path)
    assert again.review_states()["norms:choice:abc"]["reviews"] == 1
    assert again.lesson("norms").steps_done == [0]
    # A damaged entry is left out; the rest of the file, lessons and other cards, survives.
    data = json.loads(path.read_text())
    data["review"]["broken"] = {"due": "tomorrow"}
    data["review"]["odd"] = 3
    path.write_text(json.dumps(data))
    survived = ProgressStore(path)
    assert list(survived.review_states()) == ["norms:choice:abc"]
    assert survived.warning is None and survived.lesson("norms").steps_done == [0]


def test_the_deck_holds_finished_lessons_only(tmp_path: Path) -> None:
    from grimoire.course.loader import lesson_summaries

    store = ProgressStore(tmp_path / "progress.json")
    summaries = lesson_summaries(LESSONS)
    read = {"norms": norms(), "layers": layers()}.__getitem__
    assert review.build_deck(summaries, store, read).cards == []
    store.mark_step_done("norms", 0)
    deck = review.build_deck(summaries, store, read)
    assert [card.lesson_id for card in deck.cards] == ["norms"] * 3
    store.record_review(deck.cards[0].id, review.retire("no number", START))
    assert len(review.build_deck(summaries, store, read).cards) == 2


# -- answers, recomputed in the kernel -------------------------------------------------------------


def test_answers_are_computed_in_the_kernel_and_then_hidden(kernel: Kernel) -> None:
    lesson = norms()
    cards = review.cards_for_lesson(lesson)
    answers = review.compute_answers(lesson, cards, kernel)
    compute, choice, numeric = (answers[card.id][0] for card in cards)
    assert compute.expected == 5.0 and compute.target == "length"
    assert compute.context == "The length of v is ▢, by Euclid's rule."
    assert compute.solution == cards[0].code
    assert numeric.expected == 7.0
    assert choice.error is None
    review.hide_answers(cards, kernel)
    (evaluation,) = kernel.evaluate([("length", "")])
    assert evaluation.name == "length"  # typing the name no longer answers the card


def test_a_variant_card_is_recomputed_for_its_variant(kernel: Kernel) -> None:
    lesson = layers()
    (card,) = review.cards_for_lesson(lesson)
    kernel.load_setup(None)
    truth = [v.value for v in kernel.evaluate([
        ('float(model.params["blocks.0.attn.w_q"].sum())', ""),
        ('float(model.params["blocks.1.attn.w_q"].sum())', "")])]
    (biggest,) = kernel.evaluate([('model.params["blocks.1.attn.w_q"].max()', ".2f")])
    assert truth[0] != truth[1]
    (answer,) = review.compute_answers(lesson, [card], kernel)[card.id]
    assert answer.binding == {"layer": 1}  # the first value the lesson did not use
    assert answer.expected == pytest.approx(truth[1], rel=1e-12)
    assert answer.solution.startswith("layer = 1          # the layer this step looks at")
    # The sentence's other number is layer 1's too, computed in the card's copy of the cell.
    assert answer.context == (f"The query matrix of layer 1 sums to ▢; its largest entry is "
                              f"{biggest.text}.")
    # A draw of another layer gives that layer's number.
    drawn = review.compute_answers(lesson, [card], kernel, draw=lambda c, v: [{"layer": 0}])
    assert drawn[card.id][0].expected == pytest.approx(truth[0], rel=1e-12)
    verdict = review.grade(card, truth[1], answer.expected, "total")
    assert verdict.correct
    assert not review.grade(card, truth[0], answer.expected, "total").correct
    # The prose shows it as {{ total:.3f }}: the three decimals the lesson shows are enough.
    assert card.specs == {"total": ".3f", "biggest": ".2f"}
    assert review.grade(card, round(truth[1], 3), answer.expected, "total").correct
    wider = 5 * max(1e-3 * abs(truth[1]), 5e-4)  # well past both tolerances, whatever the model
    assert not review.grade(card, round(truth[1], 3) + wider, answer.expected, "total").correct


@pytest.mark.parametrize("spec, value, half_unit", [
    (".3f", 1.2, 0.0005), (".0%", 0.57, 0.005), (".2e", 1234.0, 5.0), (",", 12345, 0.5),
    (".4g", 0.012345, 5e-6), ("", 3.0, 0.0),
])
def test_an_answer_as_precise_as_the_lesson_shows_is_enough(spec, value, half_unit) -> None:
    assert review.shown_tolerance(spec, value) == pytest.approx(half_unit)


def test_check_names_a_variant_value_that_cannot_be_computed(kernel: Kernel,
                                                             tmp_path: Path) -> None:
    text = (LESSONS / "02-layers.yaml").read_text().replace(
        "layer: range(model.config.n_layer)", "layer: [0, 1, 99]").replace(
        "requires: [norms]", "requires: []")
    path = tmp_path / "02-layers.yaml"
    path.write_text(text)
    (problem,) = review.check_cards(load_lesson(path), kernel)
    assert problem.line == 13  # the line `layer = 0`, which the card sets to 99
    assert problem.message.startswith("The review card of this cell cannot be computed: "
                                      "with layer = 99 the cell raised KeyError")


def test_a_card_whose_numbers_are_words_retires(kernel: Kernel, tmp_path: Path) -> None:
    text = (LESSONS / "01-norms.yaml").read_text().replace(
        "{{ length }}", "{{ length_text }}").replace(
        "length = float(np.linalg.norm(v))", "length_text = str(np.linalg.norm(v))")
    path = tmp_path / "01-norms.yaml"
    path.write_text(text)
    lesson = load_lesson(path)
    card = review.cards_for_lesson(lesson)[0]
    (answer,) = review.compute_answers(lesson, [card], kernel)[card.id]
    assert answer.lasting and answer.expected is None
    assert answer.error == ("None of 'length_text', 'word' is a finite number, so the card has "
                            "nothing to ask.")
    (problem,) = review.check_cards(lesson, kernel)
    assert problem.line == 13  # the cell's 'code:' line
    assert problem.message == ("The review card of this cell would ask for 'length_text', "
                               "'word', which the prose quotes, but none is a number; quote a "
                               "number the cell computes, or mark the cell 'review: false'.")


def test_two_grimoires_reviewing_at_once_keep_both_schedules(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    first, second = ProgressStore(path), ProgressStore(path)
    first.record_review("norms:choice:a", review.schedule(None, True, START))
    second.record_review("norms:numeric:b", review.schedule(None, False, START))
    second.mark_step_done("norms", 0)
    first.record_review("norms:choice:a", review.schedule(
        first.review_states()["norms:choice:a"], True, START + timedelta(days=2)))
    merged = ProgressStore(path)
    assert sorted(merged.review_states()) == ["norms:choice:a", "norms:numeric:b"]
    assert merged.review_states()["norms:choice:a"]["reviews"] == 2
    assert merged.lesson("norms").steps_done == [0]


PREDICTING = """\
id: guesses
title: Guesses
summary: Predictions, asked again.
requires: []
minutes: 5
steps:
  - title: Before the cell
    blocks:
      - predict:
          question: How long is (3, 4)?
          answer: length
          rel_tolerance: 0.1
          explanation: Five, by Pythagoras.
      - predict:
          question: Is 3 - 4 positive, negative or zero?
          answer: 3 - 4
          sign: true
      - predict:
          question: Only in the lesson.
          answer: length
        review: false
      - code: |
          length = float(np.hypot(3, 4))
"""


def test_predictions_come_back_with_their_truth_computed_again(kernel: Kernel,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "01-guesses.yaml"
    path.write_text(PREDICTING)
    lesson = load_lesson(path)
    cards = review.cards_for_lesson(lesson)
    assert [(card.kind, card.question) for card in cards] == [
        ("predict", "How long is (3, 4)?"), ("predict", "Is 3 - 4 positive, negative or zero?")]
    answers = review.compute_answers(lesson, cards, kernel)
    number, sign = (answers[card.id][0] for card in cards)
    assert number.expected == 5.0 and sign.expected == 1.0  # the index of "negative"
    close = review.grade(cards[0], 5.4, number.expected)
    assert close.correct and close.message == ("Close: you said 5.4; the truth is 5 (within "
                                               "10% counts as close).")
    far = review.grade(cards[0], 6.0, number.expected)
    assert not far.correct and far.explanation == "Five, by Pythagoras."
    assert review.grade(cards[1], [1], sign.expected).message == "Right: the truth is negative."
    assert not review.grade(cards[1], [0], sign.expected).correct


def test_a_damaged_schedule_starts_the_card_afresh() -> None:
    for damaged in ({"due": 1.0, "fsrs": {"state": 9}, "reviews": "many"},
                    {"due": 1.0, "fsrs": "nonsense", "lapses": -3},
                    {"due": 1.0, "fsrs": {"due": 5, "card_id": "x"}}):
        state = review.schedule(damaged, True, START)
        assert state["due"] == (START + timedelta(days=2)).timestamp()
        assert state["reviews"] >= 1 and state["lapses"] == 0
