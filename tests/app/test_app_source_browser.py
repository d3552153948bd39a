"""The spellbook (source browser) as a learner uses it: open, outline, find, search, back, refuse."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grimoire import paths
from grimoire.outline import find_symbol
from grimoire.ui import app as app_module
from grimoire.ui import sourcefiles
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.commands import spellbook_entries
from grimoire.ui.screens.source import SourceScreen
from grimoire.ui.screens.welcome import WelcomeScreen
from grimoire.ui.widgets.code_view import CodeView
from grimoire.ui.widgets.outline_panel import OutlinePanel
from grimoire.ui.widgets.search_results import SearchResults
from grimoire.ui.widgets.source_tree import SourceTree

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def welcome_as_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spellbook is tested on top of the plain welcome page, apart from the lessons' map."""
    monkeypatch.setattr(app_module, "HOME_ROOM", "welcome")


async def _ask(pilot, key: str, text: str) -> None:
    """Open the question line with `key`, fill it in and press Enter (typing is tested apart)."""
    await pilot.press(key)
    pilot.app.screen.query_one("#ask").value = text
    await pilot.press("enter")
    await pilot.pause()


def _source_app(path: str, **fields) -> GrimoireApp:
    return GrimoireApp(StartRequest("source", path=path, **fields))


def _fake_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | bytes]):
    """A small Grimoire of our own making, so tests do not depend on the real files."""
    package = tmp_path / "book" / "grimoire"
    for name, content in files.items():
        target = package / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    monkeypatch.setattr(paths, "source_roots", lambda: {"grimoire": package})
    return package


async def test_opening_a_page_shows_its_text_and_outline():
    app = _source_app("grimoire/paths.py")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SourceScreen)
        view = app.screen.query_one(CodeView)
        expected = (paths.PACKAGE_DIR / "paths.py").read_text().splitlines()
        assert view.lines == expected
        assert view.is_coloured
        names = [symbol.qualname for symbol in app.screen.query_one(OutlinePanel).symbols]
        assert "resolve_source" in names and "SourcePathError" in names
        assert "grimoire/paths.py" in str(app.screen.query_one("#reading").border_title)
        tree = app.screen.query_one(SourceTree)
        assert tree.cursor_node.data.shown == "grimoire/paths.py"
        tree.focus()
        await pilot.press("up", "enter")
        await pilot.pause()
        assert app.screen.shown == tree.cursor_node.data.shown != "grimoire/paths.py"
        assert view.has_focus


async def test_cli_style_start_marks_the_symbol():
    app = _source_app("grimoire/cli.py", symbol="main")
    symbol = find_symbol(paths.PACKAGE_DIR / "cli.py", "main")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        assert view.mark is not None
        assert (view.mark.start, view.mark.end) == (symbol.line, symbol.end_line)
        assert view.cursor_line == symbol.line
        assert view.scroll_y <= symbol.line - 1 < view.scroll_y + view.size.height


async def test_outline_enter_jumps_to_the_symbol():
    app = _source_app("grimoire/paths.py")
    target = find_symbol(paths.PACKAGE_DIR / "paths.py", "display_path")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(OutlinePanel)
        panel.focus()
        panel.highlighted = [s.qualname for s in panel.symbols].index("display_path")
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        assert view.cursor_line == target.line
        assert (view.mark.start, view.mark.end) == (target.line, target.end_line)
        assert view.has_focus


async def test_find_next_and_go_to_line():
    app = _source_app("grimoire/paths.py")
    lines = (paths.PACKAGE_DIR / "paths.py").read_text().splitlines()
    hits = [number for number, line in enumerate(lines, 1) if "def " in line]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        await _ask(pilot, "slash", "def ")
        assert view.cursor_line == hits[0]
        await pilot.press("n")
        assert view.cursor_line == hits[1]
        await pilot.press("N")
        assert view.cursor_line == hits[0]
        await _ask(pilot, "colon", "12")
        assert view.cursor_line == 12
        await _ask(pilot, "colon", "99999")
        assert view.cursor_line == 12
        assert any("is not one" in n.message for n in app._notifications)


async def test_typing_in_the_question_line_does_not_trigger_keys():
    app = _source_app("grimoire/paths.py")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"nf")
        await pilot.pause()
        ask = app.screen.query_one("#ask")
        assert ask.value == "nf"
        assert ask.has_focus
        await pilot.press("escape")
        assert not app.screen.query_one("#ask-bar").display
        assert isinstance(app.screen, SourceScreen)


async def test_search_across_the_spellbook_and_jump():
    app = _source_app("grimoire/__init__.py")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _ask(pilot, "f", "SourcePathError")
        results = app.screen.query_one(SearchResults)
        assert results.display
        places = {hit.shown for hit in results.hits}
        assert {"grimoire/paths.py", "grimoire/cli.py"} <= places
        first = results.hits[0]
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        assert app.screen.shown == first.shown
        assert view.cursor_line == first.line
        assert "sourcepatherror" in view.lines[first.line - 1].lower()
        await pilot.press("backspace")
        await pilot.pause()
        assert app.screen.shown == "grimoire/__init__.py"


async def test_escape_returns_to_exactly_where_the_learner_was():
    app = GrimoireApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, WelcomeScreen)
        assert app.show_source("grimoire/cli.py", symbol="main")
        await pilot.pause()
        assert isinstance(app.screen, SourceScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SourceScreen)
        assert app.show_source("grimoire/paths.py", lines=(5, 9))
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        assert (view.mark.start, view.mark.end) == (5, 9)
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home


