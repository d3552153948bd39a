"""Lesson prose: Markdown with $math$ as Unicode and {{ values }} the step's code computed.

Drawn as one Rich Markdown renderable in one widget (not a widget per paragraph, as Textual's
Markdown widget does), so a step of long prose mounts in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.markdown import Markdown
from textual.widgets import Static

from grimoire.course.mathtext import render as render_math
from grimoire.course.schema import Placeholder

PENDING = "…"
"""What a {{ value }} shows until the step's code has run."""
CODE_THEME = "monokai"
"""Pygments theme of fenced code inside prose (inline code is coloured the same way)."""


def fill_placeholders(
    text: str, placeholders: Sequence[Placeholder], values: Sequence[str | None] | None
) -> str:
    """The text with each placeholder replaced by its value (PENDING when not computed yet)."""
    pieces: list[str] = []
    last = 0
    for index, placeholder in enumerate(placeholders):
        pieces.append(text[last : placeholder.start])
        value = values[index] if values is not None and index < len(values) else None
        pieces.append(PENDING if value is None else value)
        last = placeholder.end
    pieces.append(text[last:])
    return "".join(pieces)


def prose_markdown(
    text: str, placeholders: Sequence[Placeholder], values: Sequence[str | None] | None
) -> str:
    """What the learner reads: values filled in first (they may sit inside math), then math."""
    return render_math(fill_placeholders(text, placeholders, values))


def markdown(text: str) -> Markdown:
    """Markdown as the Grimoire draws it: Python-coloured code, inline and fenced."""
    return Markdown(text, code_theme=CODE_THEME, inline_code_lexer="python",
                    inline_code_theme=CODE_THEME)


class Prose(Static):
    """A prose block; `fill(values)` puts in the computed values once the cells have run."""

    DEFAULT_CSS = """
    Prose {
        margin: 0 0 1 0;
        padding: 0 1;
    }
    """

    def __init__(self, text: str, placeholders: Sequence[Placeholder] = (),
                 values: Sequence[str | None] | None = None) -> None:
        self.source_text = text
        self.placeholders = list(placeholders)
        self.shown_markdown = prose_markdown(text, self.placeholders, values)
        """The Markdown shown now: values filled in, math rendered."""
        super().__init__(markdown(self.shown_markdown))

    def fill(self, values: Sequence[str | None]) -> None:
        """Show the prose with these placeholder values."""
        self.shown_markdown = prose_markdown(self.source_text, self.placeholders, values)
        self.update(markdown(self.shown_markdown))
