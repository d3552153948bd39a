"""Every key of every screen, gathered from the screens themselves so none is forgotten."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """A modal list of keys: first those that work everywhere, then each screen's own."""

    CSS_PATH = "../help.tcss"
    """Read when the room is first built (see GrimoireApp.build_room), not at start-up."""
    HELP_TITLE = "This help"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close help"),
        Binding("question_mark", "dismiss", "Close help", show=False),
        Binding("f1", "dismiss", "Close help", show=False),
        Binding("home", "scroll('home')", "To the top", show=False),
        Binding("end", "scroll('end')", "To the bottom", show=False),
        Binding("pageup", "scroll('page_up')", "Page up", show=False),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False),
    ]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        self._key_width = max(
            (len(self._keys(bindings, b)) for _, bindings in self.sections for b in bindings),
            default=0,
        )
        with Vertical(id="help-box") as box:
            box.border_title = "✦ the keys of the Grimoire"
            box.border_subtitle = "escape to close"
            with VerticalScroll(id="help-scroll"):
                for title, bindings in self.sections:
                    yield Static(title, classes="help-section")
                    yield Static(self._table(bindings), classes="help-keys")

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        {"home": scroll.scroll_home, "end": scroll.scroll_end,
         "page_up": scroll.scroll_page_up, "page_down": scroll.scroll_page_down}[where](
            animate=False)

    def _keys(self, bindings: list[Binding], binding: Binding) -> str:
        """All keys doing what `binding` does, e.g. '? / f1'."""
        same = [other for other in bindings if other.description == binding.description]
        shown = list(dict.fromkeys(self.app.get_key_display(k) for k in same))
        if len(shown) > 2 and all(key.isdigit() for key in shown):
            # Nine digit keys read better as one range, and keep the key column narrow.
            return f"{shown[0]}–{shown[-1]}"
        return " / ".join(shown)

    def _table(self, bindings: list[Binding]) -> Text:
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for binding in bindings:
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            rows.append((self._keys(bindings, binding), binding.description))
        width = self._key_width
        text = Text()
        for index, (keys, description) in enumerate(rows):
            if index:
                text.append("\n")
            text.append(keys.rjust(width), style="bold")
            text.append("   ")
            text.append(description)
        return text
