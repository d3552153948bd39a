"""A Python editor for lesson cells: Textual's TextArea, highlighted by Pygments in the app theme.

TextArea highlights through tree-sitter, which the Grimoire does not depend on; instead the
highlight map TextArea keeps (per line: byte ranges and a highlight name) is filled from
Pygments tokens, and the names are styled with the same theme colours as the source browser,
so a cell and the source it came from look alike.
"""

from __future__ import annotations

import functools

from pygments.lexers.python import PythonLexer
from pygments.token import _TokenType
from rich.style import Style
from textual import events
from textual.color import Color
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult, TextAreaTheme

from grimoire.course.controls import visible
from grimoire.ui.textual_private import KeysFirst, OwnHighlights
from grimoire.ui.widgets.code_view import TOKEN_COLOURS

THEME_NAME = "grimoire-cell"
_THEMES: dict[str, TextAreaTheme] = {}
"""The cell theme made for each app theme, made once."""
_LEXER = PythonLexer(stripnl=False, ensurenl=False)


def _highlight_name(token_type: _TokenType) -> str | None:
    """The nearest token type (itself or a parent) that has a colour, as a highlight name."""
    current: _TokenType | None = token_type
    while current is not None:
        if current in TOKEN_COLOURS:
            return str(current)
        current = current.parent
    return None


@functools.lru_cache(maxsize=512)
def python_highlights(text: str) -> dict[int, list[tuple[int, int | None, str]]]:
    """Per line: (start byte, end byte, highlight name) of every coloured token of `text`.

    Cached by text: turning back to a page, or a redraw, finds its cells already coloured.
    The result is shared, so callers copy from it and never change it.
    """
    highlights: dict[int, list[tuple[int, int | None, str]]] = {}
    row, column = 0, 0
    for token_type, value in _LEXER.get_tokens(text):
        name = _highlight_name(token_type)
        pieces = value.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                row, column = row + 1, 0
            size = len(piece.encode("utf-8"))
            if name is not None and size:
                highlights.setdefault(row, []).append((column, column + size, name))
            column += size
    return highlights


def _colour(text: str | None) -> Color | None:
    if not text:
        return None
    try:
        return Color.parse(text)
    except Exception:  # noqa: BLE001 - a theme variable Textual itself cannot parse
        return None


def cell_theme(variables: dict[str, str]) -> TextAreaTheme:
    """A TextArea theme whose syntax colours come from the app theme's variables."""
    background = _colour(variables.get("surface")) or Color(0, 0, 0)
    foreground = _colour(variables.get("foreground")) or Color(224, 224, 224)
    styles: dict[str, Style] = {}
    for token_type, (colour_name, attributes) in TOKEN_COLOURS.items():
        if colour_name == "muted":
            colour: Color | None = background.blend(foreground, 0.55)
        elif colour_name == "text":
            colour = None
        else:
            colour = _colour(variables.get(colour_name))
        styles[str(token_type)] = Style(
            color=colour.rich_color if colour else None,
            bold="bold" in attributes or None,
            italic="italic" in attributes or None,
        )
    return TextAreaTheme(name=THEME_NAME, syntax_styles=styles)


def plain_code(text: str) -> str:
    """Code as an editor may hold it: line breaks as newlines, other control characters visible.

    Saved code comes back from the progress file and pasted code from anywhere; an escape in
    either must show as ␛, not reach the terminal when the editor draws its lines.
    """
    if not any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in text):
        return text
    return visible(text.replace("\r\n", "\n").replace("\r", "\n"))


class CodeEditor(KeysFirst, OwnHighlights, TextArea):
    """A Python code editor with line numbers, indentation on tab and theme-following colours."""

    DEFAULT_CSS = """
    CodeEditor {
        height: auto;
        max-height: 24;
        min-height: 1;
        border: none;
        border-left: outer $primary 40%;
        background: $surface;
        padding: 0 1 0 0;
    }
    CodeEditor:focus { border: none; border-left: outer $accent; background: $boost; }
    """

    def __init__(
        self,
        text: str = "",
        *,
        read_only: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            plain_code(text),
            language=None,
            soft_wrap=False,
            # Tab indents, as in any code editor; Escape hands the keyboard back to the page
            # (see key_first), so it is never trapped in a cell.
            tab_behavior="indent",
            show_line_numbers=True,
            read_only=read_only,
            name=name,
            id=id,
            classes=classes,
        )
        self.indent_width = 4
        self.cursor_blink = False

    def load_text(self, text: str) -> None:
        super().load_text(plain_code(text))

    def edit(self, edit: Edit) -> EditResult:
        # Every insertion (typing, paste, replace) passes here.
        edit.text = plain_code(edit.text)
        return super().edit(edit)

    def on_mount(self) -> None:
        self._take_app_theme()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._take_app_theme())

    def _take_app_theme(self) -> None:
        theme = _THEMES.get(self.app.theme)
        if theme is None:
            theme = _THEMES[self.app.theme] = cell_theme(self.app.get_css_variables())
        self.register_theme(theme)
        self.theme = THEME_NAME  # the highlight map stays: it names tokens, not colours

    async def key_first(self, event: events.Key) -> bool:
        # TextArea's escape (with tab indenting) jumps to the next widget, i.e. the next cell;
        # here it hands the keyboard back to the page around the cell, where n, p, h, s work.
        # Shift+Tab takes it back to the page too, so both ways out of a cell are at hand.
        if event.key in ("escape", "shift+tab"):
            event.stop()
            for ancestor in self.ancestors:
                if getattr(ancestor, "can_focus", False):
                    ancestor.focus()  # type: ignore[attr-defined]
                    return True
            self.screen.set_focus(None)
            return True
        if event.key == "enter" and not self.read_only:
            event.stop()
            row, column = self.cursor_location
            before = self.document.get_line(row)[:column]
            indent = before[: len(before) - len(before.lstrip(" "))]
            if before.rstrip().endswith(":"):
                indent += " " * self.indent_width
            start, end = self.selection
            self.replace("\n" + indent, start, end, maintain_selection_offset=False)
            return True
        return False

    def highlights(self, text: str) -> dict[int, list[tuple[int, int | None, str]]]:
        return python_highlights(text)
