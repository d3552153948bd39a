"""The lesson screens' responsiveness: opening a lesson, keys while a cell computes, memory.

Run: `OPENBLAS_NUM_THREADS=1 python benchmarks/ui.py [--runs 5] [--lessons DIR]`. The real app
runs headless at 120x36 (Textual's test driver: layout and rendering happen, nothing is drawn
to a terminal), with a fresh GRIMOIRE_HOME, on the bundled lessons unless --lessons is given.

1. open → first output: with the kernel warm, from asking for the first lesson until the first
   repaint showing its first code cell's output (load, fresh namespace, setup, first cell),
   beside pushing a bare screen (header, paragraph, footer) timed the same way. Goal ≤ 300 ms.
2. key → repaint while a cell computes: a cell spins in the kernel; each key press scrolls the
   step and the time until the app has handled it and refreshed is taken. The same key while
   idle is measured in the same run as the baseline. Goal ≤ 50 ms.
3. resident memory of the app plus the kernel after every lesson has been opened once (and its
   first step's cells run). Goal ≤ 300 MB.
4. key → repaint in the training room while the repeat model trains (measure_training_room), the
   same key while no run is on as the baseline, at 120x30 so the room scrolls. Goal ≤ 50 ms.
   With --training-full, also the whole repeat recipe (800 steps) in the room, from ctrl+r to
   the last step drawn, beside `grimoire train --task repeat` timed in the same run.
5. page turn: `n` (or `p`) to a step already visited, until the first repaint of the finished
   step (its widgets mounted, outputs and prose drawn), beside a bare Textual app repainting a
   Static on a key, measured the same way in the same run. Goal ≤ 80 ms and ≤ 12 × the bare
   repaint. Also counted: repaints per turn (one layout pass is the goal).

`--page-turn-only` measures the page turn alone (a minute rather than several).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).parent))
from spellbook import PaintProbe  # the first-repaint probe, shared


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def until(pilot, condition, limit: float = 120.0) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app never reached the expected state")
        await pilot.pause(0.002)


SPIN = """
id: spin
title: A spinning cell
summary: Computes for a long time.
requires: []
minutes: 1
steps:
  - title: Spinning
    blocks:
      - prose: |
          {text}
      - code: |
          total = 0
          while True:
              total += 1
        timeout: 600
