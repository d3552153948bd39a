"""One or more series as lines (loss curves), on a braille canvas with a legend."""

from __future__ import annotations

import math

from rich.style import Style
from rich.text import Text

from grimoire.ui.widgets.braille import BrailleCanvas
from grimoire.ui.widgets.palette import ThemeColours, format_number, hex_colour
from grimoire.ui.widgets.picture import Picture

PLOT_ROWS = 12


class LineChart(Picture):
    """`{"kind": "line", "series": [[float]], "labels": [str]|None}`: x is the index.

    An optional `"height"` gives the plot's rows of text (PLOT_ROWS unless given), and
    `"x_range": [first, last]` the numbers written under the ends of the x axis (e.g. steps).
    """

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
        labels_y = [format_number(high), format_number((low + high) / 2), format_number(low)]
        axis_width = max(len(label) for label in labels_y)
        rows = max(2, int(self.display_data.get("height") or PLOT_ROWS))
        canvas = BrailleCanvas(max(4, width - axis_width - 1), rows)
        palette = colours.series
        for number, values in enumerate(series):
            colour = palette[number % len(palette)]
            previous: tuple[int, int] | None = None
            for index, value in enumerate(values):
                if not math.isfinite(value):
                    previous = None
                    continue
                x = round(index / max(1, longest - 1) * (canvas.dot_width - 1))
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
        first, last = self.display_data.get("x_range") or (0, longest - 1)
        footer = Text(" " * axis_width + "└", style=muted)
        footer.append(str(first) + str(last).rjust(max(1, canvas.columns - len(str(first)))),
                      style=muted)
        lines.append(footer)
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
