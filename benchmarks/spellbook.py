"""The spellbook's search and its biggest pages, each beside a baseline measured in the same run.

Run: `python benchmarks/spellbook.py [--runs 5] [--lines 50000]`. The real app runs headless at
120x36 (Textual's test driver: layout and rendering happen, nothing is drawn to a terminal) with
a fresh GRIMOIRE_HOME.

1. search across all files: from Enter in the search line to the first repaint showing result
   rows (and, for the record, to the last batch), for a few words; baseline `grep -rni WORD`
   over the same files, run as a process. Goal: first results <= 60 ms.
2. a page of --lines lines (Python: the model's source, whole, repeated) opened in the spellbook: from
   asking for it to the first repaint showing its text, beside opening `grimoire/cli.py` the
   same way. Goal <= 1 s. The colours and the outline follow in the background; the time until
   both are there is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Self

WORDS = ["softmax", "def ", "kernel", "LessonError"]


class PaintProbe:
    """Notes the first repaint (the app's `_display`) at which `shown()` holds."""

    def __init__(self, app, shown) -> None:
        self.app, self.shown = app, shown
        self.seen: float | None = None
        self.seen_cpu = 0.0
        self.start = 0.0
        self.start_cpu = 0.0

    def __enter__(self) -> Self:
        self.display = self.app._display

        def noting(*args, **kwargs):
            if self.seen is None and self.shown():
                self.seen = time.perf_counter()
                self.seen_cpu = time.process_time()
            return self.display(*args, **kwargs)

        self.app._display = noting
        self.start = time.perf_counter()
        self.start_cpu = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.app._display = self.display

    @property
    def elapsed(self) -> float:
        assert self.seen is not None
        return self.seen - self.start

    @property
    def cpu(self) -> float:
        """Processor time the app spent meanwhile (all its threads): what load cannot inflate."""
        return self.seen_cpu - self.start_cpu


async def until(pilot, condition, limit: float = 60.0) -> float:
    """Wait for `condition`; returns the moment it held."""
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app never reached the expected state")
        await pilot.pause(0.001)
    return time.perf_counter()


def grep_time(word: str, files: list[Path]) -> float:
    start = time.perf_counter()
    subprocess.run(["grep", "-n", "-i", "-F", "--", word, *map(str, files)],
                   capture_output=True, check=False)
    return time.perf_counter() - start


def big_page(folder: Path, lines: int) -> Path:
    """A Python page of `lines` lines: the model's readable source, whole, over and over, the
    last few lines comments (so the page parses and has an outline, as a real page would)."""
    from grimoire import paths

    source = (paths.PACKAGE_DIR / "model" / "gpt.py").read_text(encoding="utf-8").splitlines()
    text: list[str] = []
    while len(text) + len(source) <= lines:
        text += source
    text += [f"# line {number + 1}" for number in range(len(text), lines)]
    page = folder / "big.py"
    page.write_text("\n".join(text) + "\n", encoding="utf-8")
    return page


def page_shown(app, shown: str) -> bool:
    """The spellbook shows the page `shown`, laid out."""
    from grimoire.ui.screens.source import SourceScreen
    from grimoire.ui.widgets.code_view import CodeView

    screen = app.screen
    if not isinstance(screen, SourceScreen) or screen.shown != shown:
        return False
    view = screen.query_one(CodeView)
    return view.line_count > 0 and view.size.height > 0


def results_shown(screen, results) -> bool:
    """The results pane holds lines and the last layout put it on screen."""
    return bool(results.hits) and results in screen._compositor.visible_widgets


def settled_in(view, outline) -> bool:
    """The page's colours and its outline are there."""
    return view.is_coloured and bool(outline.symbols)


async def measure(runs: int, lines: int, scratch: Path) -> dict[str, object]:
    from grimoire import paths
    from grimoire.ui import sourcefiles
    from grimoire.ui.app import GrimoireApp
    from grimoire.ui.screens.source import SourceScreen
    from grimoire.ui.widgets.code_view import CodeView
    from grimoire.ui.widgets.outline_panel import OutlinePanel
    from grimoire.ui.widgets.search_results import SearchResults

    figures: dict[str, object] = {}
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.show_source("grimoire/cli.py")
        await until(pilot, lambda: isinstance(app.screen, SourceScreen)
                    and bool(app.screen.query(SearchResults)))
        screen = app.screen
        results = screen.query_one(SearchResults)
        files = [entry.real for entry in sourcefiles.all_files()]
        first: list[float] = []
        first_cpu: list[float] = []
        whole: list[float] = []
        grep: list[float] = []
        for run in range(runs + 1):
            for word in WORDS:
                screen.action_ask("search")
                screen.query_one("#ask").value = word
                await pilot.pause()
                with PaintProbe(app, partial(results_shown, screen, results)) as probe:
                    await pilot.press("enter")
                    done = await until(pilot, lambda: not screen.searching)
                    await until(pilot, lambda: probe.seen is not None)
                if run:  # the first round warms the file cache
                    first.append(probe.elapsed)
                    first_cpu.append(probe.cpu)
                    whole.append(done - probe.start)
                    grep.append(grep_time(word, files))
                screen.action_close_results()
        figures["search_first_ms"] = statistics.median(first) * 1000
        figures["search_first_cpu_ms"] = statistics.median(first_cpu) * 1000
        figures["search_all_ms"] = statistics.median(whole) * 1000
        figures["grep_ms"] = statistics.median(grep) * 1000
        figures["files"] = len(files)
        app.pop_screen()
        await pilot.pause()

        # 2. the big page, beside a small one, each opened from the map.
        page = big_page(scratch, lines)
        roots = paths.source_roots

        def with_bench() -> dict[str, Path]:
            return {**roots(), "bench": scratch}

        paths.source_roots = with_bench
        try:
            times: dict[str, list[float]] = {"grimoire/cli.py": [], "bench/big.py": []}
            big_cpu: list[float] = []
            settled: list[float] = []
            for run in range(runs + 1):
                for shown, taken in times.items():
                    with PaintProbe(app, partial(page_shown, app, shown)) as probe:
                        app.show_source(shown)
                        await until(pilot, lambda: probe.seen is not None)
                    if shown == "bench/big.py":
                        view = app.screen.query_one(CodeView)
                        outline = app.screen.query_one(OutlinePanel)
                        ready = await until(pilot, partial(settled_in, view, outline))
                        if run:
                            settled.append(ready - probe.start)
                            big_cpu.append(probe.cpu)
                    if run:
                        taken.append(probe.elapsed)
                    app.pop_screen()
                    await pilot.pause()
        finally:
            paths.source_roots = roots
        figures["small_page_ms"] = statistics.median(times["grimoire/cli.py"]) * 1000
        figures["big_page_ms"] = statistics.median(times["bench/big.py"]) * 1000
        figures["big_page_cpu_ms"] = statistics.median(big_cpu) * 1000
        figures["big_page_settled_ms"] = statistics.median(settled) * 1000
        figures["big_page_lines"] = len(page.read_text(encoding="utf-8").splitlines())
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=50_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["GRIMOIRE_HOME"] = str(Path(scratch) / "home")
        figures = asyncio.run(measure(args.runs, args.lines, Path(scratch)))
    load = os.getloadavg()
    print(f"the spellbook, headless at 120x36, {args.runs} runs "
          f"(load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")
    print(f"search across {figures['files']} files, Enter -> first results on screen: "
          f"{figures['search_first_ms']:.0f} ms   (goal <= 60 ms; the app's processor time "
          f"{figures['search_first_cpu_ms']:.0f} ms); all results "
          f"{figures['search_all_ms']:.0f} ms; grep -rni {figures['grep_ms']:.1f} ms; "
          f"ratio first / grep {figures['search_first_ms'] / figures['grep_ms']:.1f}")
    print(f"a page of {figures['big_page_lines']:,} lines opened -> its text on screen: "
          f"{figures['big_page_ms']:.0f} ms   (goal <= 1000 ms; processor time "
          f"{figures['big_page_cpu_ms']:.0f} ms); grimoire/cli.py "
          f"{figures['small_page_ms']:.0f} ms, ratio "
          f"{figures['big_page_ms'] / figures['small_page_ms']:.1f}; colours and outline "
          f"there after {figures['big_page_settled_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
