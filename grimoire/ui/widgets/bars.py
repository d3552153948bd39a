"""Values as bars: horizontal with labels for a few values, columns for a long spectrum.

A singular-value spectrum spans orders of magnitude, so `log` draws bar lengths by log10 of
the value; zero or negative values have no logarithm and are drawn empty, their number still
shown. Signed values on a linear scale grow left and right of a zero axis.
"""

from __future__ import annotations

import math

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from grimoire.ui.widgets.palette import (
    ColourScale,
    ThemeColours,
    format_number,
    hex_colour,
    readable_labels,
)
from grimoire.ui.widgets.picture import Picture

EIGHTHS = " ▏▎▍▌▋▊▉█"
RISING = " ▁▂▃▄▅▆▇█"
MAX_HORIZONTAL = 32
COLUMN_HEIGHT = 10
MIN_BAR = 4
"""Labels are shortened (ending in '…') before a bar gets fewer cells than this."""
LABEL_SHARE = 0.5
"""Labels may take up to this share of the row; beyond it the bar's length needs the room."""
NEGATIVE_PATTERN = "▒"
POSITIVE_PATTERN = "█"
"""Without colour, a bar's sign is its pattern (as well as its side of the axis)."""
MIN_SIGNED_BAR = 3
"""A signed bar needs a cell each side of its zero axis."""


def bar_fractions(values: list[float], log: bool) -> list[float]:
    """Each value's bar length as a fraction of the longest, in [0, 1] (signed when linear)."""
    if log:
        logs = [math.log10(v) if math.isfinite(v) and v > 0 else None for v in values]
        present = [x for x in logs if x is not None]
        if not present:
            return [0.0] * len(values)
        high, low = max(present), min(present)
        # The smallest value keeps a visible stub: the scale starts a little below it.
        floor = low - max(0.1 * (high - low), 0.5)
        return [0.0 if x is None else (x - floor) / (high - floor) for x in logs]
    finite = [abs(v) for v in values if math.isfinite(v)]
    top = max(finite, default=0.0) or 1.0
    return [v / top if math.isfinite(v) else 0.0 for v in values]


def _eighths(fraction: float, width: int) -> tuple[int, str]:
    """A bar of `fraction` of `width` cells: its whole cells, and the eighth-block at its tip."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return full, EIGHTHS[part] if part else ""


def _bar(line: Text, fraction: float, width: int, colour: str) -> None:
    """Append a bar exactly `width` cells wide: whole cells painted, then its tip, then blank.

    Whole cells are spaces on the bar's colour rather than '█' glyphs: a cell's background is
    exactly one cell in every terminal and picture, where a block glyph from a fallback font
    may draw wider than its cell and run past the value beside it.
    """
    full, tip = _eighths(fraction, width)
    line.append(" " * full, style=Style(bgcolor=colour))
    line.append(tip + " " * (width - full - len(tip)), style=Style(color=colour))


def _label(line: Text, name: str, width: int, style: Style) -> None:
    """Append a bar's label, right-aligned in `width` cells (cut with '…'), and one space."""
    if width:
        shown = name if cell_len(name) <= width else set_cell_size(name, width - 1) + "…"
        line.append(" " * (width - cell_len(shown)) + shown, style=style)
        line.append(" ")


