"""Start-up time of `grimoire` to its home screen, beside a bare Textual app, in the same run.

Run: `python benchmarks/startup.py [--runs 7]`. Each app runs in a pseudo-terminal of 120x36
as a learner's would; it writes the moment its first screen is drawn to a file named by
$GRIMOIRE_READY_FILE and closes itself. Time from just before the process starts to that moment
is taken for both apps, alternating, and the medians and their ratio are printed (goal <= 1.3).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
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
import os, time
from pathlib import Path
from textual.app import App
from textual.widgets import Footer, Header, Static


class Bare(App):
    def compose(self):
        yield Header()
        yield Static("A bare Textual app.")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.ready)

    def ready(self):
        Path(os.environ["GRIMOIRE_READY_FILE"]).write_text(repr(time.time()))
        self.exit()


Bare().run()
'''


HOME_AS = """
import grimoire.ui.app as app
app.HOME_ROOM = {room!r}
from grimoire.cli import main
raise SystemExit(main([]))
"""


def time_to_ready(command: list[str], home: Path) -> float:
    """Seconds from launching `command` in a 120x36 pty until it reports its first screen."""
    ready_file = home / "ready"
    ready_file.unlink(missing_ok=True)
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = {**os.environ, "GRIMOIRE_READY_FILE": str(ready_file), "GRIMOIRE_HOME": str(home),
           "TERM": "xterm-256color", "OPENBLAS_NUM_THREADS": "1"}

    def drain() -> None:
        # The app's output must be read or it blocks on a full pty.
        try:
            while os.read(controller, 65536):
                pass
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    start = time.time()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal,
                               env=env, close_fds=True)
    try:
        process.wait(timeout=60)
    finally:
        os.close(terminal)
        os.close(controller)
    if not ready_file.exists():
        raise RuntimeError(f"{' '.join(command)} exited ({process.returncode}) without being ready")
    return float(ready_file.read_text()) - start


def main(argv: list[str] | None = None) -> int:
    """Measure both apps `--runs` times each, alternating, and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each app (default 7)")
    parser.add_argument("--home", metavar="ROOM",
                        help="measure with another room as home, e.g. 'welcome' for the shell alone")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        bare_script = home / "bare_app.py"
        bare_script.write_text(BARE_APP)
        commands = {
            "bare Textual app": [sys.executable, str(bare_script)],
            "grimoire": [sys.executable, "-m", "grimoire"],
        }
        if args.home:
            commands["grimoire"] = [sys.executable, "-c", HOME_AS.format(room=args.home)]
        for command in commands.values():  # a first run each warms the file cache
            time_to_ready(command, home)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(time_to_ready(command, home))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name:>17}: median {medians[name] * 1000:6.0f} ms   "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}, {len(values)} runs)")
    ratio = medians["grimoire"] / medians["bare Textual app"]
    print(f"{'ratio':>17}: {ratio:.2f}   (goal <= 1.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
