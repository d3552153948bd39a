"""The footer of keys, drawn with the screen's first frame and rebuilt only when its keys change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from grimoire.ui.textual_private import bound_to_parent


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
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # A key is made compact, then bound to the footer's (not compact) look: two
                # restylings of every key before the first frame. Given its look as it is
                # built, both find nothing to change. (The palette's key is not bound to the
                # footer: Textual draws it compact.)
                compact = self.compact if bound_to_parent(widget, "compact") else True
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus:
            return
        if not (self.is_attached and screen is self.screen):
            return
        keys = self._keys_shown()
        if keys == self._shown:
            return
        if self._show_by_hiding():
            self._shown = keys
        else:
            self.call_after_refresh(self.recompose)

    def _show_by_hiding(self) -> bool:
        """Show the keys the screen offers now by hiding and showing keys already built.

        Focusing a text field hides the single-letter keys (they type letters there) and leaving
        it brings them back: the same keys, some of them hidden. When every key offered now is
        one already built, in the same order, that costs no rebuilding. False when it cannot
        be done that way (a key that was never built, another order, grouped keys).
        """
        offered: list[tuple[str, str, str, bool]] = []
        actions: set[str] = set()
        for _, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show:
                continue
            if binding.group is not None:
                return False
            if binding.action in actions:  # the footer shows the first key of an action
                continue
            actions.add(binding.action)
            offered.append((binding.key, binding.action, binding.description, not enabled))
        built = [key for key in self.query(FooterKey) if not key.has_class("-command-palette")]
        matched = [key for key in built
                   if (key.key, key.action, key.description, key._disabled) in offered]
        if len(matched) != len(offered) or [
                (key.key, key.action, key.description, key._disabled)
                for key in matched] != offered:
            return False
        for key in built:
            key.display = key in matched
        return True
