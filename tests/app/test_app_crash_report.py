"""An error nobody expected ends the app with exit code 1 and a crash report, named in a sentence."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.pilot import Pilot

from grimoire.ui import app as app_module


async def _break_it(pilot: Pilot) -> None:
    await pilot.pause(0.2)

    def broken() -> None:
        raise ZeroDivisionError("a bug in the Grimoire")

    pilot.app.call_later(broken)
    await pilot.pause(0.5)


def test_an_unexpected_error_exits_1_with_a_report(grimoire_home: Path, monkeypatch,
                                                   capsys) -> None:
    def headless_run(self: App) -> object:
        return App.run(self, headless=True, size=(80, 24), auto_pilot=_break_it)

    monkeypatch.setattr(app_module.GrimoireApp, "run", headless_run)
    code = app_module.run_app(screen="home")
    assert code == 1
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said.startswith("grimoire: the Grimoire stopped on an error it did not expect "
                           "(ZeroDivisionError); the details are in ")
    reports = list((grimoire_home / "crash-reports").glob("grimoire-crash-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in said
    text = reports[0].read_text()
    assert "ZeroDivisionError: a bug in the Grimoire" in text and "Traceback" in text
