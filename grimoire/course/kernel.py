"""Runs lesson cells in a child process that can time out, be interrupted, crash and restart.

Public API::

    DEFAULT_MEMORY_LIMIT = 2 GiB (RLIMIT_AS of the child); DEFAULT_TIMEOUT = 10.0 s a cell

    @dataclass CellResult(stdout: str = "", stderr: str = "", value: str | None = None,
                          displays: list[dict] = [], error: str | None = None,
                          error_kind: str | None = None, duration: float = 0.0,
                          error_name: str | None = None, error_line: int | None = None,
                          restarted: bool = False)
        .ok -> bool; .to_dict() -> dict; CellResult.from_dict(d)
        error_kind: "exception" | "syntax" | "memory" | "interrupted" | "timeout" | "crash"
                    | "kernel" (the kernel could not start)
        error: for exceptions, a traceback trimmed to the learner's code; otherwise a sentence
        error_line: the line of the cell where it failed (1-based), when known
    @dataclass Evaluation(text: str | None, value: object, error: str | None, name: str | None)

    Kernel(*, memory_limit: int | None = DEFAULT_MEMORY_LIMIT, default_timeout: float = 10.0,
           output_limit: int = 20_000, start_timeout: float = 120.0, interrupt_grace: float = 1.5)
        start() -> None                 # returns at once; the child warms in the background
        ready -> bool; alive -> bool; model_error -> str | None; warmup_seconds -> float | None
        wait_ready(timeout: float | None = None) -> bool
        run(code: str, timeout: float | None = None) -> CellResult          # blocks; thread-safe
        run_exercise(code: str, check: str, timeout: float | None = None)
            -> tuple[CellResult, CellResult | None]   # in a copy of the namespace; check=None
                                                      # when the learner's code itself failed
        evaluate(expressions: list[tuple[str, str]], timeout: float | None = None)
            -> list[Evaluation]          # `{{ expr:spec }}` values, formatted
        fingerprint(names: list[str] | None = None) -> dict[str, str]
            # digests of shared values (model.params, setup arrays): what a step must not change
        load_setup(code: str | None, timeout: float | None = None) -> CellResult
            # a fresh namespace for a lesson, then its setup; remembered for restarts
        reset() -> CellResult            # a fresh namespace and the setup again, same process
        modules() -> list[str]           # the Grimoire's modules the kernel has imported
        interrupt() -> None              # KeyboardInterrupt in the running cell (any thread)
        busy -> bool                     # a request is running in the child right now
        restart() -> CellResult          # kill, start again, re-run the setup
        close() -> None                  # also on garbage collection and at exit

`run` may be called before the child is ready (it waits for the warm-up, which does not count
against the cell's timeout). On timeout the cell gets SIGINT; if it is still running
`interrupt_grace` seconds later (stuck in native code), the child is killed and restarted and
the setup re-run; the CellResult says so in a sentence and has `restarted=True`.

Why a child process started with `python -m grimoire.course.kernel_child` rather than
multiprocessing: the environment (one BLAS thread) and the memory cap must be in place before
numpy loads, without touching the app's own environment; a plain interpreter does not re-import
the app's `__main__` as spawn does; and the conversation is JSON lines over two pipes, so
nothing the learner's code prints or pickles can run code in the app.
"""

from __future__ import annotations

import atexit
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

from grimoire.course import protocol
from grimoire.course.controls import visible_json


def _memory_limit_from_environment() -> int:
    """2 GiB, or `GRIMOIRE_KERNEL_MEMORY_MB` when set (a smaller machine, a quicker test)."""
    text = os.environ.get("GRIMOIRE_KERNEL_MEMORY_MB", "").strip()
    if text.isdigit() and 512 <= int(text) <= 1024 * 1024:
        return int(text) * 1024**2
    return 2 * 1024**3


DEFAULT_MEMORY_LIMIT = _memory_limit_from_environment()
"""Address-space cap of the kernel process (RLIMIT_AS): 2 GiB, room for numpy and the model."""

DEFAULT_TIMEOUT = 10.0
"""Seconds a cell may run; a code block's `timeout:` overrides it."""

SETUP_TIMEOUT = 60.0
"""A lesson's setup may take longer than a cell (it often runs the model over a text)."""


