"""The outline of the open page: its classes and functions, or a lesson's keys and steps."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from grimoire.outline import Symbol
from grimoire.ui.widgets.row_list import RowList

GLYPHS = {"class": "◆", "function": "ƒ", "method": "ƒ", "key": "•", "step": "§",
          "heading": "#", "table": "▤"}


class OutlinePanel(RowList):
    """One row a symbol, indented by nesting; Enter jumps the viewer to it."""

    DEFAULT_CSS = """
    OutlinePanel {
        background: $panel;
        border: none;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        &:focus { border: none; }
    }
    """

    class SymbolChosen(Message):
        """The reader chose a symbol to jump to."""

        def __init__(self, symbol: Symbol) -> None:
            super().__init__()
            self.symbol = symbol

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.symbols: list[Symbol] = []

    def show(self, symbols: list[Symbol]) -> None:
        """Replace the rows with `symbols`."""
        self.symbols = symbols
        self.clear_options()
        self.add_options([self._row(symbol) for symbol in symbols])
        self.highlighted = None

    def show_reading(self) -> None:
        """Say the outline is being read (for a long page, read in a thread)."""
        self.symbols = []
        self.clear_options()
        self.add_option(Option(Text("reading the outline…", style="italic dim"), disabled=True))
        self.highlighted = None

    def _row(self, symbol: Symbol) -> Option:
        label = Text("  " * symbol.depth)
        glyph_style = "bold" if symbol.kind == "class" else "dim"
        label.append(GLYPHS.get(symbol.kind, "·") + " ", style=glyph_style)
        label.append(symbol.name, style="bold" if symbol.kind in ("class", "step") else "")
        return Option(label)

    def highlight_line(self, line: int) -> None:
        """Highlight the innermost symbol containing `line`, without moving the viewer."""
        best = None
        for index, symbol in enumerate(self.symbols):
            if symbol.line <= line <= symbol.end_line:
                best = index
        if best is not None and best != self.highlighted:
            with self.prevent(OptionList.OptionHighlighted):
                self.highlighted = best

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.SymbolChosen(self.symbols[event.option_index]))
