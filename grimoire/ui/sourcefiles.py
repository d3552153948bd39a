"""The spellbook's pages: listing, reading, summarising and searching the Grimoire's own files."""

from __future__ import annotations

import ast
import math
import struct
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grimoire import paths

HIDDEN_NAMES = {"__pycache__", "_bundle", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".DS_Store"}
"""Folders and files the browser never shows: caches, and the wheel's copy of the lessons."""

HIDDEN_SUFFIXES = {".pyc", ".pyo", ".so", ".pyd"}
"""Compiled code is not part of the spellbook's text."""

SEARCH_LIMIT = 500
"""A search lists at most this many lines: enough to see where a word lives."""

TEXT_LIMIT = 4_000_000
"""Bigger files are summarised rather than shown; nothing of ours comes close."""


@dataclass(frozen=True)
class SourceEntry:
    """A file or folder of the Grimoire as the browser shows it."""

    shown: str
    """Its path as the learner types it, e.g. `grimoire/cli.py`."""
    real: Path
    is_dir: bool


@dataclass(frozen=True)
class SearchHit:
    """One line of the source that contains what was searched for."""

    shown: str
    line: int
    column: int
    text: str


@dataclass(frozen=True)
class Page:
    """A file read for the viewer: its text, or a summary when it is not text."""

    shown: str
    text: str
    is_summary: bool


def is_hidden(path: Path) -> bool:
    """True for caches, bytecode and the bundle that the browser keeps out of sight."""
    return path.name in HIDDEN_NAMES or path.suffix in HIDDEN_SUFFIXES or path.name.startswith(".")


def children(entry: SourceEntry) -> list[SourceEntry]:
    """The visible contents of a folder: folders first, then files, each alphabetically."""
    try:
        found = [p for p in entry.real.iterdir() if not is_hidden(p)]
    except OSError:
        return []
    entries = []
    for path in found:
        shown = str(PurePosixPath(entry.shown, path.name))
        if path.is_symlink():
            try:
                # Symlinks that leave the Grimoire are not pages of it: resolve_source refuses
                # them. Anything else inside a folder of the Grimoire is inside the Grimoire.
                real = paths.resolve_source(shown)
            except paths.SourcePathError:
                continue
        else:
            real = path
        try:
            is_dir = real.is_dir()
        except OSError:
            continue
        entries.append(SourceEntry(shown, real, is_dir))
    return sorted(entries, key=lambda e: (not e.is_dir, e.shown.lower()))


def top_entries() -> list[SourceEntry]:
    """The top of the spellbook: grimoire/, lessons/, then README.md and pyproject.toml."""
    entries = []
    for name, real in paths.source_roots().items():
        if real.exists():
            entries.append(SourceEntry(name, real, real.is_dir()))
    return sorted(entries, key=lambda e: (not e.is_dir, e.shown != "grimoire", e.shown.lower()))


def all_files() -> list[SourceEntry]:
    """Every visible file of the Grimoire, in the order the tree shows them."""
    files: list[SourceEntry] = []

    def walk(entries: list[SourceEntry]) -> None:
        for entry in entries:
            if entry.is_dir:
                walk(children(entry))
            else:
                files.append(entry)

    walk(top_entries())
    return files


def module_name(shown: str) -> str | None:
    """`grimoire/ui/app.py` -> `grimoire.ui.app`; `grimoire/__init__.py` -> `grimoire`."""
    path = PurePosixPath(shown)
    if path.parts[0] != "grimoire" or path.suffix != ".py":
        return None
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def alive_modules() -> set[str]:
    """The Grimoire's modules loaded in this very process: the spells now being cast."""
    return {name for name in list(sys.modules) if name == "grimoire" or name.startswith("grimoire.")}


