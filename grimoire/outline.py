"""The shape of a source file: classes and functions of Python, keys and steps of a lesson."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Symbol", "find_symbol", "outline", "outline_in_pieces", "outline_text"]


@dataclass(frozen=True)
class Symbol:
    """One entry of a file's outline, with the lines it spans (1-based, inclusive)."""

    name: str
    """The short name shown, e.g. `forward` or a step's title."""
    qualname: str
    """The dotted name that finds it, e.g. `GPT.forward` or `steps.2`."""
    kind: str
    """One of: class, function, method, key, step, heading, table."""
    line: int
    end_line: int
    depth: int = 0


_YAML_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_YAML_STEP_TITLE = re.compile(r"^(\s*)-\s+title\s*:\s*(.+?)\s*$")
_MD_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")
_TOML_TABLE = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*$")


def outline(path: Path) -> list[Symbol]:
    """The outline of a file on disk; empty for files we cannot read as text."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return outline_text(text, path.suffix.lower())


def outline_text(text: str, suffix: str) -> list[Symbol]:
    """The outline of `text`, read as the kind of file `suffix` (e.g. '.py') names."""
    if suffix in (".py", ".pyi"):
        return _python_outline(text)
    if suffix in (".yaml", ".yml"):
        return _yaml_outline(text)
    if suffix in (".md", ".markdown"):
        return _markdown_outline(text)
    if suffix == ".toml":
        return _toml_outline(text)
    return []


def find_symbol(path: Path, name: str) -> Symbol | None:
    """The symbol of `path` called `name` (qualified like `GPT.forward`, or a unique short name)."""
    symbols = outline(path)
    for symbol in symbols:
        if symbol.qualname == name:
            return symbol
    short = [symbol for symbol in symbols if symbol.name == name]
    return short[0] if len(short) == 1 else None


def _python_outline(text: str) -> list[Symbol]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return _python_symbols(tree)


def _python_symbols(tree: ast.Module) -> list[Symbol]:
    symbols: list[Symbol] = []

    def visit(body: list[ast.stmt], prefix: str, depth: int, in_class: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                kind = "class"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                kind = "method" if in_class else "function"
            else:
                continue
            qualname = f"{prefix}{node.name}"
            # A decorated definition starts at its first decorator: that is what a reader sees.
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            end = node.end_lineno or node.lineno
            symbols.append(Symbol(node.name, qualname, kind, first, end, depth))
            if kind == "class":
                visit(node.body, f"{qualname}.", depth + 1, True)

    visit(tree.body, "", 0, False)
    return symbols


_TOP_LEVEL = ("def ", "class ", "async def ", "@")


def outline_in_pieces(text: str, suffix: str) -> list[Symbol]:
    """The same outline as `outline_text`, read a piece at a time: for a very long page, read in
    a thread while the page is already shown.

    Python's parser holds the interpreter for the whole text it reads (a second for fifty
    thousand lines, during which the screen could not move), so a Python page is cut before
    each top-level `def`, `class` or decorator and the pieces are parsed one by one. A cut that
    falls inside a string or a bracket makes a piece that does not parse; it is then joined to
    the next. The tests hold this equal to `outline_text` on every page of the Grimoire.
    """
    if suffix not in (".py", ".pyi"):
        return outline_text(text, suffix)
    lines = text.splitlines(keepends=True)
    cuts = [0]
    for number, line in enumerate(lines):
        if number and line.startswith(_TOP_LEVEL) and not lines[number - 1].startswith("@"):
            cuts.append(number)
    cuts.append(len(lines))
    symbols: list[Symbol] = []
    start = 0
    for end in cuts[1:]:
        piece = "".join(lines[cuts[start] : end])
        try:
            tree = ast.parse(piece)
        except (SyntaxError, ValueError):
            if end < len(lines):
                continue  # joined to the next piece
            return _python_outline(text)  # the page itself does not parse: as the reader says
        offset = cuts[start]
        symbols += [Symbol(s.name, s.qualname, s.kind, s.line + offset, s.end_line + offset,
                           s.depth) for s in _python_symbols(tree)]
        start = cuts.index(end)
    return symbols


def _yaml_outline(text: str) -> list[Symbol]:
    lines = text.splitlines()
    keys: list[tuple[str, int]] = []
    for number, line in enumerate(lines, 1):
        match = _YAML_KEY.match(line)
        if match:
            keys.append((match.group(1), number))
    symbols: list[Symbol] = []
    last_line = len(lines)
    for index, (key, line) in enumerate(keys):
        end = keys[index + 1][1] - 1 if index + 1 < len(keys) else last_line
        end = _trim_blank_end(lines, line, end)
        symbols.append(Symbol(key, key, "key", line, end, 0))
        if key == "steps":
            symbols.extend(_yaml_steps(lines, line, end))
    return symbols


def _yaml_steps(lines: list[str], start: int, end: int) -> list[Symbol]:
    """The steps of a lesson: each `- title:` item at the list's own indentation."""
    found: list[tuple[str, int]] = []
    indent: str | None = None
    for number in range(start + 1, end + 1):
        match = _YAML_STEP_TITLE.match(lines[number - 1])
        if match and (indent is None or match.group(1) == indent):
            indent = match.group(1)
            found.append((_unquote(match.group(2)), number))
    steps: list[Symbol] = []
    for index, (title, line) in enumerate(found):
        stop = found[index + 1][1] - 1 if index + 1 < len(found) else end
        stop = _trim_blank_end(lines, line, stop)
        steps.append(Symbol(title, f"steps.{index + 1}", "step", line, stop, 1))
    return steps


def _markdown_outline(text: str) -> list[Symbol]:
    lines = text.splitlines()
    heads: list[tuple[str, int, int]] = []
    fenced = False
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else _MD_HEADING.match(line)
        if match:
            heads.append((match.group(2), number, len(match.group(1))))
    symbols: list[Symbol] = []
    for index, (title, line, level) in enumerate(heads):
        end = len(lines)
        for _, later, later_level in heads[index + 1 :]:
            if later_level <= level:
                end = later - 1
                break
        end = _trim_blank_end(lines, line, end)
        symbols.append(Symbol(title, title, "heading", line, end, level - 1))
    return symbols


def _toml_outline(text: str) -> list[Symbol]:
    lines = text.splitlines()
    tables: list[tuple[str, int]] = []
    for number, line in enumerate(lines, 1):
        match = _TOML_TABLE.match(line)
        if match:
            tables.append((match.group(1).strip(), number))
    symbols: list[Symbol] = []
    for index, (name, line) in enumerate(tables):
        end = tables[index + 1][1] - 1 if index + 1 < len(tables) else len(lines)
        end = _trim_blank_end(lines, line, end)
        symbols.append(Symbol(name, name, "table", line, end, 0))
    return symbols


def _trim_blank_end(lines: list[str], start: int, end: int) -> int:
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
