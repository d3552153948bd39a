"""The widget for each kind of display a lesson cell can show (see grimoire.course.display)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from grimoire.ui.widgets.bars import Bars
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.line_chart import LineChart
from grimoire.ui.widgets.palette import ThemeColours
from grimoire.ui.widgets.picture import Picture
from grimoire.ui.widgets.scatter import Scatter
from grimoire.ui.widgets.table import MatrixDisplay, TableDisplay

WIDGETS: dict[str, type[Picture]] = {
    "heatmap": Heatmap,
    "bars": Bars,
    "scatter": Scatter,
    "line": LineChart,
    "table": TableDisplay,
    "matrix": MatrixDisplay,
}


class UnknownDisplay(Picture):
    """A display of a kind this version cannot draw: say so instead of failing."""

    def draw(self, width: int, colours: ThemeColours) -> list[Text]:
        kind = self.display_data.get("kind")
        return [Text(f"(a display of kind {kind!r}, which this Grimoire cannot draw)")]


def display_widget(display: dict[str, Any]) -> Picture:
    """A new widget drawing `display`, chosen by its "kind"."""
    return WIDGETS.get(str(display.get("kind")), UnknownDisplay)(display)
