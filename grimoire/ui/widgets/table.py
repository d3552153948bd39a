"""Tables of text and matrices of numbers, aligned, with few decimals and a sense of sign."""

from __future__ import annotations

import math

from rich.style import Style
from rich.text import Text

from grimoire.ui.widgets.palette import ColourScale, ThemeColours, hex_colour
from grimoire.ui.widgets.picture import Picture

MAX_MATRIX_ROWS = 16


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-"))
    except ValueError:
        return False
    return True


def matrix_format(values: list[float]) -> str:
    """One format for a whole matrix, so its decimal points line up."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    if finite and all(float(v).is_integer() for v in finite) and max(finite) < 1e9:
        return "{:.0f}"
    top = max(finite, default=0.0)
    if top >= 1e5 or (0 < top < 1e-3):
        return "{:.2e}"
    if top >= 1000:
        return "{:.1f}"
    if top >= 100:
        return "{:.2f}"
    return "{:.3f}"


class TableDisplay(Picture):
    """`{"kind": "table", "rows": [[str]], "header": [str]|None}`: numbers right-aligned."""

    def draw(self, width: int, colours: ThemeColours) -> list[Text]:
        rows = [[str(cell) for cell in row] for row in self.display_data.get("rows") or []]
        header = [str(cell) for cell in self.display_data.get("header") or []]
        muted = Style(color=hex_colour(colours.muted))
        count = max([len(header)] + [len(r) for r in rows])
        if count == 0:
            return [Text("(an empty table)", style=Style(italic=True))]
        grid = [r + [""] * (count - len(r)) for r in rows]
        head = header + [""] * (count - len(header)) if header else None
        widths = [max([len(r[c]) for r in grid] + ([len(head[c])] if head else [0]))
                  for c in range(count)]
        # Cells are cut (ending in '…') only when the table does not fit: the widest column
        # gives up a cell at a time until the rows fit the width (2 spaces between columns).
        while sum(widths) + 2 * (count - 1) > width and max(widths) > 3:
            widest = widths.index(max(widths))
            widths[widest] -= 1
        numeric = [all(_is_number(r[c]) for r in grid if r[c]) and any(r[c] for r in grid)
                   for c in range(count)]

        def cell(text: str, column: int) -> str:
            size = widths[column]
            if len(text) > size:
                text = text[: size - 1] + "…"
            return text.rjust(size) if numeric[column] else text.ljust(size)

        lines = []
        if head:
            lines.append(Text("  ".join(cell(h, c) for c, h in enumerate(head)),
                              style=Style(bold=True)))
            lines.append(Text("  ".join("─" * w for w in widths), style=muted))
        for r in grid:
            lines.append(Text("  ".join(cell(v, c) for c, v in enumerate(r))))
        return lines


class MatrixDisplay(Picture):
    """`{"kind": "matrix", "values": [[float]]}`: brackets, aligned decimals, negatives tinted."""

    def draw(self, width: int, colours: ThemeColours) -> list[Text]:
        raw = self.display_data.get("values") or []
        values = [[float(v) if v is not None else math.nan for v in row] for row in raw]
        if values and not isinstance(raw[0], list | tuple):
            values = [[float(v) for v in raw]]
        if not values or not values[0]:
            return [Text("(an empty matrix)", style=Style(italic=True))]
        n_rows, n_cols = len(values), max(len(r) for r in values)
        fmt = matrix_format([v for r in values for v in r])
        texts = [[fmt.format(v) for v in r] + [""] * (n_cols - len(r)) for r in values]
        cell = max(len(t) for r in texts for t in r)
        # Columns that fit between the brackets, keeping room for a '…' column.
        fit = max(1, (width - 4) // (cell + 1))
        shown_cols = n_cols if n_cols <= fit else max(1, fit - 1)
        shown_rows = n_rows if n_rows <= MAX_MATRIX_ROWS else MAX_MATRIX_ROWS - 1
        negative = Style(color=ColourScale(-1, 1, True, colours).hex(-1.0))
        muted = Style(color=hex_colour(colours.muted))
        lines = []
        rows_drawn = shown_rows + (1 if shown_rows < n_rows else 0)
        for index in range(rows_drawn):
            if rows_drawn == 1:
                left, right = "[", "]"
            elif index == 0:
                left, right = "⎡", "⎤"
            elif index == rows_drawn - 1:
                left, right = "⎣", "⎦"
            else:
                left, right = "⎢", "⎥"
            line = Text(left + " ", style=muted)
            if index >= shown_rows:
                line.append(" ".join("⋮".rjust(cell) for _ in range(shown_cols)), style=muted)
                if shown_cols < n_cols:
                    line.append(" " + " ".rjust(cell))
            else:
                for c in range(shown_cols):
                    if c:
                        line.append(" ")
                    text = texts[index][c]
                    line.append(text.rjust(cell), style=negative if text.startswith("-") else "")
                if shown_cols < n_cols:
                    line.append(" " + "…".rjust(cell), style=muted)
            line.append(" " + right, style=muted)
            lines.append(line)
        if shown_rows < n_rows or shown_cols < n_cols or n_rows * n_cols > 4:
            lines.append(Text(f"{n_rows}×{n_cols}" + (
                f", first {shown_rows}×{shown_cols} shown"
                if shown_rows < n_rows or shown_cols < n_cols else ""), style=muted))
        return lines
