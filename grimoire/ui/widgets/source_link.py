"""A pointer from a lesson into the Grimoire's own source: Enter (or s) opens the spellbook there."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from grimoire.course.schema import Source
from grimoire.ui.widgets.prose import code_style_for, inline_text


def describe(source: Source) -> str:
    """`grimoire/paths.py · resolve_source` or `grimoire/cli.py · lines 10–40`."""
    if source.symbol:
        return f"{source.path} · {source.symbol}"
    if source.lines:
        return f"{source.path} · lines {source.lines[0]}–{source.lines[1]}"
    return source.path


class SourceLink(Static, can_focus=True):
    """A focusable line naming a place in the source, with the sentence on why to look."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "open", "Open in the spellbook", show=False)]

    DEFAULT_CSS = """
    SourceLink {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        border-left: outer $secondary;
        background: $secondary 8%;
    }
    SourceLink:focus { background: $secondary 25%; border-left: outer $accent; }
    """

    class Opened(Message):
        """The learner asked to open this link."""

        def __init__(self, link: SourceLink) -> None:
            super().__init__()
            self.link = link

    def __init__(self, source: Source) -> None:
        self.source = source
        super().__init__()

    def on_mount(self) -> None:
        # Drawn once mounted: inline code takes the colour of the app's theme.
        source = self.source
        text = Text()
        text.append("❧ ", style="bold")
        text.append(describe(source), style="bold underline")
        text.append("   enter opens the spellbook here", style="dim")
        if source.why:
            text.append("\n")
            text.append_text(inline_text(source.why, style="italic",
                                         code_style=code_style_for(self)))
        self.update(text)

    def action_open(self) -> None:
        self.post_message(self.Opened(self))

    def on_click(self) -> None:
        self.post_message(self.Opened(self))
