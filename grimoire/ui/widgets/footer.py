"""The footer of keys, drawn with the screen's first frame and rebuilt only when its keys change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer, built once with the keys it shows, and again only when they differ.

    Textual's footer starts empty and rebuilds all its keys after every change of focus or
    bindings (three times while the map opens), each rebuild a frame of its own. This one shows
    its keys in the screen's first frame and rebuilds only when what it shows would change.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.set_reactive(Footer._bindings_ready, True)
        self._shown: tuple[object, ...] | None = None
        """What the footer shows now: one entry a key, as `_keys_shown` gives them."""

    def _keys_shown(self) -> tuple[object, ...]:
        app = self.app
        keys: list[object] = [
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             enabled, tooltip, binding.group)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        ]
        keys.append((self.show_command_palette, app.ENABLE_COMMAND_PALETTE, self.compact))
        return tuple(keys)

    def compose(self):
        self._shown = self._keys_shown()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and self._keys_shown() != self._shown:
            self.call_after_refresh(self.recompose)
