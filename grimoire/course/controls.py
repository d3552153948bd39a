"""Control characters made visible, so text from a lesson or a cell can never drive a terminal.

A cell that prints `\\x1b[2J` would blank the learner's screen, `\\x1b]0;…\\x07` would rename the
window, `\\x1b[6n` would type into the terminal's input. Every C0 control except newline and tab,
DEL, and every C1 control is replaced by a character that shows it: the Unicode "control
pictures" (␛ for escape, ␍ for a carriage return) and ⟨9B⟩-style codes for C1, which have no
picture. One translation table, built once, so making a megabyte of output safe is one pass.

Public API::

    visible(text: str) -> str          # the same text, with control characters drawn
    visible_json(value) -> value       # every string inside a JSON-like value made visible
    VisibleStream(stream)              # a text stream whose writes go through `visible`
"""

from __future__ import annotations

import io
from typing import Any, TextIO

_KEPT = {"\n", "\t"}


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if chr(code) not in _KEPT:
            table[code] = chr(0x2400 + code)  # ␀ … ␟: U+2400 is the picture of NUL
    table[0x7F] = "␡"
    for code in range(0x80, 0xA0):
        table[code] = f"⟨{code:02X}⟩"
    return table


_VISIBLE = _table()


def visible(text: str) -> str:
    """`text` with every control character except newline and tab replaced by a visible one."""
    return text.translate(_VISIBLE)


def visible_json(value: Any) -> Any:
    """The same JSON-like value (dicts, lists, strings, numbers) with every string made visible."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {key: visible_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [visible_json(item) for item in value]
    return value


class VisibleStream(io.TextIOBase):
    """Wraps a text stream (stdout, stderr) so nothing written to it can reach the terminal raw."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.stream.write(visible(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)
