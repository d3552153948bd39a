"""The spellbook's way back and its finds: one Escape home, a match always in sight, streamed search."""

from __future__ import annotations

from textual.widgets import Input

from grimoire import paths
from grimoire.ui.app import GrimoireApp
from grimoire.ui.screens.map import MapScreen
from grimoire.ui.screens.source import SourceScreen
from grimoire.ui.screens.welcome import WelcomeScreen
from grimoire.ui.widgets.code_view import CodeView
from grimoire.ui.widgets.search_results import SearchResults


async def until(pilot, condition, limit: int = 400) -> None:
    for _ in range(limit):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the app never got there")


async def ask(pilot, key: str, text: str) -> None:
    await pilot.press(key, *text, "enter")
    await pilot.pause()


async def open_spellbook(app: GrimoireApp, pilot) -> SourceScreen:
    """Ctrl+O from the map, then wait for the spellbook: the screen it opened."""
    await pilot.press("ctrl+o")
    await until(pilot, lambda: isinstance(app.screen, SourceScreen))
    assert isinstance(app.screen, SourceScreen)
    return app.screen


async def test_one_escape_after_find_and_search_goes_back_to_the_map() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, MapScreen)
        screen = await open_spellbook(app, pilot)
        await ask(pilot, "slash", "def")
        await ask(pilot, "f", "paths")
        await until(pilot, lambda: not screen.searching)
        assert screen.query_one(SearchResults).display
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home


async def test_escape_first_closes_a_question_being_typed() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await open_spellbook(app, pilot)
        await pilot.press("slash", "d", "e")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SourceScreen)
        assert not app.screen.query_one("#ask-bar").display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)


async def test_c_puts_the_results_away_and_keeps_the_page() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = await open_spellbook(app, pilot)
        await ask(pilot, "f", "paths")
        await until(pilot, lambda: not screen.searching)
        await pilot.press("c")
        await pilot.pause()
        assert not screen.query_one(SearchResults).display
        assert screen.query_one(CodeView).has_focus


def far_right_word() -> tuple[str, str, int]:
    """A page, a word whose first occurrence in it lies far to the right, and its line."""
    pages = sorted(paths.PACKAGE_DIR.rglob("*.py")) + sorted(paths.lessons_dir().glob("*.yaml"))
    for path in pages:
        lines = path.read_text(encoding="utf-8").splitlines()
        text = "\n".join(lines).lower()
        start = 0
        for number, line in enumerate(lines, 1):
            for column in range(len(line) - 10, 99, -1):
                word = line[column : column + 10]
                if word.strip() == word and text.find(word.lower()) == start + column:
                    return paths.display_path(path) or "", word, number
            start += len(line) + 1
    raise AssertionError("no page of the Grimoire has a line long enough")


async def test_find_scrolls_sideways_to_a_match_off_screen() -> None:
    page, word, line = far_right_word()
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.show_source(page)
        await until(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        assert view.scroll_x == 0
        await ask(pilot, "slash", word)
        assert view.cursor_line == line
        column = view.lines[line - 1].lower().find(word.lower())
        width = view.scrollable_content_region.width - view._gutter_width
        assert view.scroll_x <= column and column + len(word) <= view.scroll_x + width
        await ask(pilot, "colon", "1")  # back at the top, the next find scrolls back left
        await ask(pilot, "slash", "import")
        assert view.scroll_x == 0


async def test_search_results_stream_in_and_count() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = await open_spellbook(app, pilot)
        seen: list[int] = []
        await ask(pilot, "f", "self")
        while screen.searching:
            seen.append(len(screen.query_one(SearchResults).hits))
            await pilot.pause(0.001)
        results = screen.query_one(SearchResults)
        assert len(results.hits) == 500  # the limit: "self" is everywhere
        assert "(the first 500)" in str(results.border_title)
        assert results.has_focus and results.highlighted == 0
        # A second search replaces the first, and finds nothing without a fuss.
        await ask(pilot, "f", "no such word anywhere, truly")
        await until(pilot, lambda: not screen.searching)
        assert results.hits == []
        assert "appears nowhere" in str(results.border_title)


async def test_the_welcome_page_has_a_way_back() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        home = app.screen
        app.open_room("welcome")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "escape" in str(app.screen.query_one("#welcome-keys").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home
        assert not isinstance(app.focused, Input) or app.focused.id == "map-filter"


async def test_a_long_page_shows_at_once_coloured_where_it_is_read(tmp_path, monkeypatch) -> None:
    from grimoire.ui.widgets.code_view import tokenize
    from grimoire.ui.widgets.outline_panel import OutlinePanel

    body = "".join(f'def spell_{n}(x):\n    """Spell {n}:\nstill the docstring."""\n'
                   f"    return x + {n}\n\n" for n in range(2000))
    folder = tmp_path / "grimoire"
    folder.mkdir()
    (folder / "big.py").write_text(body, encoding="utf-8")
    monkeypatch.setattr(paths, "source_roots", lambda: {"grimoire": folder})
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.show_source("grimoire/big.py")
        await until(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        assert view.line_count == 10_000 and view.is_coloured
        whole = tokenize("\n".join(view.lines), "big.py")
        for key in ("end", "pageup", "pageup"):
            await pilot.press(key)
            await pilot.pause()
            top = view.scroll_offset.y
            for index in range(top, min(top + view.size.height, view.line_count)):
                view.render_line(index - top)
                assert view._tokens[index] == whole[index], index  # as the whole page colours
        outline = app.screen.query_one(OutlinePanel)
        await until(pilot, lambda: len(outline.symbols) == 2000)
        assert outline.highlighted is not None
        assert outline.symbols[outline.highlighted].line <= view.cursor_line


async def test_a_row_is_drawn_again_whenever_its_look_changes() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.show_source("grimoire/paths.py")
        await until(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        view.focus()
        await pilot.pause()
        first, second = view.render_line(0), view.render_line(1)
        await pilot.press("down")  # the cursor leaves row 1 for row 2
        assert view.render_line(0) != first and view.render_line(1) != second
        assert view.render_line(0) == view.render_line(0)  # and drawn the same when unchanged
        row = next(y for y in range(view.size.height) if "import" in view.render_line(y).text)
        before = view.render_line(row)
        view.set_find_text("import")  # a find marks its matches
        assert view.render_line(row) != before
        view.set_find_text("")
        assert view.render_line(row) == before