class Bars(Picture):
    """`{"kind": "bars", "values": [float], "labels": [str]|None, "log": bool}`."""

    def values(self) -> list[float]:
        """The bar values as floats."""
        return [float(v) if v is not None else math.nan for v in self.display_data.get("values") or []]

    def draw(self, width: int, colours: ThemeColours) -> list[Text]:
        values = self.values()
        if not values:
            return [Text("(no values)", style=Style(italic=True))]
        labels = self.display_data.get("labels")
        log = bool(self.display_data.get("log"))
        muted = Style(color=hex_colour(colours.muted))
        if len(values) > MAX_HORIZONTAL and not labels:
            return self._columns(values, log, width, colours, muted)
        return self._horizontal(values, labels, log, width, colours, muted)

    def _horizontal(
        self,
        values: list[float],
        labels: list[str] | None,
        log: bool,
        width: int,
        colours: ThemeColours,
        muted: Style,
    ) -> list[Text]:
        """One row a value: its label, its bar and its number, exactly `width` cells together."""
        if labels:
            names = readable_labels(labels)[: len(values)]
            names += [""] * (len(values) - len(names))
        else:
            names = [str(i) for i in range(len(values))]
        numbers = [format_number(v) for v in values]
        number_width = max(len(n) for n in numbers)
        signed = not log and any(math.isfinite(v) and v < 0 for v in values)
        least_bar = MIN_SIGNED_BAR if signed else MIN_BAR
        # The number keeps its room; the labels give up theirs (to nothing) before the bar goes
        # below `least_bar` cells; the bar takes all that is left, so each row is `width` exactly.
        room = width - number_width - 1  # label, its space, and the bar
        label_width = min(max(cell_len(n) for n in names), int(room * LABEL_SHARE),
                          room - 1 - least_bar)
        if label_width <= 0:
            label_width = 0
            bar_width = room
        else:
            bar_width = room - label_width - 1
        if bar_width < 1:
            # Not even one cell of bar: the numbers alone, as much of them as fits.
            return [Text(number.rjust(number_width)) for number in numbers]
        fractions = bar_fractions(values, log)
        if colours.monochrome:
            return self._glyph_rows(names, numbers, fractions, label_width, bar_width,
                                    number_width, signed, log, muted)
        bar_colour = colours.series[0]
        negative_colour = ColourScale(-1, 1, True, colours).hex(-0.9)
        lines = []
        for name, number, fraction in zip(names, numbers, fractions, strict=True):
            line = Text(no_wrap=True, overflow="crop")
            _label(line, name, label_width, muted)
            if signed and bar_width >= MIN_SIGNED_BAR:
                half = bar_width // 2
                left = round(max(0.0, -fraction) * half)
                line.append(" " * (half - left))
                line.append(" " * left, style=Style(bgcolor=negative_colour))
                line.append("│", style=muted)
                _bar(line, max(0.0, fraction), bar_width - half - 1, bar_colour)
            else:
                _bar(line, abs(fraction), bar_width, bar_colour)
            # The gap before the number shares the bar's style and the number has its own, so
            # the number starts a run of its own in a picture (an SVG places it exactly).
            line.append(" " * (1 + number_width - len(number)), style=Style(color=bar_colour))
            line.append(number)
            lines.append(line)
        if log:
            lines.append(Text("bar lengths on a log scale", style=muted))
        return lines

    @staticmethod
    def _glyph_rows(names: list[str], numbers: list[str], fractions: list[float],
                    label_width: int, bar_width: int, number_width: int, signed: bool,
                    log: bool, muted: Style) -> list[Text]:
        """Without colour: positive bars in '█', negative ones in the pattern '▒', a legend."""
        lines = []
        for name, number, fraction in zip(names, numbers, fractions, strict=True):
            line = Text(no_wrap=True, overflow="crop")
            _label(line, name, label_width, muted)
            if signed and bar_width >= MIN_SIGNED_BAR:
                half = bar_width // 2
                left = round(max(0.0, -fraction) * half)
                right = round(max(0.0, fraction) * (bar_width - half - 1))
                line.append(" " * (half - left) + NEGATIVE_PATTERN * left)
                line.append("│", style=muted)
                line.append(POSITIVE_PATTERN * right + " " * (bar_width - half - 1 - right))
            else:
                full, tip = _eighths(abs(fraction), bar_width)
                line.append(POSITIVE_PATTERN * full + tip + " " * (bar_width - full - len(tip)))
            line.append(" " * (1 + number_width - len(number)))
            line.append(number)
            lines.append(line)
        if signed:
            lines.append(Text(f"{POSITIVE_PATTERN} positive, right of │   "
                              f"{NEGATIVE_PATTERN} negative, left of │", style=muted))
        if log:
            lines.append(Text("bar lengths on a log scale", style=muted))
        return lines

    def _columns(
        self, values: list[float], log: bool, width: int, colours: ThemeColours, muted: Style
    ) -> list[Text]:
        """A long spectrum as rising columns, index 0 on the left."""
        fractions = [max(0.0, f) for f in bar_fractions(values, log)]
        finite = [v for v in values if math.isfinite(v)]
        top_label = format_number(max(finite, default=0.0))
        bottom_label = format_number(min(finite, default=0.0))
        axis_width = max(len(top_label), len(bottom_label))
        room = max(1, width - axis_width - 1)
        group = max(1, math.ceil(len(values) / room))
        if group > 1:
            # More values than columns: each column shows the largest of its group.
            fractions = [max(fractions[i : i + group]) for i in range(0, len(fractions), group)]
        cell = max(1, min(3, room // len(fractions)))
        bar_style = Style(color=colours.series[0])
        lines = []
        for row in range(COLUMN_HEIGHT):
            level = COLUMN_HEIGHT - row - 1
            line = Text()
            axis = top_label if row == 0 else bottom_label if row == COLUMN_HEIGHT - 1 else ""
            line.append(axis.rjust(axis_width), style=muted)
            line.append("│", style=muted)
            for fraction in fractions:
                eighths = round(fraction * COLUMN_HEIGHT * 8) - level * 8
                if eighths >= 8:  # a whole cell: painted, as in _bar
                    line.append(" " * cell, style=Style(bgcolor=colours.series[0]))
                else:
                    line.append(RISING[max(0, eighths)] * cell, style=bar_style)
            lines.append(line)
        last = str(len(values) - 1)
        ruler_width = len(fractions) * cell
        footer = Text(" " * axis_width + "└", style=muted)
        footer.append(("0" + last.rjust(max(1, ruler_width - 1))) if ruler_width > len(last) else "0")
        footer.stylize(muted)
        lines.append(footer)
        note = f"{len(values)} values"
        if log:
            note += ", heights on a log scale"
        if group > 1:
            note += f", each column the largest of {group}"
        lines.append(Text(note, style=muted))
        return lines
