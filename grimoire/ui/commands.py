"""Command palette (ctrl+p): open any page or symbol of the spellbook, or go to any screen."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from grimoire.outline import outline
from grimoire.ui import sourcefiles
from grimoire.ui.plain import plain


@dataclass(frozen=True)
class SpellbookEntry:
    """Something the palette can open: a page, or a symbol within a page."""

    label: str
    """What the palette shows and matches, e.g. `grimoire/cli.py:main`."""
    help: str
    path: str
    symbol: str | None = None


def spellbook_entries() -> list[SpellbookEntry]:
    """Every page of the Grimoire, and every class, function, key and step in them."""
    entries: list[SpellbookEntry] = []
    for entry in sourcefiles.all_files():
        entries.append(SpellbookEntry(entry.shown, "open this page of the spellbook", entry.shown))
        for symbol in outline(entry.real):
            if symbol.kind in ("class", "function", "method", "step"):
                entries.append(SpellbookEntry(
                    f"{entry.shown}:{symbol.qualname}",
                    f"{symbol.kind} {symbol.name}, line {symbol.line}: open it in the spellbook",
                    entry.shown,
                    symbol.qualname,
                ))
    return entries


class SpellbookCommands(Provider):
    """Pages and symbols of the source, opened in the spellbook with their lines marked."""

    async def startup(self) -> None:
        # Reading every file's outline takes a moment; a thread keeps the palette responsive.
        self.entries = await asyncio.to_thread(spellbook_entries)

    def _open(self, entry: SpellbookEntry) -> None:
        self.app.show_source(entry.path, symbol=entry.symbol)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for entry in self.entries:
            if entry.symbol is None:
                yield DiscoveryHit(plain(f"Open {entry.label}"), partial(self._open, entry),
                                   help=escape(entry.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries:
            score = matcher.match(entry.label)
            if score > 0:
                # The palette reads prompts and help as markup: a lesson step titled `x[i]`
                # is escaped, so it shows as written.
                yield Hit(score, matcher.highlight(escape(entry.label)),
                          partial(self._open, entry), text=entry.label, help=escape(entry.help))


class RoomCommands(Provider):
    """The screens of the Grimoire, by their titles."""

    def _rooms(self) -> list[tuple[str, str]]:
        return self.app.palette_rooms(self.screen)  # type: ignore[attr-defined]

    def _go(self, name: str) -> None:
        self.app.open_room(name)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for name, title in self._rooms():
            yield DiscoveryHit(plain(f"Go to {title}"), partial(self._go, name))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, title in self._rooms():
            label = f"Go to {title}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(escape(label)), partial(self._go, name),
                          text=label)
