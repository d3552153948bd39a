"""`grimoire serve`: local by default, homes per visitor, and no process left when it stops."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from serving import REPO, grimoire_serve

from grimoire.serve import descendants, is_local

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


async def _tabs_then_stop(url: str, count: int,
                          server: subprocess.Popen) -> tuple[list[int], list[int]]:
    """Open `count` browser-like tabs, wait for each app's kernel, then stop the server.

    The tabs stay connected while the server stops: it must end what it started even while
    visitors are there. Returns every process the server had started, and its kernels.
    """
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(url.replace("http", "ws") + "/ws?width=100&height=30")
                   for _ in range(count)]
        deadline = time.monotonic() + 90
        started: list[int] = []
        kernels: list[int] = []
        while time.monotonic() < deadline:
            started = descendants(server.pid)
            kernels = [pid for pid in started if "kernel_child" in _command_line(pid)]
            if len(kernels) >= count:
                break
            await asyncio.sleep(0.2)
        server.send_signal(signal.SIGINT)
        await asyncio.get_running_loop().run_in_executor(None, server.wait, 30)
        for ws in sockets:
            await ws.close()
    return started, kernels


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="process parentage is read from /proc")
def test_stopping_the_server_ends_every_app_and_kernel_it_started(tmp_path):
    with grimoire_serve(home=tmp_path / "home") as (server, url):
        started, kernels = asyncio.run(_tabs_then_stop(url, 2, server))
        assert server.returncode is not None
    assert len(kernels) == 2, f"two tabs should start two kernels: {started}"
    assert len(started) >= 4, f"two tabs should start two apps and two kernels: {started}"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in started):
        time.sleep(0.1)
    # Only the Grimoire's own processes count (a pid freed and taken by another program is not
    # one of ours).
    left = [(pid, _command_line(pid)) for pid in started
            if _alive(pid) and "grimoire" in _command_line(pid)]
    assert not left, f"processes left running after the server stopped: {left}"


def test_another_address_needs_public_and_says_why(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "grimoire", "serve", "--host", "0.0.0.0", "--port", "1"],
        check=False, capture_output=True, text=True, timeout=30, cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO), GRIMOIRE_HOME=str(tmp_path)))
    assert result.returncode == 2
    assert "run Python code on this machine" in result.stderr
    assert "--public" in result.stderr
    assert result.stderr.count("\n") == 1


def test_loopback_is_local_and_the_rest_is_not():
    assert is_local("127.0.0.1") and is_local("localhost") and is_local("::1")
    assert is_local("127.0.0.2")
    assert not is_local("0.0.0.0") and not is_local("192.168.1.4") and not is_local("example.org")


def test_each_visitor_gets_a_home_named_in_the_page_title(tmp_path):
    with grimoire_serve("--home-per-visitor", home=tmp_path / "home") as (_server, url):
        first = urllib.request.urlopen(url + "/", timeout=10)
        second = urllib.request.urlopen(url + "/", timeout=10)
        first_page, second_page = first.read().decode(), second.read().decode()
        name = first.url.rpartition("home=")[2]
        assert name and name != second.url.rpartition("home=")[2]
        assert f"home {name}</title>" in first_page
        assert f"/ws/{name}" in first_page
        # Coming back with the address keeps the name; a made-up name is refused.
        again = urllib.request.urlopen(f"{url}/?home={name}", timeout=10)
        assert f"home {name}</title>" in again.read().decode()
        assert "fonts.googleapis" not in first_page and "https://" not in first_page
        assert second_page
