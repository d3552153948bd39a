"""The learner's progress, kept as JSON in the user data dir and written atomically on every change.

Public API::

    SCHEMA_VERSION = 1
    @dataclass LessonProgress(steps_done: list[int], answers: dict[str, Answer],
                              hints_used: dict[str, int], code: dict[str, str],
                              position: tuple[int, int], opened: float)
    @dataclass Answer(value: object, correct: bool, attempts: int)

    ProgressStore(path: Path | None = None)     # default: user_data_dir()/progress.json
        .path; .warning -> str | None           # a sentence when a corrupt file was set aside
        .lesson(lesson_id) -> LessonProgress    # a copy; empty for a lesson never opened
        .lessons() -> list[str]                 # ids with any progress
        .last_lesson -> str | None
        .open_lesson(lesson_id)                 # remember it as the last one opened
        .mark_step_done(lesson_id, step: int)
        .record_answer(lesson_id, block: str, value, correct: bool)
        .use_hint(lesson_id, block: str) -> int # hints now shown for that block
        .save_code(lesson_id, block: str, code: str)   # the learner's edited cell or attempt
        .set_position(lesson_id, step: int, block: int = 0)
        .forget(lesson_id)                      # drop one lesson's progress
        .fraction_done(lesson_id, n_steps: int) -> float
        .review_states() -> dict[str, dict]    # review cards' schedules, by card id (a copy)
        .record_review(card_id, state: dict)   # one card's schedule after an answer
    block_key(step: int, block: int) -> str     # "2.3": how blocks are named in the store

Atomic write: a temp file in the same folder, fsync, os.replace, fsync of the folder; a reader
never sees half a file. A file that does not parse (or has an unknown schema) is moved to
`progress.json.bak` (numbered if that exists) and the store starts afresh, with `.warning`.
No numpy here: the map reads progress at start-up.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


def block_key(step: int, block: int) -> str:
    """The name of a block in the store: step and block indices, "2.3"."""
    return f"{step}.{block}"


@dataclass
class Answer:
    """The learner's latest answer to a quiz or exercise."""

    value: object
    correct: bool
    attempts: int = 1


@dataclass
class LessonProgress:
    """How far the learner is in one lesson."""

    steps_done: list[int] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    hints_used: dict[str, int] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)
    position: tuple[int, int] = (0, 0)
    opened: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "steps_done": sorted(set(self.steps_done)),
            "answers": {k: {"value": a.value, "correct": a.correct, "attempts": a.attempts}
                        for k, a in self.answers.items()},
            "hints_used": dict(self.hints_used),
            "code": dict(self.code),
            "position": list(self.position),
            "opened": self.opened,
        }

    @classmethod
    def from_json(cls, data: Any) -> LessonProgress:
        if not isinstance(data, dict):
            raise TypeError("a lesson's progress is not a mapping")
        answers = {}
        for key, item in dict(data.get("answers") or {}).items():
            if isinstance(item, dict):
                answers[str(key)] = Answer(item.get("value"), bool(item.get("correct")),
                                           int(item.get("attempts") or 1))
        position = data.get("position") or [0, 0]
        return cls(
            steps_done=sorted({int(s) for s in data.get("steps_done") or []}),
            answers=answers,
            hints_used={str(k): int(v) for k, v in dict(data.get("hints_used") or {}).items()},
            code={str(k): str(v) for k, v in dict(data.get("code") or {}).items()},
            position=(int(position[0]), int(position[1])),
            opened=float(data.get("opened") or 0.0),
        )


def _review_states(data: Any) -> dict[str, dict[str, Any]]:
    """The review section of the file; an entry without a usable due time is left out."""
    if not isinstance(data, dict):
        return {}
    states = {}
    for card_id, state in data.items():
        due = state.get("due") if isinstance(state, dict) else None
        if isinstance(due, int | float) and not isinstance(due, bool) and not math.isnan(due):
            states[str(card_id)] = state
    return states


