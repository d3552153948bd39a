"""A slider over a fixed ladder of values (learning rates): left and right step along it."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.widget import Widget


class Ladder(Widget, can_focus=True):
    """`◂ ──────●──── ▸ 3e-03`: one of `values`, chosen with the arrow keys or a click."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Smaller", show=False),
        Binding("right", "move(1)", "Larger", show=False),
        Binding("home", "move(-1000)", "Smallest", show=False),
        Binding("end", "move(1000)", "Largest", show=False),
    ]

    DEFAULT_CSS = """
    Ladder { width: 30; height: 1; background: $panel; }
    Ladder:focus { background: $primary 30%; }
    Ladder.-disabled { color: $text-muted; }
    """

    class Moved(Message):
        """The chosen value changed."""

        def __init__(self, ladder: Ladder, value: float) -> None:
            super().__init__()
            self.ladder = ladder
            self.value = value

        @property
        def control(self) -> Ladder:
            return self.ladder

    def __init__(self, values: list[float], value: float, *, id: str | None = None,
                 tooltip: str | None = None) -> None:
        super().__init__(id=id)
        self.values = list(values)
        self.index = min(range(len(values)), key=lambda i: abs(values[i] - value))
        self.locked = False
        """While locked (a run uses the value), the ladder shows it but does not move."""
        if tooltip:
            self.tooltip = tooltip

    @property
    def value(self) -> float:
        return self.values[self.index]

    def label(self) -> str:
        return f"{self.value:.0e}".replace("e-0", "e-")

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.set_class(locked, "-disabled")
        self.refresh()

    def action_move(self, steps: int) -> None:
        if self.locked:
            return
        index = min(len(self.values) - 1, max(0, self.index + steps))
        if index != self.index:
            self.index = index
            self.refresh()
            self.post_message(self.Moved(self, self.value))

    def _track_width(self) -> int:
        return max(len(self.values), self.size.width - 4 - len(self.label()) - 1)

    def on_click(self, event: Click) -> None:
        track = self._track_width()
        x = event.x - 2
        if 0 <= x < track and not self.locked:
            self.action_move(round(x / max(1, track - 1) * (len(self.values) - 1)) - self.index)

    def render(self) -> Text:
        track = self._track_width()
        knob = round(self.index / max(1, len(self.values) - 1) * (track - 1))
        text = Text("◂ ", style=Style(dim=True))
        text.append("━" * knob, style=Style(bold=True))
        text.append("●", style=Style(bold=True))
        text.append("─" * (track - knob - 1), style=Style(dim=True))
        text.append(" ▸ ", style=Style(dim=True))
        text.append(self.label(), style=Style(bold=True))
        return text
