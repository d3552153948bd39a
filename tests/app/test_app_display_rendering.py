"""How pictures of numbers are drawn: labels cut only when they must, x axes with x values,
heatmap row labels that never run together, colour scales that do not invent features."""

from __future__ import annotations

import itertools
import math

from grimoire.course.display import line as line_display
from grimoire.course.display import render_text
from grimoire.ui.widgets.bars import Bars
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.line_chart import LineChart
from grimoire.ui.widgets.palette import ColourScale, theme_colours, to_oklab
from grimoire.ui.widgets.table import TableDisplay

COLOURS = theme_colours(None)
LONG = "blocks.0.attn.out_proj.weight"


def plain(picture, width: int) -> list[str]:
    return [line.plain for line in picture.draw(width, COLOURS)]


def test_a_long_bar_label_is_whole_when_the_row_has_room():
    bars = Bars({"kind": "bars", "values": [0.5, -0.25], "labels": [LONG, "x"], "log": False})
    rows = plain(bars, 100)
    assert rows[0].lstrip().startswith(LONG)
    assert "…" not in "".join(rows)


def test_a_bar_label_too_long_for_the_row_ends_in_an_ellipsis():
    bars = Bars({"kind": "bars", "values": [0.5, 0.25], "labels": [LONG, "x"], "log": False})
    rows = plain(bars, 30)
    assert "…" in rows[0] and LONG not in rows[0]
    assert rows[0].lstrip().startswith("blocks")


def test_table_cells_are_whole_when_the_table_fits_and_cut_with_ellipsis_when_not():
    table = {"kind": "table", "rows": [[LONG, "0.123"], ["wte", "4.5"]], "header": ["name", "σ"]}
    wide = plain(TableDisplay(table), 80)
    assert any(LONG in row for row in wide) and "…" not in "".join(wide)
    narrow = plain(TableDisplay(table), 20)
    assert LONG not in "".join(narrow) and "…" in "".join(narrow)
    assert all(len(row) <= 20 for row in narrow)


def test_plain_text_tables_and_bars_cut_with_an_ellipsis_only_when_needed():
    table = {"kind": "table", "rows": [[LONG, "1"]], "header": None, "title": None}
    assert LONG in render_text(table, 80)
    assert "…" in render_text(table, 20)
    bars = {"kind": "bars", "values": [1.0], "labels": [LONG], "log": False, "title": None}
    assert LONG in render_text(bars, 100)


def test_a_line_chart_labels_its_x_axis_with_the_x_values():
    chart = LineChart(dict(line_display([1.0, 4.0, 9.0, 16.0], x=[10, 20, 30, 40])))
    rows = plain(chart, 60)
    axis = rows[-2]
    assert axis.split() == ["10", "25", "40"]
    # Without x the axis counts points from 0.
    rows = plain(LineChart(dict(line_display([1.0, 4.0, 9.0]))), 60)
    assert rows[-2].split() == ["0", "1", "2"]
    assert render_text(dict(line_display([1.0, 2.0], x=[5, 7])), 60).splitlines()[-1].split() \
        == ["5", "7"]


def test_x_values_must_match_the_points():
    import pytest

    from grimoire.course.display import DisplayError

    with pytest.raises(DisplayError, match="one x per point"):
        line_display([1.0, 2.0, 3.0], x=[1, 2])


def test_heatmap_row_labels_of_two_rows_on_one_line_stay_apart():
    text = "hello world, the grimoire reads itself and more besides!"
    values = [[float(i * j % 7) for j in range(len(text))] for i in range(len(text))]
    heatmap = Heatmap({"kind": "heatmap", "values": values, "rows": list(text),
                       "cols": list(text)})
    rows = plain(heatmap, 100)
    labels = [row.split()[0] for row in rows[1:4]]
    # 'h' and 'e' share the first line: shown as "h/e", never as the word "he".
    assert rows[1].lstrip().startswith("h/e")
    assert all("/" in label for label in labels)


def test_heatmap_pairs_of_long_labels_keep_both_sides():
    labels = [f"layer {i} head {i}" for i in range(40)]
    values = [[float(i + j) for j in range(40)] for i in range(40)]
    rows = plain(Heatmap({"kind": "heatmap", "values": values, "rows": labels}), 60)
    first = rows[0] if rows[0].lstrip().startswith("layer") else rows[1]
    upper, _, lower = first.strip().partition("/")
    assert upper.startswith("layer 0") and lower.startswith("layer")


def _hue(rgb) -> float:
    _, a, b = to_oklab(rgb)
    return math.degrees(math.atan2(b, a)) % 360


def test_the_diverging_scale_keeps_one_hue_a_side_and_even_steps():
    for dark in (True, False):
        colours = theme_colours(None) if dark else type(COLOURS)(
            False, (245, 245, 245), (30, 30, 30), (120, 120, 120), (200, 120, 0))
        scale = ColourScale(-1.0, 1.0, True, colours)
        middle = to_oklab(colours.surface)
        for sign in (-1, 1):
            hues = [_hue(scale.rgb(sign * t / 10)) for t in range(3, 11)]
            # No teal (about 180-200°) nor amber (about 60-90°) on the way: one hue a side.
            assert max(hues) - min(hues) < 25, (dark, sign, hues)
            assert not any(50 < h < 100 or 160 < h < 210 for h in hues)
            # Equal steps in value are equal steps in perceived lightness.
            steps = [abs(to_oklab(scale.rgb(sign * t / 4))[0] - middle[0]) for t in range(5)]
            gaps = [b - a for a, b in itertools.pairwise(steps)]
            assert max(gaps) - min(gaps) < 0.02
        # The same magnitude looks as strong on either side.
        assert abs(to_oklab(scale.rgb(0.7))[0] - to_oklab(scale.rgb(-0.7))[0]) < 0.02


def test_one_sign_gets_a_sequential_scale_strongest_at_the_largest_magnitude():
    assert not ColourScale.for_values([0.1, 0.5, 0.9], COLOURS).diverging
    negative = ColourScale.for_values([-3.0, -2.0, -0.5], COLOURS)
    assert not negative.diverging
    distance = [abs(to_oklab(negative.rgb(v))[0] - to_oklab(COLOURS.surface)[0])
                for v in (-0.5, -2.0, -3.0)]
    assert distance == sorted(distance) and distance[0] < distance[-1]
    assert ColourScale.for_values([-1.0, 2.0], COLOURS).diverging


async def test_the_monochrome_theme_draws_pictures_in_glyphs():
    from grimoire.cli import build_parser
    from grimoire.ui.app import GrimoireApp, StartRequest

    assert build_parser().parse_args(["--monochrome"]).monochrome
    app = GrimoireApp(StartRequest(screen="map", extra={"theme": "monochrome"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "monochrome"
        assert theme_colours(app).monochrome


def test_the_newline_and_the_character_that_pictures_it_are_shown_apart():
    from grimoire.ui.widgets.palette import readable_labels

    assert readable_labels(["\n", "⏎", "a"]) == ["⏎", "'⏎'", "a"]
    assert readable_labels([" ", "␣"]) == ["␣", "'␣'"]
    # Labels a lesson already turned into symbols stay as they are.
    assert readable_labels(["␣", "⏎", "a"]) == ["␣", "⏎", "a"]
    # The playground's nearest neighbours hold both when the familiar knows both.
    bars = Bars({"kind": "bars", "values": [0.9, 0.8], "labels": ["\n", "⏎"], "log": False})
    rows = plain(bars, 40)
    assert rows[0].split()[0] == "⏎" and rows[1].split()[0] == "'⏎'"
