"""What the map shows of a lesson, without loading the lesson: its id, title, summary and size."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LessonSummary:
    """What the map needs about a lesson, read without loading the rest."""

    id: str
    title: str
    summary: str
    requires: list[str]
    minutes: int
    number: int
    path: Path
    n_steps: int
