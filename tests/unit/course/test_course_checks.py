"""Quiz and exercise checking, as the learner meets it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grimoire.course.checks import (
    CheckError,
    check_choice,
    check_exercise,
    check_numeric,
    parse_number,
)
from grimoire.course.kernel import Kernel
from grimoire.course.schema import Exercise, Place, Quiz

HERE = Place("lesson.yaml", 1, 1)


def choice(answer: list[int]) -> Quiz:
    return Quiz("Which?", "Because.", HERE, choices=["a", "b", "c"], answer=answer)


def numeric(value: float | str, **tolerances: float) -> Quiz:
    return Quiz("How many?", "Count.", HERE, numeric=value, **tolerances)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    k = Kernel()
    k.start()
    yield k
    k.close()


def test_single_choice() -> None:
    assert check_choice(choice([1]), [1]).correct
    wrong = check_choice(choice([1]), [2])
    assert not wrong.correct and wrong.expected == "'b'" and wrong.explanation == "Because."
    assert check_choice(choice([1]), []).message == "Pick an answer first."


def test_several_right_choices_must_all_be_picked() -> None:
    quiz = choice([0, 2])
    assert quiz.multiple
    assert check_choice(quiz, [2, 0]).correct
    partial = check_choice(quiz, [0, 1])
    assert not partial.correct
    assert partial.message == "Not quite: you picked 1 of the 2 right choices and 1 that is not right."


@pytest.mark.parametrize("text, value", [
    ("0.25", 0.25), ("1/4", 0.25), ("2e-3", 0.002), ("-1,234.5", -1234.5), ("2**-2", 0.25),
    (" 0,5 ", 0.5), ("−3", -3.0),
])
def test_parse_number_accepts_what_people_type(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "__import__('os')", "1/0", "9**9**9"])
def test_parse_number_refuses_with_a_sentence(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_number(text)
    assert str(caught.value).endswith(".")


def test_numeric_tolerances() -> None:
    assert check_numeric(numeric(3.14159), "3.1416").correct  # default 0.1 %
    assert not check_numeric(numeric(3.14159), "3.2").correct
    assert check_numeric(numeric(100, tolerance=1), "100.9").correct
    assert not check_numeric(numeric(100, tolerance=1), "101.5").correct
    assert check_numeric(numeric(100, rel_tolerance=0.05), "104").correct
    low = check_numeric(numeric(10), "5")
    assert low.message == "Not quite: 5 is too low." and low.expected == "10"
    assert check_numeric(numeric(10), "ten").message.startswith("'ten' is not a number")


def test_numeric_answer_computed_in_the_kernel(kernel: Kernel) -> None:
    kernel.load_setup("E = np.ones((4, 3))")
    assert check_numeric(numeric("E.size"), "12", kernel).correct
    with pytest.raises(CheckError, match="cannot be computed"):
        check_numeric(numeric("F.size"), "12", kernel)
    with pytest.raises(CheckError, match="is not a number"):
        check_numeric(numeric("'text'"), "12", kernel)


EXERCISE = Exercise(
    prompt="Write double(x).",
    starter="def double(x):\n    ...\n",
    check="for x in range(3):\n    assert double(x) == 2 * x, f'double({x}) should be {2 * x}'\n",
    hints=["Multiply."],
    solution="def double(x):\n    return 2 * x\n",
    place=HERE,
)


def test_exercise_solution_passes_and_starter_does_not(kernel: Kernel) -> None:
    kernel.load_setup(None)
    assert check_exercise(EXERCISE, EXERCISE.solution, kernel).passed
    starter = check_exercise(EXERCISE, EXERCISE.starter, kernel)
    assert not starter.passed
    assert starter.message == "Not yet: double(0) should be 0."


def test_exercise_messages_name_what_went_wrong(kernel: Kernel) -> None:
    raised = check_exercise(EXERCISE, "def double(x):\n    return x / 0\n", kernel)
    assert raised.message == "Not yet: checking your code raised ZeroDivisionError: division by zero."
    missing = check_exercise(EXERCISE, "x = 1\n", kernel)
    assert "does not define" in missing.message and "double" in missing.message
    broken = check_exercise(EXERCISE, "def double(x)\n", kernel)
    assert broken.message == "Your code does not parse: expected ':' (line 1)" and broken.check is None
    silent = Exercise("p", "", "assert double(1) == 3\n", [], "", HERE)
    plain = check_exercise(silent, EXERCISE.solution, kernel)
    assert plain.message == "Not yet: the check `assert double(1) == 3` failed."


def test_exercise_that_loops_forever_times_out(kernel: Kernel) -> None:
    verdict = check_exercise(EXERCISE, "while True:\n    pass\n", kernel, timeout=0.3)
    assert not verdict.passed and "0.3 s" in verdict.message


def test_typed_math_is_computed_but_never_run() -> None:
    from grimoire.course.checks import parse_number

    assert parse_number("1/sqrt(64)") == pytest.approx(0.125)
    assert parse_number("2^10") == 1024
    assert parse_number("exp(0) + ln(e)") == pytest.approx(2.0)
    assert parse_number("√2 × √2") == pytest.approx(2.0)
    for unsafe in ("__import__('os').system('true')", "sqrt.__class__", "(lambda: 1)()",
                   "open('x')", "sqrt(1, 2)", "9**9**9"):
        with pytest.raises(ValueError):
            parse_number(unsafe)


def test_a_right_choices_why_does_not_say_right_twice() -> None:
    quiz = Quiz("Which?", "", HERE, choices=["a", "b", "c"], answer=[0, 2],
                why=["Right: a is one.", "b is not.", "right — c is the other."])
    verdict = check_choice(quiz, [0, 2])
    assert verdict.message == "Right."
    assert verdict.explanation == "A is one. C is the other."
    plain = Quiz("Which?", "", HERE, choices=["a", "b"], answer=[1], why=["", "Rightly so: b."])
    assert check_choice(plain, [1]).explanation == "Rightly so: b."
