"""Lessons read once, for the map and the lesson screen: read again only when the file changes."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grimoire import paths

if TYPE_CHECKING:
    # Imported where used: the map reads summaries before its first frame, without the schema
    # of whole lessons when the cache answers.
    from grimoire.course.schema import Lesson
    from grimoire.course.summary import LessonSummary

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


SUMMARY_CACHE_VERSION = 2
"""Bumped whenever what the summary cache holds changes, so an old file is simply re-read."""

SUMMARY_CACHE_FOLDERS = 8
"""Lesson folders remembered at once (a learner's own beside a course they follow, say)."""


def _folder_signature(folder: Path) -> list[list[Any]]:
    # Every YAML file of the folder with its mtime and size: any edit, addition or removal of a
    # lesson changes it, so the cache can never show a stale map.
    signature = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith((".yaml", ".yml")) and entry.is_file():
                    stat = entry.stat()
                    signature.append([entry.name, stat.st_mtime_ns, stat.st_size])
    except OSError:
        return []
    return sorted(signature)


def cached_summaries(lessons: Path | None = None) -> list[LessonSummary]:
    """The map's lesson metadata, as `loader.lesson_summaries` gives it, kept between launches.

    Reading every lesson's YAML costs the loader, PyYAML and a parse of each file at every start;
    the map needs only a few fields. The bundled lessons' summaries ship with the package
    (`course.lesson_index`), so even a first launch reads none of them; other folders' are kept
    in `summaries.json` in the learner's data folder (the last few folders opened) and used
    while no lesson file has changed (same names, mtimes and sizes). Anything else - a changed file, an unreadable cache -
    reads the lessons again.
    """
    from grimoire.course.lesson_index import shipped_summaries

    folder = (lessons if lessons is not None else paths.lessons_dir()).resolve()
    shipped = shipped_summaries(folder)
    if shipped is not None:
        return shipped
    from grimoire.course.summary import LessonSummary

    signature = _folder_signature(folder)
    cache_file = paths.user_data_dir() / "summaries.json"
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
        folders = cached["folders"] if cached["version"] == SUMMARY_CACHE_VERSION else {}
        if not isinstance(folders, dict):
            folders = {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        folders = {}  # no cache yet, or not one we can use
    known = folders.get(str(folder))
    try:
        if known is not None and known["files"] == signature:
            return [LessonSummary(**{**fields, "path": folder / fields["path"]})
                    for fields in known["summaries"]]
    except (KeyError, TypeError, ValueError):
        pass  # not a record we can use: read the lessons themselves
    from grimoire.course.loader import lesson_summaries as read_summaries

    summaries = read_summaries(folder)
    if _folder_signature(folder) == signature:  # not changed while it was being read
        folders.pop(str(folder), None)
        folders[str(folder)] = {
            "files": signature,
            "summaries": [{**dataclasses.asdict(s), "path": s.path.name} for s in summaries],
        }
        while len(folders) > SUMMARY_CACHE_FOLDERS:  # the folder used longest ago goes
            folders.pop(next(iter(folders)))
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_name(f"summaries.{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"version": SUMMARY_CACHE_VERSION,
                                             "folders": folders}), encoding="utf-8")
            temporary.replace(cache_file)
        except OSError:
            pass  # only a cache: the next start reads the lessons again
    return summaries
