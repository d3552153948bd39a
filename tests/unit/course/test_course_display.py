"""Displays: the exact plain dicts of the contract, sizes capped, and a readable text drawing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from grimoire.course.display import (
    MAX_SIDE,
    Display,
    DisplayError,
    Show,
    render_text,
    validate,
)


@pytest.fixture
def show_and_sink() -> tuple[Show, list[Display]]:
    sink: list[Display] = []
    return Show(sink.append), sink


def test_each_display_is_the_contract_dict(show_and_sink: tuple[Show, list[Display]]) -> None:
    show, sink = show_and_sink
    made = [
        show.heatmap(np.array([[1, 2], [3, 4]], dtype=np.float32), rows=["a", "b"],
                     cols=["x", "y"], title="h"),
        show.bars(np.array([1.5, 2.5]), labels=["p", "q"], log=True, title="b"),
        show.scatter(np.array([[0, 1], [2, 3]]), labels=["one", "two"]),
        show.line([1, 2, 3], np.array([3.0, 2.0, 1.0]), labels=["up", "down"]),
        show.table([["svd", 1.23456789], ["qr", 2]], header=["name", "value"]),
        show.matrix(np.eye(2), title="I"),
    ]
    assert [dict(d) for d in made] == [
        {"kind": "heatmap", "values": [[1.0, 2.0], [3.0, 4.0]], "rows": ["a", "b"],
         "cols": ["x", "y"], "title": "h"},
        {"kind": "bars", "values": [1.5, 2.5], "labels": ["p", "q"], "log": True, "title": "b"},
        {"kind": "scatter", "points": [[0.0, 1.0], [2.0, 3.0]], "labels": ["one", "two"],
         "title": None},
        {"kind": "line", "series": [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], "labels": ["up", "down"],
         "title": None, "x": None},
        {"kind": "table", "rows": [["svd", "1.235"], ["qr", "2"]], "header": ["name", "value"],
         "title": None},
        {"kind": "matrix", "values": [[1.0, 0.0], [0.0, 1.0]], "title": "I"},
    ]
    assert sink == made  # every call reached the cell's result
    for display in made:
        assert validate(display) is None
        json.loads(json.dumps(display))
        assert render_text(display).strip()


def test_big_matrices_are_cut_and_say_so() -> None:
    display = Show().heatmap(np.zeros((1000, 3)))
    assert len(display["values"]) == MAX_SIDE and display["truncated"] == [1000, 3]
    assert "cut from 1000 x 3" in render_text(display)


@pytest.mark.parametrize("call, sentence", [
    (lambda s: s.heatmap(np.zeros((2, 2, 2))), "2-D array"),
    (lambda s: s.bars([1, 2], labels=["only one"]), "1 labels for 2 values"),
    (lambda s: s.scatter(np.zeros((4, 3))), "(n, 2) array"),
    (lambda s: s.bars(["a", "b"]), "should hold numbers"),
    (lambda s: s.line(), "at least one series"),
])
def test_wrong_input_is_a_sentence(call, sentence: str) -> None:
    with pytest.raises(DisplayError, match=None) as caught:
        call(Show())
    assert sentence in str(caught.value)


def test_text_drawings_show_the_data() -> None:
    bars = render_text(Show().bars([1, 4], labels=["low", "high"], title="sizes"))
    assert "sizes" in bars and "high" in bars
    high_line = next(line for line in bars.splitlines() if "high" in line)
    low_line = next(line for line in bars.splitlines() if "low" in line)
    assert high_line.count("█") > low_line.count("█")
    heat = render_text(Show().heatmap([[0, 1], [1, 0]], rows=["r0", "r1"]))
    assert "█" in heat and "r1" in heat
    matrix = render_text(Show().matrix([[1, 2], [3, 4]]))
    assert "┌" in matrix and "4" in matrix
    table = render_text(Show().table([["a", 1]], header=["k", "v"]))
    assert table.splitlines()[1].split() == ["k", "v"]


def test_non_finite_values_do_not_break_drawing() -> None:
    text = render_text(Show().heatmap([[float("nan"), 1.0], [float("inf"), 0.0]]))
    assert "??" in text
    assert "nan" in render_text(Show().bars([float("nan"), 1.0]))


def test_invalid_dict_is_described_not_drawn() -> None:
    assert validate({"kind": "pie"}) is not None
    assert render_text({"kind": "bars", "values": [1]}).startswith("(a display that cannot")