@dataclass
class CellResult:
    """What running one cell produced, as plain data (it crossed a process boundary)."""

    stdout: str = ""
    stderr: str = ""
    value: str | None = None
    displays: list[dict] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None
    duration: float = 0.0
    error_name: str | None = None
    error_line: int | None = None
    restarted: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellResult:
        names = cls.__dataclass_fields__
        return cls(**{key: value for key, value in data.items() if key in names})


@dataclass
class Evaluation:
    """One `{{ expression:spec }}`: its formatted text, or why it could not be computed."""

    text: str | None
    value: object = None
    error: str | None = None
    name: str | None = None  # the unknown name, when the error is a NameError


_SIGNAL_WORDS = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGKILL: "SIGKILL, usually the system running out of memory",
    signal.SIGABRT: "an abort in native code",
    signal.SIGBUS: "a bus error",
    signal.SIGFPE: "a floating-point exception in native code",
}

_live_kernels: weakref.WeakSet[Kernel] = weakref.WeakSet()


def _close_all() -> None:
    for kernel in list(_live_kernels):
        kernel.close()


atexit.register(_close_all)


def child_environment() -> dict[str, str]:
    """The environment of a child the app starts (the kernel, the training room's trainer)."""
    env = dict(os.environ)
    # One BLAS thread: these matrices are tiny, and on a shared 2-core machine more
    # threads only fight the app's own drawing for the cores.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    # The child imports this very package, wherever it was imported from.
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(
        [package_parent] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    return env


class _Process:
    """One child process, its reader thread and the queue its replies arrive on."""

    def __init__(self, memory_limit: int | None, output_limit: int) -> None:
        env = child_environment()
        # Closed in kill(); it outlives this method, so no `with`.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.replies: queue.Queue[dict | None] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grimoire.course.kernel_child",
             "--memory", str(memory_limit or 0), "--output", str(output_limit)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            close_fds=True,
            start_new_session=True,  # a Ctrl+C in the terminal is the app's to handle, not ours
        )
        self.reader = threading.Thread(target=self._read, name="grimoire-kernel-reader",
                                       daemon=True)
        self.reader.start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            for line in stream:
                try:
                    message = protocol.decode(line)
                except RecursionError:
                    continue
                if message is not None:
                    # Everything a cell produced is text the learner's terminal will show: its
                    # control characters are made visible here, once, for the app and `run`.
                    self.replies.put(visible_json(message))
        except (OSError, ValueError):
            pass
        self.replies.put(None)

    def send(self, message: dict) -> bool:
        stdin = self.process.stdin
        try:
            assert stdin is not None
            stdin.write(protocol.encode(message))
            stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def signal(self, number: int) -> None:
        try:
            self.process.send_signal(number)
        except (OSError, ProcessLookupError):
            pass

    def death(self) -> str:
        """A sentence on how the child ended."""
        try:
            code = self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            return "The kernel stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            words = _SIGNAL_WORDS.get(-code, name)
            return f"The kernel crashed ({words})"
        return f"The kernel process exited with code {code} (os._exit, or a crash in native code)"

    def startup_log(self) -> str:
        try:
            self.log.seek(0)
            text = self.log.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""
        lines = text.splitlines()
        return lines[-1] if lines else ""

    def kill(self) -> None:
        # The child leads its own process group (start_new_session), and whatever a cell
        # started (`subprocess.Popen(["sleep", ...])`) is in it: all of it goes together.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
        try:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=5.0)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            self.log.close()
        except OSError:
            pass


class _Failure(Exception):
    """Internal: the child died or hung during a request; `.result` says how."""

    def __init__(self, result: CellResult) -> None:
        super().__init__(result.error)
        self.result = result


