"""Lessons read once, for the map and the lesson screen: read again only when the file changes."""

from __future__ import annotations

from pathlib import Path

from grimoire.course.schema import Lesson

_READ: dict[Path, tuple[int, int, Lesson]] = {}
"""Lessons already read, by file, with the file's mtime and size when read."""


def read_lesson(name: str, lessons: Path | None = None) -> Lesson:
    """The lesson `name` (an id or a path), read once and again only when its file changes.

    The map calls this in a thread for the highlighted lesson, so Enter finds it read. Raises
    LessonError with the loader's sentences. Source links are not checked here (`grimoire
    check` does; the spellbook says so if one is missing).
    """
    from grimoire.course.loader import find_lesson, load_lesson

    path = find_lesson(name, lessons).resolve()
    try:
        stat = path.stat()
    except OSError:
        return load_lesson(path, check_sources=False)  # the loader says what is wrong
    known = _READ.get(path)
    if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    lesson = load_lesson(path, check_sources=False)
    _READ[path] = (stat.st_mtime_ns, stat.st_size, lesson)
    return lesson
