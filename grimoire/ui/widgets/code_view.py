"""A read-only code viewer that highlights with Pygments in the app's theme and draws only what shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pygments.lexer import Lexer
from pygments.token import Token, _TokenType
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

TAB_SIZE = 4
LONG_PAGE_LINES = 2_000
"""Pages longer than this are coloured a window at a time, as they are shown (`lex_window`)."""

WINDOW_MARGIN = 40
"""Lines coloured beyond those on screen, so a short scroll finds them ready."""

SAFE_LOOKBACK = 400
"""How far above a window a colouring may begin, to start at a line the lexer can start at."""

_SAFE_STARTS = ("def ", "class ", "async def ", "@", "import ", "from ", "#", "- title:",
                "steps:", "---")

# Which theme colour each kind of token wears; looked up through the token's parents.
TOKEN_COLOURS: dict[_TokenType, tuple[str, str]] = {
    Token.Comment: ("muted", "italic"),
    Token.Comment.Preproc: ("text-secondary", ""),
    Token.Keyword: ("text-accent", "bold"),
    Token.Keyword.Constant: ("text-warning", ""),
    Token.Keyword.Namespace: ("text-accent", ""),
    Token.Keyword.Type: ("text-secondary", ""),
    Token.Operator.Word: ("text-accent", "bold"),
    Token.Name.Builtin: ("text-secondary", ""),
    Token.Name.Builtin.Pseudo: ("text-secondary", "italic"),
    Token.Name.Class: ("text-primary", "bold"),
    Token.Name.Function: ("text-primary", ""),
    Token.Name.Function.Magic: ("text-primary", ""),
    Token.Name.Decorator: ("text-secondary", "italic"),
    Token.Name.Exception: ("text-error", ""),
    Token.Name.Tag: ("text-primary", ""),
    Token.Name.Attribute: ("text-primary", ""),
    Token.Name.Namespace: ("text", ""),
    Token.Literal.String: ("text-success", ""),
    Token.Literal.String.Doc: ("text-success", "italic"),
    Token.Literal.String.Interpol: ("text-warning", ""),
    Token.Literal.String.Escape: ("text-warning", ""),
    Token.Literal.Number: ("text-warning", ""),
    Token.Generic.Heading: ("text-primary", "bold"),
    Token.Generic.Subheading: ("text-primary", "bold"),
    Token.Generic.Strong: ("text", "bold"),
    Token.Generic.Emph: ("text", "italic"),
    Token.Error: ("text-error", ""),
}

LineTokens = list[tuple[str, _TokenType]]


@dataclass(frozen=True)
class Mark:
    """Lines drawn out for the reader (1-based, inclusive), e.g. the symbol a lesson points at."""

    start: int
    end: int


LEXER_NAMES = {".py": "python", ".pyi": "python", ".yaml": "yaml", ".yml": "yaml",
               ".md": "markdown", ".toml": "toml", ".tcss": "scss", ".json": "json",
               ".txt": "text"}
"""The languages of the Grimoire's own pages, named directly: looking a lexer up by file name
loads and tries every lexer Pygments has (a second, the first time)."""


def lexer_for(name: str, text: str) -> Lexer:
    """The Pygments lexer for a file name, plain text when none fits."""
    from pygments.lexers import TextLexer, get_lexer_by_name, get_lexer_for_filename
    from pygments.util import ClassNotFound

    options = {"stripnl": False, "ensurenl": False, "tabsize": TAB_SIZE}
    known = LEXER_NAMES.get(name[name.rfind("."):].lower()) if "." in name else None
    try:
        if known is not None:
            return get_lexer_by_name(known, **options)
        return get_lexer_for_filename(name, text, **options)
    except ClassNotFound:
        return TextLexer(**options)


def safe_start(lines: list[str], index: int, lookback: int = SAFE_LOOKBACK) -> int:
    """A line at or above `index` where colouring can begin as if at the top of the page.

    Lexers carry state from line to line (an open string, a block of YAML), so colouring a
    window of a long page begins at the nearest line above it that starts a top-level
    statement or key (`def`, `class`, a decorator, an import, a comment, a lesson's step)
    after a line that is neither indented nor a decorator: the start of a page as far as the
    lexer can tell. At most `lookback` lines above; the top of the page is always safe.
    """
    for number in range(index, max(-1, index - lookback - 1), -1):
        if number == 0:
            return 0
        line = lines[number]
        if line.startswith(_SAFE_STARTS) and not lines[number - 1].startswith((" ", "\t", "@")):
            return number
    return max(0, index - lookback)


def tokenize(text: str, name: str) -> list[LineTokens]:
    """Split `text` into lines of (piece, token type), as the lexer for `name` reads them."""
    lines: list[LineTokens] = [[]]
    for token_type, value in lexer_for(name, text).get_tokens(text):
        pieces = value.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                lines.append([])
            if piece:
                lines[-1].append((piece, token_type))
    return lines


class CodeView(ScrollView, can_focus=True):
    """Shows one page of the spellbook with line numbers, a cursor line and marked lines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First line", show=False),
        Binding("end", "edge(1)", "Last line", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "code-view--gutter",
        "code-view--gutter-cursor",
        "code-view--gutter-mark",
        "code-view--cursor",
        "code-view--mark",
        "code-view--match",
    }

    DEFAULT_CSS = """
    CodeView { background: $surface; }
    CodeView > .code-view--gutter { color: $text-muted 50%; background: $surface; }
    CodeView > .code-view--gutter-cursor { color: $text-accent; background: $surface; text-style: bold; }
    CodeView > .code-view--gutter-mark { color: $text-accent; background: $surface; }
    CodeView > .code-view--cursor { background: $primary 24%; }
    CodeView > .code-view--mark { background: $primary 11%; }
    CodeView > .code-view--match { background: $accent 45%; color: $text; }
    """

    cursor_line: reactive[int] = reactive(1, init=False, always_update=True)
    """The line the reader is on (1-based); find, outline and go-to move it."""

    class CursorMoved(Message):
        """The reader moved to another line."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.file_name = ""
        self._lines: list[str] = []
        self._tokens: dict[int, LineTokens] = {}
        """The coloured pieces of each line lexed so far, by index."""
        self._windowed = False
        """The page is long: it is coloured a window at a time, as it is shown."""
        self.mark: Mark | None = None
        self.find_text = ""
        self._styles: dict[_TokenType, Style] = {}
        self._line_cache: LRUCache[int, list[Segment]] = LRUCache(1024)
        self._strip_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(256)
        """Drawn rows, by everything a row's look depends on: a repaint that changes one row
        (the cursor moved, the focus came or went) draws only that row anew."""
        self._drawn = 0
        """Bumped whenever what rows look like changes (colours, a new page, the theme)."""

    # -- loading ---------------------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def lines(self) -> list[str]:
        """The page's text, one string a line, tabs expanded."""
        return self._lines

    def load(self, text: str, file_name: str) -> None:
        """Show `text`, coloured as the language of `file_name` is coloured."""
        self.file_name = file_name
        self._lines = text.expandtabs(TAB_SIZE).split("\n")
        if len(self._lines) > 1 and self._lines[-1] == "":
            self._lines.pop()
        self._tokens = {}
        self.mark = None
        self.find_text = ""
        self._line_cache.clear()
        self._drawn += 1
        # Plain ASCII is one cell a character; only other lines need measuring.
        width = max((len(line) if line.isascii() else cell_len(line) for line in self._lines),
                    default=0)
        self.virtual_size = Size(self._gutter_width + width + 1, len(self._lines))
        self.set_reactive(CodeView.cursor_line, 1)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._windowed = len(self._lines) > LONG_PAGE_LINES
        if not self._windowed:
            self._tokens = dict(enumerate(tokenize("\n".join(self._lines), file_name)))
        self.refresh()

    def lex_window(self, first: int, last: int) -> None:
        """Colour lines `first` to `last` (0-based) of a long page, from a safe start above."""
        start = safe_start(self._lines, first)
        last = min(last, len(self._lines) - 1)
        window = tokenize("\n".join(self._lines[start : last + 1]), self.file_name)
        for offset, tokens in enumerate(window):
            self._tokens.setdefault(start + offset, tokens)
            self._line_cache.discard(start + offset)
        self._drawn += 1

    @property
    def is_coloured(self) -> bool:
        """True when the lines on screen are coloured (every line, for a page not too long)."""
        if not self._windowed:
            return True
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height or self.size.height
        return all(index in self._tokens
                   for index in range(top, min(top + height, len(self._lines))))

    # -- moving ----------------------------------------------------------------------------------

    def go_to_line(self, line: int, mark: Mark | None = None) -> None:
        """Put the cursor on `line`, scrolled so a few lines of context show above it."""
        line = max(1, min(line, max(1, self.line_count)))
        if mark is not None:
            self.mark = mark
            self._line_cache.clear()
        self._drawn += 1
        self.cursor_line = line
        top = max(0, line - 1 - 3)
        if mark is not None and mark.end - mark.start + 4 > self.size.height > 0:
            top = max(0, mark.start - 2)
        self.scroll_to(y=top, animate=False, immediate=True)
        self.refresh()

    def show_text_at(self, line: int, text: str) -> None:
        """Scroll sideways, if need be, so the first `text` on `line` (ignoring case) shows."""
        if not 1 <= line <= self.line_count or not text:
            return
        content = self._lines[line - 1]
        column = content.lower().find(text.lower())
        if column < 0:
            return
        start = cell_len(content[:column])
        end = start + cell_len(content[column : column + len(text)])
        width = self.scrollable_content_region.width - self._gutter_width
        if width <= 0:
            return
        if start < self.scroll_x or end > self.scroll_x + width:
            # The line's start when the match fits beside it; else a little of what comes
            # before the match stays in sight, for context.
            if end <= width:
                target = 0
            else:
                target = start - width // 4 if end - start < width * 3 // 4 else start
            self.scroll_to(x=max(0, target), animate=False, immediate=True)
            self.refresh()

    def watch_cursor_line(self, line: int) -> None:
        self._keep_cursor_visible()
        self.refresh()
        self.post_message(self.CursorMoved(line))

    def _keep_cursor_visible(self) -> None:
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        row = self.cursor_line - 1
        if row < self.scroll_y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= self.scroll_y + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor_line = max(1, min(self.line_count, self.cursor_line + delta))

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.cursor_line = max(1, min(self.line_count, self.cursor_line + direction * height))

    def action_edge(self, end: int) -> None:
        self.cursor_line = self.line_count if end else 1

    def find_next(self, text: str, start_line: int, backwards: bool = False) -> int | None:
        """The first line after (or before) `start_line` holding `text` (ignoring case), wrapping."""
        needle = text.lower()
        count = self.line_count
        if not needle or not count:
            return None
        step = -1 if backwards else 1
        for offset in range(1, count + 1):
            index = (start_line - 1 + step * offset) % count
            if needle in self._lines[index].lower():
                return index + 1
        return None

    def set_find_text(self, text: str) -> None:
        """Show every occurrence of `text` in the page with the match colour."""
        self.find_text = text
        self.refresh()

    # -- drawing ---------------------------------------------------------------------------------

    @property
    def _gutter_width(self) -> int:
        return len(str(max(1, len(self._lines)))) + 3

    def on_mount(self) -> None:
        self._take_theme()
        self.watch(self.app, "theme", lambda _theme: self._take_theme(), init=False)

    def _take_theme(self) -> None:
        variables = self.app.get_css_variables()
        background = _colour(variables.get("surface")) or Color(0, 0, 0)
        foreground = _colour(variables.get("foreground")) or Color(224, 224, 224)

        def resolve(name: str) -> Color | None:
            if name == "muted":
                return background.blend(foreground, 0.55)
            if name == "text":
                return None
            return _colour(variables.get(name))

        self._styles = {}
        for token_type, (colour_name, attributes) in TOKEN_COLOURS.items():
            colour = resolve(colour_name)
            self._styles[token_type] = Style(
                color=colour.rich_color if colour else None,
                bold="bold" in attributes or None,
                italic="italic" in attributes or None,
            )
        self._line_cache.clear()
        self._drawn += 1
        self.refresh()

    def _style_for(self, token_type: _TokenType) -> Style | None:
        while token_type is not None:
            style = self._styles.get(token_type)
            if style is not None:
                return style
            token_type = token_type.parent
        return None

    def _code_segments(self, index: int) -> list[Segment]:
        cached = self._line_cache.get(index)
        if cached is not None:
            return cached
        if self._windowed and index not in self._tokens:
            # A long page: colour what is on screen now (and a margin), from a safe start.
            top = self.scroll_offset.y
            height = self.scrollable_content_region.height or self.size.height
            self.lex_window(max(0, min(index, top) - WINDOW_MARGIN // 4),
                            max(index, top + height) + WINDOW_MARGIN)
        tokens = self._tokens.get(index)
        if tokens is not None:
            segments = [Segment(text, self._style_for(kind)) for text, kind in tokens]
        else:
            segments = [Segment(self._lines[index])]
        self._line_cache[index] = segments
        return segments

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        number = index + 1
        is_cursor = number == self.cursor_line and self.has_focus
        in_mark = self.mark is not None and self.mark.start <= number <= self.mark.end
        key = (index, scroll_x, width, base, number == self.cursor_line, is_cursor, in_mark,
               self.find_text, self._drawn)
        drawn = self._strip_cache.get(key)
        if drawn is None:
            drawn = self._strip_cache[key] = self._draw_row(index, scroll_x, width, base,
                                                            is_cursor, in_mark)
        return drawn

    def _draw_row(self, index: int, scroll_x: int, width: int, base: Style, is_cursor: bool,
                  in_mark: bool) -> Strip:
        """Row `index` of the page: its gutter (number, mark) and its code from `scroll_x`."""
        number = index + 1
        gutter_width = self._gutter_width
        if number == self.cursor_line:
            gutter_style = self.get_component_rich_style("code-view--gutter-cursor")
        elif in_mark:
            gutter_style = self.get_component_rich_style("code-view--gutter-mark")
        else:
            gutter_style = self.get_component_rich_style("code-view--gutter")
        bar = "▌" if in_mark else " "
        gutter = Strip([
            Segment(f"{number:>{gutter_width - 3}} ", gutter_style),
            Segment(bar, self.get_component_rich_style("code-view--gutter-mark")),
            Segment(" ", gutter_style),
        ])
        line_style = base
        if in_mark:
            line_style = base + self.get_component_rich_style("code-view--mark")
        if is_cursor:
            line_style = line_style + self.get_component_rich_style("code-view--cursor")
        segments = self._code_segments(index)
        if self.find_text:
            segments = self._with_matches(self._lines[index], segments)
        code = Strip(Segment.apply_style(segments, line_style))
        code_width = max(0, width - gutter_width)
        code = code.crop_extend(scroll_x, scroll_x + code_width, line_style)
        return Strip.join([gutter, code])

    def _with_matches(self, line: str, segments: list[Segment]) -> list[Segment]:
        needle = self.find_text.lower()
        haystack = line.lower()
        cuts: list[int] = []
        start = haystack.find(needle)
        while start >= 0:
            cuts += [cell_len(line[:start]), cell_len(line[: start + len(needle)])]
            start = haystack.find(needle, start + len(needle))
        if not cuts:
            return segments
        match_style = self.get_component_rich_style("code-view--match")
        pieces = list(Segment.divide(segments, [*cuts, cell_len(line)]))
        out: list[Segment] = []
        for position, piece in enumerate(pieces):
            if position % 2 == 1:
                out += [Segment(s.text, (s.style or Style()) + match_style) for s in piece]
            else:
                out += piece
        return out

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event) -> None:
        line = self.scroll_offset.y + event.y + 1
        if 1 <= line <= self.line_count:
            self.cursor_line = line


def _colour(value: str | None) -> Color | None:
    if not value:
        return None
    try:
        return Color.parse(value)
    except Exception:  # noqa: BLE001 -- theme values like 'ansi_default' or 'auto 87%' are not plain colours
        return None
