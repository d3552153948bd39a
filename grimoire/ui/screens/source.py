"""The spellbook: the Grimoire's own source, browsed while it runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static, Tree
from textual.worker import get_current_worker

from grimoire import paths
from grimoire.outline import Symbol, find_symbol, outline_in_pieces, outline_text
from grimoire.ui import sourcefiles
from grimoire.ui.plain import plain
from grimoire.ui.widgets.code_view import LONG_PAGE_LINES, CodeView, Mark
from grimoire.ui.widgets.footer import KeyFooter
from grimoire.ui.widgets.outline_panel import OutlinePanel
from grimoire.ui.widgets.search_results import SearchResults
from grimoire.ui.widgets.source_tree import ALIVE, ALIVE_IN_KERNEL, LEGEND, SourceTree

ASKS = {
    "find": ("find in this page", "a word to find in this page, then Enter"),
    "line": ("go to line", "a line number, then Enter"),
    "search": ("search the spellbook", "a word to seek in every page, then Enter"),
}


ASK_KEYS = {"slash": "find", "colon": "line", "f": "search"}

NARROW = 100
"""Below this many columns the tree of pages and the outline fold away (`p` brings them)."""

SEARCH_AT_ONCE_SECONDS = 0.02
"""How long a search may look for its first page before the frame is drawn without it."""

SEARCH_BATCH_SECONDS = 0.05
"""After the first page's lines, found lines reach the screen at most this often."""


@dataclass(frozen=True)
class Visit:
    """Where the reader was: a page and a line, to come back to."""

    shown: str
    line: int


