"""Hostile text in the app: markup, escape codes, damaged progress, a home that cannot be written.

Every piece of lesson, kernel and learner text is drawn as text (`x[i]` stays `x[i]`, `[/]`
crashes nothing) and no control character reaches the terminal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.lesson import LessonScreen
from grimoire.ui.screens.map import MapScreen
from grimoire.ui.widgets.code_cell import CodeCell

HOSTILE = Path(__file__).resolve().parent.parent / "hostile"
EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "example-lessons"
CONTROLS = {chr(code) for code in range(0x20) if chr(code) not in "\n\t"} | {
    chr(code) for code in range(0x7F, 0xA0)}


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the app never reached the expected state"
        await pilot.pause(0.05)


def screen_text(app: GrimoireApp) -> str:
    """What the terminal would be sent for the current screen, as text."""
    return app.export_screenshot()


def assert_no_raw_controls(app: GrimoireApp) -> None:
    svg = screen_text(app)
    raw = sorted({repr(char) for char in svg if char in CONTROLS})
    assert not raw, f"control characters reached the screen: {raw}"


def cells_done(app: GrimoireApp) -> bool:
    found = list(app.screen.query(CodeCell))
    return bool(found) and all(c.result is not None and not c.running for c in found)


def notes(app: GrimoireApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_markup_and_escapes_in_a_lesson_are_drawn_as_text() -> None:
    app = GrimoireApp(StartRequest(screen="lesson", lesson="markup", lessons=HOSTILE / "markup",
                                   trust=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and cells_done(app))
        await pilot.pause(0.2)
        svg = screen_text(app)
        assert "x[i]" in svg.replace("&#160;", " ")
        first = app.screen.query(CodeCell).first()
        assert first.result is not None and "␛[2J" in first.result.stdout
        assert "NEXT CELL RAN" in app.screen.query(CodeCell).last().result.stdout
        assert_no_raw_controls(app)
        # A lesson title full of markup in a toast, as the completion message has it.
        app.notify("✦ “Split on [/] and a[/2]” is complete.", title="x[i] [/]")
        await pilot.pause(0.1)
        assert_no_raw_controls(app)
    assert app.return_code in (0, None)


async def test_a_setup_that_fails_with_markup_is_told_as_text() -> None:
    app = GrimoireApp(StartRequest(screen="lesson", lesson="setup-markup",
                                   lessons=HOSTILE / "setup-markup", trust=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("setup failed" in n for n in notes(app)))
        assert any('split("[/]") failed ␛[2J' in n for n in notes(app))
        await wait_for(pilot, lambda: cells_done(app))
        assert "NEXT CELL RAN" in app.screen.query(CodeCell).last().result.stdout
        assert_no_raw_controls(app)


async def test_markup_typed_into_the_spellbook_is_searched_as_text() -> None:
    from grimoire.ui.screens.source import SourceScreen
    from grimoire.ui.widgets.search_results import SearchResults

    app = GrimoireApp(StartRequest(screen="source", path="grimoire/cli.py"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.pause(0.3)
        markup = ("left_square_bracket", "slash", "right_square_bracket", "enter")
        await pilot.press("f", *markup)  # search every page for `[/]`
        await pilot.pause(0.3)
        title = app.screen.query_one(SearchResults)._border_title  # the Content drawn
        assert title is not None and title.plain.startswith("'[/]'")
        for ask in ("slash", "colon"):  # find in the page, go to a line
            app.screen.query_one("CodeView").focus()
            await pilot.press(ask, *markup)
            await pilot.pause(0.3)
        assert isinstance(app.screen, SourceScreen)
        assert any("'[/]' is not one" in n for n in notes(app))
        assert_no_raw_controls(app)


async def test_damaged_progress_is_set_aside_and_the_map_opens(grimoire_home: Path) -> None:
    grimoire_home.mkdir(parents=True)
    (grimoire_home / "progress.json").write_text(
        '{"version": 1, "lessons": {"example": {"steps_done": [Infinity]}}}')
    app = GrimoireApp(StartRequest(lessons=EXAMPLES, trust=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        assert isinstance(app.screen, MapScreen)
        assert any("starts afresh" in n for n in notes(app))
    assert (grimoire_home / "progress.json.bak").exists()


async def test_a_home_that_cannot_be_written_still_opens_lessons(tmp_path: Path,
                                                                 monkeypatch) -> None:
    home = tmp_path / "a-file"
    home.write_text("not a folder")
    monkeypatch.setenv("GRIMOIRE_HOME", str(home))
    app = GrimoireApp(StartRequest(screen="lesson", lesson="example", lessons=EXAMPLES,
                                   trust=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and cells_done(app))
        said = [n for n in notes(app) if "cannot be saved" in n]
        assert len(said) == 1
        first = app.screen.query(CodeCell).first()
        assert first.result is not None and first.result.ok


def _alive_in_group(group: int) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


async def test_quitting_ends_every_process_a_cell_started() -> None:
    from grimoire.ui.kernel_client import kernel_client

    app = GrimoireApp(StartRequest(screen="lesson", lesson="orphans",
                                   lessons=HOSTILE / "orphans", trust=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and cells_done(app))
        assert "NEXT CELL RAN orphans" in app.screen.query(CodeCell).last().result.stdout
        group = kernel_client(app).kernel._process.process.pid
        assert len(_alive_in_group(group)) >= 2  # the kernel and the sleeper it started
        await pilot.press("ctrl+q")
    for _ in range(50):
        if not _alive_in_group(group):
            break
        await asyncio.sleep(0.1)
    assert not _alive_in_group(group)


async def test_a_lesson_title_with_markup_in_the_training_rooms_list() -> None:
    from textual.widgets import Select

    app = GrimoireApp(StartRequest(screen="training", lessons=HOSTILE / "markup"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TrainingScreen")
        select = app.screen.query_one("#teach-source", Select)
        await wait_for(pilot, lambda: len(getattr(select, "_options", [])) > 1)
        app.screen.query_one("TabbedContent").active = "teach"
        await pilot.pause(0.2)
        select.expanded = True
        await pilot.pause(0.3)
        overlay = select.query_one("SelectOverlay")
        prompts = [str(overlay.get_option_at_index(n).prompt) for n in range(overlay.option_count)]
        assert "lesson 01 · Split on [/] and a[/2]" in prompts
        assert_no_raw_controls(app)


async def test_every_file_of_the_home_damaged_still_opens_the_map_and_a_lesson(
        grimoire_home: Path) -> None:
    grimoire_home.mkdir(parents=True)
    deep = "[" * 100_000
    for name in ("progress.json", "scratchpad.json", "trusted.json", "ui.json", "summaries.json",
                 "catalogue.json"):
        (grimoire_home / name).write_text(deep)
    app = GrimoireApp(StartRequest(lessons=EXAMPLES, trust=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and cells_done(app))
        assert any("starts afresh" in n for n in notes(app))
