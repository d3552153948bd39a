"""The bundled lessons' shipped summaries: always those the lessons give, never shown stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grimoire import paths
from grimoire.course import lesson_index
from grimoire.course.loader import lesson_summaries
from grimoire.ui import lesson_cache


def test_the_shipped_index_is_the_lessons_own() -> None:
    built = lesson_index.build_index()
    shipped = json.loads(lesson_index.INDEX_FILE.read_text(encoding="utf-8"))
    if built != shipped:
        # Generated here so the fix is one commit away; the failure keeps a stale index from
        # ever landing.
        lesson_index.write_index()
        pytest.fail("grimoire/course/lesson_index.json did not match the lessons; it has been "
                    "written again from them (python -m grimoire.course.lesson_index): commit it.")


def test_the_shipped_summaries_are_what_the_loader_reads() -> None:
    folder = paths.lessons_dir()
    assert lesson_index.shipped_summaries(folder) == lesson_summaries(folder)


@pytest.fixture
def bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled lessons standing in for them."""
    folder = tmp_path / "lessons"
    shutil.copytree(paths.lessons_dir(), folder)
    monkeypatch.setattr(paths, "lessons_dir", lambda: folder)
    return folder


def test_the_map_reads_no_lesson_when_the_index_describes_them(
        bundled_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grimoire.course import loader

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a lesson file was read")

    monkeypatch.setattr(loader, "lesson_summaries", no_reading)
    summaries = lesson_cache.cached_summaries(None)
    assert [s.path for s in summaries] == sorted(bundled_copy.glob("*.yaml"))


def test_a_changed_lesson_is_read_again(bundled_copy: Path) -> None:
    first = min(bundled_copy.glob("*.yaml"))
    text = first.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    first.write_text(text.replace(title_line, "title: A title the index never saw", 1),
                     encoding="utf-8")
    assert lesson_index.shipped_summaries(bundled_copy) is None
    summaries = lesson_cache.cached_summaries(None)
    assert summaries[0].title == "A title the index never saw"


def test_an_added_lesson_is_read_again(bundled_copy: Path) -> None:
    shutil.copy(sorted(bundled_copy.glob("*.yaml"))[1], bundled_copy / "99-extra.yaml")
    assert lesson_index.shipped_summaries(bundled_copy) is None
    assert len(lesson_cache.cached_summaries(None)) == len(lesson_summaries(bundled_copy))


def test_other_folders_are_remembered_side_by_side(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from grimoire.course import loader

    folders = []
    for name in ("mine", "theirs"):
        folder = tmp_path / name
        shutil.copytree(paths.lessons_dir(), folder)
        folders.append(folder)
        lesson_cache.cached_summaries(folder)  # each read once

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a lesson file was read")

    monkeypatch.setattr(loader, "lesson_summaries", no_reading)
    for folder in folders * 2:  # alternating between them reads neither again
        assert [s.path.parent for s in lesson_cache.cached_summaries(folder)] == [folder] * len(
            list(folder.glob("*.yaml")))
