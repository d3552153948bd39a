"""The training room: a circuit forms live; a tuned familiar writes in the playground until reset."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import TabbedContent, TextArea

from grimoire.course.training import tuned_model_path
from grimoire.paths import lessons_dir
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.playground import PlaygroundScreen
from grimoire.ui.screens.training import TrainingScreen
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.ladder import Ladder
from grimoire.ui.widgets.stepper import Stepper


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 90.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the training room never reached the expected state"
        await pilot.pause(0.05)


async def test_a_short_run_draws_the_loss_falling_and_the_patterns_changing() -> None:
    app = GrimoireApp(StartRequest(screen="training"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TrainingScreen))
        screen = app.screen
        ladder = screen.query_one("#lr", Ladder)
        ladder.focus()
        await pilot.press("right", "right")          # 3e-3 -> 1e-2: a shortened schedule
        assert ladder.value == 1e-2
        screen.query_one("#watch-steps", Stepper).set_number(60)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.heads_drawn >= 1 and screen.mode == "watch")
        first = [m.display_data["values"] for m in screen.query(Heatmap)]
        assert len(first) == 4 and len(first[0]) == 24
        await pilot.press("right")                   # the rate cannot change mid-run
        assert ladder.value == 1e-2
        await wait_for(pilot, lambda: screen.mode is None and screen.finished is not None)
        assert screen.finished.get("steps") == 60
        losses = screen.losses
        assert len(losses) == 60 and sum(losses[-10:]) < sum(losses[:10]) - 2.0
        assert screen.heads_drawn >= 3
        last = [m.display_data["values"] for m in screen.query(Heatmap)]
        assert last != first
        assert "done: 60 steps" in str(screen.query_one("#watch-status").render())
        induction = screen.query_one("#induction-chart").display_data
        assert len(induction["series"]) == 4 and len(induction["series"][0]) == 7
        # Escape leaves; the room is kept, and opening it again shows the same run.
        await pilot.press("escape")
        app.open_room("training")
        await pilot.pause()
        assert app.screen is screen and screen.losses == losses


async def test_teaching_a_lesson_tunes_the_playground_until_reset() -> None:
    text = (lessons_dir() / "03-orthogonality.yaml").read_text(encoding="utf-8")
    app = GrimoireApp(StartRequest(screen="training"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TrainingScreen))
        screen = app.screen
        screen.query_one("#training-tabs", TabbedContent).active = "teach"
        screen.query_one("#teach-text", TextArea).load_text(text)
        screen.query_one("#teach-steps", Stepper).set_number(10)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.mode is None and screen.finished is not None)
        assert "before" in screen.finished, screen.finished
        bits = [b for _, b in screen.held_out]
        assert bits[-1] < bits[0]
        assert tuned_model_path().is_file()
        assert "→" in str(screen.query_one("#teach-status").render())

        await pilot.press("ctrl+g")                  # the playground, with the tuned copy
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen)
                       and app.screen.model is not None)
        playground = app.screen
        assert playground.model_path == str(tuned_model_path())
        assert playground.model.meta["task"] == "tuned"
        assert "tuned" in playground.sub_title
        await pilot.press("ctrl+f")                  # the toggle: the shipped familiar
        await wait_for(pilot, lambda: playground.model is not None
                       and playground.model.meta.get("task") == "grimoire")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: playground.model is not None
                       and playground.model.meta.get("task") == "tuned")

        await pilot.press("escape")                  # back in the room: reset
        await wait_for(pilot, lambda: app.screen is screen)
        screen.reset_familiar()
        assert not tuned_model_path().exists()
        app.open_room("playground")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen)
                       and app.screen.model is not None)
        assert app.screen.model_path is None and app.screen.model.meta["task"] == "grimoire"


async def test_too_short_a_text_is_refused_and_nothing_runs() -> None:
    app = GrimoireApp(StartRequest(screen="training"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TrainingScreen))
        screen = app.screen
        screen.query_one("#training-tabs", TabbedContent).active = "teach"
        screen.query_one("#teach-text", TextArea).load_text("[bold]too short[/]")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert screen.mode is None and screen.process is None
        assert any("characters" in n.message for n in app._notifications)
