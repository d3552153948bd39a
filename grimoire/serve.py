"""`grimoire serve`: the Grimoire in a browser, one app process (and kernel) per browser tab.

The web side is textual-serve's: its server speaks to the browser and runs one app process per
tab. What is the Grimoire's own is small and lives here: which command a tab runs, where its
progress lives (one home for the whole server, or a fresh home per visitor, named in the page
so the learner can come back to it), and the promise that stopping the server ends every app
and every kernel it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import re
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
HOME_NAME = re.compile(r"^[a-z]+-[0-9a-f]{6}$")
TEMPLATES = Path(__file__).resolve().parent / "serve_page"
# Words for a visitor's home, so its name is easy to say and to type back.
_HOME_WORDS = ("raven", "candle", "quill", "sigil", "rune", "moth", "ember", "vellum",
               "owl", "thorn", "ink", "lantern", "mirror", "cipher", "salt", "ash")
PUBLIC_WARNING = ("Lessons run Python code on this machine, so anyone who can reach "
                  "{host}:{port} can run code here as you; add --public to serve there anyway.")


def is_local(host: str) -> bool:
    """True for addresses only this machine can reach (loopback)."""
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_home_name() -> str:
    """A fresh, unguessable visitor home name such as `quill-3fa91c`."""
    return f"{secrets.choice(_HOME_WORDS)}-{secrets.token_hex(3)}"


def app_command(lessons: Path | None, monochrome: bool = False) -> list[str]:
    """The command each browser tab runs: this Python, this Grimoire, on the map."""
    command = [sys.executable, "-m", "grimoire"]
    if monochrome:
        command.append("--monochrome")
    if lessons is not None:
        command += ["--lessons", str(Path(lessons).resolve())]
    return command + ["open"]


def descendants(pid: int) -> list[int]:
    """Every living process below `pid` (children, grandchildren, ...), read from /proc.

    The kernel runs in a session of its own (so a Ctrl+C in a terminal stays the app's), which
    is why the server cannot end it by signalling a process group; it finds it by parentage.
    Where there is no /proc the kernel still ends by itself once its app has gone.
    """
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    stat = f.read()
            except OSError:
                continue
            # Field 4 is the parent; the name (field 2) may hold spaces, so split after ')'.
            fields = stat.rpartition(")")[2].split()
            if len(fields) >= 2:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    frontier = [pid]
    while frontier:
        for child in children.get(frontier.pop(), []):
            found.append(child)
            frontier.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purpose: it runs nothing and its parent will reap it.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def end_processes(pids: list[int], grace: float = 3.0) -> None:
    """SIGTERM every pid, wait up to `grace` seconds, then SIGKILL whatever is still alive."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def build_server(host: str, port: int, lessons: Path | None, home_per_visitor: bool,
                 data_dir: Path, monochrome: bool = False) -> Any:
    """A textual-serve Server that runs the Grimoire for each tab (imports textual-serve)."""
    import aiohttp_jinja2
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    command = app_command(lessons, monochrome)

    class GrimoireAppService(AppService):
        """One tab's app process: run without a shell, with the tab's own home if it has one."""

        def __init__(self, *args: Any, home: Path | None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.home = home

        def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
            environment = super()._build_environment(width, height)
            if self.home is not None:
                environment["GRIMOIRE_HOME"] = str(self.home)
            return environment

        async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
            self._process = process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._build_environment(width=width, height=height),
            )
            self._stdin = process.stdin
            return process

    class GrimoireServer(Server):
        """textual-serve's server with the Grimoire's pages, homes and clean shutdown."""

        def __init__(self) -> None:
            super().__init__(" ".join(command), host=host, port=port,
                             title="Lilith's Grimoire", templates_path=TEMPLATES)
            self.services: set[GrimoireAppService] = set()

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.router.add_get("/ws/{home}", self.handle_websocket, name="home-websocket")
            return app

        def _home(self, name: str | None) -> Path | None:
            if not home_per_visitor:
                return None
            if name is None or not HOME_NAME.match(name):
                raise web.HTTPBadRequest(text="That is not the name of a Grimoire home.")
            return data_dir / "homes" / name

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            name = request.query.get("home")
            if home_per_visitor and (name is None or not HOME_NAME.match(name)):
                raise web.HTTPFound(f"/?home={new_home_name()}")
            title = "Lilith's Grimoire" + (f" — home {name}" if home_per_visitor else "")
            socket = "/ws" + (f"/{name}" if home_per_visitor else "")
            # Addresses as the browser reached us, so a page served on 0.0.0.0 still connects.
            scheme = "wss" if request.secure else "ws"
            context = {
                "title": title,
                "home": name if home_per_visitor else None,
                "font_size": _number(request.query.get("fontsize"), 16, 8, 32),
                "websocket_url": f"{scheme}://{request.host}{socket}",
                "static_url": "/static/",
            }
            return aiohttp_jinja2.render_template("index.html", request, context)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            home = self._home(request.match_info.get("home"))
            if home is not None:
                home.mkdir(parents=True, exist_ok=True)
            websocket = web.WebSocketResponse(heartbeat=15)
            width = _number(request.query.get("width"), 80, 10, 1000)
            height = _number(request.query.get("height"), 24, 10, 1000)
            service: GrimoireAppService | None = None
            try:
                await websocket.prepare(request)
                service = GrimoireAppService(
                    " ".join(command), home=home,
                    write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                    close=websocket.close, download_manager=self.download_manager,
                    debug=self.debug,
                )
                self.services.add(service)
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            finally:
                if service is not None:
                    await _stop(service)
                    self.services.discard(service)
            return websocket

        async def on_startup(self, app: web.Application) -> None:
            where = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
            homes = (f"a fresh home per visitor under {data_dir / 'homes'}" if home_per_visitor
                     else "one home for every tab")
            print(f"The Grimoire is open at {where} ({homes}). Ctrl+C closes it.", flush=True)

        async def on_shutdown(self, app: web.Application) -> None:
            await asyncio.gather(*(_stop(service) for service in list(self.services)))

        def initialize_logging(self) -> None:
            import logging

            logging.basicConfig(level="WARNING", format="grimoire serve: %(message)s")

    async def _stop(service: GrimoireAppService) -> None:
        """Ask the app to quit; whatever it and its kernel leave running is ended."""
        process = service._process
        if process is None:
            return
        below = descendants(process.pid)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(service.stop(), timeout=3.0)
        leftovers = [pid for pid in [process.pid, *below] if _alive(pid)]
        if leftovers:
            await asyncio.get_running_loop().run_in_executor(None, end_processes, leftovers)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(process.wait(), timeout=1.0)

    return GrimoireServer()


