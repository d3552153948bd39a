"""Regenerate screenshots/*.svg from the real app at 120x36: `python -m grimoire.ui.screenshots`."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from grimoire import paths
from grimoire.ui.app import GrimoireApp, StartRequest

SIZE = (120, 36)

Scene = Callable[[Pilot], Awaitable[None]]


async def _nothing(pilot: Pilot) -> None:
    await pilot.pause()


async def _help(pilot: Pilot) -> None:
    await pilot.press("f1")  # F1 works even where a text field has the focus
    await pilot.pause()


async def _search(pilot: Pilot) -> None:
    await pilot.press("f", *"attention", "enter")
    await pilot.pause()


async def _palette(pilot: Pilot) -> None:
    await pilot.press("ctrl+p", *"gpt.forward")
    await pilot.pause(0.5)


async def _until(pilot: Pilot, condition: Callable[[], bool], limit: float = 120.0) -> None:
    for _ in range(int(limit / 0.05)):
        if condition():
            break
        await pilot.pause(0.05)
    await pilot.pause(0.3)


async def _lesson(pilot: Pilot) -> None:
    # The learner's rooms (lesson screens engineer): a lesson step with its heatmap and quiz.
    from grimoire.ui.widgets.heatmap import Heatmap

    app = pilot.app
    await _until(pilot, lambda: getattr(app.screen, "settled", False))
    heatmaps = list(app.screen.query(Heatmap))
    if heatmaps:
        app.screen.query_one("#step-body").scroll_to_widget(heatmaps[0], animate=False,
                                                            top=True)
    await pilot.pause(0.3)


async def _playground(pilot: Pilot) -> None:
    app = pilot.app
    await _until(pilot, lambda: getattr(app.screen, "model", None) is not None)
    app.screen.pace = 0
    await pilot.press("ctrl+r")
    await _until(pilot, lambda: not app.screen.writing and bool(app.screen.written))


async def _scratchpad(pilot: Pilot) -> None:
    from grimoire.ui.widgets.code_cell import CellOutput

    app = pilot.app
    app.screen.query_one("#scratch-editor").load_text(
        "E = model.params['wte']\nsigma = la.svdvals(E)\n"
        "show.bars(sigma, log=True, title='singular values of the embedding')\n"
        "sigma[0] / sigma[-1]")
    await pilot.press("ctrl+r")
    await _until(pilot, lambda: any(o.children for o in app.screen.query(CellOutput)))


async def _training(pilot: Pilot) -> None:
    # Mid-run: the induction heads have formed and the loss has dropped; paused, so it holds still.
    app = pilot.app
    screen = app.screen
    await pilot.press("ctrl+r")
    await _until(pilot, lambda: len(getattr(screen, "losses", [])) >= 300, limit=300.0)
    await pilot.press("ctrl+s")
    await _until(pilot, lambda: screen.paused)
    screen.focus_next()  # away from the buttons, whose focus highlight would be noise


def _finish_svd() -> None:
    """A learner who has finished the SVD lesson, with one card due: a head's rank, recomputed
    for another head (the other cards answered, due days later)."""
    from grimoire.course import review
    from grimoire.course.loader import load_lesson
    from grimoire.course.progress import ProgressStore
    from grimoire.ui.lesson_cache import read_lesson

    lesson = read_lesson("svd")
    store = ProgressStore()
    for step in range(len(lesson.steps)):
        store.mark_step_done(lesson.id, step)
    when = review.now()
    for card in review.cards_for_lesson(load_lesson(lesson.path, check_sources=False)):
        if not card.variants:
            store.record_review(card.id, review.schedule(None, True, when))


async def _review(pilot: Pilot) -> None:
    app = pilot.app
    await _until(pilot, lambda: getattr(app.screen, "card_widget", None) is not None)
    answer = app.screen.card_widget.answer
    # A right answer, as many digits as a learner would type (whatever the familiar's weights).
    typed = f"{answer.expected:.4g}" if answer is not None and answer.expected is not None else "1"
    await pilot.press(*typed, "enter")
    await _until(pilot, lambda: app.screen.card_widget.answered)


PREPARE: dict[str, Callable[[], None]] = {"review": _finish_svd}
"""What the learner has done before a scene (run in its fresh home, before the app starts)."""

SCENES: dict[str, tuple[StartRequest, Scene]] = {
    "home": (StartRequest(), _nothing),
    "welcome": (StartRequest("welcome"), _nothing),
    "help": (StartRequest(), _help),
    "source": (StartRequest("source", path="grimoire/cli.py", symbol="main"), _nothing),
    "source-search": (StartRequest("source", path="grimoire/paths.py"), _search),
    "palette": (StartRequest(), _palette),
    "lesson": (StartRequest("lesson", lesson="vectors"), _lesson),
    "playground": (StartRequest("playground", extra={"seed": 7}), _playground),
    "scratchpad": (StartRequest("scratchpad"), _scratchpad),
    "training": (StartRequest("training"), _training),
    "review": (StartRequest("review", extra={"seed": 5}), _review),
}


async def take(name: str, request: StartRequest, scene: Scene, out_dir: Path) -> Path:
    """Run the app on `request`, play `scene`, and save what shows as `out_dir/name.svg`."""
    if name in PREPARE:
        PREPARE[name]()
    app = GrimoireApp(request)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await scene(pilot)
        await pilot.pause()
        svg = app.export_screenshot(title=f"Lilith's Grimoire — {name}")
    target = out_dir / f"{name}.svg"
    target.write_text(svg, encoding="utf-8")
    return target


async def take_all(out_dir: Path, only: list[str] | None = None) -> list[Path]:
    """Every scene (or those named in `only`) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    taken = []
    for name, (request, scene) in SCENES.items():
        if only and name not in only:
            continue
        taken.append(await take(name, request, scene, out_dir))
    return taken


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots; by default into the checkout's screenshots/ folder."""
    parser = argparse.ArgumentParser(prog="python -m grimoire.ui.screenshots",
                                     description=__doc__)
    root = paths.checkout_root() or Path.cwd()
    parser.add_argument("--out", type=Path, default=root / "screenshots",
                        help="folder for the SVG files (default: screenshots/ of the checkout)")
    parser.add_argument("scenes", nargs="*", help=f"only these, of: {', '.join(SCENES)}")
    args = parser.parse_args(argv)
    # A fresh learner with the default theme, so the pictures do not depend on who takes them.
    with tempfile.TemporaryDirectory() as home:
        os.environ["GRIMOIRE_HOME"] = home
        for path in asyncio.run(take_all(args.out, args.scenes)):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
