"""The map of lessons: states from progress, continue by default, filter by typing, Enter opens."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList, Static

from grimoire.course.progress import ProgressStore
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.map import MapScreen

LESSON = """\
id: {id}
title: {title}
summary: {summary}
requires: [{requires}]
minutes: {minutes}
steps:
  - title: One
    blocks:
      - prose: First.
  - title: Two
    blocks:
      - prose: Second.
"""


def write_lessons(folder: Path) -> Path:
    folder.mkdir()
    rows = [
        ("vectors", "Vectors and embeddings", "Characters as points in space.", "", 20),
        ("norms", "Norms and distances", "How long is a vector?", "vectors", 15),
        ("attention", "Attention patterns", "Who looks at whom.", "vectors, norms", 30),
    ]
    for number, (lesson_id, title, summary, requires, minutes) in enumerate(rows, start=1):
        (folder / f"{number:02d}-{lesson_id}.yaml").write_text(LESSON.format(
            id=lesson_id, title=title, summary=summary, requires=requires, minutes=minutes))
    return folder


async def unrolled(pilot) -> None:
    """Wait until the map has read the lessons (it does so just after its first paint)."""
    for _ in range(400):
        if getattr(pilot.app.screen, "loaded", False):
            await pilot.pause()  # and drawn: the new text laid out
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError("the map never read its lessons")


def visible(widget: Static) -> str:
    """The text a widget shows on screen, line by line."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def highlighted(app: GrimoireApp) -> str:
    screen = app.screen
    assert isinstance(screen, MapScreen)
    index = screen.query_one("#map-list", OptionList).highlighted
    assert index is not None
    return screen.shown[index].summary.id


async def finish_and_come_back(app: GrimoireApp, pilot, lesson_id: str) -> None:
    """The learner finishes the open lesson (both steps, as its screen records them) and
    comes back to the map."""
    store = ProgressStore()
    store.open_lesson(lesson_id)
    store.mark_step_done(lesson_id, 0)
    store.mark_step_done(lesson_id, 1)
    app.pop_screen()
    await pilot.pause()
    await pilot.pause()


async def test_map_shows_every_lesson_with_its_state_and_continues(tmp_path: Path) -> None:
    lessons = write_lessons(tmp_path / "lessons")
    store = ProgressStore()
    store.open_lesson("vectors")
    store.mark_step_done("vectors", 0)
    store.mark_step_done("vectors", 1)
    store.open_lesson("norms")
    store.mark_step_done("norms", 0)
    store.set_position("norms", 1)
    app = GrimoireApp(StartRequest(lessons=lessons))
    async with app.run_test(size=(120, 36)) as pilot:
        await unrolled(pilot)
        screen = app.screen
        assert isinstance(screen, MapScreen)
        assert [s.label for s in screen.shown] == ["done", "50 %", "not started"]
        banner = str(screen.query_one("#map-continue", Static).render())
        assert "continue" in banner and "Norms and distances" in banner and "step 2 of 2" in banner
        assert highlighted(app) == "norms"
        detail = visible(screen.query_one("#map-detail-text", Static))
        assert "How long is a vector?" in detail
        await pilot.press("down")
        assert highlighted(app) == "attention"
        detail = visible(screen.query_one("#map-detail-text", Static))
        assert "Vectors and embeddings" in detail and "Norms and distances" in detail
        assert "30" in detail

        # A narrow terminal keeps the list and drops the details; growing back restores them.
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert not screen.query_one("#map-detail").display
        assert screen.query_one("#map-list", OptionList).option_count == 3
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert screen.query_one("#map-detail").display
        assert highlighted(app) == "attention"


