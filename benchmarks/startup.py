"""Start-up of `grimoire` to its whole first screen, beside a bare Textual app, in the same run.

Run: `python benchmarks/startup.py [--runs 7] [--lessons DIR] [--home ROOM]`.

Each app runs in a pseudo-terminal of 120x36, as in a learner's terminal, and everything it
writes is read as it arrives. The first screen is complete when the app has drawn its last frame
before falling quiet (nothing written for --quiet seconds): the header, the map's rows and the
footer with its keys, however many frames that took. The time from just before the process
starts to that last frame is taken for

- the bare Textual app (Header, Static, Footer): the baseline;
- a first launch of `grimoire` (a fresh, empty GRIMOIRE_HOME every run);
- a returning launch (the same GRIMOIRE_HOME each run, after one launch made it).

The runs alternate between the three; medians and the ratios to the bare app are printed
(goal <= 1.2 for both). Python's bytecode is written and used, as in an installed package, even
when PYTHONDONTWRITEBYTECODE is set in the calling shell.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

BARE_APP = '''
from textual.app import App
from textual.widgets import Footer, Header, Static


class Bare(App):
    def compose(self):
        yield Header()
        yield Static("A bare Textual app.")
        yield Footer()


Bare().run()
'''

HOME_AS = """
import grimoire.ui.app as app
app.HOME_ROOM = {room!r}
from grimoire.cli import main
raise SystemExit(main([]))
"""

QUIT = b"\x11"  # ctrl+q: both apps close on it


def _frames(chunks: list[tuple[float, bytes]]) -> list[float]:
    """When the app wrote frames: from its first full screen on (the terminal queries written at
    start-up are a hundred bytes; a screen is thousands), every write but a few bytes."""
    first = next((index for index, (_, data) in enumerate(chunks) if len(data) >= 2000), None)
    if first is None:
        return []
    return [moment for moment, data in chunks[first:] if len(data) > 64]


def time_to_last_frame(command: list[str], home: Path, quiet: float = 0.6,
                       limit: float = 20.0) -> tuple[float, bytes]:
    """Seconds from launching `command` in a 120x36 pty to its last frame before `quiet` s of
    silence, and everything it wrote until then."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update({"GRIMOIRE_HOME": str(home), "TERM": "xterm-256color",
                "OPENBLAS_NUM_THREADS": "1"})
    chunks: list[tuple[float, bytes]] = []

    def drain() -> None:
        # The app's output must be read or it blocks on a full pty.
        try:
            while data := os.read(controller, 65536):
                chunks.append((time.perf_counter(), data))
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal,
                               env=env, close_fds=True)
    try:
        while time.perf_counter() - start < limit:
            time.sleep(0.05)
            frames = _frames(chunks)
            if frames and time.perf_counter() - frames[-1] > quiet:
                break
            if process.poll() is not None:
                break
        else:
            raise RuntimeError(f"{' '.join(command)} never fell quiet")
        frames = _frames(chunks)
        written = b"".join(data for _, data in chunks)
        os.write(controller, QUIT)
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(terminal)
        os.close(controller)
    if not frames:
        raise RuntimeError(f"{' '.join(command)} drew nothing (exit code {process.returncode})")
    return frames[-1] - start, written


def main(argv: list[str] | None = None) -> int:
    """Measure the three launches `--runs` times each, alternating; print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each (default 7)")
    parser.add_argument("--lessons", type=Path, help="open the map on this lesson folder")
    parser.add_argument("--home", metavar="ROOM",
                        help="measure with another room as home, e.g. 'welcome' for the shell alone")
    parser.add_argument("--quiet", type=float, default=0.6,
                        help="seconds without output that end the first screen (default 0.6)")
    args = parser.parse_args(argv)
    grimoire = [sys.executable, "-m", "grimoire"]
    if args.lessons:
        grimoire += ["--lessons", str(args.lessons.resolve()), "--trust"]
    if args.home:
        grimoire = [sys.executable, "-c", HOME_AS.format(room=args.home)]
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        bare_script = scratch_dir / "bare_app.py"
        bare_script.write_text(BARE_APP)
        returning_home = scratch_dir / "returning"
        fresh = scratch_dir / "fresh"

        def bare() -> float:
            return time_to_last_frame([sys.executable, str(bare_script)], fresh,
                                      args.quiet)[0]

        def first_launch() -> float:
            shutil.rmtree(fresh, ignore_errors=True)
            took, written = time_to_last_frame(grimoire, fresh, args.quiet)
            if b"Help" not in written:
                raise RuntimeError("the Grimoire's footer never showed its keys")
            return took

        def returning() -> float:
            return time_to_last_frame(grimoire, returning_home, args.quiet)[0]

        launches = {"bare Textual app": bare, "first launch": first_launch,
                    "returning launch": returning}
        for launch in launches.values():  # a first run each writes bytecode and warms caches
            launch()
        times: dict[str, list[float]] = {name: [] for name in launches}
        for _ in range(args.runs):
            for name, launch in launches.items():
                times[name].append(launch())
    medians = {name: statistics.median(values) for name, values in times.items()}
    load = os.getloadavg()
    print(f"start-up to the whole first screen, 120x36, {args.runs} runs each "
          f"(load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")
    for name, values in times.items():
        print(f"{name:>17}: median {medians[name] * 1000:6.0f} ms   "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")
    for name in ("first launch", "returning launch"):
        ratio = medians[name] / medians["bare Textual app"]
        print(f"{name + ' ratio':>23}: {ratio:.2f}   (goal <= 1.2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
