"""The welcome page: what the Grimoire is, and the way into its spellbook."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Header, Static

from grimoire import __version__
from grimoire.ui.messages import ShowSource
from grimoire.ui.widgets.footer import KeyFooter

SIGIL = """\
    ✦       ·        ✧
  ╭───────────────────────╮
  │  L I L I T H ' S      │
  │      G R I M O I R E  │
  ╰───────────────────────╯\
"""

WELCOME = """\
A book of the [b]linear algebra inside language models[/b], computed live.

Inside it lives a small familiar: a character-level transformer that was trained, \
by the Grimoire's own code, on the Grimoire's own text — its lessons and its source. \
Every number you will meet here is computed on that model, in numpy, as you watch.

The Grimoire hides nothing. Its spellbook is its own source code, open to read while \
it runs: the pages marked [$text-accent]✦[/] are the spells being cast right now.\
"""


class WelcomeScreen(Screen[None]):
    """An honest welcome, with one way onward: the spellbook."""

    TITLE = "Lilith's Grimoire"
    SUB_TITLE = "welcome"
    CSS_PATH = "../welcome.tcss"
    """Read when the room is first built (see GrimoireApp.build_room), not at start-up."""
    HELP_TITLE = "Welcome"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "app.show_source", "Open the spellbook"),
        Binding("escape", "back", "Back"),
    ]

    KEYS = ("[b]s[/b] the spellbook   ·   [b]ctrl+p[/b] every command   ·   "
            "[b]?[/b] all the keys   ·   [b]ctrl+q[/b] close the book")

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        with Vertical(id="welcome"):
            # Each piece sits in its own Center: a vertical layout aligns its children as one block.
            with Center():
                yield Static(SIGIL, id="sigil")
            with Center():
                yield Static(WELCOME, id="welcome-text")
            with Center():
                yield Button("Open the spellbook", id="open-spellbook", variant="primary")
            with Center():
                yield Static(self.KEYS, id="welcome-keys")
            with Center():
                yield Static(f"grimoire {__version__}", id="welcome-version")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self._came_from_somewhere():
            self.query_one("#welcome-keys", Static).update(
                "[b]escape[/b] back   ·   " + self.KEYS)

    def _came_from_somewhere(self) -> bool:
        stack = self.app.screen_stack
        return self in stack and stack.index(self) > 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self._came_from_somewhere()
        return True

    def action_back(self) -> None:
        """Back to the room the welcome page was opened from."""
        if self._came_from_somewhere() and self.app.screen is self:
            self.app.pop_screen()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "open-spellbook":
            self.post_message(ShowSource())
