"""The progress store under hostile conditions: damaged files, unwritable homes, two Grimoires."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grimoire.course.progress import (
    ProgressStore,
    block_key,
    remember_scratch_cell,
    scratchpad_history,
)

DAMAGED = {
    "infinite step": '{"version": 1, "lessons": {"a": {"steps_done": [Infinity]}}}',
    "infinite position": '{"version": 1, "lessons": {"a": {"position": [Infinity, 0]}}}',
    "infinite hints": '{"version": 1, "lessons": {"a": {"hints_used": {"0.1": Infinity}}}}',
    "infinite attempts":
        '{"version": 1, "lessons": {"a": {"answers": {"0.1": {"attempts": Infinity}}}}}',
    "NaN step": '{"version": 1, "lessons": {"a": {"steps_done": [NaN]}}}',
    "negative step": '{"version": 1, "lessons": {"a": {"steps_done": [-1]}}}',
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "not UTF-8": b"\xff\xfe{".decode("latin-1"),
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_any_damaged_file_is_set_aside_with_a_sentence(grimoire_home: Path, name: str) -> None:
    grimoire_home.mkdir(parents=True)
    path = grimoire_home / "progress.json"
    path.write_text(DAMAGED[name], encoding="latin-1")
    store = ProgressStore()
    assert store.warning is not None and "starts afresh" in store.warning
    assert not path.exists() and (grimoire_home / "progress.json.bak").exists()
    store.mark_step_done("vectors", 1)
    assert ProgressStore().lesson("vectors").steps_done == [1]


def test_stray_temp_files_are_cleaned_at_start(grimoire_home: Path) -> None:
    grimoire_home.mkdir(parents=True)
    for number in range(29):
        (grimoire_home / f".progress.json.{number}abc.tmp").write_text("{")
    abandoned = grimoire_home / ".trusted.json.x1.tmp"
    abandoned.write_text("{")
    os.utime(abandoned, (1, 1))
    fresh = grimoire_home / ".scratchpad.json.x2.tmp"  # perhaps another Grimoire, writing now
    fresh.write_text("{")
    ProgressStore()
    assert not list(grimoire_home.glob(".progress.json.*.tmp"))
    assert not abandoned.exists() and fresh.exists()


def test_a_home_that_is_a_file_keeps_progress_in_memory_and_says_so(tmp_path: Path,
                                                                   monkeypatch) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("GRIMOIRE_HOME", str(home))
    store = ProgressStore()
    store.open_lesson("vectors")
    store.mark_step_done("vectors", 0)
    assert store.unsaved is not None and "cannot be saved" in store.unsaved
    assert "a file, not a folder" in store.unsaved
    assert store.lesson("vectors").steps_done == [0]


def test_a_read_only_home_keeps_progress_in_memory_and_says_so(grimoire_home: Path,
                                                               monkeypatch) -> None:
    from grimoire.course import progress

    def refuse(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(progress, "atomic_write", refuse)
    store = ProgressStore()
    store.record_answer("vectors", "0.1", 3, correct=True)
    assert store.unsaved is not None and "read-only" in store.unsaved
    assert store.lesson("vectors").answers["0.1"].correct


def test_two_stores_on_one_home_keep_each_others_answers(grimoire_home: Path) -> None:
    first, second = ProgressStore(), ProgressStore()  # two Grimoires, opened together
    first.record_answer("vectors", block_key(0, 1), 1, correct=True)
    second.record_answer("vectors", block_key(0, 2), 2, correct=True)
    second.mark_step_done("norms", 3)
    first.save_code("vectors", block_key(1, 0), "x = 1\n")
    merged = ProgressStore().lesson("vectors")
    assert set(merged.answers) == {"0.1", "0.2"}
    assert merged.code == {"1.0": "x = 1\n"}
    assert ProgressStore().lesson("norms").steps_done == [3]


_WRITER = """
import sys
from grimoire.course.progress import ProgressStore, remember_scratch_cell
name = sys.argv[1]
store = ProgressStore()
for number in range(40):
    store.record_answer("vectors", f"{name}.{number}", number, correct=True)
    remember_scratch_cell(f"{name} = {number}")
"""


def test_two_processes_saving_at_once_lose_nothing(grimoire_home: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, name], env=env)
               for name in ("left", "right")]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    answers = ProgressStore().lesson("vectors").answers
    assert len(answers) == 80
    history = scratchpad_history()
    assert {f"left = {n}" for n in range(40)} <= set(history)
    assert {f"right = {n}" for n in range(40)} <= set(history)
    json.loads((grimoire_home / "progress.json").read_text())


def test_scratchpad_history_merges_and_skips_repeats(grimoire_home: Path) -> None:
    remember_scratch_cell("a = 1")
    remember_scratch_cell("a = 1")
    assert remember_scratch_cell("b = 2") == ["a = 1", "b = 2"]
    (grimoire_home / "scratchpad.json").write_text("[" * 50_000)
    assert scratchpad_history() == []
    assert remember_scratch_cell("c = 3") == ["c = 3"]
