"""The lessons of a folder as `grimoire lessons` lists them: each file checked once, then remembered.

Checking a lesson means reading its YAML and every block, which is most of the time a listing
takes; a folder of hundreds of lessons would take seconds at every call. A lesson that loads
cleanly is remembered in `catalogue.json` in the learner's data folder with what the listing and
the checks between lessons need (its summary, its requires and where they are written), and is
read again only when its file, one of the source files it links to, or the loader itself has
changed. A lesson with problems is always read again, so its sentences are never stale. The
checks between lessons (a repeated id, unknown or circular requires) run on every call.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grimoire import paths
from grimoire.course.schema import LessonError, Place, Problem
from grimoire.course.summary import LessonSummary

CACHE_VERSION = 1
"""Bumped whenever what a remembered lesson holds changes, so an old file is simply re-read."""


@dataclass
class Listed:
    """A lesson as the checks between lessons see it (the shape `loader.check_requires` reads)."""

    summary: LessonSummary
    place: Place
    field_places: dict[str, Place] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def requires(self) -> list[str]:
        return self.summary.requires


def _stamp(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_mtime_ns, stat.st_size]


def _rules_stamp() -> list[Any]:
    # What decides whether a lesson is valid: the loader and the format it reads.
    here = Path(__file__).parent
    return [_stamp(here / "loader.py"), _stamp(here / "schema.py")]


def _sources_stamp(shown_paths: list[str], known: dict[str, Any] | None = None) -> dict[str, Any]:
    """mtime and size of each source file named (`grimoire/cli.py`); `known` keeps them for a call,
    as many lessons link to the same files."""
    known = {} if known is None else known
    stamps: dict[str, Any] = {}
    for shown in shown_paths:
        if shown not in known:
            try:
                known[shown] = _stamp(paths.resolve_source(shown))
            except paths.SourcePathError:
                known[shown] = None
        stamps[shown] = known[shown]
    return stamps


def _remember(path: Path, file: str) -> tuple[dict[str, Any] | None, Listed | None, list[Problem]]:
    """Check one lesson file: (what to remember, the lesson listed, its problems)."""
    from grimoire.course.loader import load_lesson

    try:
        lesson = load_lesson(path)
    except LessonError as error:
        return None, None, error.problems
    summary = lesson.summary_only()
    places = {name: [place.line, place.column] for name, place in lesson.field_places.items()
              if name == "id" or name.startswith("requires.")}
    sources = sorted({block.path for step in lesson.steps for block in step.blocks
                      if block.kind == "source"})
    record = {
        "stamp": _stamp(path),
        "summary": {**{name: getattr(summary, name) for name in summary.__dataclass_fields__},
                    "path": path.name},
        "place": [lesson.place.line, lesson.place.column],
        "places": places,
        "sources": _sources_stamp(sources),
    }
    return record, _listed(record, path, file), []


def _listed(record: dict[str, Any], path: Path, file: str) -> Listed:
    """The lesson of `path` as remembered in `record`; `file` is how messages name it."""
    summary = LessonSummary(**{**record["summary"], "path": path})
    return Listed(summary, Place(file, *record["place"]),
                  {name: Place(file, *where) for name, where in record["places"].items()})


def _cache_file() -> Path:
    return paths.user_data_dir() / "catalogue.json"


def _read_cache(folder: Path, rules: list[Any]) -> dict[str, Any]:
    try:
        cached = json.loads(_cache_file().read_text(encoding="utf-8"))
        if cached["version"] == CACHE_VERSION and cached["rules"] == rules:
            lessons = cached["folders"].get(str(folder), {})
            if isinstance(lessons, dict):
                return lessons
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        pass  # no cache yet, or not one we can use
    return {}


def _write_cache(folder: Path, rules: list[Any], remembered: dict[str, Any]) -> None:
    cache_file = _cache_file()
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
        folders = cached["folders"] if cached.get("rules") == rules else {}
        if not isinstance(folders, dict):
            folders = {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        folders = {}
    folders[str(folder)] = remembered
    record = {"version": CACHE_VERSION, "rules": rules, "folders": folders}
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_name(f"catalogue.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record), encoding="utf-8")
        temporary.replace(cache_file)
    except OSError:
        pass  # only a cache: the next call checks the lessons again


def catalogue(directory: str | Path | None = None) -> tuple[list[LessonSummary], list[Problem]]:
    """The good lessons of a folder (bundled by default), in order, and every problem found.

    The same lessons and problems as `loader.load_lessons`, from remembered checks where the
    files are unchanged.
    """
    from grimoire.course.loader import check_requires, display_name, lesson_files

    folder = Path(directory) if directory is not None else paths.lessons_dir()
    if not folder.is_dir():
        return [], [Problem(display_name(folder), 0, 0, "There is no lesson folder here.")]
    folder = folder.resolve()
    shown_folder = Path(display_name(folder))
    rules = _rules_stamp()
    source_stamps: dict[str, Any] = {}
    known = _read_cache(folder, rules)
    remembered: dict[str, Any] = {}
    listed: list[Listed] = []
    problems: list[Problem] = []
    for path in lesson_files(folder):
        file = str(shown_folder / path.name)
        record = known.get(path.name)
        if (record is not None and record.get("stamp") == _stamp(path)
                and record.get("sources") == _sources_stamp(list(record.get("sources", {})),
                                                            source_stamps)):
            try:
                listed.append(_listed(record, path, file))
                remembered[path.name] = record
                continue
            except (KeyError, TypeError, ValueError):
                pass  # not a record we can use: check the lesson again
        record, lesson, found = _remember(path, file)
        problems.extend(found)
        if record is not None and lesson is not None:
            remembered[path.name] = record
            listed.append(lesson)
    if remembered != known:
        _write_cache(folder, rules, remembered)
    unique: list[Listed] = []
    seen: dict[str, Listed] = {}
    for lesson in listed:
        if lesson.id in seen:
            where = lesson.field_places.get("id", lesson.place)
            problems.append(Problem.at(where, f"The id '{lesson.id}' is already used by "
                                       f"{seen[lesson.id].summary.path.name}; ids must be unique."))
            continue
        seen[lesson.id] = lesson
        unique.append(lesson)
    good, require_problems = check_requires(unique)  # type: ignore[arg-type]
    problems.extend(require_problems)
    summaries = sorted((lesson.summary for lesson in good), key=lambda s: (s.number, s.id))
    problems.sort(key=lambda p: (p.file, p.line, p.column))
    return summaries, problems
