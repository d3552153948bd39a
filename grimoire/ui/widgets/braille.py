"""A dot canvas drawn with braille characters: each text cell holds a 2×4 grid of dots.

Scatter plots and line charts draw on it. Every cell keeps the colour of the last mark made in
it, and a cell may instead hold a text label (a character of the vocabulary, say).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text

# Bit of each dot in a braille character, indexed [row][column] within the cell.
_DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


@dataclass
class BrailleCanvas:
    """`columns`×`rows` text cells, i.e. (2·columns)×(4·rows) dots; (0, 0) is the top left."""

    columns: int
    rows: int
    _bits: list[list[int]] = field(init=False)
    _colour: list[list[str | None]] = field(init=False)
    _label: list[list[str | None]] = field(init=False)

    def __post_init__(self) -> None:
        self._bits = [[0] * self.columns for _ in range(self.rows)]
        self._colour = [[None] * self.columns for _ in range(self.rows)]
        self._label = [[None] * self.columns for _ in range(self.rows)]

    @property
    def dot_width(self) -> int:
        return self.columns * 2

    @property
    def dot_height(self) -> int:
        return self.rows * 4

    def dot(self, x: int, y: int, colour: str) -> None:
        """Set the dot at (x, y) in dot coordinates; out-of-range dots are ignored."""
        if 0 <= x < self.dot_width and 0 <= y < self.dot_height:
            column, row = x // 2, y // 4
            self._bits[row][column] |= _DOT_BITS[y % 4][x % 2]
            self._colour[row][column] = colour

    def segment(self, x0: int, y0: int, x1: int, y1: int, colour: str) -> None:
        """A straight line of dots from (x0, y0) to (x1, y1) (Bresenham)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        while True:
            self.dot(x0, y0, colour)
            if x0 == x1 and y0 == y1:
                return
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                x0 += sx
            if doubled <= dx:
                error += dx
                y0 += sy

    def label(self, column: int, row: int, text: str, colour: str) -> None:
        """Write `text` into cells starting at (column, row), cropped at the right edge."""
        if not 0 <= row < self.rows:
            return
        for offset, char in enumerate(text):
            c = column + offset
            if 0 <= c < self.columns:
                self._label[row][c] = char
                self._colour[row][c] = colour

    def line(self, row: int) -> Text:
        """One row of cells as styled text."""
        text = Text()
        for column in range(self.columns):
            label = self._label[row][column]
            colour = self._colour[row][column]
            if label is not None:
                text.append(label, style=Style(color=colour, bold=True))
            elif self._bits[row][column]:
                text.append(chr(0x2800 + self._bits[row][column]), style=Style(color=colour))
            else:
                text.append(" ")
        return text
