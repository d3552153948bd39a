"""`grimoire lessons`'s remembered checks: the same lessons and problems as a full load, every time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from grimoire import paths
from grimoire.course import loader
from grimoire.course.catalogue import catalogue

LESSON = """\
id: {id}
title: {title}
summary: A lesson.
requires: [{requires}]
minutes: 10
steps:
  - title: One
    blocks:
      - prose: First.
"""


def write(folder: Path, name: str, lesson_id: str, title: str = "A title",
          requires: str = "") -> Path:
    path = folder / name
    path.write_text(LESSON.format(id=lesson_id, title=title, requires=requires), encoding="utf-8")
    stat = path.stat()  # a later mtime even on a coarse clock
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    return path


def as_loaded(folder: Path) -> tuple[list[str], list[str]]:
    lessons, problems = loader.load_lessons(folder)
    return [lesson.id for lesson in lessons], [str(problem) for problem in problems]


def as_listed(folder: Path) -> tuple[list[str], list[str]]:
    lessons, problems = catalogue(folder)
    return [lesson.id for lesson in lessons], [str(problem) for problem in problems]


def note_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the name of every lesson file the loader reads, in order."""
    read: list[str] = []
    load_lesson = loader.load_lesson

    def noting(path, **options):
        read.append(Path(path).name)
        return load_lesson(path, **options)

    monkeypatch.setattr(loader, "load_lesson", noting)
    return read


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    write(folder, "01-vectors.yaml", "vectors")
    write(folder, "02-norms.yaml", "norms", requires="vectors")
    write(folder, "03-vectors.yaml", "vectors")  # a repeated id
    write(folder, "04-lost.yaml", "lost", requires="nowhere")  # an unknown requirement
    (folder / "05-broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    return folder


def test_the_listing_is_the_full_loads(folder: Path) -> None:
    for _ in range(2):  # checked, then remembered
        assert as_listed(folder) == as_loaded(folder)
    assert as_listed(paths.lessons_dir()) == as_loaded(paths.lessons_dir())


def test_unchanged_lessons_are_not_read_again(folder: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue(folder)
    read = note_reads(monkeypatch)
    catalogue(folder)
    assert read == ["05-broken.yaml"]  # a lesson with problems is always checked again
    read.clear()
    write(folder, "02-norms.yaml", "norms", title="Norms, renamed", requires="vectors")
    lessons, _ = catalogue(folder)
    assert sorted(read) == ["02-norms.yaml", "05-broken.yaml"]
    assert "Norms, renamed" in [lesson.title for lesson in lessons]


def test_a_removed_lesson_leaves_the_listing(folder: Path) -> None:
    catalogue(folder)
    (folder / "01-vectors.yaml").unlink()
    shutil.copy(folder / "02-norms.yaml", folder / "06-norms.yaml")
    assert as_listed(folder) == as_loaded(folder)


def test_grimoire_lessons_lists_from_the_catalogue(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # The command itself, not only the module: a second `grimoire lessons` on an unchanged
    # folder reads only the lesson with problems, and prints what the first one printed.
    from grimoire import cli

    assert cli.main(["--lessons", str(folder), "lessons"]) == 1
    first = capsys.readouterr()
    read = note_reads(monkeypatch)
    assert cli.main(["--lessons", str(folder), "lessons"]) == 1
    assert capsys.readouterr() == first
    assert read == ["05-broken.yaml"]
    assert "norms" in first.out and "05-broken.yaml" in first.err
