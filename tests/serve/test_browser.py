"""The Grimoire in a real browser: headless Chromium opens `grimoire serve`, a lesson, a cell."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from serving import REPO, grimoire_serve

pytest.importorskip("textual_serve")
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = next((path for path in ("/usr/bin/chromium", shutil.which("chromium") or "",
                                   shutil.which("chromium-browser") or "") if path
                 and os.access(path, os.X_OK)), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = REPO / "screenshots" / "browser.png"


def screenshot_path(tmp_path: Path) -> Path:
    """screenshots/browser.png in CI, when asked (GRIMOIRE_SCREENSHOTS=1) or when it is missing;
    elsewhere a temporary file, so a local test run does not rewrite a tracked picture."""
    if os.environ.get("CI") or os.environ.get("GRIMOIRE_SCREENSHOTS") or not SCREENSHOT.exists():
        return SCREENSHOT
    return tmp_path / "browser.png"
# What the app writes to the browser is terminal output; its text is what is left without the
# escape sequences that colour it and move the cursor.
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]")


class Screen:
    """Everything the app has written to one browser tab, as text."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def watch(self, websocket: object) -> None:
        websocket.on("framereceived", lambda payload: self.frames.append(
            payload if isinstance(payload, bytes) else payload.encode()))

    def text(self) -> str:
        return ESCAPES.sub(b"", b"".join(self.frames)).decode("utf-8", "replace")

    def wait_for(self, page: object, words: str, seconds: float = 90) -> None:
        # Playwright delivers events while it waits, so the wait is Playwright's own.
        deadline = time.monotonic() + seconds
        while words not in self.text():
            assert time.monotonic() < deadline, f"the browser never showed {words!r}"
            page.wait_for_timeout(200)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: install Debian's chromium "
                    "(apt-get install chromium) to run the browser test")
def test_a_learner_opens_lesson_00_in_a_browser_and_runs_a_cell(tmp_path):
    screen = Screen()
    picture = screenshot_path(tmp_path)
    with grimoire_serve(home=tmp_path / "home") as (_server, url), \
            sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, args=FLAGS,
            headless=True, viewport={"width": 1280, "height": 800})
        try:
            page = browser.new_page()
            page.on("websocket", screen.watch)
            page.goto(url + "/")
            assert page.title() == "Lilith's Grimoire"
            screen.wait_for(page, "Vectors and embeddings")  # the map of lessons
            page.click("#terminal")
            page.keyboard.press("Enter")  # a fresh home begins at lesson 00
            screen.wait_for(page, "A book that reads itself")
            screen.wait_for(page, "parameters;")  # the first cell ran as the page opened
            page.wait_for_timeout(1000)  # the step settles (its prose fills in)
            page.keyboard.press("Tab")  # into the cell's editor, at its first line
            page.keyboard.type('print("six sevens make", 6 * 7)')
            screen.wait_for(page, 'print("six sevens make", 6 * 7)', 30)  # the editor shows it
            page.keyboard.press("Enter")
            page.keyboard.press("Control+r")
            screen.wait_for(page, "six sevens make 42")
            page.wait_for_timeout(500)
            picture.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(picture))
        except BaseException:
            page.screenshot(path=str(tmp_path / "failed.png"))
            print("the browser showed, last:", screen.text()[-2000:])
            raise
        finally:
            browser.close()
    assert picture.stat().st_size > 10_000
    progress = (tmp_path / "home" / "progress.json").read_text()
    assert '"grimoire"' in progress  # the lesson was opened in the server's one home


def test_the_page_fetches_nothing_from_elsewhere():
    # The page must not ask the network for anything: every file comes from the server.
    page = (Path(__file__).resolve().parents[2] / "grimoire" / "serve_page" / "index.html")
    assert "http" not in page.read_text()
