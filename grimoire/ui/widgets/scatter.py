"""Points in the plane, e.g. characters placed by a 2-D projection of their embeddings.

With labels, each point is drawn as its label (so 'a' sits where the embedding of 'a' lands);
without, as a braille dot. Axes show the range of x and y at their ends.
"""

from __future__ import annotations

import math

from rich.style import Style
from rich.text import Text

from grimoire.ui.widgets.braille import BrailleCanvas
from grimoire.ui.widgets.palette import ThemeColours, format_number, hex_colour, readable_label
from grimoire.ui.widgets.picture import Picture

PLOT_ROWS = 14


def _span(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high == low:
        return low - 1.0, high + 1.0
    return low, high


class Scatter(Picture):
    """`{"kind": "scatter", "points": [[x, y]], "labels": [str]|None}`."""

    def points(self) -> list[tuple[float, float]]:
        """The finite points as (x, y) floats."""
        found = []
        for point in self.display_data.get("points") or []:
            if len(point) >= 2:
                x, y = float(point[0]), float(point[1])
                found.append((x, y))
        return found

    def draw(self, width: int, colours: ThemeColours) -> list[Text]:
        points = self.points()
        finite = [(x, y) for x, y in points if math.isfinite(x) and math.isfinite(y)]
        muted = Style(color=hex_colour(colours.muted))
        if not finite:
            return [Text("(no points)", style=Style(italic=True))]
        x_low, x_high = _span([x for x, _ in finite])
        y_low, y_high = _span([y for _, y in finite])
        top, bottom = format_number(y_high), format_number(y_low)
        axis_width = max(len(top), len(bottom))
        canvas = BrailleCanvas(max(4, width - axis_width - 1), PLOT_ROWS)
        labels = self.display_data.get("labels")
        colour = hex_colour(colours.accent)
        for index, (x, y) in enumerate(points):
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            fx = (x - x_low) / (x_high - x_low)
            fy = (y_high - y) / (y_high - y_low)
            if labels and index < len(labels):
                column = round(fx * (canvas.columns - 1))
                row = round(fy * (canvas.rows - 1))
                text = readable_label(labels[index])[:3]
                canvas.label(min(column, canvas.columns - len(text)), row, text, colour)
            else:
                canvas.dot(round(fx * (canvas.dot_width - 1)), round(fy * (canvas.dot_height - 1)),
                           colour)
        lines = []
        for row in range(canvas.rows):
            axis = top if row == 0 else bottom if row == canvas.rows - 1 else ""
            line = Text(axis.rjust(axis_width), style=muted)
            line.append("│", style=muted)
            line.append_text(canvas.line(row))
            lines.append(line)
        left, right = format_number(x_low), format_number(x_high)
        footer = Text(" " * axis_width + "└", style=muted)
        gap = max(1, canvas.columns - len(left) - len(right))
        footer.append(left + " " * gap + right, style=muted)
        lines.append(footer)
        hidden = len(points) - len(finite)
        note = f"{len(points)} points"
        if hidden:
            note += f", {hidden} not finite and not drawn"
        lines.append(Text(note, style=muted))
        return lines
