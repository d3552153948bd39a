"""Where the Grimoire finds its own files, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import paths


def _wheel_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package laid out as pip installs the wheel: lessons and README inside `_bundle`."""
    package = tmp_path / "site-packages" / "grimoire"
    (package / "_bundle" / "lessons").mkdir(parents=True)
    (package / "cli.py").write_text("def main():\n    pass\n")
    (package / "_bundle" / "lessons" / "01-vectors.yaml").write_text("id: vectors\n")
    (package / "_bundle" / "README.md").write_text("# The Grimoire\n")
    monkeypatch.setattr(paths, "PACKAGE_DIR", package)
    monkeypatch.setattr(paths, "BUNDLE_DIR", package / "_bundle")
    return package


def test_in_a_wheel_the_bundled_lessons_read_as_lessons(tmp_path, monkeypatch):
    package = _wheel_layout(tmp_path, monkeypatch)
    lesson = package / "_bundle" / "lessons" / "01-vectors.yaml"
    assert paths.lessons_dir() == package / "_bundle" / "lessons"
    assert paths.display_path(lesson) == "lessons/01-vectors.yaml"
    assert paths.display_path(package / "_bundle" / "README.md") == "README.md"
    assert paths.display_path(package / "cli.py") == "grimoire/cli.py"
    assert paths.resolve_source("lessons/01-vectors.yaml") == lesson.resolve()


def test_paths_that_leave_the_grimoire_are_refused_with_a_sentence(tmp_path, monkeypatch):
    _wheel_layout(tmp_path, monkeypatch)
    for bad, words in [("../etc/passwd", "climbs out"), ("/etc/passwd", "absolute"),
                       ("secrets/key", "not part of the Grimoire"),
                       ("grimoire/missing.py", "There is no")]:
        with pytest.raises(paths.SourcePathError, match=words):
            paths.resolve_source(bad)


def test_the_learners_home_can_be_moved(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIMOIRE_HOME", str(tmp_path / "elsewhere"))
    assert paths.user_data_dir() == tmp_path / "elsewhere"
