"""The map's first frame already lists every lesson, and a changed lesson file is never shown stale."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import OptionList

from grimoire.ui.app import GrimoireApp, StartRequest

LESSON = """\
id: {id}
title: {title}
summary: A lesson.
requires: []
minutes: 10
steps:
  - title: One
    blocks:
      - prose: First.
"""


def titles_shown(app: GrimoireApp) -> list[str]:
    option_list = app.screen.query_one("#map-list", OptionList)
    return [str(option_list.get_option_at_index(i).prompt)
            for i in range(option_list.option_count)]


async def test_the_first_frame_lists_every_lesson(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    folder.mkdir()
    for number, name in enumerate(["vectors", "norms"], start=1):
        (folder / f"{number:02d}-{name}.yaml").write_text(
            LESSON.format(id=name, title=f"All about {name}"))
    for launch in range(2):  # the first launch reads the files, the second its remembered map
        title = "Vectors, renamed" if launch else "All about vectors"
        if launch:
            path = folder / "01-vectors.yaml"
            path.write_text(LESSON.format(id="vectors", title=title))
            stat = path.stat()  # a later mtime even on a coarse clock
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        app = GrimoireApp(StartRequest(lessons=folder))
        async with app.run_test(size=(120, 36)):
            # No pause: what the learner sees as the Grimoire opens.
            shown = titles_shown(app)
            assert len(shown) == 2
            assert title in shown[0] and "All about norms" in shown[1]
