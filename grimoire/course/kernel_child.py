"""The kernel's child process: runs lesson cells in a namespace and answers in JSON lines.

Started by `grimoire.course.kernel.Kernel` as `python -m grimoire.course.kernel_child
--memory BYTES --output CHARS`. `serve` is its loop: read a request, do it, reply, with the
messages of `grimoire.course.protocol` on stdin and stdout (moved to private descriptors
first, so a cell that writes to fd 1 cannot corrupt the conversation).
"""

from __future__ import annotations

import argparse
import ast
import copy
import io
import linecache
import os
import signal
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable
from typing import Any, BinaryIO

from grimoire.course import protocol

VALUE_LIMIT = 4000
"""Characters of a cell's value shown before it is cut."""

MAX_DISPLAYS = 50
"""Displays one cell may show; more are counted and told, like text output past its cap."""

NEAR_CAP = 0.85
"""After a MemoryError, a kernel using this share of its memory cap is restarted."""


class _State:
    """What the SIGINT handler needs: whether learner code is running right now."""

    in_cell = False


def _on_sigint(signum: int, frame: object) -> None:
    # Only learner code is interrupted; a late signal after the cell ended is dropped, so it
    # can never break the conversation with the parent.
    if _State.in_cell:
        raise KeyboardInterrupt


