"""Where the learner is in a lesson: a bead for every step, done, current or still ahead."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from grimoire.ui.widgets.palette import css_colour

DONE, CURRENT, CURRENT_DONE, AHEAD = "●", "◆", "◆", "○"


class StepProgress(Static):
    """`●●◆○○  step 3 of 5 · The embedding matrix` — done beads, the current one, those ahead."""

    DEFAULT_CSS = """
    StepProgress {
        height: 1;
        padding: 0 2;
        background: $panel;
        color: $text-muted;
    }
    """

    def show_position(self, current: int, total: int, done: set[int], title: str) -> None:
        """Redraw for step `current` (0-based) of `total`, with the steps in `done` finished."""
        accent = css_colour(self.app, "text-accent")
        success = css_colour(self.app, "text-success")
        text = Text()
        for step in range(total):
            if step == current:
                text.append(CURRENT, style=f"bold {accent}")
            elif step in done:
                text.append(DONE, style=success)
            else:
                text.append(AHEAD)
        text.append(f"   step {current + 1} of {total}", style="bold")
        text.append(f" · {title}")
        finished = len([s for s in done if 0 <= s < total])
        if finished:
            text.append(f"   ({finished} done)")
        self.update(text)