REFUSED = [("../pyproject.toml", "climbs out"), ("/etc/passwd", "absolute path"),
           ("elsewhere/x.py", "not part of the Grimoire"), ("grimoire/nothing.py", "There is no")]


async def test_paths_outside_the_grimoire_are_refused():
    app = GrimoireApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        for path, words in REFUSED:
            assert app.show_source(path) is False
            await pilot.pause()
            assert app.screen is home
            assert words in list(app._notifications)[-1].message


async def test_symlink_leaving_the_grimoire_is_refused(tmp_path, monkeypatch):
    package = _fake_root(tmp_path, monkeypatch, {"spell.py": "x = 1\n"})
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours\n")
    (package / "leak.txt").symlink_to(secret)
    assert "leak.txt" not in [e.shown for e in sourcefiles.all_files()]
    app = _source_app("grimoire/spell.py")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.open_page("grimoire/leak.txt") is False
        await pilot.pause()
        assert app.screen.shown == "grimoire/spell.py"
        assert any("leads outside" in n.message for n in app._notifications)


async def test_a_5000_line_page_opens_and_scrolls(tmp_path, monkeypatch):
    body = "".join(f"def spell_{n}(x):\n    return x + {n}  # line {2 * n + 2}\n"
                   for n in range(2500))
    _fake_root(tmp_path, monkeypatch, {"big.py": body})
    app = _source_app("grimoire/big.py")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(CodeView)
        assert view.line_count == 5000
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert view.is_coloured
        await pilot.press("end")
        await pilot.pause()
        assert view.cursor_line == 5000
        assert view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y
        bottom = view.render_line(view.size.height - 1).text
        assert "5000" in bottom and "line 5000" in bottom
        await pilot.press("pageup", "pageup")
        await pilot.pause()
        assert view.cursor_line < 5000 - 40
        # Only what was on screen was ever drawn, not the whole file.
        assert len(view._line_cache) < 200


async def test_binary_pages_are_summarised_not_shown(tmp_path, monkeypatch):
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (65, 64), }"
    header += b" " * (118 - len(header)) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 16
    archive = tmp_path / "weights.npz"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("wte.npy", npy)
        zipped.writestr("ln_f.gain.npy", npy.replace(b"(65, 64)", b"(64,)   "))
    _fake_root(tmp_path, monkeypatch, {"model/weights.npz": archive.read_bytes()})
    app = _source_app("grimoire/model/weights.npz")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = "\n".join(app.screen.query_one(CodeView).lines)
        assert "2 arrays, 4,224 numbers" in text
        assert "wte" in text and "65 × 64" in text and "float32" in text
        assert "ln_f.gain" in text and "64  (float32)" in text
        assert "\x93NUMPY" not in text


async def test_help_lists_the_keys_of_every_screen():
    app = GrimoireApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        shown = " ".join(str(w.render()) for w in app.screen.query(".help-keys, .help-section"))
        for words in ("Search all pages", "Find in page", "Open the spellbook", "Quit", "Help",
                      "The spellbook"):
            assert words in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)


async def test_palette_offers_pages_and_symbols_and_opens_them():
    labels = {entry.label: entry for entry in spellbook_entries()}
    assert "grimoire/cli.py" in labels and "grimoire/cli.py:main" in labels
    assert "grimoire/paths.py:SourcePathError" in labels
    app = GrimoireApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        app.screen.query_one("Input").value = "cli.py:main"
        # The palette searches in a worker: wait for its first answer, not for a fixed time.
        from textual.command import CommandList
        found = app.screen.query_one(CommandList)
        for _ in range(200):
            await pilot.pause(0.05)
            if found.option_count and "cli.py:main" in str(found.get_option_at_index(0).prompt):
                break
        await pilot.press("enter")
        for _ in range(200):  # the spellbook's room is imported on first use
            await pilot.pause(0.05)
            if isinstance(app.screen, SourceScreen):
                break
        assert isinstance(app.screen, SourceScreen)
        assert app.screen.shown == "grimoire/cli.py"
        assert app.screen.query_one(CodeView).mark is not None


async def test_theme_choice_is_remembered(grimoire_home):
    app = GrimoireApp()
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "grimoire"
        before = app.screen.styles.background
        app.theme = "nord"
        await pilot.pause()
        assert app.screen.styles.background != before
        assert app.get_css_variables()["primary"] == app.current_theme.primary
    again = GrimoireApp()
    async with again.run_test(size=SIZE):
        assert again.theme == "nord"


def test_start_up_does_not_import_numpy():
    probe = (
        "import asyncio, sys\n"
        "from grimoire.ui.app import GrimoireApp, HOME_ROOM, ROOMS\n"
        "async def main():\n"
        "    app = GrimoireApp()\n"
        "    async with app.run_test(size=(120, 36)) as pilot:\n"
        "        await pilot.pause()\n"
        "        assert len(app.screen_stack) == 1\n"
        "        home = ROOMS[HOME_ROOM].screen.rpartition(':')[2]\n"
        "        assert type(app.screen).__name__ == home, type(app.screen)\n"
        "asyncio.run(main())\n"
        "print('numpy' in sys.modules)\n"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
