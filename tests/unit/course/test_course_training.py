"""The training room's child process: runs, pauses, stops on request and on SIGINT, saves a copy."""

from __future__ import annotations

import time

from grimoire.course.training import TrainingProcess, forget_tuned_model, tuned_model_path
from grimoire.model import load_model
from grimoire.paths import lessons_dir


def collect(process: TrainingProcess, until: set[str], limit: float = 60.0) -> list[dict]:
    """Messages until one of the kinds in `until` arrives."""
    seen: list[dict] = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for message in process.messages():
            seen.append(message)
            if message["kind"] in until:
                return seen
        time.sleep(0.02)
    raise AssertionError(f"no {until} within {limit} s; saw {[m['kind'] for m in seen][-5:]}")


def test_a_short_run_reports_steps_and_heads_and_the_loss_falls() -> None:
    process = TrainingProcess()
    try:
        process.watch(lr=1e-2, steps=60, every=20)
        seen = collect(process, {"done", "error", "ended"})
        kinds = [m["kind"] for m in seen]
        assert kinds[0] == "ready" and "started" in kinds and kinds[-1] == "done"
        losses = [m["loss"] for m in seen if m["kind"] == "step"]
        assert len(losses) == 60
        assert sum(losses[-10:]) / 10 < sum(losses[:10]) / 10 - 0.2
        readings = [m for m in seen if m["kind"] == "heads"]
        assert [r["step"] for r in readings] == [0, 20, 40, 60]
        first, last = readings[0]["heads"][2]["pattern"], readings[-1]["heads"][2]["pattern"]
        assert first != last
        assert len(first) == 32 and {h["name"] for h in readings[-1]["heads"]} == {
            "L0H0", "L0H1", "L1H0", "L1H1"}
    finally:
        process.close()


def test_pause_resume_stop_and_interrupt() -> None:
    process = TrainingProcess()
    try:
        process.watch(lr=3e-3, steps=5000, every=1000)
        collect(process, {"step"})
        process.pause()
        paused = collect(process, {"paused"})[-1]["step"]
        time.sleep(0.3)
        assert not [m for m in process.messages() if m["kind"] == "step"], "steps while paused"
        process.resume()
        resumed = collect(process, {"step"})
        assert resumed[-1]["step"] == paused + 1
        process.stop()
        assert collect(process, {"stopped"})[-1]["why"] == "stopped"
        # Ctrl+C: SIGINT stops a run at once, and the child waits for the next one.
        process.watch(lr=3e-3, steps=5000, every=1000)
        collect(process, {"step"})
        process.interrupt()
        assert collect(process, {"stopped"})[-1]["why"] == "interrupted"
        process.interrupt()  # between runs, a SIGINT is ignored
        process.watch(lr=3e-3, steps=3, every=1000)
        assert collect(process, {"done", "ended"})[-1]["kind"] == "done"
        assert process.alive
    finally:
        process.close()


def test_teaching_saves_a_tuned_copy_that_reset_forgets() -> None:
    text = (lessons_dir() / "03-orthogonality.yaml").read_text(encoding="utf-8")
    process = TrainingProcess()
    try:
        process.teach(text, steps=10, out=tuned_model_path(), every=5)
        seen = collect(process, {"done", "error", "ended"})
        done = seen[-1]
        assert done["kind"] == "done", done
        bits = [m["bits"] for m in seen if m["kind"] == "held_out"]
        assert [m["step"] for m in seen if m["kind"] == "held_out"] == [0, 5, 10]
        assert done["after"] == bits[-1] < bits[0] == done["before"]
        tuned = load_model(tuned_model_path())
        shipped = load_model()
        assert tuned.meta["task"] == "tuned"
        assert any((tuned.params[k] != shipped.params[k]).any() for k in shipped.params)
        assert done["samples"]["tuned"] and done["samples"]["shipped"]
    finally:
        process.close()
    assert forget_tuned_model() is True
    assert not tuned_model_path().exists()
    assert forget_tuned_model() is False


def test_a_text_too_short_is_refused_with_a_sentence() -> None:
    process = TrainingProcess()
    try:
        process.teach("a few words", steps=10, out=tuned_model_path())
        message = collect(process, {"error", "done", "ended"})[-1]
        assert message["kind"] == "error" and "11 characters" in message["message"]
        assert not tuned_model_path().exists()
    finally:
        process.close()