def _number(text: str | None, default: int, low: int, high: int) -> int:
    """A number from the page's address, kept between `low` and `high`; `default` if none."""
    try:
        return max(low, min(high, int(text or "")))
    except ValueError:
        return default


def cli_serve(args: Any) -> int:
    """`grimoire serve [--host H] [--port P] [--public] [--home-per-visitor]`."""
    host, port = args.host, args.port
    if not is_local(host) and not args.public:
        print("grimoire: " + PUBLIC_WARNING.format(host=host, port=port), file=sys.stderr)
        return 2
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print('grimoire: serving needs textual-serve: pip install "lilith-grimoire[serve]".',
              file=sys.stderr)
        return 2
    lessons = getattr(args, "lessons", None)
    if lessons is not None and not Path(lessons).is_dir():
        print(f"grimoire: --lessons {lessons} is not a folder.", file=sys.stderr)
        return 2
    from grimoire.paths import user_data_dir

    server = build_server(host, port, lessons, bool(args.home_per_visitor),
                          user_data_dir() / "serve", bool(getattr(args, "monochrome", False)))
    try:
        server.serve()
    except OSError as error:
        print(f"grimoire: cannot serve on {host}:{port}: {error.strerror or error}.",
              file=sys.stderr)
        return 1
    return 0
