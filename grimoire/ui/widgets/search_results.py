"""Where a word occurs across the whole spellbook: file:line and the line itself."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from grimoire.ui.sourcefiles import SearchHit
from grimoire.ui.widgets.row_list import RowList


class SearchResults(RowList):
    """One row a hit; Enter opens the page at that line."""

    DEFAULT_CSS = """
    SearchResults {
        background: $panel;
        border: none;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        &:focus { border: none; }
    }
    """

    class HitChosen(Message):
        """The reader chose a hit to open."""

        def __init__(self, hit: SearchHit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hits: list[SearchHit] = []
        self.query = ""
        self._place_width = 32
        self._match_style = "bold underline"

    def begin(self, query: str, place_width: int = 32) -> None:
        """Empty the rows for a search of `query`; hits arrive with `add_hits`."""
        self.query = query
        self.hits = []
        self.clear_options()
        self._place_width = min(44, place_width)
        self._match_style = f"bold underline {self._accent()}"

    def add_hits(self, hits: list[SearchHit]) -> None:
        """Add rows for more hits below those shown; the first row is highlighted."""
        if not hits:
            return
        first = not self.hits
        self.hits.extend(hits)
        self.add_options([self._row(hit, self._place_width) for hit in hits])
        if first:
            self.highlighted = 0

    def show(self, query: str, hits: list[SearchHit]) -> None:
        """Replace the rows with the hits for `query`."""
        width = max((len(f"{hit.shown}:{hit.line}") for hit in hits), default=0)
        self.begin(query, width)
        self.add_hits(hits)

    def _row(self, hit: SearchHit, width: int) -> Option:
        place = f"{hit.shown}:{hit.line}"
        label = Text()
        label.append(place.ljust(width + 2), style="bold")
        text = hit.text.strip()
        offset = len(hit.text) - len(hit.text.lstrip())
        column = hit.column - offset
        label.append(text[:column])
        label.append(text[column : column + len(self.query)], style=self._match_style)
        label.append(text[column + len(self.query) :])
        label.no_wrap = True
        label.overflow = "ellipsis"
        return Option(label)

    def _accent(self) -> str:
        # Rich text cannot read theme variables, so the colour is looked up when rows are made.
        return self.app.get_css_variables().get("text-accent", "yellow")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.HitChosen(self.hits[event.option_index]))