async def test_typing_filters_and_enter_opens(tmp_path: Path) -> None:
    lessons = write_lessons(tmp_path / "lessons")
    app = GrimoireApp(StartRequest(lessons=lessons))
    async with app.run_test(size=(120, 36)) as pilot:
        await unrolled(pilot)
        screen = app.screen
        assert isinstance(screen, MapScreen)
        assert "begin" in str(screen.query_one("#map-continue", Static).render())
        await pilot.press(*"who looks")
        assert [s.summary.id for s in screen.shown] == ["attention"]
        await pilot.press("escape")
        assert len(screen.shown) == 3
        await pilot.press(*"zzz")
        assert screen.shown == []
        assert "No lesson matches" in visible(screen.query_one("#map-detail-text", Static))
        await pilot.press("escape", *"norm", "enter")
        await pilot.pause()
        # Lessons from elsewhere ask before their code runs; this learner declines.
        assert type(app.screen).__name__ == "TrustScreen"
        await pilot.press("n")
        await pilot.pause()
        lesson = app.screen
        assert type(lesson).__name__ == "LessonScreen" and lesson.lesson_name == "norms"
        assert not lesson.may_run
        notes = [visible(note) for note in lesson.query(".lesson-note")]
        assert any("chose not to run" in note for note in notes)
        await pilot.press("escape")
        assert isinstance(app.screen, MapScreen)
        assert app.screen.shown[0].label == "0 %"


async def test_no_lessons_is_said_plainly(tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    app = GrimoireApp(StartRequest(lessons=empty))
    async with app.run_test(size=(120, 36)) as pilot:
        await unrolled(pilot)
        banner = str(app.screen.query_one("#map-continue", Static).render())
        assert banner.startswith("No lessons found in")
        await pilot.press("enter")
        assert isinstance(app.screen, MapScreen)


async def test_help_lists_the_keys_of_the_learners_rooms() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await unrolled(pilot)
        sections = dict(app.help_sections())
        for title, keys in {
            "The map": ["enter", "ctrl+g", "ctrl+n", "ctrl+o"],
            "A lesson": ["n", "p", "pagedown", "ctrl+r", "ctrl+c", "h", "s", "x", "escape", "1"],
            "The playground": ["ctrl+r", "escape", "ctrl+k"],
            "The scratchpad": ["ctrl+r", "ctrl+c", "up", "ctrl+l"],
        }.items():
            assert title in sections, title
            bound = {binding.key for binding in sections[title]}
            assert set(keys) <= bound, (title, set(keys) - bound)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        tables = "\n".join(str(static.render()) for static in app.screen.query(".help-keys"))
        assert "1–9" in tables and "1 / 2" not in tables
        await pilot.press("escape")

        # The map's own keys lead to the other rooms, and Escape comes back.
        for key, room in [("ctrl+g", "PlaygroundScreen"), ("ctrl+n", "ScratchpadScreen"),
                          ("ctrl+o", "SourceScreen")]:
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == room
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MapScreen)


async def test_after_finishing_a_lesson_enter_goes_on_to_the_next(tmp_path: Path) -> None:
    lessons = write_lessons(tmp_path / "lessons")
    app = GrimoireApp(StartRequest(lessons=lessons, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await unrolled(pilot)
        screen = app.screen
        assert highlighted(app) == "vectors"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen
        await finish_and_come_back(app, pilot, "vectors")
        banner = str(screen.query_one("#map-continue", Static).render())
        assert "begins" in banner and "Norms and distances" in banner
        assert highlighted(app) == "norms"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen
        for _ in range(200):  # the lesson is read, then shown
            if getattr(app.screen, "lesson", None) is not None:
                break
            await pilot.pause(0.02)
        assert app.screen.lesson.id == "norms"


async def test_after_finishing_a_filtered_lesson_enter_opens_what_the_banner_names(
        tmp_path: Path) -> None:
    lessons = write_lessons(tmp_path / "lessons")
    app = GrimoireApp(StartRequest(lessons=lessons, trust=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await unrolled(pilot)
        screen = app.screen
        await pilot.press(*"attention")
        await pilot.pause()
        assert highlighted(app) == "attention"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen
        await finish_and_come_back(app, pilot, "attention")
        banner = str(screen.query_one("#map-continue", Static).render())
        assert "begins" in banner and "Vectors and embeddings" in banner
        # The filter that hid the banner's lesson is gone, and the highlight is on it.
        assert screen.query_one("#map-filter").value == ""
        assert highlighted(app) == "vectors"
