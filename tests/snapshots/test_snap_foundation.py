"""Snapshots of the welcome, the help and the spellbook at 120x36, on a fixed little Grimoire."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import paths
from grimoire.ui import app as app_module
from grimoire.ui import sourcefiles
from grimoire.ui.app import ROOMS, GrimoireApp, StartRequest

SIZE = (120, 36)

SPELLS = '''"""Small spells for the snapshot: a fixed page, so the picture never drifts."""

import math


class Familiar:
    """A creature that answers."""

    def __init__(self, name: str) -> None:
        self.name = name  # what it is called

    def answer(self, question: str) -> str:
        return f"{self.name} says: {question[::-1]}"


def softmax(scores: list[float]) -> list[float]:
    """Turn scores into probabilities that sum to 1."""
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def entropy(probabilities: list[float]) -> float:
    return -sum(p * math.log(p) for p in probabilities if p > 0)
'''

LESSON = """id: intro
title: An introduction
steps:
  - title: First light
    blocks:
      - prose: Hello.
"""


@pytest.fixture
def little_grimoire(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    book = tmp_path / "book"
    (book / "grimoire" / "model").mkdir(parents=True)
    (book / "grimoire" / "__init__.py").write_text('"""A little grimoire."""\n')
    (book / "grimoire" / "spells.py").write_text(SPELLS)
    (book / "grimoire" / "model" / "__init__.py").write_text("")
    (book / "lessons").mkdir()
    (book / "lessons" / "01-intro.yaml").write_text(LESSON)
    (book / "README.md").write_text("# A little grimoire\n")
    roots = {"grimoire": book / "grimoire", "lessons": book / "lessons",
             "README.md": book / "README.md"}
    monkeypatch.setattr(paths, "source_roots", lambda: roots)
    monkeypatch.setattr(sourcefiles, "alive_modules", lambda: {"grimoire", "grimoire.spells"})
    return book


@pytest.fixture
def foundation_rooms(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the welcome page and the spellbook, so other screens' keys do not move the picture."""
    rooms = {name: ROOMS[name] for name in ("welcome", "source")}
    monkeypatch.setattr(app_module, "ROOMS", rooms)
    monkeypatch.setattr(app_module, "HOME_ROOM", "welcome")


def test_snap_welcome(snap_compare, foundation_rooms):
    assert snap_compare(GrimoireApp(), terminal_size=SIZE)


def test_snap_help(snap_compare, foundation_rooms):
    assert snap_compare(GrimoireApp(), press=["question_mark"], terminal_size=SIZE)


def test_snap_source_at_symbol(snap_compare, little_grimoire, foundation_rooms):
    app = GrimoireApp(StartRequest("source", path="grimoire/spells.py", symbol="softmax"))
    assert snap_compare(app, terminal_size=SIZE)


def test_snap_source_search(snap_compare, little_grimoire, foundation_rooms):
    app = GrimoireApp(StartRequest("source", path="grimoire/spells.py"))

    async def searched(pilot) -> None:
        await pilot.press("f", *"name", "enter")
        while app.screen.searching:  # the pages are read in a thread
            await pilot.pause(0.02)
        await pilot.pause()

    assert snap_compare(app, run_before=searched, terminal_size=SIZE)


NARROW = (80, 24)


def test_snap_help_80x24(snap_compare, foundation_rooms):
    assert snap_compare(GrimoireApp(), press=["question_mark"], terminal_size=NARROW)


def test_snap_source_80x24(snap_compare, little_grimoire, foundation_rooms):
    app = GrimoireApp(StartRequest("source", path="grimoire/spells.py", symbol="softmax"))
    assert snap_compare(app, terminal_size=NARROW)