def atomic_write(path: Path, text: str) -> None:
    """Write a file so that it is either the old or the new content, even if killed midway."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    # The rename itself is only durable once the folder is synced.
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


class ProgressStore:
    """Progress of every lesson, loaded once and saved after each change."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from grimoire.paths import user_data_dir

            path = user_data_dir() / "progress.json"
        self.path = Path(path)
        self.warning: str | None = None
        self._lock = threading.Lock()
        self._lessons: dict[str, LessonProgress] = {}
        self._last_lesson: str | None = None
        self._review: dict[str, dict[str, Any]] = {}
        self._load()

    # -- reading ----------------------------------------------------------------------------
    def _load(self) -> None:
        self._remove_stale_temps()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as error:
            self._set_aside(f"could not be read ({error})")
            return
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise TypeError("not a mapping")
            version = data.get("version")
            if version != SCHEMA_VERSION:
                raise ValueError(f"schema version {version!r}, expected {SCHEMA_VERSION}")
            lessons = {str(k): LessonProgress.from_json(v)
                       for k, v in dict(data.get("lessons") or {}).items()}
            last = data.get("last_lesson")
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            self._set_aside(f"was damaged ({error})")
            return
        self._lessons = lessons
        self._last_lesson = last if isinstance(last, str) else None
        self._review = _review_states(data.get("review"))

    def _remove_stale_temps(self) -> None:
        # A writer killed between mkstemp and rename leaves a temp file; it is never the truth.
        with contextlib.suppress(OSError):
            for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
                with contextlib.suppress(OSError):
                    if time.time() - stale.stat().st_mtime > 60:
                        stale.unlink()

    def _set_aside(self, reason: str) -> None:
        backup = self.path.with_name(self.path.name + ".bak")
        number = 1
        while backup.exists():
            number += 1
            backup = self.path.with_name(f"{self.path.name}.bak{number}")
        try:
            os.replace(self.path, backup)
            kept = f"it was kept as {backup}"
        except OSError:
            kept = "it could not be moved aside"
        self.warning = (f"Your progress file {self.path} {reason}, so progress starts afresh; "
                        f"{kept}.")
        self._lessons = {}
        self._last_lesson = None
        self._review = {}

    def lesson(self, lesson_id: str) -> LessonProgress:
        """A copy of one lesson's progress (empty if never opened)."""
        with self._lock:
            found = self._lessons.get(lesson_id)
            return LessonProgress.from_json(found.to_json()) if found else LessonProgress()

    def lessons(self) -> list[str]:
        with self._lock:
            return sorted(self._lessons)

    @property
    def last_lesson(self) -> str | None:
        return self._last_lesson

    def fraction_done(self, lesson_id: str, n_steps: int) -> float:
        """Steps done over steps, for the map."""
        if n_steps <= 0:
            return 0.0
        done = [s for s in self.lesson(lesson_id).steps_done if 0 <= s < n_steps]
        return len(done) / n_steps

    # -- writing ----------------------------------------------------------------------------
    def _change(self, lesson_id: str) -> LessonProgress:
        return self._lessons.setdefault(lesson_id, LessonProgress())

    def save(self) -> None:
        """Write everything now (every method below already does)."""
        with self._lock:
            self._save_locked()

    def _save_locked(self) -> None:
        data = {
            "version": SCHEMA_VERSION,
            "last_lesson": self._last_lesson,
            "lessons": {k: v.to_json() for k, v in sorted(self._lessons.items())},
            "review": dict(sorted(self._review.items())),
        }
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False, default=str))

    def review_states(self) -> dict[str, dict[str, Any]]:
        """The schedule of every review card answered at least once, by card id (a copy)."""
        with self._lock:
            return {card: dict(state) for card, state in self._review.items()}

    def record_review(self, card_id: str, state: dict[str, Any]) -> None:
        """One review card's schedule after an answer (see course/review.py)."""
        with self._lock:
            self._review[card_id] = dict(state)
            self._save_locked()

    def open_lesson(self, lesson_id: str) -> None:
        with self._lock:
            self._change(lesson_id).opened = time.time()
            self._last_lesson = lesson_id
            self._save_locked()

    def mark_step_done(self, lesson_id: str, step: int) -> None:
        with self._lock:
            progress = self._change(lesson_id)
            if step not in progress.steps_done:
                progress.steps_done = sorted(set(progress.steps_done) | {step})
            self._save_locked()

    def record_answer(self, lesson_id: str, block: str, value: object, correct: bool) -> None:
        with self._lock:
            progress = self._change(lesson_id)
            before = progress.answers.get(block)
            attempts = (before.attempts + 1) if before else 1
            progress.answers[block] = Answer(value, bool(correct), attempts)
            self._save_locked()

    def use_hint(self, lesson_id: str, block: str) -> int:
        with self._lock:
            progress = self._change(lesson_id)
            progress.hints_used[block] = progress.hints_used.get(block, 0) + 1
            self._save_locked()
            return progress.hints_used[block]

    def save_code(self, lesson_id: str, block: str, code: str) -> None:
        with self._lock:
            self._change(lesson_id).code[block] = code
            self._save_locked()

    def set_position(self, lesson_id: str, step: int, block: int = 0) -> None:
        with self._lock:
            self._change(lesson_id).position = (step, block)
            self._save_locked()

    def forget(self, lesson_id: str) -> None:
        """Drop everything about one lesson (the learner asked to start it over)."""
        with self._lock:
            self._lessons.pop(lesson_id, None)
            if self._last_lesson == lesson_id:
                self._last_lesson = None
            self._save_locked()
