"""Lesson prose: Markdown, with the values and math the lesson session put in, drawn fast.

Drawn as one Rich Markdown renderable in one widget (not a widget per paragraph, as Textual's
Markdown widget does), so a step of long prose mounts in a few milliseconds.
"""

from __future__ import annotations

import re

from rich.markdown import Markdown
from rich.text import Text
from rich.theme import Theme as RichTheme
from textual.app import App
from textual.widget import Widget
from textual.widgets import Static

from grimoire.course.controls import visible
from grimoire.course.mathtext import render as render_math

CODE_THEME = "monokai"
"""Pygments theme of fenced code inside prose (inline code is coloured the same way)."""


def markdown(text: str) -> Markdown:
    """Markdown as the Grimoire draws it: fenced code coloured as Python.

    Inline code is not lexed (Pygments on every `span` costs more than the rest of a step's
    drawing together); it takes the `markdown.code` style that `Prose` sets from the theme.
    """
    return Markdown(text, code_theme=CODE_THEME)


def _style_inline_code(app: App) -> None:
    """Inline code in prose: bold, in the accent's text colour of the current theme."""
    from grimoire.ui.widgets.palette import css_colour

    style = f"bold {css_colour(app, 'text-accent')}"
    app.console.push_theme(RichTheme({"markdown.code": style}))


class Prose(Static):
    """A prose block, drawn from Markdown whose values and math are already in (`show`)."""

    DEFAULT_CSS = """
    Prose {
        margin: 0 0 1 0;
        padding: 0 1;
    }
    """

    def __init__(self, text: str, key: str | None = None) -> None:
        self.key = key
        """The block this prose is, in its lesson ("step.block"), when it is a lesson's."""
        self.shown_markdown = text
        """The Markdown shown now."""
        super().__init__(markdown(text))

    def on_mount(self) -> None:
        app = self.app
        if not getattr(app, "_grimoire_prose_theme", False):
            app._grimoire_prose_theme = True  # type: ignore[attr-defined]
            _style_inline_code(app)
            app.theme_changed_signal.subscribe(app, lambda _theme: _style_inline_code(app))

    def show(self, text: str) -> None:
        """Show this Markdown instead (nothing is redrawn when it is what is shown)."""
        if text != self.shown_markdown:
            self.shown_markdown = text
            self.update(markdown(text))


_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])")
def inline_text(text: str, style: str = "", code_style: str = "bold") -> Text:
    """One line of lesson text with $math$, `code`, **bold** and *italic* drawn, as Rich Text.

    `code_style` is for inline code; widgets pass the theme's accent (see `code_style_for`).
    """
    rendered = visible(render_math(text))
    result = Text(style=style)
    last = 0
    for match in _INLINE.finditer(rendered):
        result.append(rendered[last : match.start()])
        code, bold, italic = match.groups()
        if code is not None:
            result.append(code, style=code_style)
        elif bold is not None:
            result.append(bold, style="bold")
        else:
            result.append(italic, style="italic")
        last = match.end()
    result.append(rendered[last:])
    return result


def code_style_for(widget: Widget) -> str:
    """Inline code's style in the current theme: bold, in the accent's text colour."""
    from grimoire.ui.widgets.palette import css_colour

    return f"bold {css_colour(widget.app, 'text-accent')}"
