"""One or more series as lines (loss curves), on a braille canvas with a legend."""

from __future__ import annotations

import math

from rich.style import Style
from rich.text import Text

from grimoire.ui.widgets.braille import BrailleCanvas
from grimoire.ui.widgets.palette import SERIES_MARKS, ThemeColours, format_number, hex_colour
from grimoire.ui.widgets.picture import Picture

PLOT_ROWS = 12


def x_axis_labels(low: float, high: float, columns: int) -> str:
    """The x axis's values under a plot `columns` wide: first at the left, last at the right,
    and the middle one centred when there is room for it."""
    left, right = format_number(low), format_number(high)
    if low == high:
        return left
    middle = format_number((low + high) / 2)
    row = [" "] * max(columns, len(left) + len(right) + 1)
    row[: len(left)] = left
    row[len(row) - len(right):] = right
    start = len(row) // 2 - len(middle) // 2
    if start > len(left) + 1 and start + len(middle) < len(row) - len(right) - 1:
        row[start : start + len(middle)] = middle
    return "".join(row)


class LineChart(Picture):
    """`{"kind": "line", "series": [[float]], "labels": [str]|None, "x": [float]|None}`.

    Points sit at their x values (their index when there is no x), and the x axis is labelled
    with those values: its first, middle and last. An optional `"height"` gives the plot's rows
    of text (PLOT_ROWS unless given).
    """

    def x_values(self, count: int) -> list[float]:
        """Where each of `count` points sits along x."""
        xs = self.display_data.get("x")
        if xs and len(xs) >= count:
            return [float(v) for v in xs[:count]]
        return [float(i) for i in range(count)]

    def plot_rows(self) -> int:
        """Rows of text the plot takes: the display's "height", else PLOT_ROWS."""
        return max(2, int(self.display_data.get("height") or PLOT_ROWS))

    def _draw_marks(self, series: list[list[float]], xs: list[float],
                    x_range: tuple[float, float], y_range: tuple[float, float],
                    labels_y: list[str], axis_width: int, width: int,
                    muted: Style) -> list[Text]:
        """Without colour: each series drawn with its own mark (•, ×, +, ...), and a legend.

        Between two points the mark is repeated along the straight line joining them, so a
        series reads as a line of its mark; where two series cross, the later one shows.
        """
        x_low, x_high = x_range
        x_span = (x_high - x_low) or 1.0
        low, high = y_range
        columns = max(4, width - axis_width - 1)
        rows = self.plot_rows()
        grid = [[" "] * columns for _ in range(rows)]

        def place(x: float, y: float) -> tuple[int, int]:
            return (round((x - x_low) / x_span * (columns - 1)),
                    round((high - y) / (high - low) * (rows - 1)))

        for number, values in enumerate(series):
            mark = SERIES_MARKS[number % len(SERIES_MARKS)]
            previous: tuple[int, int] | None = None
            for index, value in enumerate(values):
                if not (math.isfinite(value) and math.isfinite(xs[index])):
                    previous = None
                    continue
                column, row = place(xs[index], value)
                if previous is not None:
                    steps = max(abs(column - previous[0]), abs(row - previous[1]), 1)
                    for k in range(steps + 1):
                        c = round(previous[0] + (column - previous[0]) * k / steps)
                        r = round(previous[1] + (row - previous[1]) * k / steps)
                        grid[r][c] = mark
                grid[row][column] = mark
                previous = (column, row)
        lines = []
        middle = rows // 2
        for index, row in enumerate(grid):
            axis = {0: labels_y[0], middle: labels_y[1], rows - 1: labels_y[2]}.get(index, "")
            line = Text(axis.rjust(axis_width), style=muted)
            line.append("│", style=muted)
            line.append("".join(row))
            lines.append(line)
        lines.append(Text(" " * axis_width + "└" + "─" * columns, style=muted))
        lines.append(Text(" " * (axis_width + 1) + x_axis_labels(x_low, x_high, columns),
                          style=muted))
        labels = self.display_data.get("labels") or []
        legend = Text()
        for number in range(len(series)):
            name = str(labels[number]) if number < len(labels) else f"series {number}"
            if number:
                legend.append("   ")
            legend.append(SERIES_MARKS[number % len(SERIES_MARKS)] * 3 + " ")
            legend.append(name, style=muted)
        lines.append(legend)
        return lines

    def series(self) -> list[list[float]]:
        """Every series as a list of floats."""
        return [
            [float(v) if v is not None else math.nan for v in values]
            for values in self.display_data.get("series") or []
        ]

    def draw(self, width: int, colours: ThemeColours) -> list[Text]:
        series = [s for s in self.series() if s]
        muted = Style(color=hex_colour(colours.muted))
        finite = [v for s in series for v in s if math.isfinite(v)]
        if not finite:
            return [Text("(nothing to plot)", style=Style(italic=True))]
        low, high = min(finite), max(finite)
        if high == low:
            low, high = low - 1.0, high + 1.0
        longest = max(len(s) for s in series)
        xs = self.x_values(longest)
        finite_x = [v for v in xs if math.isfinite(v)] or [0.0]
        x_low, x_high = min(finite_x), max(finite_x)
        x_span = (x_high - x_low) or 1.0
        labels_y = [format_number(high), format_number((low + high) / 2), format_number(low)]
        axis_width = max(len(label) for label in labels_y)
        if colours.monochrome:
            return self._draw_marks(series, xs, (x_low, x_high), (low, high), labels_y,
                                    axis_width, width, muted)
        canvas = BrailleCanvas(max(4, width - axis_width - 1), self.plot_rows())
        palette = colours.series
        for number, values in enumerate(series):
            colour = palette[number % len(palette)]
            previous: tuple[int, int] | None = None
            for index, value in enumerate(values):
                if not (math.isfinite(value) and math.isfinite(xs[index])):
                    previous = None
                    continue
                x = round((xs[index] - x_low) / x_span * (canvas.dot_width - 1))
                y = round((high - value) / (high - low) * (canvas.dot_height - 1))
                if previous is None:
                    canvas.dot(x, y, colour)
                else:
                    canvas.segment(*previous, x, y, colour)
                previous = (x, y)
        lines = []
        middle = canvas.rows // 2
        for row in range(canvas.rows):
            axis = {0: labels_y[0], middle: labels_y[1], canvas.rows - 1: labels_y[2]}.get(row, "")
            line = Text(axis.rjust(axis_width), style=muted)
            line.append("│", style=muted)
            line.append_text(canvas.line(row))
            lines.append(line)
        lines.append(Text(" " * axis_width + "└" + "─" * canvas.columns, style=muted))
        lines.append(Text(" " * (axis_width + 1) + x_axis_labels(
            x_low, x_high, canvas.columns), style=muted))
        labels = self.display_data.get("labels") or []
        legend = Text()
        for number in range(len(series)):
            name = str(labels[number]) if number < len(labels) else f"series {number}"
            entry = Text("━━ ", style=Style(color=palette[number % len(palette)]))
            entry.append(name, style=muted)
            # A legend wider than the chart continues on the next line rather than being cut.
            if legend.cell_len and legend.cell_len + 3 + entry.cell_len > width:
                lines.append(legend)
                legend = Text()
            if legend.cell_len:
                legend.append("   ")
            legend.append_text(entry)
        lines.append(legend)
        return lines
