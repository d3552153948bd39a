"""The review room as a learner meets it: cards due on the map, answered, rescheduled by the clock."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from grimoire.course import review
from grimoire.course.progress import ProgressStore
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.map import MapScreen

LESSONS = Path(__file__).parents[1] / "data" / "review-lessons"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """The review room's time, moved by the test."""

    def __init__(self) -> None:
        self.time = START

    def __call__(self) -> datetime:
        return self.time


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(review, "now", fake)
    return fake


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    shutil.copytree(LESSONS, folder)
    return folder


def finish(*lesson_ids: str) -> None:
    store = ProgressStore()
    for lesson_id in lesson_ids:
        store.open_lesson(lesson_id)
        store.mark_step_done(lesson_id, 0)


async def until(pilot: Pilot, condition, limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the screen never got there"
        await pilot.pause(0.05)
    await pilot.pause()


def review_line(app: GrimoireApp) -> str:
    line = app.screen.query_one("#map-review", Static)
    return str(line.render()) if line.display else ""


async def test_no_finished_lesson_no_review_line(lessons: Path, clock: Clock) -> None:
    app = GrimoireApp(StartRequest(lessons=lessons, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: getattr(app.screen, "loaded", False))
        await pilot.pause(0.3)
        assert review_line(app) == ""


async def test_two_finished_lessons_put_cards_due_and_answers_reschedule_them(
    lessons: Path, clock: Clock,
) -> None:
    finish("norms", "layers")
    app = GrimoireApp(StartRequest(lessons=lessons, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: "due" in review_line(app))
        assert "review — 4 due" in review_line(app)

        await pilot.press("ctrl+r")
        room = app.screen
        assert type(room).__name__ == "ReviewScreen"
        # Card 1: the number the norms lesson's cell computed, asked again.
        await until(pilot, lambda: room.card_widget is not None)
        card = room.card_widget
        assert card.card.kind == "compute" and card.answer.expected == 5.0
        context = str(card.query_one(".review-context", Static).render())
        assert "The length of v is ▢, by Euclid's rule." in context
        assert "step 1 of «Norms»: Length" in str(room.query_one("#review-link", Static).render())
        await pilot.press("5", "enter")
        await until(pilot, lambda: card.answered)
        assert "✓ Right." in str(card.query_one("#review-feedback", Static).render())
        assert "in 2 days" in str(card.query_one("#review-feedback", Static).render())

        # Card 2: a choice, answered wrong: it comes back in ten minutes.
        await pilot.press("enter")
        await until(pilot, lambda: room.card_widget is not card)
        card = room.card_widget
        assert card.card.kind == "choice"
        await pilot.press("1")
        await until(pilot, lambda: card.answered)
        feedback = str(card.query_one("#review-feedback", Static).render())
        assert "✗" in feedback and "The answer: 'the 2-norm'." in feedback
        assert "in 10 minutes" in feedback

        # Card 3: the numeric quiz, answered with an expression computed in the lesson.
        await pilot.press("enter")
        await until(pilot, lambda: room.card_widget is not card)
        card = room.card_widget
        assert card.card.kind == "numeric"
        await pilot.press(*"abs(v).sum()", "enter")
        await until(pilot, lambda: card.answered)
        assert "✓ Right." in str(card.query_one("#review-feedback", Static).render())

        # Card 4: the layers lesson, recomputed for a layer the lesson did not use.
        await pilot.press("enter")
        await until(pilot, lambda: room.card_widget is not card, limit=90)
        card = room.card_widget
        assert card.card.lesson_id == "layers" and card.answer.binding["layer"] != 0
        question = str(card.query_one(".review-question", Static).render())
        assert f"this time with layer = {card.answer.binding['layer']}" in question
        assert "(The lesson used layer = 0.)" in question
        await pilot.press(*"0", "enter")
        await until(pilot, lambda: card.answered)

        await pilot.press("enter")
        await until(pilot, lambda: room.finished)
        assert "That was every card due: 4 answered." in str(
            room.query_one(".review-note", Static).render())

        # Back on the map: only the card answered wrong is due, ten minutes on.
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MapScreen))
        await until(pilot, lambda: "nothing due; the next in 10 minutes" in review_line(app))
        states = ProgressStore().review_states()
        assert len(states) == 4
        clock.time = START + timedelta(minutes=11)
        app.screen.reload()
        await until(pilot, lambda: "review — 1 due" in review_line(app)
                    or "review — 2 due" in review_line(app))
        clock.time = START + timedelta(days=3)
        app.screen.reload()
        await until(pilot, lambda: "review — 4 due" in review_line(app))


async def test_ctrl_l_opens_the_step_that_taught_the_card(lessons: Path, clock: Clock) -> None:
    finish("norms")
    app = GrimoireApp(StartRequest(screen="review", lessons=lessons, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: getattr(app.screen, "card_widget", None) is not None)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: type(app.screen).__name__ == "LessonScreen")
        assert app.screen.lesson_name == "norms"
        await until(pilot, lambda: app.screen.lesson is not None)
        assert app.screen.current == 0
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")


async def test_an_empty_deck_says_how_it_fills(lessons: Path, clock: Clock) -> None:
    app = GrimoireApp(StartRequest(screen="review", lessons=lessons, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: getattr(app.screen, "finished", False))
        note = str(app.screen.query_one(".review-note", Static).render())
        assert "The review room is empty for now." in note
        # The room is in the palette (from elsewhere) and its keys are in the help.
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MapScreen))
        assert ("review", "the review room") in app.palette_rooms()
        keys = {binding.key for binding in dict(app.help_sections())["The review room"]}
        assert {"enter", "ctrl+l", "escape"} <= keys


async def test_a_burst_of_keys_while_the_answers_compute_breaks_nothing(
    lessons: Path, clock: Clock,
) -> None:
    finish("norms", "layers")
    app = GrimoireApp(StartRequest(lessons=lessons, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: "due" in review_line(app))
        await pilot.press("ctrl+r", "enter", "1", "enter", "2", "enter", "ctrl+l", "enter")
        room = app.screen
        await until(pilot, lambda: getattr(room, "card_widget", None) is not None
                    or type(app.screen).__name__ == "LessonScreen")
        # Whatever the keys did, every answer recorded was one rating of one card.
        for state in ProgressStore().review_states().values():
            assert state["reviews"] == 1
        await pilot.press("escape", "escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, MapScreen))
        await pilot.press("ctrl+r")
        await until(pilot, lambda: getattr(app.screen, "card_widget", None) is not None
                    or getattr(app.screen, "finished", False))