class CappedText(io.TextIOBase):
    """A stdout/stderr stand-in that keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self.limit - self.size
        if room > 0:
            kept = text[:room]
            self.parts.append(kept)
            self.size += len(kept)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def getvalue(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += (f"\n[… {self.dropped:,} more characters were cut; the first "
                     f"{self.limit:,} are shown]")
        return text


class Child:
    """The namespace, the preloaded modules and the request handlers."""

    def __init__(self, output_limit: int) -> None:
        self.output_limit = output_limit
        self.model: Any = None
        self.model_error: str | None = None
        self.load_model: Any = None
        self.namespace: dict[str, Any] = {}
        self.cell_count = 0
        self.displays: list[dict] = []
        self.displays_dropped = 0
        self.show: Any = None
        self.memory_limit = 0

    def warm(self) -> None:
        import numpy  # noqa: F401 - imported here so the first cell does not wait for it
        import scipy.linalg  # noqa: F401

        from grimoire.course.display import Show

        self.show = Show(self._keep_display)
        self.try_model()
        self.reset()

    def _keep_display(self, display: dict) -> None:
        # Ten thousand charts from one loop would take the app's memory and the reader's
        # patience; the first MAX_DISPLAYS are kept and the rest counted.
        if len(self.displays) < MAX_DISPLAYS:
            self.displays.append(display)
        else:
            self.displays_dropped += 1

    def near_memory_cap(self) -> bool:
        """Is the process still using most of its address-space cap (after a MemoryError)?"""
        if not self.memory_limit:
            return False
        import gc

        try:
            gc.collect()
            with open("/proc/self/statm", encoding="ascii") as statm:
                pages = int(statm.read().split()[0])
        except MemoryError:
            return True  # too full even to look
        except (OSError, ValueError, IndexError):
            return False
        return pages * os.sysconf("SC_PAGE_SIZE") > NEAR_CAP * self.memory_limit

    def try_model(self) -> None:
        """Load the shipped model; if it cannot be loaded yet, say why and try again later."""
        if self.model is not None:
            return
        try:
            from grimoire.model import load_model

            self.load_model = load_model
            self.model = load_model()
            self.model_error = None
        except Exception as error:  # noqa: BLE001 - any failure becomes a sentence for the cell
            self.model = None
            self.model_error = f"The model could not be loaded ({type(error).__name__}: {error})."

    def reset(self) -> dict:
        """A fresh namespace for a lesson, with the preloads; says whether the model loaded."""
        import functools

        import numpy
        import scipy.linalg

        from grimoire.course.checks import check_array

        self.try_model()
        module = types.ModuleType("__lesson__")
        sys.modules["__lesson__"] = module
        namespace = module.__dict__
        namespace.update(
            np=numpy,
            la=scipy.linalg,
            # Each lesson gets its own copy, so one that edits `model.params` in place
            # (a rank-k replacement, a quantization) cannot change the model of the next.
            model=(
                copy.deepcopy(self.model)
                if self.model is not None
                else _Missing(self.model_error or "")
            ),
            show=self.show,
            # Exercise checks compare arrays with this: a failure names the mistake in one
            # sentence and draws expected, yours and the difference.
            check_array=functools.partial(check_array, show=self.show),
            load_model=self.load_model or _Missing(self.model_error or ""),
        )
        self.namespace = namespace
        return {"model_error": self.model_error}

    # -- running code ---------------------------------------------------------------------
    def run(self, code: str, name: str, namespace: dict | None = None) -> dict:
        """Run `code` and describe what it did: printed text, last value, displays, error."""
        namespace = self.namespace if namespace is None else namespace
        self.displays.clear()
        self.displays_dropped = 0
        out, err = CappedText(self.output_limit), CappedText(self.output_limit)
        result: dict[str, Any] = {
            "stdout": "", "stderr": "", "value": None, "displays": [], "error": None,
            "error_kind": None, "error_name": None, "error_line": None, "duration": 0.0,
        }
        lines = code.splitlines(keepends=True)
        linecache.cache[name] = (len(code), None, lines, name)
        start = time.perf_counter()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            try:
                body, last = _split_last_expression(code, name)
                _State.in_cell = True
                if body is not None:
                    exec(body, namespace)  # noqa: S102 - running lesson code is the job
                value = eval(last, namespace) if last is not None else None
                _State.in_cell = False
                result["value"] = _format_value(value)
            except BaseException as error:  # noqa: BLE001 - the learner's code may raise anything
                _State.in_cell = False
                self._describe_error(error, name, result)
        finally:
            _State.in_cell = False
            sys.stdout, sys.stderr = saved
        result["duration"] = time.perf_counter() - start
        result["stdout"], result["stderr"] = out.getvalue(), err.getvalue()
        if self.displays_dropped:
            note = (f"[… {self.displays_dropped:,} more displays were not shown; the first "
                    f"{MAX_DISPLAYS} are]")
            result["stdout"] = (result["stdout"].rstrip("\n") + "\n" + note).lstrip("\n")
        result["displays"] = [dict(d) for d in self.displays]
        self.displays.clear()
        self.displays_dropped = 0
        if result["error"] is not None and len(result["error"]) > self.output_limit:
            cut = len(result["error"]) - self.output_limit
            result["error"] = (result["error"][: self.output_limit // 2] + f"\n[… {cut:,} "
                               "characters of the error were cut …]\n"
                               + result["error"][-self.output_limit // 2:])
        if result["error_kind"] == "memory" and self.near_memory_cap():
            result["near_cap"] = True
        return result

    def _describe_error(self, error: BaseException, name: str, result: dict) -> None:
        result["error_name"] = type(error).__name__
        if isinstance(error, KeyboardInterrupt):
            result["error_kind"] = "interrupted"
        elif isinstance(error, MemoryError):
            result["error_kind"] = "memory"
        elif isinstance(error, SyntaxError) and error.filename == name:
            result["error_kind"] = "syntax"
        else:
            result["error_kind"] = "exception"
        if isinstance(error, SyntaxError) and error.filename == name:
            result["error_line"] = error.lineno
            caret = ""
            if error.text is not None and error.offset:
                caret = f"\n    {error.text.rstrip()}\n    {' ' * (error.offset - 1)}^"
            result["error"] = f"SyntaxError: {error.msg} (line {error.lineno}){caret}"
            return
        frames = [f for f in traceback.extract_tb(error.__traceback__)
                  if f.filename.startswith("<") and f.filename not in ("<string>",)]
        lines = []
        previous: tuple[str, int | None, str] | None = None
        repeats = 0
        for frame in frames:
            if frame.filename == name:
                result["error_line"] = frame.lineno
            here = (frame.filename, frame.lineno, frame.name)
            if here == previous:
                # A runaway recursion repeats one frame a thousand times: say so in one line.
                repeats += 1
                continue
            if repeats:
                lines.append(f"  [the line above repeated {repeats:,} more times]")
                repeats = 0
            previous = here
            where = f"line {frame.lineno}" if frame.filename == name else \
                f"line {frame.lineno} of {frame.filename.strip('<>')}"
            if frame.name not in ("<module>",):
                where += f", in {frame.name}"
            lines.append(f"  {where}")
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        if repeats:
            lines.append(f"  [the line above repeated {repeats:,} more times]")
        head = "Traceback (most recent call last):\n" if lines else ""
        message = "".join(traceback.format_exception_only(type(error), error)).rstrip()
        if type(error).__module__.startswith("grimoire."):
            # DisplayError reads better without its module path.
            message = f"{type(error).__name__}: {error}"
        if isinstance(error, MemoryError) and message == "MemoryError":
            message = "MemoryError: the cell asked for more memory than the kernel may use."
        if isinstance(error, SystemExit):
            message = "SystemExit: the cell called exit(); the kernel carries on."
        if isinstance(error, KeyboardInterrupt):
            message = "KeyboardInterrupt"
        result["error"] = head + "\n".join(lines) + ("\n" if lines else "") + message

    def exercise(self, code: str, check: str) -> dict:
        # A copy of the lesson namespace: what an attempt defines cannot leak into later
        # cells, and an earlier attempt cannot make a later one pass.
        scratch = dict(self.namespace)
        attempt = self.run(code, "<exercise>", scratch)
        if attempt["error"] is not None:
            return {"cell": attempt, "check": None}
        return {"cell": attempt, "check": self.run(check, "<check>", scratch)}

    def fingerprint(self, names: list[str] | None) -> dict:
        """Digests of the namespace's shared values (all, or the names asked for)."""
        from grimoire.course.checks import fingerprint

        digests: dict[str, str] = {}
        for name in (self.namespace if names is None else names):
            if name.startswith("_") or name not in self.namespace:
                continue
            try:
                digests.update(fingerprint(self.namespace[name], name))
            except Exception:  # noqa: BLE001, S112 - an odd object is simply not watched
                continue
        return {"digests": digests}

    def evaluate(self, expressions: list[list[str]]) -> dict:
        answers = []
        sink = CappedText(0)
        saved = sys.stdout, sys.stderr
        for expression, spec in expressions:
            sys.stdout = sys.stderr = sink
            try:
                _State.in_cell = True
                value = eval(compile(expression, "<prose>", "eval"), self.namespace)
                _State.in_cell = False
                answers.append({"text": _format_quoted(value, spec), "value": _plain(value)})
            except NameError as error:
                answers.append({"error": "name", "name": getattr(error, "name", None) or "",
                                "message": str(error)})
            except BaseException as error:  # noqa: BLE001 - reported as a sentence
                answers.append({"error": type(error).__name__, "message": str(error)})
            finally:
                _State.in_cell = False
                sys.stdout, sys.stderr = saved
        return {"answers": answers}


