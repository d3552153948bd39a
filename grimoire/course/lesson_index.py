"""The bundled lessons' summaries, shipped beside them so the map opens without reading a lesson.

`lesson_index.json` (next to this module) holds what `loader.lesson_summaries` gives for the
bundled lessons, with each file's name, size and SHA-256. At start-up the map takes the
summaries from it when the bundled folder still holds exactly those file names and sizes (a few
stat calls); anything else reads the lessons themselves. The test suite rebuilds the index and
fails while the committed one differs, so it cannot go stale:

    python -m grimoire.course.lesson_index        # write the index for the lessons as they are
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grimoire import paths

if TYPE_CHECKING:
    from grimoire.course.summary import LessonSummary

INDEX_FILE = Path(__file__).with_name("lesson_index.json")
INDEX_VERSION = 1
"""Bumped whenever what the index holds changes; an index of another version is not used."""


def lesson_sizes(folder: Path) -> list[list[Any]]:
    """[name, size] of every lesson file in `folder`, sorted: what start-up checks, by stat only."""
    sizes = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith((".yaml", ".yml")) and entry.is_file():
                    sizes.append([entry.name, entry.stat().st_size])
    except OSError:
        return []
    return sorted(sizes)


def build_index(folder: Path | None = None) -> dict[str, Any]:
    """The index of `folder` (the bundled lessons by default), read from the lessons themselves."""
    from grimoire.course.loader import lesson_summaries

    folder = folder or paths.lessons_dir()
    files = []
    for name, size in lesson_sizes(folder):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        files.append([name, size, digest])
    summaries = []
    for summary in lesson_summaries(folder):
        fields = {name: getattr(summary, name) for name in summary.__dataclass_fields__}
        summaries.append({**fields, "path": summary.path.name})
    return {"version": INDEX_VERSION, "files": files, "summaries": summaries}


def index_text(index: dict[str, Any]) -> str:
    """The index as JSON, one file and one lesson a line, so a change shows as a small diff."""
    lines = ["{", f'  "version": {index["version"]},', '  "files": [']
    lines += [f"    {json.dumps(entry, ensure_ascii=False)}," for entry in index["files"]]
    lines[-1] = lines[-1].rstrip(",") if index["files"] else lines[-1]
    lines += ["  ],", '  "summaries": [']
    lines += [f"    {json.dumps(entry, ensure_ascii=False)}," for entry in index["summaries"]]
    lines[-1] = lines[-1].rstrip(",") if index["summaries"] else lines[-1]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def write_index(folder: Path | None = None) -> Path:
    """Write the index of the bundled lessons (as they are now) next to this module."""
    INDEX_FILE.write_text(index_text(build_index(folder)), encoding="utf-8")
    return INDEX_FILE


def shipped_summaries(folder: Path) -> list[LessonSummary] | None:
    """The summaries of `folder` from the shipped index, or None when it does not describe it.

    Only the bundled folder is described, and only while its lesson files have the names and
    sizes the index was built from.
    """
    try:
        if folder.resolve() != paths.lessons_dir().resolve():
            return None
        index = json.loads(INDEX_FILE.read_text(encoding="utf-8"))
        if index["version"] != INDEX_VERSION:
            return None
        if [entry[:2] for entry in index["files"]] != lesson_sizes(folder):
            return None
        from grimoire.course.summary import LessonSummary

        return [LessonSummary(**{**fields, "path": folder / fields["path"]})
                for fields in index["summaries"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


if __name__ == "__main__":
    print(f"wrote {write_index()}")
