"""Quiz widgets by keyboard: one right choice, several right choices, and a number."""

from __future__ import annotations

from textual.app import App, ComposeResult

from grimoire.course.checks import check_choice, check_numeric
from grimoire.course.schema import Place, Quiz
from grimoire.ui.widgets.quiz import ChecklistChoices, ChoiceList, QuizBlock

PLACE = Place("quiz.yaml", 1, 1)


class Asking(App):
    """One quiz; answers are checked the way the lesson screen checks them (no kernel needed)."""

    def __init__(self, quiz: Quiz) -> None:
        super().__init__()
        self.quiz = quiz

    def compose(self) -> ComposeResult:
        yield QuizBlock(self.quiz, "0.0", 1)

    def on_quiz_block_answered(self, event: QuizBlock.Answered) -> None:
        if self.quiz.quiz_kind == "choice":
            verdict = check_choice(self.quiz, event.answer)
        else:
            verdict = check_numeric(self.quiz, str(event.answer))
        event.block.show_verdict(verdict)


def feedback(app: Asking) -> str:
    return str(app.query_one(QuizBlock).feedback.render())


async def test_several_right_choices_are_marked_then_checked() -> None:
    quiz = Quiz("Which are even?", "2 and 4 divide by two.", PLACE,
                choices=["1", "2", "3", "4"], answer=[1, 3])
    app = Asking(quiz)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(ChecklistChoices).focus()
        await pilot.press("2", "3", "enter")
        block = app.query_one(QuizBlock)
        assert block.attempts == 1 and not block.settled
        assert "1 of the 2 right choices and 1 that is not right" in feedback(app)
        await pilot.press("3", "4", "enter")
        assert block.answered_right and "Right. 2 and 4 divide by two." in feedback(app)


async def test_enter_with_nothing_marked_asks_for_an_answer() -> None:
    quiz = Quiz("Which are even?", "", PLACE, choices=["1", "2"], answer=[1, 0])
    app = Asking(quiz)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(ChecklistChoices).focus()
        await pilot.press("enter")
        block = app.query_one(QuizBlock)
        assert block.attempts == 0 and "Pick an answer first" in feedback(app)


async def test_two_wrong_answers_reveal_the_right_one() -> None:
    quiz = Quiz("What is `E[ids]`?", "Rows of E, one per id.", PLACE,
                choices=["columns", "rows", "a sum"], answer=[1])
    app = Asking(quiz)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(ChoiceList).focus()
        await pilot.press("1")
        assert "Try again" in feedback(app)
        await pilot.press("3")
        block = app.query_one(QuizBlock)
        assert block.settled and not block.answered_right
        assert "The answer: 'rows'." in feedback(app) and "one per id" in feedback(app)
        question = app.query_one(".quiz-question").render()
        assert "E[ids]" in str(question) and "`" not in str(question)


async def test_a_number_is_typed_and_checked() -> None:
    quiz = Quiz("How long is (3, 4)?", "√(9 + 16) = 5.", PLACE, numeric=5.0, tolerance=0.01)
    app = Asking(quiz)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("Input").focus()
        await pilot.press(*"seven", "enter")
        block = app.query_one(QuizBlock)
        assert block.attempts == 0 and "not a number" in feedback(app)
        await pilot.press(*["backspace"] * 5, *"10/2", "enter")
        assert block.answered_right and "√(9 + 16) = 5." in feedback(app)