class _Missing:
    """Stands in for the model while it cannot be loaded; using it says why."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(self._reason or "The model is not available.")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(self._reason or "The model is not available.")

    def __repr__(self) -> str:
        return f"<the model is not available: {self._reason}>"


def _split_last_expression(code: str, name: str) -> tuple[Any, Any]:
    """Compile a cell as (statements, last expression) so the last value can be shown."""
    tree = ast.parse(code, filename=name, mode="exec")
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
        body = compile(tree, name, "exec") if tree.body else None
        return body, compile(last, name, "eval")
    return compile(tree, name, "exec"), None


def _format_value(value: Any) -> str | None:
    """The notebook-style echo of a cell's last value; arrays summarised, long text cut."""
    if value is None or isinstance(value, dict) and type(value).__name__ == "Display":
        return None
    numpy = sys.modules.get("numpy")
    try:
        if numpy is not None and isinstance(value, numpy.generic):
            # 5.0 reads better to a learner than numpy 2's np.float64(5.0).
            text = str(value)
        elif numpy is not None:
            with numpy.printoptions(threshold=200, edgeitems=4, linewidth=96, precision=5):
                text = repr(value)
        else:
            text = repr(value)
    except Exception as error:  # noqa: BLE001 - a broken __repr__ must not break the cell
        text = f"<{type(value).__name__} whose repr failed: {error}>"
    if len(text) > VALUE_LIMIT:
        text = text[:VALUE_LIMIT] + f"\n[… {len(text) - VALUE_LIMIT:,} more characters cut]"
    return text


def _format_quoted(value: Any, spec: str) -> str:
    """A value quoted in prose: the author's format spec, or a compact default."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        value = value.item()
    if spec:
        _check_format_spec(spec)
        return format(value, spec)[:VALUE_LIMIT]
    if isinstance(value, float):
        return f"{value:.4g}"
    if numpy is not None and isinstance(value, numpy.ndarray):
        with numpy.printoptions(threshold=20, edgeitems=3, precision=4):
            return str(value)
    return str(value)[:VALUE_LIMIT]


def _check_format_spec(spec: str) -> None:
    """Refuse a width or precision no prose needs, before `format` tries to build it."""
    from grimoire.course.schema import format_size_problem

    problem = format_size_problem(spec)
    if problem is not None:
        raise ValueError(problem)


def _plain(value: Any) -> Any:
    """The value itself when it is a plain number or text (JSON-safe), else None."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        value = value.item()
    if isinstance(value, bool | int | float | str) and not (
        isinstance(value, str) and len(value) > VALUE_LIMIT
    ):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**62:
            return float(value)
        return value
    return None


