"""Predict blocks on the lesson screen: the step waits for a guess, then shows it beside the truth."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from grimoire.course.progress import ProgressStore
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.lesson import LessonScreen
from grimoire.ui.widgets.code_cell import CodeCell
from grimoire.ui.widgets.predict import GuessList, PredictBlock

LESSON = """\
id: guesses
title: Guesses
summary: Predict, then compute.
requires: []
minutes: 1
steps:
  - title: Guess twice
    blocks:
      - predict:
          question: "How orthogonal are two random 64-d vectors? [bold]Guess[/bold] their cosine."
          answer: cosine
          tolerance: 0.1
      - code: |
          a, b = np.random.default_rng(0).normal(size=(2, 64))
          cosine = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
      - prose: |
          The cosine is {{ cosine:.3f }}.
      - predict:
          question: Which vector is longer?
          answer: "'a' if np.linalg.norm(a) > np.linalg.norm(b) else 'b'"
          choices: [a, b]
      - code: |
          lengths = np.linalg.norm(a), np.linalg.norm(b)
"""


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the lesson never reached the expected state"
        await pilot.pause(0.05)


def shown(widget) -> bool:
    return widget.display and "-veiled" not in widget.classes


async def test_the_step_waits_for_each_guess_then_sets_it_beside_the_truth(tmp_path: Path) -> None:
    (tmp_path / "01-guesses.yaml").write_text(LESSON, encoding="utf-8")
    app = GrimoireApp(StartRequest("lesson", lesson="guesses", lessons=tmp_path, trust=True))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen)
                       and app.screen.settled)
        screen = app.screen
        first, second = list(screen.query(PredictBlock))
        cells = list(screen.query(CodeCell))
        assert shown(first) and not shown(cells[0]) and not shown(second)
        # The question is drawn as text: the square brackets are not markup.
        assert "[bold]Guess[/bold]" in str(first.query_one(".predict-question").render())

        first.query_one(Input).focus()
        await pilot.press(*"0.05", "enter")
        await wait_for(pilot, lambda: first.outcome is not None)
        assert first.outcome.truth == "-0.1674" and not first.outcome.close
        assert "not this time" in str(first.result.render())
        assert "0 of 1 on the mark" in str(first.result.render())
        assert shown(cells[0]) and shown(second) and not shown(cells[1])
        assert not first.query(Input)                      # no second tries

        second.query_one(GuessList).focus()
        await pilot.press("2")
        await wait_for(pilot, lambda: second.outcome is not None)
        assert second.outcome.close and "1 of 2 on the mark" in str(second.result.render())
        assert shown(cells[1])
        assert ProgressStore().calibration("guesses") == (1, 2)

    # Opened again, the guesses are remembered and nothing is hidden.
    app = GrimoireApp(StartRequest("lesson", lesson="guesses", lessons=tmp_path, trust=True))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen)
                       and app.screen.settled)
        blocks = list(app.screen.query(PredictBlock))
        assert all(b.committed for b in blocks)
        assert "you guessed 0.05; the truth is -0.1674" in str(blocks[0].result.render())
        assert all(shown(cell) for cell in app.screen.query(CodeCell))


async def test_a_guess_that_is_not_a_number_is_refused_with_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "01-guesses.yaml").write_text(LESSON, encoding="utf-8")
    app = GrimoireApp(StartRequest("lesson", lesson="guesses", lessons=tmp_path, trust=True))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen)
                       and app.screen.settled)
        first = app.screen.query(PredictBlock).first()
        first.query_one(Input).focus()
        await pilot.press(*"lots", "enter")
        await pilot.pause()
        assert not first.committed and first.query(Input)
        assert "-error" in first.result.classes
