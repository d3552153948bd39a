"""Pictures under NO_COLOR: a signed heatmap, bars with negatives and several lines, readable
in greys alone (sign and size by glyph, series by mark, each with a legend)."""

from __future__ import annotations

import math

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from grimoire.course.display import bars, heatmap, line
from grimoire.ui.widgets.bars import Bars
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.line_chart import LineChart
from grimoire.ui.widgets.palette import theme_colours

SADDLE = [[(i - 3.5) * (j - 5.5) / 20 for j in range(12)] for i in range(8)]


class Pictures(App):
    """The three pictures whose meaning colour used to carry."""

    CSS = "Screen { background: black; }"

    def __init__(self, which: str) -> None:
        super().__init__()
        self.which = which

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            if self.which == "heatmap":
                yield Heatmap(dict(heatmap(SADDLE, rows=list("abcdefgh"),
                                           title="a saddle: x·y, signed")))
            elif self.which == "bars":
                yield Bars(dict(bars([0.8, -0.45, 0.2, -0.9, 0.05],
                                     labels=["W_Q", "W_K", "W_V", "W_O", "mlp"],
                                     title="signed bars")))
            else:
                yield LineChart(dict(line(
                    [math.log10(k) for k in range(1, 9)], [1 - k / 8 for k in range(1, 9)],
                    [0.5] * 8, x=list(range(1, 9)),
                    labels=["log10 k", "1 − k/8", "a half"], title="three series against k")))


@pytest.fixture(autouse=True)
def no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.parametrize("which", ["heatmap", "bars", "line"])
def test_snap_no_colour_picture(snap_compare, which):
    assert snap_compare(Pictures(which), terminal_size=(72, 22))


async def test_no_colour_reaches_the_pictures():
    app = Pictures("heatmap")
    async with app.run_test(size=(72, 22)) as pilot:
        await pilot.pause()
        assert theme_colours(app).monochrome
        text = "\n".join(line.plain for line in app.query_one(Heatmap).lines_for(60))
        # Opposite corners of the saddle have opposite signs, readable without colour.
        assert "+█" in text and "−█" in text and "− below zero, + above" in text
