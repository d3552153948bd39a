"""What a cell can show (heatmap, bars, scatter, line, table, matrix) as plain data, and as text.

Inside a kernel cell the namespace has `show`, an instance of `Show`::

    show.heatmap(M, rows=None, cols=None, title=None) -> Display
    show.bars(values, labels=None, log=False, title=None) -> Display
    show.scatter(points, labels=None, title=None) -> Display
    show.line(*series, x=None, labels=None, title=None) -> Display
    show.table(rows, header=None, title=None) -> Display
    show.matrix(M, title=None) -> Display

Each returns a `Display` (a dict subclass; `dict(display)` is the plain dict of the brief) and,
inside the kernel, also hands it to the cell's result, so a display is shown once whether or
not the cell keeps it. The plain dicts (what crosses the process boundary, JSON-safe)::

    {"kind": "heatmap", "values": [[float]], "rows": [str]|None, "cols": [str]|None, "title": str|None}
    {"kind": "bars", "values": [float], "labels": [str]|None, "log": bool, "title": str|None}
    {"kind": "scatter", "points": [[x, y]], "labels": [str]|None, "title": str|None}
    {"kind": "line", "series": [[float]], "labels": [str]|None, "title": str|None,
     "x": [float]|None}         # x: where each point sits on the x axis; None for 0, 1, 2, ...
    {"kind": "table", "rows": [[str]], "header": [str]|None, "title": str|None}
    {"kind": "matrix", "values": [[float]], "title": str|None}

Sizes are capped (MAX_CELLS values, MAX_ROWS table rows, MAX_POINTS points) so a display stays
drawable; a display cut to size gets "truncated": [original shape] as an extra key.

    render_text(display: dict, width: int = 80) -> str     # for `grimoire run` and plain output
    validate(display: dict) -> str | None                   # None, or a sentence on what is wrong

Wrong input (a 3-D array to a heatmap, labels of the wrong length) raises DisplayError, a
ValueError whose message is a sentence for the learner.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

KINDS = ("heatmap", "bars", "scatter", "line", "table", "matrix")
MAX_SIDE = 256
MAX_POINTS = 5000
MAX_ROWS = 200
MAX_TEXT = 200


class DisplayError(ValueError):
    """A `show.*` call got data it cannot draw; the message says what and how to fix it."""


class Display(dict):
    """A display as plain data; a dict subclass so the kernel does not echo it as a value."""

    def __repr__(self) -> str:
        return f"<{self['kind']} display{': ' + self['title'] if self.get('title') else ''}>"


def _floats(values: Iterable[Any], what: str) -> list[float]:
    out = []
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DisplayError(f"{what} should hold numbers, but one is {value!r}.") from None
        out.append(number)
    return out


def _as_list(data: Any) -> Any:
    """numpy arrays and nested sequences alike -> nested Python lists (no numpy import needed)."""
    if hasattr(data, "tolist"):
        return data.tolist()
    if isinstance(data, (str, bytes)):
        return data  # a leaf; the caller says why text is not a number
    if isinstance(data, Iterable):
        return [_as_list(item) if not isinstance(item, (int, float)) else item for item in data]
    return data


def _head(data: Any, limit: int) -> tuple[Any, list[int] | None]:
    """An array cut to `limit` along each of its first two axes before it is converted.

    Converting a 10,000 × 10,000 array to lists to keep 256 × 256 of it would need gigabytes.
    Returns the cut array and the original shape (None when nothing was cut).
    """
    shape = getattr(data, "shape", None)
    if not isinstance(shape, tuple) or not shape or not hasattr(data, "__getitem__"):
        return data, None
    if all(side <= limit for side in shape[:2]):
        return data, None
    if len(shape) == 1:
        return data[:limit], list(shape)
    return data[:limit, :limit], list(shape)


def _matrix(data: Any, what: str) -> tuple[list[list[float]], list[int] | None]:
    data, cut_from = _head(data, MAX_SIDE)
    rows = _as_list(data)
    if isinstance(rows, (int, float)):
        rows = [[rows]]
    if not isinstance(rows, list) or not rows:
        raise DisplayError(f"{what} needs a 2-D array with at least one value.")
    if not isinstance(rows[0], list):
        rows = [rows]  # a vector is drawn as one row
    shape = [len(rows), len(rows[0]) if rows else 0]
    if any(not isinstance(row, list) or len(row) != shape[1] for row in rows):
        raise DisplayError(f"{what} needs a 2-D array whose rows all have the same length.")
    if shape[1] and any(isinstance(x, list) for x in rows[0]):
        raise DisplayError(f"{what} needs a 2-D array; this one has more dimensions. "
                           "Pick a slice, such as M[0].")
    truncated = cut_from[:2] if cut_from and len(cut_from) >= 2 else cut_from
    if shape[0] > MAX_SIDE or shape[1] > MAX_SIDE:
        truncated = shape
        rows = [row[:MAX_SIDE] for row in rows[:MAX_SIDE]]
    return [_floats(row, what) for row in rows], truncated


def _labels(labels: Any, n: int | None, what: str) -> list[str] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        raise DisplayError(f"{what} should be a list of labels, not a single text.")
    raw = labels.tolist() if hasattr(labels, "tolist") else labels
    try:
        items = [str(label) for label in raw]
    except TypeError:
        raise DisplayError(f"{what} should be a list of labels.") from None
    if n is not None and len(items) < n:
        raise DisplayError(f"{what} has {len(items)} labels for {n} values; give one each.")
    kept = items[:n] if n is not None else items
    return [item[:MAX_TEXT] for item in kept]


def _title(title: Any) -> str | None:
    return None if title is None else str(title)[:MAX_TEXT]


def heatmap(M: Any, rows: Any = None, cols: Any = None, title: Any = None) -> Display:
    """A matrix drawn as colour: one cell per entry."""
    values, truncated = _matrix(M, "show.heatmap")
    display = Display(kind="heatmap", values=values,
                      rows=_labels(rows, len(values), "rows="),
                      cols=_labels(cols, len(values[0]), "cols="), title=_title(title))
    if truncated:
        display["truncated"] = truncated
    return display


def bars(values: Any, labels: Any = None, log: bool = False, title: Any = None) -> Display:
    """One bar per value (log=True for a log scale)."""
    values, cut_from = _head(values, MAX_SIDE)
    items = _as_list(values)
    if not isinstance(items, list) or any(isinstance(v, list) for v in items):
        raise DisplayError("show.bars needs a 1-D list or array of numbers.")
    numbers = _floats(items, "show.bars")
    display = Display(kind="bars", values=numbers[:MAX_SIDE],
                      labels=_labels(labels, min(len(numbers), MAX_SIDE), "labels="),
                      log=bool(log), title=_title(title))
    if len(numbers) > MAX_SIDE or cut_from:
        display["truncated"] = cut_from or [len(numbers)]
    return display


def scatter(points: Any, labels: Any = None, title: Any = None) -> Display:
    """Points in the plane (an (n, 2) array); labels name each point."""
    points, cut_from = _head(points, MAX_POINTS)
    items = _as_list(points)
    if not isinstance(items, list) or any(not isinstance(p, list) or len(p) != 2 for p in items):
        raise DisplayError("show.scatter needs an (n, 2) array: one [x, y] per point. "
                           "To draw higher dimensions, project first, e.g. X @ V[:, :2].")
    coords = [_floats(p, "show.scatter") for p in items[:MAX_POINTS]]
    display = Display(kind="scatter", points=coords,
                      labels=_labels(labels, len(coords), "labels="), title=_title(title))
    if len(items) > MAX_POINTS or cut_from:
        display["truncated"] = cut_from or [len(items), 2]
    return display


def line(*series: Any, x: Any = None, labels: Any = None, title: Any = None) -> Display:
    """One or more series of numbers drawn as lines, against x (default: their index)."""
    if not series:
        raise DisplayError("show.line needs at least one series of numbers.")
    lists = []
    for one in series:
        items = _as_list(_head(one, MAX_POINTS)[0])
        if not isinstance(items, list) or any(isinstance(v, list) for v in items):
            raise DisplayError("show.line takes 1-D series: show.line(a, b, labels=['a', 'b']).")
        lists.append(_floats(items[:MAX_POINTS], "show.line"))
    xs = None
    if x is not None:
        items = _as_list(x)
        if not isinstance(items, list) or any(isinstance(v, list) for v in items):
            raise DisplayError("show.line's x= is one 1-D list of numbers, one per point.")
        xs = _floats(items[:MAX_POINTS], "show.line's x=")
        longest = max(len(s) for s in lists)
        if len(xs) != longest:
            raise DisplayError(f"show.line's x= has {len(xs)} values for series of "
                               f"{longest} points; give one x per point.")
    return Display(kind="line", series=lists, labels=_labels(labels, len(lists), "labels="),
                   title=_title(title), x=xs)


def table(rows: Any, header: Any = None, title: Any = None) -> Display:
    """Rows of cells, shown as text (numbers formatted compactly)."""
    items = _as_list(rows) if not isinstance(rows, list) else rows
    if not isinstance(items, list):
        raise DisplayError("show.table needs a list of rows.")
    text_rows = []
    for row in items[:MAX_ROWS]:
        cells = row if isinstance(row, (list, tuple)) else _as_list(row) if hasattr(row, "tolist") \
            else [row]
        text_rows.append([_cell_text(cell) for cell in cells])
    head = None if header is None else [str(h)[:MAX_TEXT] for h in header]
    display = Display(kind="table", rows=text_rows, header=head, title=_title(title))
    if len(items) > MAX_ROWS:
        display["truncated"] = [len(items)]
    return display


def matrix(M: Any, title: Any = None) -> Display:
    """A matrix as numbers in a grid, for small ones where the digits matter."""
    values, truncated = _matrix(M, "show.matrix")
    display = Display(kind="matrix", values=values, title=_title(title))
    if truncated:
        display["truncated"] = truncated
    return display


def _cell_text(cell: Any) -> str:
    if isinstance(cell, float) or type(cell).__name__.startswith("float"):
        return _number(float(cell))
    return str(cell)[:MAX_TEXT]


class Show:
    """The `show` object of a kernel namespace; `sink` receives every display made."""

    def __init__(self, sink: Callable[[Display], None] | None = None) -> None:
        self._sink = sink

    def _emit(self, display: Display) -> Display:
        if self._sink is not None:
            self._sink(display)
        return display

    def heatmap(self, M: Any, rows: Any = None, cols: Any = None, title: Any = None) -> Display:
        """A matrix drawn as colour: show.heatmap(M, rows=labels, cols=labels, title=...)."""
        return self._emit(heatmap(M, rows=rows, cols=cols, title=title))

    def bars(self, values: Any, labels: Any = None, log: bool = False, title: Any = None) -> Display:
        """One bar per value: show.bars(values, labels=..., log=False, title=...)."""
        return self._emit(bars(values, labels=labels, log=log, title=title))

    def scatter(self, points: Any, labels: Any = None, title: Any = None) -> Display:
        """Points from an (n, 2) array: show.scatter(points, labels=..., title=...)."""
        return self._emit(scatter(points, labels=labels, title=title))

    def line(self, *series: Any, x: Any = None, labels: Any = None, title: Any = None) -> Display:
        """Series as lines: show.line(a, b, x=ks, labels=['a', 'b'], title=...)."""
        return self._emit(line(*series, x=x, labels=labels, title=title))

    def table(self, rows: Any, header: Any = None, title: Any = None) -> Display:
        """Rows of cells: show.table(rows, header=[...], title=...)."""
        return self._emit(table(rows, header=header, title=title))

    def matrix(self, M: Any, title: Any = None) -> Display:
        """A small matrix as digits: show.matrix(M, title=...)."""
        return self._emit(matrix(M, title=title))

    def __repr__(self) -> str:
        return "<show: heatmap, bars, scatter, line, table, matrix>"


def validate(display: Any) -> str | None:
    """None when `display` is a well-formed display dict, else a sentence on what is wrong."""
    if not isinstance(display, dict) or display.get("kind") not in KINDS:
        return "A display is a dict whose 'kind' is one of " + ", ".join(KINDS) + "."
    required = {
        "heatmap": ("values", "rows", "cols", "title"),
        "bars": ("values", "labels", "log", "title"),
        "scatter": ("points", "labels", "title"),
        "line": ("series", "labels", "title"),
        "table": ("rows", "header", "title"),
        "matrix": ("values", "title"),
    }[display["kind"]]
    missing = [key for key in required if key not in display]
    if missing:
        return f"A {display['kind']} display lacks {', '.join(missing)}."
    return None


# -- text rendering ------------------------------------------------------------------------

_SHADES = " ░▒▓█"
_BLOCKS = " ▁▂▃▄▅▆▇█"


def _number(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if abs(x) >= 1e5 or abs(x) < 1e-3:
        return f"{x:.2e}"
    return f"{x:.4g}"


def _finite(values: Iterable[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _header(display: dict, extra: str = "") -> list[str]:
    title = display.get("title")
    line_text = f"── {title} " if title else "── "
    note = display.get("truncated")
    if note:
        extra += f" (cut from {' x '.join(str(n) for n in note)})"
    return [line_text + display["kind"] + extra]


def _render_heatmap(display: dict, width: int) -> list[str]:
    """Two characters a cell. Signed values: '+' or '−' and a shade for the size, blank near
    zero; one-sign values: a shade twice. No colour is needed to read it."""
    values = display["values"]
    finite = _finite(v for row in values for v in row)
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    signed = low < 0 < high
    bound = max(abs(low), abs(high)) or 1.0
    span = high - low or 1.0
    rows = display.get("rows") or [str(i) for i in range(len(values))]
    label_width = min(max((len(r) for r in rows), default=1), 12)
    n_cols = min(len(values[0]), max(1, (width - label_width - 1) // 2))
    lines = _header(display, f" {len(values)}x{len(values[0])}, min {_number(low)} "
                             f"max {_number(high)}")
    cols = display.get("cols")
    if cols:
        lines.append(" " * (label_width + 1) + "".join(c[:1].ljust(2) for c in cols[:n_cols]))
    shades = _SHADES[1:]
    for label, row in zip(rows, values, strict=False):
        cells = []
        for v in row[:n_cols]:
            if not math.isfinite(v):
                cells.append("??")
            elif signed:
                level = min(len(shades), int(abs(v) / bound * len(shades) + 0.5))
                cells.append("  " if level == 0 else ("+" if v > 0 else "−") + shades[level - 1])
            else:
                fraction = (v - low) / span if high > 0 else (high - v) / span
                cells.append(shades[min(len(shades) - 1, int(fraction * len(shades)))] * 2)
        lines.append(_cut(_printable(label), label_width).rjust(label_width) + " "
                     + "".join(cells))
    if signed:
        lines.append(" " * (label_width + 1) + "− below zero, + above, the shade its size "
                     "(" + " ".join(shades) + "); blank is about 0")
    return lines


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, ending in '…' when it had to be shortened."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _render_bars(display: dict, width: int) -> list[str]:
    values = display["values"]
    labels = display.get("labels") or [str(i) for i in range(len(values))]
    labels = [_printable(label) for label in labels]
    log = display.get("log")
    label_width = min(max((len(label) for label in labels), default=1), max(16, width // 2))
    room = max(8, width - label_width - 14)
    scaled = []
    for v in values:
        if log:
            scaled.append(math.log10(v) if v > 0 and math.isfinite(v) else float("nan"))
        else:
            scaled.append(abs(v) if math.isfinite(v) else float("nan"))
    finite = _finite(scaled)
    low = min(finite + [0.0]) if log else 0.0
    high = max(finite, default=1.0)
    span = (high - low) or 1.0
    lines = _header(display, " (log scale)" if log else "")
    for label, v, s in zip(labels, values, scaled, strict=False):
        length = 0 if not math.isfinite(s) else round((s - low) / span * room)
        bar = ("█" * length) if v >= 0 or log else ("▒" * length)
        lines.append(f"{_cut(label, label_width).rjust(label_width)} {bar} {_number(v)}")
    return lines


def _grid(width: int, height: int) -> list[list[str]]:
    return [[" "] * width for _ in range(height)]


def _render_points(display: dict, series: list[list[tuple[float, float]]], marks: str,
                   width: int, height: int = 12) -> list[str]:
    pts = [p for s in series for p in s if math.isfinite(p[0]) and math.isfinite(p[1])]
    if not pts:
        return _header(display) + ["(no finite points)"]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    plot_width = max(10, width - 12)
    grid = _grid(plot_width, height)
    for index, points in enumerate(series):
        mark = marks[index % len(marks)]
        for x, y in points:
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            col = int((x - x0) / ((x1 - x0) or 1.0) * (plot_width - 1))
            row = height - 1 - int((y - y0) / ((y1 - y0) or 1.0) * (height - 1))
            grid[row][col] = mark
    lines = []
    for index, row in enumerate(grid):
        axis = _number(y1) if index == 0 else _number(y0) if index == height - 1 else ""
        lines.append(axis.rjust(10) + " │" + "".join(row))
    lines.append(" " * 11 + "└" + "─" * plot_width)
    lines.append(" " * 12 + _number(x0) + _number(x1).rjust(plot_width - len(_number(x0))))
    return lines


def _render_scatter(display: dict, width: int) -> list[str]:
    points = [(p[0], p[1]) for p in display["points"]]
    lines = _header(display, f" {len(points)} points") + _render_points(display, [points], "●",
                                                                        width)[0:]
    labels = display.get("labels")
    if labels and len(labels) <= 12:
        lines.append("  " + ", ".join(f"{_printable(lab)}=({_number(x)}, {_number(y)})"
                                      for lab, (x, y) in zip(labels, points, strict=False)))
    return lines


def _render_line(display: dict, width: int) -> list[str]:
    xs = display.get("x")
    series = [[(float(xs[i]) if xs else float(i), v) for i, v in enumerate(s)]
              for s in display["series"]]
    marks = "•×+o*#"
    lines = _header(display) + _render_points(display, series, marks, width)
    labels = display.get("labels")
    if labels:
        lines.append("  " + "   ".join(f"{marks[i % len(marks)]} {_printable(label)}"
                                       for i, label in enumerate(labels)))
    return lines


def _render_table(display: dict, width: int) -> list[str]:
    header = display.get("header")
    rows = [[_printable(c) for c in row] for row in display["rows"]]
    all_rows = ([header] if header else []) + rows
    n_cols = max((len(r) for r in all_rows), default=0)
    widths = [0] * n_cols
    for row in all_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    # Cells are cut only when the table is wider than the page: the widest column gives way.
    while sum(widths) + 2 * (n_cols - 1) > width and max(widths, default=0) > 3:
        widths[widths.index(max(widths))] -= 1

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(_cut(str(c), widths[i]).ljust(widths[i])
                         for i, c in enumerate(row)).rstrip()
    lines = _header(display)
    if header:
        lines.append(fmt(header))
        lines.append("  ".join("─" * w for w in widths))
    lines.extend(fmt(row) for row in rows)
    return lines


def _render_matrix(display: dict, width: int) -> list[str]:
    values = display["values"]
    texts = [[_number(v) for v in row] for row in values]
    cell = max((len(t) for row in texts for t in row), default=1)
    n_cols = max(1, min(len(values[0]), (width - 4) // (cell + 1)))
    lines = _header(display, f" {len(values)}x{len(values[0])}")
    for index, row in enumerate(texts):
        left, right = ("┌", "┐") if index == 0 else ("└", "┘") if index == len(texts) - 1 \
            else ("│", "│")
        if len(texts) == 1:
            left, right = "[", "]"
        more = " …" if len(row) > n_cols else ""
        lines.append(f"{left} " + " ".join(t.rjust(cell) for t in row[:n_cols]) + more
                     + f" {right}")
    return lines


def render_text(display: dict, width: int = 80) -> str:
    """A display drawn with text characters, for terminals without the app and for logs."""
    problem = validate(display)
    if problem:
        return f"(a display that cannot be drawn: {problem})"
    renderer = {
        "heatmap": _render_heatmap,
        "bars": _render_bars,
        "scatter": _render_scatter,
        "line": _render_line,
        "table": _render_table,
        "matrix": _render_matrix,
    }[display["kind"]]
    return "\n".join(renderer(display, max(20, width)))


# -- summaries in words (for `grimoire learn --plain`, screen readers and exports) --------------

def _where(labels: list[str] | None, index: int, what: str) -> str:
    if labels and index < len(labels):
        return f"{what} {index} ({_printable(labels[index])!r})"
    return f"{what} {index}"


def _extremes(values: list[float]) -> tuple[int, int] | None:
    finite = [i for i, v in enumerate(values) if math.isfinite(v)]
    if not finite:
        return None
    return (min(finite, key=values.__getitem__), max(finite, key=values.__getitem__))


def describe(display: dict) -> str:
    """A display in words: what it is, its shape, its range and where its extremes are.

    This is the picture for a learner who cannot see it (a screen reader, a notebook read as
    text): every fact a glance at the picture would give, said in sentences.
    """
    problem = validate(display)
    if problem:
        return f"A display that cannot be drawn: {problem}"
    kind = display["kind"]
    title = f" '{_printable(display['title'])}'" if display.get("title") else ""
    cut = display.get("truncated")
    note = f" (cut from {' x '.join(str(n) for n in cut)})" if cut else ""
    if kind in ("heatmap", "matrix"):
        values = display["values"]
        n_rows, n_cols = len(values), len(values[0]) if values else 0
        flat = [v for row in values for v in row]
        found = _extremes(flat)
        text = (f"A {kind}{title}: {n_rows} row{'s' * (n_rows != 1)} by {n_cols} "
                f"column{'s' * (n_cols != 1)}{note}.")
        if found is None:
            return text + " It has no finite values."
        low, high = found
        rows, cols = display.get("rows"), display.get("cols")
        negative = sum(1 for v in flat if v < 0)
        text += (f" Values run from {_number(flat[low])} to {_number(flat[high])}"
                 f"{f'; {negative} of {len(flat)} are negative' if negative else ''}.")
        text += (f" The largest, {_number(flat[high])}, is at "
                 f"{_where(rows, high // n_cols, 'row')}, {_where(cols, high % n_cols, 'column')};"
                 f" the smallest, {_number(flat[low])}, at {_where(rows, low // n_cols, 'row')},"
                 f" {_where(cols, low % n_cols, 'column')}.")
        if kind == "matrix" and n_rows * n_cols <= 36:
            text += " Rows: " + "; ".join(", ".join(_number(v) for v in row) for row in values) \
                + "."
        return text
    if kind == "bars":
        values = display["values"]
        labels = display.get("labels")
        text = f"Bars{title}: {len(values)} values{note}" + (" on a log scale" if display.get(
            "log") else "") + "."
        if len(values) <= 24:
            named = [f"{_printable(labels[i]) if labels else i}: {_number(v)}"
                     for i, v in enumerate(values)]
            return text + " " + "; ".join(named) + "."
        found = _extremes(values)
        if found:
            low, high = found
            text += (f" The largest is {_number(values[high])} at {_where(labels, high, 'bar')};"
                     f" the smallest {_number(values[low])} at {_where(labels, low, 'bar')}.")
        return text
    if kind == "line":
        xs = display.get("x")
        labels = display.get("labels") or []
        parts = [f"A line chart{title} of {len(display['series'])} series."]
        for number, series in enumerate(display["series"]):
            name = _printable(labels[number]) if number < len(labels) else f"series {number}"
            found = _extremes(series)
            if not series or found is None:
                parts.append(f"'{name}' has no finite points.")
                continue
            low, high = found

            def at(i: int) -> str:
                return _number(xs[i]) if xs and i < len(xs) else str(i)

            parts.append(f"'{name}': {len(series)} points from {_number(series[0])} at x = "
                         f"{at(0)} to {_number(series[-1])} at x = {at(len(series) - 1)}; "
                         f"highest {_number(series[high])} at x = {at(high)}, lowest "
                         f"{_number(series[low])} at x = {at(low)}.")
        return " ".join(parts)
    if kind == "scatter":
        points = display["points"]
        if not points:
            return f"A scatter plot{title} with no points."
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        text = (f"A scatter plot{title} of {len(points)} points{note}: x from "
                f"{_number(min(xs))} to {_number(max(xs))}, y from {_number(min(ys))} to "
                f"{_number(max(ys))}.")
        labels = display.get("labels")
        if labels and len(points) <= 12:
            text += " " + "; ".join(f"{_printable(label)} at ({_number(x)}, {_number(y)})"
                                    for label, (x, y) in zip(labels, points, strict=False)) + "."
        return text
    # A table is already words: its rows, one a line.
    header = display.get("header")
    count = len(display["rows"])
    lines = [f"A table{title} of {count} row{'s' * (count != 1)}{note}."]
    if header:
        lines.append("Columns: " + ", ".join(_printable(h) for h in header) + ".")
    for row in display["rows"]:
        lines.append(" | ".join(_printable(cell) for cell in row))
    return "\n".join(lines)
