"""The pictures a lesson cell shows: heatmap, bars, scatter, line, table and matrix widgets."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from grimoire.ui.widgets.bars import Bars, bar_fractions
from grimoire.ui.widgets.displays import UnknownDisplay, display_widget
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.line_chart import LineChart
from grimoire.ui.widgets.palette import format_number
from grimoire.ui.widgets.picture import Picture
from grimoire.ui.widgets.scatter import Scatter
from grimoire.ui.widgets.table import MatrixDisplay, TableDisplay


class Gallery(App):
    """Just the displays, one under another."""

    def __init__(self, displays: list[dict]) -> None:
        super().__init__()
        self.displays = displays

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for display in self.displays:
                yield display_widget(display)


def shown(widget: Picture) -> list[Text]:
    """What the widget draws at its current width."""
    return widget.lines_for(widget.content_size.width)


def painted(line: Text) -> str:
    """The line's text with each cell painted by a background colour (a bar's body) as '█'."""
    cells = list(line.plain)
    for span in line.spans:
        if not isinstance(span.style, str) and span.style.bgcolor is not None:
            cells[span.start:span.end] = "█" * (span.end - span.start)
    return "".join(cells)


def colours_of(lines: list[Text]) -> set[str]:
    found = set()
    for line in lines:
        for span in line.spans:
            style = span.style
            if not isinstance(style, str) and style.color is not None:
                found.add(str(style.color.name))
    return found


HEAT = {
    "kind": "heatmap",
    "values": [[math.sin(i + j) for j in range(6)] for i in range(18)],
    "rows": ["a", " ", "\n", "b", *"cdefghijklmnop"],
    "cols": list("xyz uv"),
    "title": "signed values",
}


async def test_heatmap_pairs_rows_in_half_blocks_and_labels_invisible_characters() -> None:
    app = Gallery([HEAT])
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        heatmap = app.query_one(Heatmap)
        lines = [line.plain for line in shown(heatmap)]
        assert heatmap.border_title == "signed values"
        # Header of column labels, two lines of two rows each, then the legend.
        assert "␣" in lines[0] and "x" in lines[0]
        assert lines[1].startswith("a/␣ ") and "▀" in lines[1]
        assert lines[2].startswith("⏎/b ")
        legend = lines[-1]
        low = min(min(row) for row in HEAT["values"])
        high = max(max(row) for row in HEAT["values"])
        bound = max(abs(low), high)
        assert legend.startswith(f"{format_number(-bound)} █") and "18×6" in legend
        assert len(lines) == 1 + 9 + 1


async def test_a_small_heatmap_gets_a_line_per_row() -> None:
    small = dict(HEAT, values=HEAT["values"][:4], rows=HEAT["rows"][:4])
    app = Gallery([small])
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        lines = [line.plain for line in shown(app.query_one(Heatmap))]
        assert [line[:2] for line in lines[1:5]] == ["a ", "␣ ", "⏎ ", "b "]
        assert lines[1].count("█") == 6 * 4  # six cells, four blocks wide each
        assert "4×6" in lines[-1]


async def test_heatmap_fits_the_width_and_redraws_on_resize() -> None:
    wide = {"kind": "heatmap", "values": [[float(i * j) for j in range(200)] for i in range(6)],
            "rows": None, "cols": None, "title": None}
    app = Gallery([wide])
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        heatmap = app.query_one(Heatmap)
        before = shown(heatmap)
        assert all(line.cell_len <= heatmap.content_size.width for line in before)
        assert "averaged" in before[-1].plain
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        after = shown(heatmap)
        assert heatmap.content_size.width < 60
        assert all(line.cell_len <= heatmap.content_size.width for line in after)
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert [line.plain for line in shown(heatmap)] == [line.plain for line in before]


async def test_sequential_scale_for_non_negative_and_theme_change_recolours() -> None:
    pattern = {"kind": "heatmap", "values": [[1.0, 0.0], [0.5, 0.5]], "rows": None,
               "cols": None, "title": "attention"}
    app = Gallery([pattern])
    async with app.run_test(size=(80, 20)) as pilot:
        app.theme = "textual-dark"
        await pilot.pause()
        heatmap = app.query_one(Heatmap)
        legend = shown(heatmap)[-1].plain
        assert legend.startswith("0 ") and " 1 " in legend and "0 is blank" not in legend
        dark = colours_of(shown(heatmap))
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        assert colours_of(shown(heatmap)) != dark


async def test_bars_show_labels_values_and_a_log_scale() -> None:
    spectrum = [10.0, 1.0, 0.1, 0.0]
    bars = {"kind": "bars", "values": spectrum, "labels": ["σ1", "σ2", "σ3", "σ4"], "log": True,
            "title": "singular values"}
    app = Gallery([bars])
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        lines = [painted(line) for line in shown(app.query_one(Bars))]
        assert lines[0].startswith("σ1 █") and lines[0].rstrip().endswith("10")
        assert lines[3].startswith("σ4 ") and "█" not in lines[3]
        assert "log scale" in lines[-1]
    # On a log scale, equal ratios are equal steps.
    first, second, third, _ = bar_fractions(spectrum, log=True)
    assert math.isclose(first - second, second - third)
    assert bar_fractions([2.0, 1.0], log=False) == [1.0, 0.5]


async def test_a_long_spectrum_becomes_columns() -> None:
    values = [math.exp(-i / 10) for i in range(64)]
    app = Gallery([{"kind": "bars", "values": values, "labels": None, "log": True, "title": None}])
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        lines = [painted(line) for line in shown(app.query_one(Bars))]
        assert lines[0].lstrip().startswith("1│█")
        assert "64 values, heights on a log scale" in lines[-1]
        assert lines[-2].rstrip().endswith("63")


async def test_scatter_places_labels_where_points_are() -> None:
    points = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
    app = Gallery([{"kind": "scatter", "points": points, "labels": ["a", " ", "c"],
                    "title": "characters"}])
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        lines = [line.plain for line in shown(app.query_one(Scatter))]
        top, bottom = lines[0], lines[13]
        assert top.startswith("1│c") and top.rstrip().endswith("␣")
        assert bottom.startswith("0│a")
        assert lines[-1] == "3 points"


async def test_line_chart_draws_every_series_with_a_legend() -> None:
    loss = [3.0 * math.exp(-i / 20) for i in range(100)]
    app = Gallery([{"kind": "line", "series": [loss, [v + 0.3 for v in loss]],
                    "labels": ["train", "held out"], "title": "loss"}])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        chart = app.query_one(LineChart)
        lines = shown(chart)
        assert lines[-1].plain == "━━ train   ━━ held out"
        assert lines[-2].plain.rstrip().endswith("99")
        drawn = "".join(line.plain for line in lines[:-2])
        assert any(0x2800 < ord(ch) <= 0x28FF for ch in drawn)
        assert len(colours_of(lines[:-2])) >= 2


async def test_table_and_matrix_align_numbers() -> None:
    table = {"kind": "table", "rows": [["a", "0.5"], ["bb", "12.25"]], "header": ["char", "p"],
             "title": None}
    matrix = {"kind": "matrix", "values": [[1.0, -0.25], [10.5, 2.0]], "title": "W"}
    app = Gallery([table, matrix])
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        table_lines = [line.plain for line in shown(app.query_one(TableDisplay))]
        assert table_lines[0].split() == ["char", "p"]
        assert table_lines[2].endswith("  0.5") and table_lines[3].endswith("12.25")
        matrix_lines = [line.plain for line in shown(app.query_one(MatrixDisplay))]
        assert matrix_lines == ["⎡  1.000 -0.250 ⎤", "⎣ 10.500  2.000 ⎦"]


async def test_big_matrix_is_cut_with_its_shape_said() -> None:
    matrix = {"kind": "matrix", "values": [[float(i - j) for j in range(50)] for i in range(30)],
              "title": None}
    app = Gallery([matrix])
    async with app.run_test(size=(60, 36)) as pilot:
        await pilot.pause()
        lines = [line.plain for line in shown(app.query_one(MatrixDisplay))]
        assert lines[-1].startswith("30×50, first 15×")
        assert "⋮" in lines[-2] and "…" in lines[0]
        assert all(len(line) <= 56 for line in lines)


async def test_unknown_kind_says_so() -> None:
    app = Gallery([{"kind": "hologram"}])
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        assert "hologram" in shown(app.query_one(UnknownDisplay))[0].plain


async def test_a_focused_heatmap_reads_out_the_cell_under_its_cursor() -> None:
    pattern = {"kind": "heatmap", "values": [[0.5, 0.25], [0.125, 1.0]], "rows": ["a", " "],
               "cols": ["x", "\n"], "title": "pattern"}
    app = Gallery([pattern])
    async with app.run_test(size=(80, 20)) as pilot:
        heatmap = app.query_one(Heatmap)
        assert "arrows move" not in shown(heatmap)[-1].plain
        heatmap.focus()
        await pilot.pause()
        assert shown(heatmap)[-1].plain.startswith("row 'a' (0), column 'x' (0): 0.5")
        await pilot.press("down", "right", "right", "down")
        assert shown(heatmap)[-1].plain.startswith("row '␣' (1), column '⏎' (1): 1 ")
        await pilot.press("up")
        assert "0.25" in shown(heatmap)[-1].plain