class SourceScreen(Screen[None]):
    """Tree of files, the open page, its outline; find, go to line and search across pages."""

    TITLE = "Lilith's Grimoire"
    SUB_TITLE = "the spellbook"
    CSS_PATH = "../spellbook.tcss"
    """Read when the room is first built (see GrimoireApp.build_room), not at start-up."""
    HELP_TITLE = "The spellbook (source browser)"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "ask('find')", "Find in page"),
        Binding("n", "find_next", "Next match"),
        Binding("N", "find_previous", "Previous match", show=False),
        Binding("colon", "ask('line')", "Go to line"),
        Binding("f", "ask('search')", "Search all pages"),
        Binding("backspace", "previous_page", "Previous page", show=False),
        Binding("p", "toggle_panels", "Pages and outline"),
        # Told in the results pane's own border: the footer stays as it is while results come
        # and go.
        Binding("c", "close_results", "Close the search results", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, path: str | None = None, symbol: str | None = None,
                 lines: tuple[int, int] | None = None) -> None:
        super().__init__()
        self._start = (path, symbol, lines)
        self.shown: str | None = None
        self.asking: str | None = None
        self.find_text = ""
        self.history: list[Visit] = []
        self._titled: tuple[str, int, bool] | None = None
        """The page the reading pane's title names (file, lines, sealed)."""
        self._where = ""
        """What the page's lower border says about where the reader is."""
        self._narrow: bool | None = None
        """The terminal was narrow at the last resize (None: not laid out yet)."""
        self._search = 0
        self.searching = False
        """A search is still reading pages."""
        """The number of the latest search; lines of earlier ones are dropped."""

    @classmethod
    def from_request(cls, request) -> SourceScreen:
        """Built by the app from `grimoire source PATH[:SYMBOL]` (see grimoire.ui.app.StartRequest)."""
        return cls(path=request.path, symbol=request.symbol, lines=request.lines)

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        with Horizontal(id="spellbook"):
            with Vertical(id="pages"):
                yield SourceTree(id="tree")
                yield Static(LEGEND, id="alive-legend", markup=False)
            with Vertical(id="reading"):
                yield CodeView(id="code")
                with Horizontal(id="ask-bar"):
                    yield Label(id="ask-label")
                    yield Input(id="ask", compact=True, select_on_focus=False)
            with Vertical(id="outline-pane"):
                yield OutlinePanel(id="outline")
        yield SearchResults(id="results")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#pages").border_title = "✦ pages"
        self.query_one("#outline-pane").border_title = "outline"
        self.query_one("#results").display = False
        self.query_one("#ask-bar").display = False
        reading = self.query_one("#reading")
        reading.border_title = "the spellbook"
        reading.border_subtitle = "choose a page"
        path, symbol, lines = self._start
        if path:
            self.open_page(path, symbol=symbol, lines=lines, remember=False)
        else:
            self.open_page("README.md" if "README.md" in paths.source_roots() else "grimoire/cli.py",
                           remember=False)
        self.query_one(CodeView).focus()

    # -- the side panels -------------------------------------------------------------------------

    def on_resize(self) -> None:
        # On a narrow terminal the page needs the room: the panels fold away, and come back
        # with `p`. Crossing the width again puts them as the width wants.
        narrow = self.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self._show_panels(not narrow)

    def action_toggle_panels(self) -> None:
        """Show or fold away the tree of pages and the outline."""
        self._show_panels(not self.query_one("#pages").display)

    def _show_panels(self, shown: bool) -> None:
        for panel in self.query("#pages, #outline-pane"):
            panel.display = shown
        if not shown and isinstance(self.focused, (SourceTree, OutlinePanel)):
            self.query_one(CodeView).focus()
        self._subtitle(self._where)

    def _subtitle(self, where: str) -> None:
        """Say where the reader is under the page, and how to bring folded panels back."""
        self._where = where
        folded = not self.query_one("#pages").display
        self.query_one("#reading").border_subtitle = (
            f"p: pages and outline · {where}" if folded else where)

    # -- opening pages ---------------------------------------------------------------------------

    def open_page(self, path: str, symbol: str | None = None,
                  lines: tuple[int, int] | None = None, line: int | None = None,
                  remember: bool = True) -> bool:
        """Open `path` (as `grimoire/cli.py`), at a symbol, a line range or a line.

        A refused or missing path, or an unknown symbol, is told to the reader in one sentence;
        returns False when the page could not be opened.
        """
        try:
            real = paths.resolve_source(path)
        except paths.SourcePathError as error:
            self.notify(str(error), title="Refused", severity="error")
            return False
        if real.is_dir():
            self.notify(f"'{path}' is a folder; choose one of its pages in the tree.",
                        severity="warning")
            return False
        shown = paths.display_path(real) or path
        view = self.query_one(CodeView)
        if remember and self.shown is not None:
            self.history.append(Visit(self.shown, view.cursor_line))
        page = sourcefiles.read_page(shown, real)
        view.load(page.text, shown if not page.is_summary else "summary.md")
        self.shown = shown
        outline = self.query_one(OutlinePanel)
        if page.is_summary:
            outline.show([])
        elif view.line_count <= LONG_PAGE_LINES:
            outline.show(outline_text(page.text, real.suffix.lower()))
        else:
            # A long page shows at once; its outline follows from a thread, begun once the
            # page is drawn so the two never compete for the first frame.
            outline.show_reading()
            self.call_after_refresh(partial(
                self.run_worker, partial(self._outline_in_thread, page.text,
                                         real.suffix.lower(), shown),
                thread=True, exclusive=True, group="outline", exit_on_error=False))
        self._title_page(shown, view.line_count, page.is_summary)
        self.query_one(SourceTree).reveal(shown)
        if self.find_text:
            view.set_find_text(self.find_text)
        mark: Mark | None = None
        target = line or 1
        if symbol:
            found = find_symbol(real, symbol)
            if found is None:
                self.notify(f"'{shown}' has no class or function named '{symbol}'.",
                            severity="warning")
            else:
                mark, target = Mark(found.line, found.end_line), found.line
        elif lines:
            start, end = sorted(lines)
            mark, target = Mark(start, end), start
        self.call_after_refresh(view.go_to_line, target, mark)
        return True

    def on_source_tree_kernel_marked(self) -> None:
        if self._titled is not None:
            self._title_page(*self._titled)

    def _outline_in_thread(self, text: str, suffix: str, shown: str) -> None:
        symbols = outline_in_pieces(text, suffix)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._outline_read, symbols, shown)

    def _outline_read(self, symbols: list[Symbol], shown: str) -> None:
        if shown == self.shown:  # not another page since
            outline = self.query_one(OutlinePanel)
            outline.show(symbols)
            outline.highlight_line(self.query_one(CodeView).cursor_line)

    def _title_page(self, shown: str, count: int, is_summary: bool) -> None:
        self._titled = (shown, count, is_summary)
        reading = self.query_one("#reading")
        tree = self.query_one(SourceTree)
        marks = [f"{ALIVE} alive in the app"] if tree.is_alive(shown) else []
        if tree.is_alive_in_kernel(shown):
            marks.append(f"{ALIVE_IN_KERNEL} in the kernel")
        reading.border_title = plain("  ".join([shown, *marks]))
        self._subtitle("sealed" if is_summary else f"{count} lines")

    def on_code_view_cursor_moved(self, event: CodeView.CursorMoved) -> None:
        view = self.query_one(CodeView)
        self._subtitle(f"line {event.line} of {view.line_count}")
        self.query_one(OutlinePanel).highlight_line(event.line)

    @on(Tree.NodeSelected, "#tree")
    def _tree_chose(self, event: Tree.NodeSelected) -> None:
        entry = event.node.data
        if entry is not None and not entry.is_dir and entry.shown != self.shown:
            self.open_page(entry.shown)
            self.query_one(CodeView).focus()

    def on_outline_panel_symbol_chosen(self, event: OutlinePanel.SymbolChosen) -> None:
        self.jump_to_symbol(event.symbol)

    def jump_to_symbol(self, symbol: Symbol) -> None:
        """Move the viewer to `symbol`, its lines marked."""
        view = self.query_one(CodeView)
        view.go_to_line(symbol.line, Mark(symbol.line, symbol.end_line))
        view.focus()

    def on_search_results_hit_chosen(self, event: SearchResults.HitChosen) -> None:
        hit = event.hit
        self.find_text = self.query_one(SearchResults).query
        if hit.shown == self.shown:
            view = self.query_one(CodeView)
            view.set_find_text(self.find_text)
            view.go_to_line(hit.line)
            view.show_text_at(hit.line, self.find_text)
        else:
            self.open_page(hit.shown, line=hit.line)
            view = self.query_one(CodeView)
            self.call_after_refresh(view.show_text_at, hit.line, self.find_text)
        view.focus()

    # -- asking: find, line, search --------------------------------------------------------------

    def action_ask(self, kind: str) -> None:
        """Open the question line at the bottom for find, go-to-line or search."""
        ask = self.query_one("#ask", Input)
        self.asking = kind
        title, placeholder = ASKS[kind]
        self.query_one("#ask-label", Label).update(f"{title} ❯ ")
        ask.placeholder = placeholder
        ask.value = ""
        self.query_one("#ask-bar").display = True
        ask.focus()

    def on_key(self, event: events.Key) -> None:
        # Keys reach this handler before the app turns them into binding actions, so a fast
        # typist's "/def" would otherwise lose its letters while the question line opens.
        ask = self.query_one("#ask", Input)
        if ask.has_focus:
            return
        if self.asking is None and event.key in ASK_KEYS and not isinstance(self.focused, Input):
            self.action_ask(ASK_KEYS[event.key])
        elif self.asking is not None and event.is_printable:
            ask.insert_text_at_cursor(event.character or "")
        else:
            return
        event.stop()
        event.prevent_default()

    @on(Input.Submitted, "#ask")
    def _answered(self, event: Input.Submitted) -> None:
        kind, text = self.asking, event.value.strip()
        # A search gives the focus to its results at once: one move of the focus, not two.
        self._close_ask(focus=not (kind == "search" and text))
        view = self.query_one(CodeView)
        if not text:
            return
        if kind == "find":
            self.find_text = text
            view.set_find_text(text)
            self._find(backwards=False, from_line=view.cursor_line - 1)
        elif kind == "line":
            if not text.isdigit() or not 1 <= int(text) <= view.line_count:
                self.notify(f"This page has lines 1 to {view.line_count}; '{text}' is not one.",
                            severity="warning")
                return
            view.go_to_line(int(text))
        elif kind == "search":
            self.search_everywhere(text)

    class Found(Message):
        """Lines found by a search in the spellbook's thread, handed to the screen."""

        def __init__(self, search: int, hits: list[sourcefiles.SearchHit], done: bool) -> None:
            super().__init__()
            self.search, self.hits, self.done = search, hits, done

    def search_everywhere(self, text: str) -> None:
        """List every line of every page holding `text` in the results pane, as they are found.

        The first page holding `text` is sought at once, so its lines are in the very next
        frame (most words are found within a few pages); the rest of the pages are read in a
        thread and their lines follow in batches.
        """
        self._search += 1
        results = self.query_one(SearchResults)
        results.begin(text)
        results.display = True
        results.focus()
        self.searching = True
        results.border_title = plain(f"seeking '{text}' in every page…")
        results.border_subtitle = "enter opens the page · c closes · escape goes back"
        pages = sourcefiles.search_pages(text)
        deadline = time.monotonic() + SEARCH_AT_ONCE_SECONDS
        first: list[sourcefiles.SearchHit] = []
        while not first and time.monotonic() < deadline:
            page = next(pages, None)
            if page is None:  # every page read already, and no line holds it
                self.post_message(self.Found(self._search, [], done=True))
                return
            first = page
        if first:
            self.on_source_screen_found(self.Found(self._search, first, done=False))
        self.run_worker(partial(self._seek, pages, self._search), thread=True, exclusive=True,
                        group="search", exit_on_error=False)

    def _seek(self, pages: Iterator[list[sourcefiles.SearchHit]], search: int) -> None:
        # In a thread: the rest of the pages, their lines posted in batches, then the end.
        worker = get_current_worker()
        pending: list[sourcefiles.SearchHit] = []
        posted = time.monotonic()
        for hits in pages:
            if worker.is_cancelled:
                return
            pending += hits
            if time.monotonic() - posted > SEARCH_BATCH_SECONDS:
                self.post_message(self.Found(search, pending, done=False))
                pending, posted = [], time.monotonic()
        self.post_message(self.Found(search, pending, done=True))

    def on_source_screen_found(self, event: Found) -> None:
        if event.search != self._search:
            return  # the lines of an earlier search, replaced by this one
        if event.done:
            self.searching = False
        results = self.query_one(SearchResults)
        results.add_hits(event.hits)
        hits, text = results.hits, results.query
        pages = len({hit.shown for hit in hits})
        if hits:
            results.border_title = plain(
                f"'{text}': {_count(len(hits), 'line')} on {_count(pages, 'page')}"
                + (f" (the first {len(hits)})" if len(hits) >= sourcefiles.SEARCH_LIMIT else "")
                + ("" if event.done else " …")
            )
        elif event.done:
            results.border_title = plain(f"'{text}' appears nowhere in the spellbook")
            if results.has_focus:
                self.query_one(CodeView).focus()

    def _close_ask(self, focus: bool = True) -> None:
        self.query_one("#ask-bar").display = False
        self.asking = None
        if focus:
            self.query_one(CodeView).focus()

    def _find(self, backwards: bool, from_line: int | None = None) -> None:
        view = self.query_one(CodeView)
        if not self.find_text:
            self.action_ask("find")
            return
        start = view.cursor_line if from_line is None else from_line
        found = view.find_next(self.find_text, start, backwards=backwards)
        if found is None:
            self.notify(f"'{self.find_text}' is not on this page.", severity="warning")
        else:
            view.go_to_line(found)
            view.show_text_at(found, self.find_text)

    def action_find_next(self) -> None:
        self._find(backwards=False)

    def action_find_previous(self) -> None:
        self._find(backwards=True)

    def action_previous_page(self) -> None:
        """Back to the page read before this one, at the line the reader left."""
        if self.history:
            place = self.history.pop()
            self.open_page(place.shown, line=place.line, remember=False)

    def action_back(self) -> None:
        """Back to where the learner came from, in one press, whatever was found or sought.

        Only a question being typed is closed first (the press answers what the learner is
        doing). With nowhere to go back to (`grimoire source`), the results and the find
        highlight are put away instead.
        """
        if self.asking is not None:
            self._close_ask()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
            return
        self.action_close_results()
        self.find_text = ""
        self.query_one(CodeView).set_find_text("")

    def action_close_results(self) -> None:
        """Put the search results away (the page stays as it is)."""
        results = self.query_one(SearchResults)
        if results.display:
            results.display = False
            self.query_one(CodeView).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_results":
            results = self.query(SearchResults)
            return bool(results) and results.first().display
        return True


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
