"""What a screen asks of the app, as Textual messages: they bubble up to GrimoireApp."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class OpenRoom(Message):
    """Push room `name` (see grimoire.ui.app.ROOMS), with the request's fields."""

    def __init__(self, name: str, **fields: Any) -> None:
        super().__init__()
        self.name = name
        self.fields = fields


class ShowSource(Message):
    """Open the spellbook at a file of the Grimoire, a symbol in it or a range of lines."""

    def __init__(self, path: str | None = None, symbol: str | None = None,
                 lines: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.path = path
        self.symbol = symbol
        self.lines = lines
