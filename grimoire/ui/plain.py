"""Lesson, kernel and learner text for Textual: drawn as text, never parsed as markup.

Textual reads a plain `str` handed to Static, Label, a border title, an option or a toast as
markup, so `split("[/]")` raises MarkupError and `x[i]` loses its `[i]`. Every piece of text that
did not come from the Grimoire's own code goes through these helpers, which also make control
characters visible (see grimoire.course.controls).

Public API::

    plain(text: object, style: str = "") -> Content     # for Static, Label, border titles, options
    plain_text(text: object, style: str = "") -> Text   # the same as Rich Text, to assemble lines
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from grimoire.course.controls import visible


def plain(text: object, style: str = "") -> Content:
    """`text` exactly as written (controls made visible), optionally in one style."""
    shown = visible(str(text))
    return Content.styled(shown, style) if style else Content(shown)


def plain_text(text: object, style: str = "") -> Text:
    """`text` as Rich Text: never markup, controls made visible."""
    return Text(visible(str(text)), style=style)
