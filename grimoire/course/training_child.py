"""The training room's child process: trains step by step and reports each step in JSON lines.

Started by `grimoire.course.training.TrainingProcess` as `python -m
grimoire.course.training_child --memory BYTES`, with one BLAS thread, in a session of its own.

Requests, one JSON object a line on stdin:
    {"op": "watch", "lr": float, "steps": int, "every": int}
        train the repeat model from scratch; every `every` steps, report its heads
    {"op": "teach", "text": str, "steps": int, "out": path, "every": int}
        fine-tune a copy of the shipped model on the text; save the copy to `out` at the end
    {"op": "pause"} / {"op": "resume"} / {"op": "stop"}

Replies, one a line on stdout (`kind` says which):
    ready · started {mode, steps, lr, ...} · step {step, loss, rate} · heads {step, heads, text}
    · held_out {step, bits} · paused {step} · resumed · done {mode, seconds, ...}
    · stopped {step, why} · error {message}
SIGINT stops the run in progress (as Ctrl+C stops a cell); the child waits for the next request.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import threading
import time
from pathlib import Path
from typing import Any


class _Control:
    """What the reader thread tells the training loop: pause, stop, and the next requests."""

    def __init__(self) -> None:
        self.requests: queue.Queue[dict | None] = queue.Queue()
        self.running = threading.Event()
        self.running.set()
        self.stop = threading.Event()
        self.training = False


def _read_requests(stream: Any, control: _Control) -> None:
    for line in stream:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        op = request.get("op")
        if op == "pause":
            control.running.clear()
        elif op == "resume":
            control.running.set()
        elif op == "stop":
            control.stop.set()
            control.running.set()
        else:
            control.requests.put(request)
    control.stop.set()
    control.running.set()
    control.requests.put(None)


class Interrupted(Exception):
    """The run was stopped (a stop request, or SIGINT)."""


class _State:
    """Whether a run is in progress: SIGINT stops a run, and is ignored between runs."""

    training = False


def _on_sigint(signum: int, frame: object) -> None:
    if _State.training:
        raise KeyboardInterrupt


def heads_message(step: int, model: Any, text: str, period: int) -> dict:
    """Every head of the repeat model on the watched text, as plain lists."""
    from grimoire.model.circuits import read_heads

    readings = read_heads(model, text, period)
    return {
        "kind": "heads", "step": step, "text": text, "period": period,
        "heads": [
            {"name": r.name, "pattern": [[round(float(v), 4) for v in row] for row in r.pattern],
             "previous_token": r.previous_token, "induction": r.induction,
             "ov_positivity": r.ov_positivity}
            for r in readings
        ],
    }


class TrainingChild:
    """Runs one request at a time; checks for pause and stop between steps."""

    def __init__(self, control: _Control, reply: Any) -> None:
        self.control = control
        self.reply = reply
        self.shipped: Any = None

    def _between_steps(self, step: int) -> None:
        if self.control.stop.is_set():
            raise Interrupted("stopped")
        if not self.control.running.is_set():
            self.reply({"kind": "paused", "step": step})
            self.control.running.wait()
            if self.control.stop.is_set():
                raise Interrupted("stopped")
            self.reply({"kind": "resumed", "step": step})

    def watch(self, request: dict) -> None:
        from grimoire.model.circuits import WATCHED_WORD, repeated_text
        from grimoire.model.live_training import repeat_trainer

        trainer = repeat_trainer(lr=float(request["lr"]), steps=int(request["steps"]))
        every = max(1, int(request.get("every", 10)))
        text = repeated_text(WATCHED_WORD, trainer.model.config.n_ctx)
        period = len(WATCHED_WORD)
        recipe = trainer.recipe
        self.reply({"kind": "started", "mode": "watch", "steps": recipe.steps, "lr": recipe.lr,
                    "n_params": trainer.model.n_params})
        self.reply(heads_message(0, trainer.model, text, period))
        started = time.perf_counter()
        while not trainer.finished:
            self._between_steps(trainer.steps_done)
            rate = trainer.current_rate()
            loss = trainer.step()
            self.reply({"kind": "step", "step": trainer.steps_done, "loss": loss, "rate": rate})
            if trainer.steps_done % every == 0 or trainer.finished:
                self.reply(heads_message(trainer.steps_done, trainer.model, text, period))
        self.reply({"kind": "done", "mode": "watch", "steps": trainer.steps_done,
                    "seconds": time.perf_counter() - started,
                    "final_loss": sum(trainer.losses[-20:]) / len(trainer.losses[-20:])})

    def teach(self, request: dict) -> None:
        from grimoire.model import load_model
        from grimoire.model.gpt import save_model
        from grimoire.model.live_training import split_for_tuning, tuning_trainer

        if self.shipped is None:
            self.shipped = load_model()
        try:
            learned, held_out = split_for_tuning(str(request["text"]))
        except ValueError as error:
            self.reply({"kind": "error", "message": str(error)})
            return
        trainer = tuning_trainer(self.shipped, learned, steps=int(request["steps"]))
        every = max(1, int(request.get("every", 5)))
        self.reply({"kind": "started", "mode": "teach", "steps": trainer.recipe.steps,
                    "lr": trainer.recipe.lr, "learned_chars": len(learned),
                    "held_out_chars": len(held_out)})
        before = trainer.model.bits_per_char(held_out)
        self.reply({"kind": "held_out", "step": 0, "bits": before})
        started = time.perf_counter()
        while not trainer.finished:
            self._between_steps(trainer.steps_done)
            rate = trainer.current_rate()
            loss = trainer.step()
            self.reply({"kind": "step", "step": trainer.steps_done, "loss": loss, "rate": rate})
            if trainer.steps_done % every == 0 or trainer.finished:
                bits = trainer.model.bits_per_char(held_out)
                self.reply({"kind": "held_out", "step": trainer.steps_done, "bits": bits})
        after = trainer.model.bits_per_char(held_out)
        trainer.model.meta.update(tuned_steps=trainer.steps_done, held_out_bits_before=before,
                                  held_out_bits_after=after)
        out = Path(str(request["out"]))
        save_model(trainer.model, out)
        prompt = held_out[: min(48, len(held_out))]
        samples = {
            "prompt": prompt,
            "shipped": self.shipped.generate(prompt, 160, temperature=0.6, seed=0),
            "tuned": trainer.model.generate(prompt, 160, temperature=0.6, seed=0),
        }
        self.reply({"kind": "done", "mode": "teach", "steps": trainer.steps_done,
                    "seconds": time.perf_counter() - started, "before": before,
                    "after": after, "saved": str(out), "samples": samples})

    def serve(self) -> None:
        while True:
            request = self.control.requests.get()
            if request is None:
                return
            self.control.stop.clear()
            self.control.running.set()
            op = request.get("op")
            _State.training = True
            try:
                if op == "watch":
                    self.watch(request)
                elif op == "teach":
                    self.teach(request)
                else:
                    self.reply({"kind": "error", "message": f"Unknown request {op!r}."})
            except (Interrupted, KeyboardInterrupt) as stop:
                why = "interrupted" if isinstance(stop, KeyboardInterrupt) else "stopped"
                self.reply({"kind": "stopped", "why": why})
            except MemoryError:
                self.reply({"kind": "error", "message": "The training ran out of memory."})
            except Exception as error:  # noqa: BLE001 - told to the app as a sentence
                self.reply({"kind": "error", "message": f"{type(error).__name__}: {error}"})
            finally:
                _State.training = False


def _watch_parent(parent: int) -> None:
    # If the app dies mid-run, the training must not live on as an orphan.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory", type=int, default=0)
    options = parser.parse_args()

    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if options.memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (options.memory, options.memory))
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    lock = threading.Lock()

    def reply(message: dict) -> None:
        data = json.dumps(message).encode("utf-8") + b"\n"
        with lock:
            try:
                replies.write(data)
                replies.flush()
            except (BrokenPipeError, ValueError):
                os._exit(0)

    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    signal.signal(signal.SIGINT, _on_sigint)
    control = _Control()
    threading.Thread(target=_read_requests, args=(requests, control), daemon=True).start()

    import numpy  # noqa: F401 - loaded before "ready", so the first run starts at once

    from grimoire.model.train import keep_freed_memory

    keep_freed_memory()
    reply({"kind": "ready"})
    TrainingChild(control, reply).serve()


if __name__ == "__main__":
    main()
