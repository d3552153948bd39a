"""A matrix as a heatmap: two matrix rows per line of text with half-block cells, and a legend.

Each character cell is an upper half block '▀' whose foreground is one row's colour and whose
background is the next row's, so a 64×64 attention pattern fits in 32 lines with square-ish
pixels. Row labels are shown in pairs (upper row first), column labels above; characters that
would be invisible (space, newline) are shown as ␣ and ⏎. When the matrix is wider than the
screen, neighbouring columns are averaged, and the legend says so.
"""

from __future__ import annotations

import math
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType

from grimoire.ui.widgets.palette import (
    SHADES,
    ColourScale,
    ThemeColours,
    format_number,
    glyph,
    hex_colour,
    readable_label,
    readable_labels,
)
from grimoire.ui.widgets.picture import Picture

MAX_LABEL = 12
MAX_CELL = 3
MAX_ROWS = 128
SMALL_ROWS = 16
"""Matrices with at most this many rows get a line per row instead of half blocks."""
HALF_BLOCK = "▀"


def _bin(values: list[list[float]], row_group: int, col_group: int) -> list[list[float]]:
    """Average neighbouring cells in groups, ignoring non-finite ones."""
    if row_group == 1 and col_group == 1:
        return values
    rows: list[list[float]] = []
    for r0 in range(0, len(values), row_group):
        block_rows = values[r0 : r0 + row_group]
        width = len(block_rows[0])
        out: list[float] = []
        for c0 in range(0, width, col_group):
            cell = [v for row in block_rows for v in row[c0 : c0 + col_group] if math.isfinite(v)]
            out.append(sum(cell) / len(cell) if cell else math.nan)
        rows.append(out)
    return rows


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in '…' when it had to be shortened."""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…" if width > 1 else text[:width]


def _group_labels(labels: list[str] | None, group: int) -> list[str] | None:
    if labels is None or group == 1:
        return labels
    return [labels[i] + ("…" if group > 1 else "") for i in range(0, len(labels), group)]


class Heatmap(Picture, can_focus=True):
    """`{"kind": "heatmap", "values": [[float]], "rows": [str]|None, "cols": [str]|None}`.

    Focused (Tab), the arrow keys move a cursor over the cells and the exact value under it is
    written below the legend: the picture can be read, not only looked at.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", "Cell above", show=False),
        Binding("down", "move(1, 0)", "Cell below", show=False),
        Binding("left", "move(0, -1)", "Cell to the left", show=False),
        Binding("right", "move(0, 1)", "Cell to the right", show=False),
    ]

    DEFAULT_CSS = """
    Heatmap:focus { border: round $accent; }
    """

    cursor: tuple[int, int] = (0, 0)

    def state_key(self) -> object:
        return (self.cursor, self.has_focus)

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh(layout=True)

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh(layout=True)

    def action_move(self, rows: int, columns: int) -> None:
        values = self.matrix()
        if not values or not values[0]:
            return
        row = min(len(values) - 1, max(0, self.cursor[0] + rows))
        column = min(len(values[0]) - 1, max(0, self.cursor[1] + columns))
        self.cursor = (row, column)
        self.refresh()

    def readout(self) -> str:
        """The cell under the cursor, named by its labels, and its exact value."""
        values = self.matrix()
        row, column = self.cursor
        if not values or row >= len(values) or column >= len(values[0]):
            return ""
        rows, cols = self.display_data.get("rows"), self.display_data.get("cols")
        row_name = f"{readable_label(rows[row])!r} " if rows and row < len(rows) else ""
        col_name = f"{readable_label(cols[column])!r} " if cols and column < len(cols) else ""
        return (f"row {row_name}({row}), column {col_name}({column}): "
                f"{values[row][column]:.6g}   arrows move")

    def matrix(self) -> list[list[float]]:
        """The values as a rectangular list of float rows."""
        raw = self.display_data.get("values") or []
        rows = [[float(v) if v is not None else math.nan for v in row] for row in raw]
        width = max((len(r) for r in rows), default=0)
        return [r + [math.nan] * (width - len(r)) for r in rows]

    def draw(self, width: int, colours: ThemeColours) -> list[Text]:
        values = self.matrix()
        if not values or not values[0]:
            return [Text("(an empty matrix)", style=Style(italic=True))]
        n_rows, n_cols = len(values), len(values[0])
        row_labels = self._labels("rows", n_rows)
        col_labels = self._labels("cols", n_cols)

        scale = ColourScale.for_values([v for row in values for v in row], colours)

        # Label column: each text line holds two matrix rows, so its label names both.
        label_width = 0
        if row_labels is not None:
            label_width = min(2 * MAX_LABEL + 1,
                              max(len(self._pair(row_labels, i)) for i in range(0, n_rows, 2)))
        else:
            label_width = len(str(n_rows - 1))
        grid_width = max(1, width - label_width - 1)

        col_group = max(1, math.ceil(n_cols / grid_width))
        row_group = max(1, math.ceil(n_rows / MAX_ROWS))
        shown = _bin(values, row_group, col_group)
        shown_rows, shown_cols = len(shown), len(shown[0])
        if row_labels is not None:
            row_labels = _group_labels(row_labels, row_group)
        if col_labels is not None:
            col_labels = _group_labels(col_labels, col_group)
        cell = max(1, min(MAX_CELL, grid_width // shown_cols))

        lines: list[Text] = []
        muted = Style(color="#" + "".join(f"{c:02x}" for c in colours.muted))
        if colours.monochrome:
            return self._draw_glyphs(values, row_labels, col_labels, scale, muted, width)
        if n_rows <= SMALL_ROWS and row_group == 1 and col_group == 1 and n_cols * 2 <= width:
            # A small matrix reads better with a line (and a label) for every row.
            small = self._draw_small(values, row_labels, col_labels, scale, muted, width)
            small += self._legend(scale, n_rows, n_cols, 1, 1, muted, width)
            if self.has_focus:
                small.append(Text(self.readout(), style=Style(bold=True)))
            return small
        header = self._column_header(col_labels, shown_cols, cell, col_group)
        if header:
            lines.append(Text(" " * (label_width + 1)) + Text(header, style=muted))

        marked = None
        if self.has_focus:
            marked = (self.cursor[0] // row_group, self.cursor[1] // col_group)
        for top in range(0, shown_rows, 2):
            line = Text()
            if row_labels is not None:
                label = self._pair(row_labels, top, label_width)
            else:
                label = str(top * row_group)
            line.append(label.rjust(label_width), style=muted)
            line.append(" ")
            upper = shown[top]
            lower = shown[top + 1] if top + 1 < shown_rows else None
            for c in range(shown_cols):
                fg = scale.hex(upper[c])
                bg = scale.hex(lower[c]) if lower is not None else None
                if marked is not None and marked[1] == c and marked[0] in (top, top + 1):
                    if marked[0] == top:
                        fg = hex_colour(colours.foreground)
                    else:
                        bg = hex_colour(colours.foreground)
                line.append(HALF_BLOCK * cell, style=Style(color=fg, bgcolor=bg))
            lines.append(line)

        lines.extend(self._legend(scale, n_rows, n_cols, row_group, col_group, muted, width))
        if self.has_focus:
            lines.append(Text(self.readout(), style=Style(bold=True)))
        return lines

    def _draw_small(
        self,
        values: list[list[float]],
        row_labels: list[str] | None,
        col_labels: list[str] | None,
        scale: ColourScale,
        muted: Style,
        width: int,
    ) -> list[Text]:
        """One line per row, each cell two to four full blocks wide (about square)."""
        n_rows, n_cols = len(values), len(values[0])
        names = row_labels if row_labels is not None else [str(i) for i in range(n_rows)]
        label_width = min(MAX_LABEL, max(len(name) for name in names))
        cell = max(2, min(MAX_CELL + 1, (width - label_width - 1) // n_cols))
        lines: list[Text] = []
        header = self._column_header(col_labels, n_cols, cell, 1)
        if header:
            lines.append(Text(" " * (label_width + 1)) + Text(header, style=muted))
        marked = self.cursor if self.has_focus else None
        mark = Style(color=hex_colour(scale.colours.foreground))
        for r, (name, row) in enumerate(zip(names, values, strict=True)):
            line = Text(cut(name, label_width).rjust(label_width) + " ", style=muted)
            for c, value in enumerate(row):
                if marked == (r, c):
                    line.append("▐" + "█" * (cell - 2) + "▌" if cell > 2 else "▐▌", style=mark)
                else:
                    line.append("█" * cell, style=Style(color=scale.hex(value)))
            lines.append(line)
        return lines

    def _draw_glyphs(
        self,
        values: list[list[float]],
        row_labels: list[str] | None,
        col_labels: list[str] | None,
        scale: ColourScale,
        muted: Style,
        width: int,
    ) -> list[Text]:
        """Without colour: a line per row, each cell two glyphs saying sign and size."""
        n_rows, n_cols = len(values), len(values[0])
        names = row_labels if row_labels is not None else [str(i) for i in range(n_rows)]
        label_width = min(MAX_LABEL, max(len(name) for name in names))
        col_group = max(1, math.ceil(n_cols * 2 / max(2, width - label_width - 1)))
        row_group = max(1, math.ceil(n_rows / MAX_ROWS))
        shown = _bin(values, row_group, col_group)
        names = [names[i] for i in range(0, n_rows, row_group)]
        lines: list[Text] = []
        header = self._column_header(
            _group_labels(col_labels, col_group) if col_labels else None, len(shown[0]), 2,
            col_group)
        if header:
            lines.append(Text(" " * (label_width + 1)) + Text(header, style=muted))
        marked = None
        if self.has_focus:
            marked = (self.cursor[0] // row_group, self.cursor[1] // col_group)
        for r, (name, row) in enumerate(zip(names, shown, strict=False)):
            line = Text(cut(name, label_width).rjust(label_width) + " ", style=muted)
            for c, value in enumerate(row):
                line.append(glyph(scale, value),
                            style=Style(reverse=True) if marked == (r, c) else "")
            lines.append(line)
        lines.extend(self._glyph_legend(scale, n_rows, n_cols, row_group, col_group, muted))
        if self.has_focus:
            lines.append(Text(self.readout(), style=Style(bold=True)))
        return lines

    @staticmethod
    def _glyph_legend(scale: ColourScale, n_rows: int, n_cols: int, row_group: int,
                      col_group: int, muted: Style) -> list[Text]:
        """How to read the glyphs: the ramp with its ends, and what sign and shade mean."""
        legend = Text(format_number(scale.low) + " ", style=muted)
        if scale.diverging:
            legend.append(" ".join("−" + shade for shade in reversed(SHADES)) + "  0  "
                          + " ".join("+" + shade for shade in SHADES))
            meaning = "− below zero, + above, the shade its size; blank is about 0"
        else:
            legend.append(" ".join(shade * 2 for shade in SHADES))
            meaning = ("darker shades are smaller values" if scale.high > 0
                       else "the fullest shade is the most negative")
        legend.append(" " + format_number(scale.high), style=muted)
        note = f"{n_rows}×{n_cols}; {meaning}"
        if row_group > 1 or col_group > 1:
            note += f"; cells averaged {row_group}×{col_group} to fit"
        return [legend, Text(note, style=muted)]

    def _labels(self, key: str, count: int) -> list[str] | None:
        labels = self.display_data.get(key)
        if not labels:
            return None
        labels = readable_labels(labels)[:count]
        return labels + [""] * (count - len(labels))

    @staticmethod
    def _pair(labels: list[str], top: int, width: int | None = None) -> str:
        """The label of a line holding rows `top` and `top + 1`: "upper/lower", both visible.

        The slash keeps two one-character labels from reading as one word ('h' and 'e' are
        "h/e", not "he"); when the pair is too wide, each side is shortened with '…'.
        """
        upper = labels[top] or " "
        if top + 1 >= len(labels):
            return upper if width is None else cut(upper, width)
        lower = labels[top + 1] or " "
        text = f"{upper}/{lower}"
        if width is None or len(text) <= width:
            return text
        room = max(2, width - 1)
        lower_room = max(1, min(len(lower), room // 2))
        upper_room = max(1, room - lower_room)
        if len(upper) < upper_room:
            lower_room = room - len(upper)
        return f"{cut(upper, upper_room)}/{cut(lower, lower_room)}"

    @staticmethod
    def _column_header(labels: list[str] | None, count: int, cell: int, group: int) -> str:
        if labels is not None and all(len(label) <= cell for label in labels):
            return "".join(label.ljust(cell) for label in labels)
        # Labels too long for their columns (or none): a ruler of column indices instead.
        ruler = [" "] * (count * cell)
        step = max(1, math.ceil(8 / cell))
        for c in range(0, count, step):
            mark = str(c * group)
            start = c * cell
            if start + len(mark) <= len(ruler):
                ruler[start : start + len(mark)] = list(mark)
        return "".join(ruler).rstrip()

    @staticmethod
    def _legend(
        scale: ColourScale,
        n_rows: int,
        n_cols: int,
        row_group: int,
        col_group: int,
        muted: Style,
        width: int,
    ) -> list[Text]:
        """The colour ramp from min to max, and a note; two lines when one is too narrow."""
        legend = Text()
        legend.append(format_number(scale.low), style=muted)
        legend.append(" ")
        steps = 16
        for i in range(steps):
            value = scale.low + (scale.high - scale.low) * i / (steps - 1)
            legend.append("█", style=Style(color=scale.hex(value)))
        legend.append(" ")
        legend.append(format_number(scale.high), style=muted)
        note = f"{n_rows}×{n_cols}"
        if scale.diverging:
            note += ", 0 is blank"
        if row_group > 1 or col_group > 1:
            note += f", cells averaged {row_group}×{col_group} to fit"
        if legend.cell_len + 3 + len(note) <= width:
            legend.append("   " + note, style=muted)
            return [legend]
        return [legend, Text(note, style=muted)]

