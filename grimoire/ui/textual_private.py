"""Every use of Textual's private API, in one place: an upgrade that removes one fails one test.

Textual offers no public hook for four things the Grimoire needs: seeing a key before an editor
or an input field acts on it, keeping a burst of keys in order in a text field (the app's
`on_event`), filling a TextArea's highlight map without tree-sitter, and a footer built once
with its keys (grimoire/ui/widgets/footer.py). They are done here, or listed here, and nowhere
else; tests/app/test_app_textual_private.py checks each name still exists in the installed
Textual."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual import events
    from textual.widgets import TextArea

PRIVATE_NAMES: list[tuple[str, str, str]] = [
    ("textual.widgets", "TextArea", "_on_key"),
    ("textual.widgets", "Input", "_on_key"),
    ("textual.widgets", "TextArea", "_build_highlight_map"),
    ("textual.widgets", "TextArea", "_highlights"),
    ("textual.widgets", "TextArea", "_line_cache"),
    ("textual.widgets", "Footer", "_bindings_ready"),
    ("textual.widgets._footer", "FooterKey", "compact"),
    ("textual.widgets", "Static", "_reactive_connect"),
    ("textual.app", "App", "_check_bindings"),
    ("textual.widgets._text_area", "TextArea", "_bindings"),
]
"""(module, class, name) of each private thing used: what the test checks."""


class KeysFirst:
    """Mix into a TextArea or Input subclass: `key_first` sees each key before Textual acts.

    `key_first` returns True when the widget must do nothing with the key; it stops the key
    itself (`event.stop()`) when nothing else may see it either.
    """

    async def key_first(self, event: events.Key) -> bool:
        return False

    async def _on_key(self, event: events.Key) -> None:
        if await self.key_first(event):
            event.prevent_default()
            return
        await super()._on_key(event)  # type: ignore[misc]


class OwnHighlights:
    """Mix into a TextArea subclass: `highlights(text)` fills the highlight map, not tree-sitter.

    `highlights` returns, per line, (start byte, end byte, highlight name) spans.
    """

    def highlights(self, text: str) -> dict[int, list[tuple[int, int | None, str]]]:
        return {}

    def _build_highlight_map(self) -> None:
        area: TextArea | Any = self
        # TextArea calls this after every edit; its cached lines were drawn with the old map.
        area._line_cache.clear()
        area._highlights.clear()
        for row, spans in self.highlights(area.text).items():
            area._highlights[row].extend(spans)


def bound_to_parent(widget: Any, name: str) -> bool:
    """Whether `widget`'s reactive `name` follows its parent's (`data_bind`), before mounting."""
    return name in (widget._reactive_connect or {})


def is_text_area(widget: object) -> bool:
    """Whether `widget` is a TextArea, without importing TextArea when none was ever made."""
    module = sys.modules.get("textual.widgets._text_area")
    return module is not None and isinstance(widget, module.TextArea)


def owns_key(widget: Any, key: str) -> bool:
    """Whether `widget` itself (not a container around it) binds `key`."""
    return any(not binding.priority for binding in widget._bindings.key_to_bindings.get(key, ()))