def read_page(shown: str, real: Path) -> Page:
    """The text of a file, or a plain summary for binary or huge files (never raw bytes)."""
    try:
        size = real.stat().st_size
        if size > TEXT_LIMIT:
            return Page(shown, _summary(shown, real, size), True)
        data = real.read_bytes()
    except OSError as error:
        return Page(shown, f"# {shown}\n\nThis page cannot be read: {error.strerror}.\n", True)
    if b"\0" in data[:8192]:
        return Page(shown, _summary(shown, real, size), True)
    try:
        return Page(shown, data.decode("utf-8"), False)
    except UnicodeDecodeError:
        return Page(shown, _summary(shown, real, size), True)


def human_size(size: int) -> str:
    """1234567 -> '1.2 MB'."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


def _summary(shown: str, real: Path, size: int) -> str:
    lines = [f"# {shown}", "", f"A sealed page of {human_size(size)}: not text, so it is described,"]
    lines.append("never shown as bytes.")
    if real.suffix == ".npz":
        lines += ["", *npz_summary(real)]
    return "\n".join(lines) + "\n"


def npz_summary(real: Path) -> list[str]:
    """The arrays inside an .npz archive with their shapes and types, read from the headers only."""
    try:
        with zipfile.ZipFile(real) as archive:
            rows = []
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with archive.open(info) as member:
                    shape, dtype = npy_header(member.read(4096))
                rows.append((info.filename[:-4], shape, dtype))
    except (OSError, zipfile.BadZipFile, ValueError) as error:
        return [f"Its arrays cannot be listed: {error}."]
    if not rows:
        return ["It holds no arrays."]
    width = max(len(name) for name, _, _ in rows)
    numbers = sum(math.prod(shape) for _, shape, dtype in rows if dtype.startswith("float"))
    out = [f"## {len(rows)} arrays, {numbers:,} numbers in floating point", ""]
    for name, shape, dtype in rows:
        dims = " × ".join(str(d) for d in shape) if shape else "scalar"
        out.append(f"- {name.ljust(width)}  {dims}  ({dtype})")
    return out


_DTYPES = {"f4": "float32", "f8": "float64", "f2": "float16", "i4": "int32", "i8": "int64",
           "i2": "int16", "i1": "int8", "u1": "uint8", "u2": "uint16", "u4": "uint32",
           "u8": "uint64", "b1": "bool"}


def npy_header(head: bytes) -> tuple[tuple[int, ...], str]:
    """Shape and dtype from the first bytes of a .npy file (format versions 1 to 3)."""
    if head[:6] != b"\x93NUMPY":
        raise ValueError("not a .npy array")
    major = head[6]
    if major == 1:
        (length,), start = struct.unpack("<H", head[8:10]), 10
    else:
        (length,), start = struct.unpack("<I", head[8:12]), 12
    header = ast.literal_eval(head[start : start + length].decode("latin1"))
    descr = header["descr"]
    if not isinstance(descr, str):
        dtype = "structured"
    elif descr[1:2] == "U":
        dtype = f"text of up to {descr[2:]} characters"
    else:
        dtype = _DTYPES.get(descr[1:], descr)
    return tuple(header["shape"]), dtype


def search_pages(query: str, limit: int = SEARCH_LIMIT) -> Iterator[list[SearchHit]]:
    """The lines of every text file of the Grimoire containing `query` (ignoring case), one
    page's lines at a time in the tree's order, `limit` lines in all at most.

    A page is yielded as soon as it is read, so the spellbook can show the first results while
    the rest are sought.
    """
    needle = query.lower()
    if not needle:
        return
    left = limit
    for entry in all_files():
        page = read_page(entry.shown, entry.real)
        if page.is_summary or needle not in page.text.lower():
            continue
        hits: list[SearchHit] = []
        for number, line in enumerate(page.text.splitlines(), 1):
            column = line.lower().find(needle)
            if column >= 0:
                hits.append(SearchHit(entry.shown, number, column, line))
                if len(hits) == left:
                    yield hits
                    return
        left -= len(hits)
        yield hits