class Kernel:
    """A lesson's Python: one namespace, preloaded with np, la, model, show and load_model."""

    def __init__(
        self,
        *,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        default_timeout: float = DEFAULT_TIMEOUT,
        output_limit: int = 20_000,
        start_timeout: float = 120.0,
        interrupt_grace: float = 1.5,
    ) -> None:
        self.memory_limit = memory_limit
        self.default_timeout = default_timeout
        self.output_limit = output_limit
        self.start_timeout = start_timeout
        self.interrupt_grace = interrupt_grace
        self.setup: str | None = None
        self.model_error: str | None = None
        self.warmup_seconds: float | None = None
        self._process: _Process | None = None
        self._ready = threading.Event()
        self._start_failure: str | None = None
        self._lock = threading.RLock()  # one request at a time
        self._start_lock = threading.Lock()
        self._busy = threading.Event()
        self._interrupted_at: float | None = None
        self._next_id = 0
        self._closed = False
        _live_kernels.add(self)
        self._finalizer = weakref.finalize(self, Kernel._finalize, [None])

    @staticmethod
    def _finalize(holder: list) -> None:
        process = holder[0]
        if process is not None:
            process.kill()

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Start the child if it is not running; returns at once (warm-up is in the background)."""
        with self._start_lock:
            if self._closed:
                raise RuntimeError("This kernel was closed.")
            if self._process is not None and self._process.process.poll() is None:
                return
            self._ready.clear()
            self._start_failure = None
            self._process = _Process(self.memory_limit, self.output_limit)
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, Kernel._finalize, [self._process])

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.process.poll() is None

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self.alive

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the child has loaded numpy and the model; False if it failed or timed out."""
        if self._process is None:
            self.start()
        try:
            self._await_ready(self.start_timeout if timeout is None else timeout)
        except _Failure:
            return False
        return True

    def _await_ready(self, timeout: float) -> None:
        if self._ready.is_set():
            return
        process = self._process
        assert process is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = process.replies.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise _Failure(CellResult(
                    error=f"The kernel did not start within {timeout:g} s.", error_kind="kernel"
                )) from None
            if message is None:
                log = process.startup_log()
                death = process.death()
                detail = f": {log}" if log else "."
                raise _Failure(CellResult(error=f"{death} while starting{detail}",
                                          error_kind="kernel"))
            if message.get("op") == protocol.FAILED:
                raise _Failure(CellResult(
                    error=f"The kernel could not start: {message.get('message')}.",
                    error_kind="kernel",
                ))
            if message.get("op") == protocol.READY:
                self.model_error = message.get("model_error")
                self.warmup_seconds = float(message.get("seconds") or 0.0)
                self._ready.set()
                return

    def close(self) -> None:
        """Stop the child process."""
        self._closed = True
        process, self._process = self._process, None
        if process is not None:
            process.kill()
        self._finalizer.detach()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------------------
    def _request(self, message: dict, timeout: float) -> dict:
        """Send one request and wait for its reply; timeouts and deaths become _Failure."""
        if self._process is None or not self.alive:
            try:
                self.start()
            except OSError as error:
                raise _Failure(CellResult(error=f"The kernel could not start: {error}.",
                                          error_kind="kernel")) from None
        self._await_ready(self.start_timeout)
        process = self._process
        assert process is not None
        self._next_id += 1
        fields = dict(message)
        message = protocol.request(fields.pop("op"), self._next_id, **fields)
        self._interrupted_at = None
        self._busy.set()
        try:
            if not process.send(message):
                raise _Failure(self._crashed(process))
            deadline = time.monotonic() + timeout
            sent_sigint_at: float | None = None
            while True:
                now = time.monotonic()
                limit = deadline if sent_sigint_at is None else sent_sigint_at + self.interrupt_grace
                if self._interrupted_at is not None:
                    limit = min(limit, self._interrupted_at + self.interrupt_grace)
                try:
                    reply = process.replies.get(timeout=max(0.0, min(limit - now, 0.25)))
                except queue.Empty:
                    now = time.monotonic()
                    if sent_sigint_at is None and now >= deadline:
                        process.signal(signal.SIGINT)
                        sent_sigint_at = now
                    elif now >= limit:
                        raise _Failure(self._hung(process, timeout,
                                                  by_timeout=sent_sigint_at is not None)) from None
                    continue
                if reply is None:
                    raise _Failure(self._crashed(process))
                if reply.get("id") != message["id"]:
                    continue  # a stale reply to a request that was given up on
                if sent_sigint_at is not None:
                    reply["_timed_out"] = timeout
                return reply
        finally:
            self._busy.clear()

    def _crashed(self, process: _Process) -> CellResult:
        if self._closed:
            return CellResult(error="The kernel was closed while this cell ran.",
                              error_kind="kernel")
        death = process.death()
        restarted = self._restart_after_failure()
        return CellResult(
            error=f"{death} while running this cell; {restarted}", error_kind="crash",
            restarted=True,
        )

    def _hung(self, process: _Process, timeout: float, by_timeout: bool) -> CellResult:
        process.kill()
        restarted = self._restart_after_failure()
        if by_timeout:
            first = (f"The cell ran longer than its {timeout:g} s limit and did not stop when "
                     "interrupted")
            kind = "timeout"
        else:
            first = "The cell did not stop when interrupted"
            kind = "interrupted"
        return CellResult(error=f"{first}, so the kernel was restarted; {restarted}",
                          error_kind=kind, restarted=True)

    def _restart_after_failure(self) -> str:
        """Start a fresh child and re-run the setup; the end of a sentence saying what happened."""
        if self._closed:
            return "the kernel was closed, so it was not started again."
        old = self._process
        if old is not None:
            old.kill()
        self._process = None
        try:
            self.start()
            self._await_ready(self.start_timeout)
            setup = self._run_setup_now()
        except _Failure as failure:
            return f"starting it again failed too: {failure.result.error}"
        except RuntimeError:  # closed meanwhile, from another thread
            return "the kernel was closed, so it was not started again."
        if setup is not None and not setup.ok:
            return f"the lesson's setup was run again and failed: {setup.error}"
        if self.setup:
            return ("the lesson's setup was run again, so variables from earlier cells are gone; "
                    "run them again.")
        return "variables from earlier cells are gone; run them again."

    def _run_setup_now(self) -> CellResult | None:
        process = self._process
        assert process is not None
        reply = self._request({"op": protocol.RESET}, SETUP_TIMEOUT)
        self.model_error = reply.get("model_error")
        if not self.setup:
            return None
        del process
        return CellResult.from_dict(self._request(
            {"op": protocol.RUN, "code": self.setup, "name": "<setup>"}, SETUP_TIMEOUT))

    def run(self, code: str, timeout: float | None = None) -> CellResult:
        """Run a cell in the lesson's namespace; never raises for anything the cell does."""
        limit = self.default_timeout if timeout is None else timeout
        with self._lock:
            try:
                reply = self._request({"op": protocol.RUN, "code": code, "name": "<cell>"}, limit)
            except _Failure as failure:
                return failure.result
            result = self._cell_result(reply)
            self._restart_if_full(reply, result)
        return result

    def _restart_if_full(self, reply: dict, result: CellResult) -> None:
        """After a MemoryError that left the kernel at its cap, start afresh, setup included.

        Otherwise every later cell, even `x = 1`, would fail for want of memory.
        """
        if not reply.get("near_cap"):
            return
        restarted = self._restart_after_failure()
        cap = self.memory_limit
        limit = f" of {cap / 1024**3:g} GiB" if cap else ""
        # Said on the error's own last line, which is what `check` quotes.
        result.error = (f"{(result.error or 'MemoryError').rstrip()} The kernel's memory{limit} "
                        f"stayed full after it, so the kernel was restarted; {restarted}")
        result.restarted = True

    def _cell_result(self, reply: dict) -> CellResult:
        result = CellResult.from_dict(reply)
        timed_out = reply.get("_timed_out")
        if timed_out is not None and result.error_kind == "interrupted":
            where = f" at line {result.error_line}" if result.error_line else ""
            result.error_kind = "timeout"
            result.error = (f"The cell ran longer than its {timed_out:g} s limit and was "
                            f"stopped{where}; what it had computed before is kept.")
        elif result.error_kind == "memory":
            cap = self.memory_limit
            limit = f" {cap / 1024**3:g} GiB" if cap else ""
            if not reply.get("near_cap"):
                result.error = (f"{result.error}\nThe kernel's memory is capped at{limit}; what "
                                "the cell made was let go, and the kernel carries on.")
        return result

    def run_exercise(
        self, code: str, check: str, timeout: float | None = None
    ) -> tuple[CellResult, CellResult | None]:
        """The learner's code, then the exercise's check, in a copy of the lesson namespace."""
        limit = self.default_timeout if timeout is None else timeout
        with self._lock:
            try:
                reply = self._request({"op": protocol.EXERCISE, "code": code, "check": check},
                                     limit * 2)
            except _Failure as failure:
                return failure.result, None
            # The request had room for both parts; the learner hears about the per-part limit.
            timed_out = limit if reply.get("_timed_out") is not None else None
            attempt = self._cell_result(dict(reply["cell"], _timed_out=timed_out))
            check_reply = reply.get("check")
            if check_reply is None:
                self._restart_if_full(reply["cell"], attempt)
                return attempt, None
            checked = self._cell_result(dict(check_reply, _timed_out=timed_out))
            self._restart_if_full(check_reply, checked)
        return attempt, checked

    def evaluate(
        self, expressions: list[tuple[str, str]], timeout: float | None = None
    ) -> list[Evaluation]:
        """Evaluate `{{ expression:spec }}` placeholders in the lesson namespace."""
        if not expressions:
            return []
        limit = self.default_timeout if timeout is None else timeout
        with self._lock:
            try:
                reply = self._request(
                    {"op": protocol.EVAL, "expressions": [list(pair) for pair in expressions]},
                    limit)
            except _Failure as failure:
                return [Evaluation(text=None, error=failure.result.error)] * len(expressions)
        out = []
        for answer in reply.get("answers", []):
            if answer.get("error") == "KeyboardInterrupt" and reply.get("_timed_out") is not None:
                out.append(Evaluation(text=None, error=f"it ran past the {limit:g} s limit and "
                                      "was stopped"))
            elif "error" not in answer:
                out.append(Evaluation(text=answer.get("text"), value=answer.get("value")))
            elif answer["error"] == "name":
                out.append(Evaluation(text=None, error=answer.get("message"),
                                      name=answer.get("name")))
            else:
                out.append(Evaluation(text=None,
                                      error=f"{answer['error']}: {answer.get('message')}"))
        missing = reply.get("error") or "the kernel gave no answer"
        out += [Evaluation(text=None, error=missing)] * (len(expressions) - len(out))
        return out[: len(expressions)]

    def fingerprint(self, names: list[str] | None = None) -> dict[str, str]:
        """Digests of the lesson namespace's shared values, keyed `model.params['wte']`, `E`, ...

        Two fingerprints differ exactly where a value changed; `names` limits it to those
        top-level names. Empty when the kernel cannot answer.
        """
        with self._lock:
            try:
                reply = self._request({"op": protocol.FINGERPRINT, "names": names},
                                      self.default_timeout)
            except _Failure:
                return {}
        return dict(reply.get("digests") or {})

    def load_setup(self, code: str | None, timeout: float | None = None) -> CellResult:
        """A fresh namespace for a lesson, then its setup code (kept, and re-run on restarts)."""
        self.setup = code
        return self.reset(timeout)

    def reset(self, timeout: float | None = None) -> CellResult:
        """Empty the namespace (keeping the preloads) and run the setup again."""
        limit = SETUP_TIMEOUT if timeout is None else timeout
        with self._lock:
            try:
                reply = self._request({"op": protocol.RESET}, limit)
                self.model_error = reply.get("model_error")
                if not self.setup:
                    return CellResult()
                reply = self._request({"op": protocol.RUN, "code": self.setup,
                                       "name": "<setup>"}, limit)
            except _Failure as failure:
                return failure.result
        return self._cell_result(reply)

    def modules(self, timeout: float = 5.0) -> list[str]:
        """The Grimoire's modules imported in the kernel; empty when it is not ready or busy."""
        if not self.ready or not self._lock.acquire(timeout=0.5):
            return []
        try:
            reply = self._request({"op": protocol.MODULES}, timeout)
        except _Failure:
            return []
        finally:
            self._lock.release()
        return [str(name) for name in reply.get("modules", [])]

    def interrupt(self) -> None:
        """Raise KeyboardInterrupt in the running cell; a no-op when nothing runs."""
        process = self._process
        if process is None or not self._busy.is_set():
            return
        if self._interrupted_at is None:
            self._interrupted_at = time.monotonic()
        process.signal(signal.SIGINT)

    def restart(self) -> CellResult:
        """Kill the child, start a fresh one and run the setup again."""
        with self._lock:
            old, self._process = self._process, None
            if old is not None:
                old.kill()
            try:
                self.start()
                self._await_ready(self.start_timeout)
                setup = self._run_setup_now()
            except _Failure as failure:
                return failure.result
        return setup or CellResult()

    @property
    def busy(self) -> bool:
        """A cell is running right now."""
        return self._busy.is_set()
