"""The progress store: survives restarts, corrupt files and writers killed mid-write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from grimoire.course.progress import SCHEMA_VERSION, ProgressStore, block_key


def test_progress_round_trips_through_the_file(grimoire_home: Path) -> None:
    store = ProgressStore()
    assert store.path == grimoire_home / "progress.json"
    store.open_lesson("vectors")
    store.mark_step_done("vectors", 0)
    store.mark_step_done("vectors", 2)
    store.record_answer("vectors", block_key(1, 3), [1], correct=False)
    store.record_answer("vectors", block_key(1, 3), [2], correct=True)
    assert store.use_hint("vectors", "2.0") == 1
    assert store.use_hint("vectors", "2.0") == 2
    store.save_code("vectors", "2.0", "def cosine(a, b):\n    return 0\n")
    store.set_position("vectors", 2, 1)

    again = ProgressStore()
    progress = again.lesson("vectors")
    assert again.last_lesson == "vectors" and again.warning is None
    assert progress.steps_done == [0, 2]
    answer = progress.answers["1.3"]
    assert (answer.value, answer.correct, answer.attempts) == ([2], True, 2)
    assert progress.hints_used == {"2.0": 2}
    assert progress.code["2.0"].startswith("def cosine")
    assert progress.position == (2, 1)
    assert again.fraction_done("vectors", 4) == 0.5
    data = json.loads(store.path.read_text())
    assert data["version"] == SCHEMA_VERSION


def test_forget_drops_one_lesson_only() -> None:
    store = ProgressStore()
    store.mark_step_done("a", 0)
    store.mark_step_done("b", 1)
    store.open_lesson("a")
    store.forget("a")
    again = ProgressStore()
    assert again.lessons() == ["b"] and again.last_lesson is None
    assert again.lesson("a").steps_done == []


def test_corrupt_file_is_kept_aside_and_the_learner_told(grimoire_home: Path) -> None:
    grimoire_home.mkdir(parents=True)
    path = grimoire_home / "progress.json"
    path.write_text('{"version": 1, "lessons": {"x": ')
    store = ProgressStore()
    assert store.lessons() == []
    assert store.warning and "kept as" in store.warning and str(path) in store.warning
    backup = grimoire_home / "progress.json.bak"
    assert backup.read_text() == '{"version": 1, "lessons": {"x": '
    store.mark_step_done("fresh", 0)
    assert ProgressStore().lesson("fresh").steps_done == [0]
    path.write_text("[1, 2]")
    third = ProgressStore()
    assert third.warning and (grimoire_home / "progress.json.bak2").exists()


def test_unknown_schema_version_is_not_silently_overwritten(grimoire_home: Path) -> None:
    grimoire_home.mkdir(parents=True)
    (grimoire_home / "progress.json").write_text('{"version": 99, "lessons": {}}')
    store = ProgressStore()
    assert store.warning and "schema version 99" in store.warning
    assert json.loads((grimoire_home / "progress.json.bak").read_text())["version"] == 99


WRITER = """
import sys
from pathlib import Path
from grimoire.course.progress import ProgressStore
store = ProgressStore(Path(sys.argv[1]))
print("ready", flush=True)
i = 0
while True:
    i += 1
    # big answers make each write long enough to be killed in the middle of it
    store.record_answer("lesson", str(i % 50), "x" * 60000 + str(i), correct=True)
"""


def test_writer_killed_mid_write_leaves_a_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    ProgressStore(path).mark_step_done("lesson", 0)
    # 15 kills at spread-out moments: a plain write_text loses the file in several of them.
    for round_ in range(15):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(0.02 + 0.011 * round_)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        store = ProgressStore(path)
        assert store.warning is None, store.warning
        assert store.lesson("lesson").steps_done == [0]
        json.loads(path.read_text())
