"""The training room's worker: a child process that trains while the app stays free to draw.

    process = TrainingProcess()          # starts the child; numpy loads there, not in the app
    process.watch(lr=3e-3, steps=800)    # the repeat model from scratch
    process.teach(text, steps=100, out=tuned_model_path())   # a tuned copy of the familiar
    process.pause(); process.resume(); process.stop(); process.interrupt()   # (SIGINT, as Ctrl+C)
    for message in process.messages(): ...   # what arrived since the last call, never blocking
    process.close()

The child is started as the lesson kernel is (grimoire.course.kernel): one BLAS thread, the same
address-space cap, a session of its own so the terminal's Ctrl+C is the app's to handle, and
JSON lines over pipes. Training in a thread of the app would hold the GIL between numpy calls
and the interface would stutter; in its own process it only shares the two cores.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from grimoire.course.kernel import DEFAULT_MEMORY_LIMIT
from grimoire.paths import user_data_dir

TUNED_FILE = "familiar-tuned.npz"


def tuned_model_path() -> Path:
    """Where the tuned copy of the familiar lives: in the learner's data, never in the package."""
    return user_data_dir() / TUNED_FILE


def forget_tuned_model() -> bool:
    """Back to the shipped familiar: delete the tuned copy; True if there was one."""
    try:
        tuned_model_path().unlink()
        return True
    except FileNotFoundError:
        return False


class TrainingProcess:
    """One training child, its reader thread and the messages it has sent."""

    def __init__(self, memory_limit: int | None = DEFAULT_MEMORY_LIMIT) -> None:
        from grimoire.course.kernel import child_environment

        env = child_environment()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.inbox: queue.Queue[dict] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grimoire.course.training_child",
             "--memory", str(memory_limit or 0)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
        self.ready = False
        self.reader = threading.Thread(target=self._read, name="grimoire-training-reader",
                                       daemon=True)
        self.reader.start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            for line in stream:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if message.get("kind") == "ready":
                    self.ready = True
                self.inbox.put(message)
        except (OSError, ValueError):
            pass
        if self.process.poll() is None:
            self.process.wait()
        self.inbox.put({"kind": "ended", "message": self._death()})

    def _death(self) -> str:
        code = self.process.returncode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"The training process was ended by {name}."
        return f"The training process ended (exit code {code})."

    def _send(self, message: dict) -> bool:
        stdin = self.process.stdin
        try:
            assert stdin is not None
            stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def watch(self, lr: float, steps: int, every: int = 10) -> bool:
        """Train the repeat model from scratch; its heads are reported every `every` steps."""
        return self._send({"op": "watch", "lr": lr, "steps": steps, "every": every})

    def teach(self, text: str, steps: int, out: Path, every: int = 5) -> bool:
        """Fine-tune a copy of the shipped familiar on `text`; the copy is saved to `out`."""
        return self._send({"op": "teach", "text": text, "steps": steps, "out": str(out),
                           "every": every})

    def pause(self) -> bool:
        return self._send({"op": "pause"})

    def resume(self) -> bool:
        return self._send({"op": "resume"})

    def stop(self) -> bool:
        """Stop the run in progress after its current step."""
        return self._send({"op": "stop"})

    def interrupt(self) -> None:
        """SIGINT: stop the run at once, as Ctrl+C stops a cell."""
        try:
            self.process.send_signal(signal.SIGINT)
        except (OSError, ProcessLookupError):
            pass

    def messages(self, limit: int = 10_000) -> list[dict]:
        """Every message received since the last call (at most `limit`), without waiting."""
        out: list[dict] = []
        while len(out) < limit:
            try:
                out.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        return out

    def close(self) -> None:
        """End the child (and with it any run)."""
        if self.process.poll() is None:
            try:
                self.process.kill()
            except (OSError, ProcessLookupError):
                pass
            try:
                self.process.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self.log.close()

    def __del__(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.kill()
        except Exception:  # noqa: BLE001, S110 - at interpreter exit anything may be gone
            pass
