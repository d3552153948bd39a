"""The app's one lesson kernel, and the only way the interface talks to it: never blocking.

`kernel_client(app)` gives the app's KernelClient (made on first use). The child process starts
in the background soon after the app does, so numpy and the model are warm before the learner
has picked a lesson. Every call that waits on the kernel runs in a Textual thread worker and is
awaited, so the interface keeps repainting and taking keys while a cell computes; calls are
queued first-come first-served by an asyncio lock, so a lesson's setup always runs before its
cells. `interrupt()` does not queue: it signals the running cell at once.

    client = kernel_client(app)
    client.start()                                   # returns at once
    result = await client.open_lesson("vectors", setup_code)   # fresh namespace + setup
    result = await client.run(code, timeout=10)      # CellResult
    verdict = await client.check_exercise(exercise, code)
    texts = await client.evaluate([("n_chars", ""), ("ratio", ".2f")])
    modules = await client.kernel_modules()        # what the kernel has imported
    client.interrupt(); client.close()
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.worker import WorkerCancelled

if TYPE_CHECKING:
    from textual.app import App

    from grimoire.course.checks import ExerciseVerdict, Verdict
    from grimoire.course.kernel import CellResult, Evaluation, Kernel
    from grimoire.course.schema import Exercise, Quiz

T = TypeVar("T")
START_DELAY = 0.8
"""Seconds after the first screen shows before the kernel starts: start-up paints first."""


class KernelClient:
    """Owns one grimoire.course.kernel.Kernel for the app and runs every call off the UI thread."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._kernel: Kernel | None = None
        self._queue = asyncio.Lock()
        self.lesson_id: str | None = None
        """Whose namespace the kernel holds now (None: a plain one, e.g. for the scratchpad)."""
        self.running = 0
        """Calls in flight or queued (the lesson screen shows a running indicator)."""
        self._started = False
        self.known_kernel_modules: set[str] = set()
        """The kernel's modules when last asked (the spellbook marks them at once)."""

    @property
    def kernel(self) -> Kernel:
        """The kernel, created (not started) on first use; importing it costs no numpy."""
        if self._kernel is None:
            from grimoire.course.kernel import Kernel

            self._kernel = Kernel()
        return self._kernel

    def start(self) -> None:
        """Start the child process now, off the UI thread; it warms up in the background."""
        if self._started:
            return
        self._started = True
        self.app.run_worker(self._warm_up(), group="kernel-start", exit_on_error=False)

    def start_soon(self) -> None:
        """Start the kernel a moment after the first paint (the app's start-up stays light)."""
        self.app.set_timer(START_DELAY, self.start)

    async def _warm_up(self) -> None:
        # In the queue like any call, so no request waits on the warm-up from another thread.
        async with self._queue:
            worker = self.app.run_worker(self._start_now, thread=True, group="kernel",
                                         exit_on_error=False)
            try:
                await worker.wait()
            except WorkerCancelled:
                raise asyncio.CancelledError from None

    def _start_now(self) -> None:
        kernel = self.kernel
        try:
            kernel.start()
        except RuntimeError:
            return  # closed while the app was closing: nothing to start
        kernel.wait_ready()

    @property
    def ready(self) -> bool:
        """The kernel has loaded numpy and the model."""
        return self._kernel is not None and self._kernel.ready

    async def kernel_modules(self) -> set[str]:
        """The Grimoire's modules the kernel has imported (empty until it is ready).

        Asked beside the queue, not in it: a cell that runs for a minute must not keep the
        spellbook waiting, and the kernel answers between requests.
        """
        if not self.ready:
            return self.known_kernel_modules
        found = await asyncio.to_thread(self.kernel.modules)
        if found:
            self.known_kernel_modules = set(found)
        return self.known_kernel_modules

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `function(*args, **kwargs)` in a thread worker, after the calls queued before."""
        self.running += 1
        try:
            async with self._queue:
                worker = self.app.run_worker(
                    lambda: function(*args, **kwargs), thread=True, group="kernel",
                    exit_on_error=False,
                )
                try:
                    await worker.wait()
                except WorkerCancelled:
                    # The app is closing: whoever awaited this is cancelled too, not failed.
                    raise asyncio.CancelledError from None
                return worker.result  # type: ignore[return-value]
        finally:
            self.running -= 1

    async def open_lesson(self, lesson_id: str | None, setup: str | None,
                          fresh: bool = False) -> CellResult | None:
        """Give the kernel the namespace of this lesson (its setup run), unless it already has it.

        Returns the setup's result when it ran, None when the namespace was already this one.
        """
        if lesson_id == self.lesson_id and not fresh:
            return None
        self.lesson_id = lesson_id
        return await self.call(self.kernel.load_setup, setup)

    async def run(self, code: str, timeout: float | None = None) -> CellResult:
        """Run one cell in the current namespace."""
        return await self.call(self.kernel.run, code, timeout)

    async def evaluate(self, expressions: list[tuple[str, str]]) -> list[Evaluation]:
        """Values of `{{ expression:spec }}` placeholders, formatted."""
        return await self.call(self.kernel.evaluate, expressions)

    async def check_exercise(self, exercise: Exercise, code: str,
                             timeout: float | None = None) -> ExerciseVerdict:
        """The learner's attempt and the exercise's check, in a copy of the namespace."""
        from grimoire.course.checks import check_exercise

        return await self.call(check_exercise, exercise, code, self.kernel, timeout)

    async def check_numeric(self, quiz: Quiz, answer: str, may_run: bool = True) -> Verdict:
        """A numeric answer against the quiz's (possibly computed) right value.

        `may_run=False` (the learner declined to run the lesson's code): a right value written
        as an expression is never evaluated, and the verdict says the answer cannot be checked.
        """
        from grimoire.course.checks import Verdict, check_numeric

        if not may_run:
            if isinstance(quiz.numeric, str):
                return Verdict(False, "This answer cannot be checked: the lesson computes the "
                               "right value with its own code, which you chose not to run.")
            return check_numeric(quiz, answer, None)
        return await self.call(check_numeric, quiz, answer, self.kernel)

    def interrupt(self) -> None:
        """Stop the running cell (KeyboardInterrupt in it); nothing happens when none runs."""
        if self._kernel is not None:
            self._kernel.interrupt()

    def close(self) -> None:
        """Stop the kernel process (the app is closing)."""
        if self._kernel is not None:
            self._kernel.close()


def kernel_client(app: App) -> KernelClient:
    """The app's kernel client, made on first use."""
    client = getattr(app, "_grimoire_kernel_client", None)
    if client is None:
        client = KernelClient(app)
        app._grimoire_kernel_client = client  # type: ignore[attr-defined]
    return client