"""


async def measure(runs: int, lessons: Path | None) -> dict[str, object]:
    from grimoire.course.loader import lesson_summaries
    from grimoire.ui.app import GrimoireApp, StartRequest
    from grimoire.ui.kernel_client import kernel_client
    from grimoire.ui.screens.lesson import LessonScreen
    from grimoire.ui.widgets.code_cell import CodeCell

    summaries = lesson_summaries(lessons)
    first_id = summaries[0].id
    app = GrimoireApp(StartRequest(lessons=lessons, trust=True))
    figures: dict[str, object] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        client = kernel_client(app)
        client.start()
        await until(pilot, lambda: client.ready)

        def first_output() -> bool:
            screen = app.screen
            if not isinstance(screen, LessonScreen):
                return False
            cells = list(screen.query(CodeCell))
            return bool(cells) and cells[0].result is not None and not cells[0].running

        # 1. open -> first output, the kernel warm (the first opening warms caches; not kept).
        times = []
        for run in range(runs + 1):
            client.lesson_id = None  # a fresh namespace and setup each time, as on a first visit
            with PaintProbe(app, first_output) as probe:
                app.open_room("lesson", lesson=first_id, lessons=lessons, trust=True)
                await until(pilot, lambda: probe.seen is not None)
            if run:
                times.append(probe.elapsed)
            app.pop_screen()
            await pilot.pause()
        figures["open_to_first_output_ms"] = statistics.median(times) * 1000
        figures["open_lesson"] = first_id

        # Baseline in the same run: pushing a bare screen (header, a paragraph, footer).
        from textual.screen import Screen
        from textual.widgets import Footer, Header, Static

        class Bare(Screen):
            def compose(self):
                yield Header()
                yield Static("A bare screen. " * 40, id="bare")
                yield Footer()

        def bare_shown() -> bool:
            return isinstance(app.screen, Bare) and bool(app.screen.query("#bare"))

        bare_times = []
        for _ in range(runs):
            with PaintProbe(app, bare_shown) as probe:
                app.push_screen(Bare())
                await until(pilot, lambda: probe.seen is not None)
            bare_times.append(probe.elapsed)
            app.pop_screen()
            await pilot.pause()
        figures["bare_screen_ms"] = statistics.median(bare_times) * 1000

        # 3. every lesson opened once (its first step's cells run), then resident memory.
        for summary in summaries:
            app.open_room("lesson", lesson=summary.id, lessons=lessons, trust=True)
            # The first step's cells have run once its prose values are computed.
            try:
                await until(pilot, lambda: isinstance(app.screen, LessonScreen)
                            and app.screen.settled, limit=120)
            except TimeoutError:
                texts = [str(w.render()) for w in app.screen.query(".lesson-note, .lesson-error")]
                raise TimeoutError(f"lesson {summary.id} did not open: {texts}") from None
            app.pop_screen()
            await pilot.pause()
        kernel_pid = client.kernel._process.process.pid
        app_mb, kernel_mb = rss_mb(os.getpid()), rss_mb(kernel_pid)
        figures["lessons_opened"] = len(summaries)
        figures["rss_app_mb"] = app_mb
        figures["rss_kernel_mb"] = kernel_mb
        figures["rss_total_mb"] = app_mb + kernel_mb

    # 2. key -> repaint, idle and while a cell spins, in a lesson made for it.
    with tempfile.TemporaryDirectory() as folder:
        spin_dir = Path(folder)
        text = " ".join(["The familiar is thinking, and the page still turns."] * 60)
        (spin_dir / "01-spin.yaml").write_text(SPIN.format(text=text), encoding="utf-8")
        app = GrimoireApp(StartRequest("lesson", lesson="spin", lessons=spin_dir, trust=True))
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, LessonScreen)
                        and bool(list(app.screen.query(CodeCell))))
            screen = app.screen
            await until(pilot, lambda: screen.query_one(CodeCell).running)
            busy = await _key_times(pilot, screen, runs * 10)
            screen.action_interrupt()
            await until(pilot, lambda: not screen.query_one(CodeCell).running)
            idle = await _key_times(pilot, screen, runs * 10)
        figures["key_to_repaint_busy_ms"] = statistics.median(busy) * 1000
        figures["key_to_repaint_idle_ms"] = statistics.median(idle) * 1000
        figures["key_busy_over_idle"] = statistics.median(busy) / statistics.median(idle)
    return figures


async def _key_times(pilot, screen, count: int, body_id: str = "#step-body") -> list[float]:
    """Seconds from a key arriving to the screen being repainted with its effect.

    The app's `_display` (where a rendered update goes to the terminal) is wrapped to note
    when it runs and where the page stood; a key is posted as the driver would, and the time is
    taken at the first repaint showing the page moved.
    """
    from textual import events

    app = pilot.app
    body = screen.query_one(body_id)
    body.focus()
    # Scrolling is animated for the eye; the figure is the app's own handling and repaint.
    app.animation_level = "none"
    painted: list[tuple[float, float]] = []
    display = app._display

    def noting(*args, **kwargs):
        painted.append((time.perf_counter(), body.scroll_y))
        return display(*args, **kwargs)

    app._display = noting
    times = []
    try:
        for number in range(count):
            key = "down" if number % 2 == 0 else "up"
            before = body.scroll_y
            await pilot.pause()
            start = time.perf_counter()
            app.post_message(events.Key(key, None))
            while True:
                await asyncio.sleep(0.0005)
                # The first repaint that shows the page moved.
                moved = [t for t, y in painted if t > start and y != before]
                if moved:
                    times.append(moved[0] - start)
                    break
                if time.perf_counter() - start > 5:
                    raise TimeoutError("a key was never answered")
    finally:
        app._display = display
    return times


async def measure_training_room(runs: int, full: bool) -> dict[str, float]:
    """Key → repaint in the training room, idle and while training; optionally a whole run."""
    from grimoire.ui.app import GrimoireApp, StartRequest
    from grimoire.ui.screens.training import TrainingScreen
    from grimoire.ui.widgets.stepper import Stepper

    figures: dict[str, float] = {}
    app = GrimoireApp(StartRequest("training"))
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TrainingScreen))
        screen = app.screen
        # A short run first, so that the baseline has the same heads and charts on screen.
        screen.query_one("#watch-steps", Stepper).set_number(50)
        screen.start_watching()
        await until(pilot, lambda: screen.mode is None and screen.finished is not None)
        await pilot.pause(0.5)
        idle = await _key_times(pilot, screen, runs * 10, body_id="#watch-body")
        screen.query_one("#watch-steps", Stepper).set_number(5000)
        screen.start_watching()
        # Keys while the heads are being read and redrawn, not during the child's start-up.
        await until(pilot, lambda: screen.heads_drawn >= 2)
        busy = await _key_times(pilot, screen, runs * 10, body_id="#watch-body")
        drawn = screen.heads_drawn
        screen.action_interrupt()
        await until(pilot, lambda: screen.mode is None)
        figures["training_key_busy_ms"] = statistics.median(busy) * 1000
        figures["training_key_idle_ms"] = statistics.median(idle) * 1000
        figures["training_key_busy_over_idle"] = statistics.median(busy) / statistics.median(idle)
        figures["training_heads_drawn_meanwhile"] = drawn
        if full:
            screen.query_one("#watch-steps", Stepper).set_number(800)
            start = time.perf_counter()
            screen.start_watching()
            await until(pilot, lambda: screen.mode is None and screen.finished is not None,
                        limit=600)
            figures["room_repeat_seconds"] = time.perf_counter() - start
            figures["room_repeat_child_seconds"] = float(screen.finished["seconds"])
    if full:
        import subprocess

        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            # The app has closed: nothing else waits on this process meanwhile.
            subprocess.run([sys.executable, "-m", "grimoire", "train", "--task", "repeat",  # noqa: ASYNC221
                            "--out", str(Path(folder) / "repeat.npz")], check=True,
                           capture_output=True)
            figures["cli_repeat_seconds"] = time.perf_counter() - start
    return figures


PAGE_LESSON = "vectors"
"""The lesson whose steps are turned: several steps of prose, code cells and displays."""


async def page_turn(runs: int, lessons: Path | None) -> dict[str, float]:
    """Median ms from `n`/`p` to the finished page of a visited step, and the bare baseline.

    Both apps run at once and the measurements alternate (a turn, a bare repaint, ...), so a
    change in the machine's load touches both sides of the ratio alike.
    """
    from textual import events
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    from grimoire.ui.app import GrimoireApp, StartRequest
    from grimoire.ui.screens.lesson import LessonScreen

    class Bare(App):
        BINDINGS: ClassVar = [("n", "turn", "Turn")]
        turned = 0

        def compose(self):
            yield Header()
            yield Static("page 0", id="page")
            yield Footer()

        def action_turn(self) -> None:
            self.turned += 1
            self.query_one("#page", Static).update(f"page {self.turned}")

    app = GrimoireApp(StartRequest("lesson", lesson=PAGE_LESSON, lessons=lessons, trust=True))
    bare = Bare()
    turns: list[float] = []
    repaints: list[int] = []
    bare_times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot, bare.run_test(size=(120, 36)) as bare_pilot:
        await until(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.settled)
        screen = app.screen
        steps = min(4, len(screen.lesson.steps))
        for _ in range(steps - 1):  # visit the first steps once: their cells run
            await pilot.press("n")
            await until(pilot, lambda: screen.settled)
        while screen.current > 0:
            await pilot.press("p")
        await until(pilot, lambda: screen.settled)
        page = bare.query_one("#page", Static)
        for number in range(runs * 4 * (steps - 1)):
            forward = (number // (steps - 1)) % 2 == 0
            target = screen.current + (1 if forward else -1)
            await pilot.pause()
            painted = [0]

            def finished(target: int = target, painted: list[int] = painted) -> bool:
                painted[0] += 1
                return screen.shown == target and screen.settled

            with PaintProbe(app, finished) as probe:
                app.post_message(events.Key("n" if forward else "p", None))
                await until(pilot, lambda: probe.seen is not None)
            turns.append(probe.elapsed)
            repaints.append(painted[0])

            await bare_pilot.pause()
            wanted = bare.turned + 1
            with PaintProbe(bare, lambda wanted=wanted, page=page:
                            str(page.render()) == f"page {wanted}") as probe:
                bare.post_message(events.Key("n", None))
                await until(bare_pilot, lambda: probe.seen is not None)
            bare_times.append(probe.elapsed)
    turn, base = statistics.median(turns), statistics.median(bare_times)
    return {"page_turn_ms": turn * 1000, "bare_repaint_ms": base * 1000,
            "page_turn_ratio": turn / base, "repaints_per_turn": statistics.median(repaints)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lessons", type=Path, default=None)
    parser.add_argument("--training-only", action="store_true",
                        help="only the training room's figures (4.)")
    parser.add_argument("--training-full", action="store_true",
                        help="also train the whole repeat recipe in the room and on the command line")
    parser.add_argument("--page-turn-only", action="store_true",
                        help="only the page turn's figures (5.)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["GRIMOIRE_HOME"] = home
        turn = asyncio.run(page_turn(args.runs, args.lessons))
    print(f"page turn to a visited step: {turn['page_turn_ms']:.1f} ms   (goal <= 80 ms); "
          f"a bare Textual repaint {turn['bare_repaint_ms']:.1f} ms, ratio "
          f"{turn['page_turn_ratio']:.1f}   (goal <= 12); "
          f"{turn['repaints_per_turn']:.0f} repaint(s) a turn; load average "
          f"{os.getloadavg()[0]:.2f}")
    if args.page_turn_only:
        return 0
    with tempfile.TemporaryDirectory() as home:
        os.environ["GRIMOIRE_HOME"] = home
        training = asyncio.run(measure_training_room(args.runs, args.training_full))
    print(f"key -> repaint in the training room while it trains: "
          f"{training['training_key_busy_ms']:.1f} ms; no run {training['training_key_idle_ms']:.1f}"
          f" ms; ratio {training['training_key_busy_over_idle']:.2f}   (goal <= 50 ms; the heads "
          f"were redrawn {training['training_heads_drawn_meanwhile']:.0f} times meanwhile)")
    if args.training_full:
        print(f"the repeat recipe (800 steps): in the room {training['room_repeat_seconds']:.1f} s"
              f" (the child's own count {training['room_repeat_child_seconds']:.1f} s); "
              f"`grimoire train --task repeat` {training['cli_repeat_seconds']:.1f} s; ratio "
              f"{training['room_repeat_seconds'] / training['cli_repeat_seconds']:.2f}")
    if args.training_only:
        return 0
    with tempfile.TemporaryDirectory() as home:
        os.environ["GRIMOIRE_HOME"] = home
        figures = asyncio.run(measure(args.runs, args.lessons))
    print(f"open '{figures['open_lesson']}' -> first cell output (kernel warm): "
          f"{figures['open_to_first_output_ms']:.0f} ms   (goal <= 300 ms); a bare screen "
          f"{figures['bare_screen_ms']:.0f} ms, ratio "
          f"{figures['open_to_first_output_ms'] / figures['bare_screen_ms']:.1f}")
    print(f"key -> repaint while a cell computes: {figures['key_to_repaint_busy_ms']:.1f} ms; "
          f"idle {figures['key_to_repaint_idle_ms']:.1f} ms; ratio "
          f"{figures['key_busy_over_idle']:.2f}   (goal <= 50 ms)")
    print(f"resident memory after opening all {figures['lessons_opened']} lessons: app "
          f"{figures['rss_app_mb']:.0f} MB + kernel {figures['rss_kernel_mb']:.0f} MB = "
          f"{figures['rss_total_mb']:.0f} MB   (goal <= 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
