"""Bars fit their panel exactly, numbers included, at any width; labels stay readable."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import App, ComposeResult

from grimoire.ui.widgets.bars import Bars
from grimoire.ui.widgets.palette import format_number, readable_label

VALUES = [0.16, 0.104, -0.06, 0.0583, 1234.5, 0.0]
LABELS = [" ", "\n", "layer 0 head 1", "a much longer label than fits", "s", "\t"]


class OneChart(App):
    """A single bars picture filling the terminal."""

    def compose(self) -> ComposeResult:
        yield Bars({"kind": "bars", "values": VALUES, "labels": LABELS, "log": False,
                    "title": "probabilities"})


def painted_cells(line: Text) -> int:
    """How many cells of the line are painted with a background colour (a bar's whole cells)."""
    return sum(span.end - span.start for span in line.spans
               if not isinstance(span.style, str) and span.style.bgcolor is not None)


def check_rows_fit(bars: Bars) -> int:
    width = bars.content_size.width
    rows = bars.lines_for(width)
    assert len(rows) == len(VALUES)
    for row, value in zip(rows, VALUES, strict=True):
        # Each row is exactly as wide as the panel and ends with its whole number, uncut.
        assert cell_len(row.plain) == width
        assert row.plain.endswith(" " + format_number(value))
    # The largest value's bar reaches the number's column, less the space before it.
    longest = rows[VALUES.index(max(VALUES))]
    number_width = max(len(format_number(v)) for v in VALUES)
    assert longest.plain.index("│") + 1 + painted_cells(longest) + 1 + number_width >= width - 1
    return width


async def test_bars_fill_their_width_exactly_with_the_numbers_inside() -> None:
    app = OneChart()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        bars = app.query_one(Bars)
        seen = {check_rows_fit(bars)}
        for size in [(61, 30), (34, 30)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            seen.add(check_rows_fit(bars))
        assert len(seen) == 3
        # The multi-word label keeps its spaces; a lone space or newline shows as a symbol.
        assert bars.lines_for(bars.content_size.width)[0].plain.lstrip().startswith("␣ ")


def test_readable_label_shows_lone_whitespace_and_keeps_spaces_between_words() -> None:
    assert [readable_label(c) for c in [" ", "\n", "\t", "a"]] == ["␣", "⏎", "⇥", "a"]
    assert readable_label("layer 0 head 1") == "layer 0 head 1"
    assert readable_label("  ") == "  "
    # A label is one line: a break or a control character inside a longer one is still shown.
    assert readable_label("end\nstart") == "end⏎start"
    assert readable_label(3) == "3"
