"""Trust: bundled lessons run; outside lessons run only once agreed to, for that content."""

from __future__ import annotations

import shutil
from pathlib import Path

from grimoire.course import trust
from grimoire.paths import lessons_dir

EXAMPLE_DIR = Path(__file__).parents[2] / "data" / "example-lessons"


def test_bundled_lessons_are_trusted() -> None:
    assert trust.is_bundled(lessons_dir())
    assert trust.is_trusted(lessons_dir())


def test_outside_folder_needs_agreement_remembered_per_content(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(EXAMPLE_DIR, folder)
    lesson = folder / "01-example.yaml"
    assert not trust.is_trusted(folder) and not trust.is_trusted(lesson)
    trust.trust(folder)
    assert trust.is_trusted(folder) and trust.is_trusted(lesson)
    lesson.write_text(lesson.read_text() + "\n# edited\n")
    assert not trust.is_trusted(folder)  # what was agreed to is no longer what would run
    trust.trust(lesson)
    assert trust.is_trusted(folder)


def test_refusal_says_how_to_allow(tmp_path: Path) -> None:
    sentence = trust.refusal(tmp_path)
    assert "--trust" in sentence and str(tmp_path) in sentence and sentence.endswith(".")