def _watch_parent(parent: int) -> None:
    # If the app dies while a cell spins forever, the kernel must not live on as an orphan.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            _end_process_group()


def _end_process_group() -> None:
    """Stop this kernel and every process its cells started (they share its process group)."""
    try:
        os.killpg(os.getpgid(0), signal.SIGKILL)
    except OSError:
        pass
    os._exit(0)


class _Conversation:
    """The kernel's own process id: a child forked by a cell must never take part."""

    owner = 0

    @classmethod
    def leave_if_forked(cls) -> None:
        if os.getpid() != cls.owner:
            os._exit(0)


def grimoire_modules() -> list[str]:
    """The Grimoire's own modules this process has imported (the spellbook marks them ✦)."""
    return sorted(name for name in sys.modules if name == "grimoire"
                  or name.startswith("grimoire."))


HANDLERS: dict[str, Callable[[Child, dict], dict]] = {
    protocol.RUN: lambda child, request: child.run(request["code"], request["name"]),
    protocol.EXERCISE: lambda child, request: child.exercise(request["code"], request["check"]),
    protocol.EVAL: lambda child, request: child.evaluate(request["expressions"]),
    protocol.RESET: lambda child, request: child.reset(),
    protocol.FINGERPRINT: lambda child, request: child.fingerprint(request["names"]),
    protocol.MODULES: lambda child, request: {"modules": grimoire_modules()},
}
"""What the kernel does for each kind of request (see grimoire.course.protocol)."""


MEMORY_FULL = {"error": "MemoryError: the kernel's memory is full.", "error_kind": "memory",
               "error_name": "MemoryError", "near_cap": True}
"""The reply when too little memory is left even to describe what went wrong."""


def serve(child: Child, requests: BinaryIO, replies: BinaryIO) -> None:
    """The kernel's whole life after warming up: read a request, do it, reply; until EOF."""
    for line in requests:
        _Conversation.leave_if_forked()
        request = protocol.decode(line)
        if request is None:
            continue
        handler = HANDLERS.get(request.get("op", ""))
        try:
            answer = handler(child, request) if handler else {"error": "unknown request"}
        except MemoryError:
            answer = MEMORY_FULL
        except Exception as error:  # noqa: BLE001 - a malformed request must not end the kernel
            answer = {"error": f"{type(error).__name__}: {error}"}
        send(replies, {**answer, "op": protocol.REPLY, "id": request.get("id")})


def send(replies: BinaryIO, message: dict) -> None:
    """One message to the app (never from a process a cell forked)."""
    _Conversation.leave_if_forked()
    try:
        replies.write(protocol.encode(message))
    except MemoryError:
        replies.write(protocol.encode({**MEMORY_FULL, "op": message["op"],
                                       "id": message.get("id")}))
    replies.flush()


def main() -> None:
    """Start-up: private pipes, limits, numpy and the model loaded; then `serve`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory", type=int, default=0)
    parser.add_argument("--output", type=int, default=20000)
    options = parser.parse_args()

    # The conversation moves to private descriptors; fd 0/1 become /dev/null for cells.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)

    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if options.memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (options.memory, options.memory))

    from grimoire.model.memory import keep_freed_memory

    # A forward pass frees and makes again dozens of arrays of a few hundred KiB: keep them, so
    # that they are reused rather than page-faulted in afresh every time.
    keep_freed_memory(up_to=256 << 20)

    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    signal.signal(signal.SIGINT, _on_sigint)

    _Conversation.owner = os.getpid()

    def forget_conversation() -> None:
        # A cell's os.fork() (or multiprocessing) copies these descriptors; in the copy they
        # are closed at once, so the child can neither read requests nor write replies.
        for stream in (requests, replies):
            try:
                os.close(stream.fileno())
            except (OSError, ValueError):
                pass

    os.register_at_fork(after_in_child=forget_conversation)

    started = time.perf_counter()
    child = Child(options.output)
    child.memory_limit = options.memory
    try:
        child.warm()
    except BaseException as error:  # noqa: BLE001 - told to the parent, then exit
        send(replies, {"op": protocol.FAILED, "message": f"{type(error).__name__}: {error}"})
        raise SystemExit(1) from None
    # Start-up errors went to the parent's log; from here on native noise is dropped.
    os.dup2(devnull, 2)
    send(replies, {"op": protocol.READY, "seconds": time.perf_counter() - started,
                   "model_error": child.model_error})
    serve(child, requests, replies)


if __name__ == "__main__":
    main()
