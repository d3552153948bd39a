"""The learner's progress, kept as JSON in the user data dir and written atomically on every change.

Public API::

    SCHEMA_VERSION = 1
    @dataclass LessonProgress(steps_done: list[int], answers: dict[str, Answer],
                              hints_used: dict[str, int], code: dict[str, str],
                              position: tuple[int, int], opened: float)
    @dataclass Answer(value: object, correct: bool, attempts: int)
    @dataclass Prediction(guess: str, truth: str, close: bool)   # a predict block's guess

    ProgressStore(path: Path | None = None)     # default: user_data_dir()/progress.json
        .path; .warning -> str | None           # a sentence when a corrupt file was set aside
        .unsaved -> str | None                  # a sentence when progress cannot be written
        .lesson(lesson_id) -> LessonProgress    # a copy; empty for a lesson never opened
        .lessons() -> list[str]                 # ids with any progress
        .last_lesson -> str | None
        .open_lesson(lesson_id)                 # remember it as the last one opened
        .mark_step_done(lesson_id, step: int)
        .record_answer(lesson_id, block: str, value, correct: bool)
        .record_prediction(lesson_id, block: str, guess: str, truth: str, close: bool)
        .calibration(lesson_id) -> tuple[int, int]   # (close guesses, guesses) of a lesson
        .use_hint(lesson_id, block: str) -> int # hints now shown for that block
        .save_code(lesson_id, block: str, code: str)   # the learner's edited cell or attempt
        .set_position(lesson_id, step: int, block: int = 0)
        .forget_block(lesson_id, block: str, everything: bool = False)
                                                # drop an edit (and answer and hints)
        .forget(lesson_id)                      # drop one lesson's progress
        .fraction_done(lesson_id, n_steps: int) -> float
        .review_states() -> dict[str, dict]    # review cards' schedules, by card id (a copy)
        .record_review(card_id, state: dict)   # one card's schedule after an answer
    block_key(step: int, block: int) -> str     # "2.3": how blocks are named in the store
    scratchpad_history(path: Path | None = None) -> list[str]        # oldest first
    remember_scratch_cell(code: str, path: Path | None = None) -> list[str]
        # adds a cell to user_data_dir()/scratchpad.json; returns the merged history

Atomic write: a temp file in the same folder, fsync, os.replace, fsync of the folder; a reader
never sees half a file. A file that fails to load for any reason (bad JSON, an unknown schema,
an infinite number, nesting too deep to parse) is moved to `progress.json.bak` (numbered if
that exists) and the store starts afresh, with `.warning`.

Two Grimoires on one home: every change takes a lock (`progress.json.lock`, flock), re-reads
the file, applies itself to what is there and writes it back, so one process's save never
overwrites another's answers. The scratchpad history is kept the same way. A home that cannot
be written (read-only, or not a folder) leaves the store working in memory, with `.unsaved`.
Temp files left by a writer that was killed are removed at start, under the lock.
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
from typing import Any, Self

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
class Prediction:
    """A guess made before a cell ran, beside the truth it computed (as the learner read them)."""

    guess: str
    truth: str
    close: bool


@dataclass
class LessonProgress:
    """How far the learner is in one lesson."""

    steps_done: list[int] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    hints_used: dict[str, int] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)
    position: tuple[int, int] = (0, 0)
    opened: float = 0.0
    predictions: dict[str, Prediction] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "steps_done": sorted(set(self.steps_done)),
            "answers": {k: {"value": a.value, "correct": a.correct, "attempts": a.attempts}
                        for k, a in self.answers.items()},
            "hints_used": dict(self.hints_used),
            "code": dict(self.code),
            "position": list(self.position),
            "opened": self.opened,
            "predictions": {k: {"guess": p.guess, "truth": p.truth, "close": p.close}
                            for k, p in self.predictions.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> LessonProgress:
        if not isinstance(data, dict):
            raise TypeError("a lesson's progress is not a mapping")
        answers = {}
        for key, item in dict(data.get("answers") or {}).items():
            if isinstance(item, dict):
                answers[str(key)] = Answer(item.get("value"), bool(item.get("correct")),
                                           _count(item.get("attempts") or 1))
        predictions = {}
        for key, item in dict(data.get("predictions") or {}).items():
            if isinstance(item, dict):
                predictions[str(key)] = Prediction(str(item.get("guess", "")),
                                                   str(item.get("truth", "")),
                                                   bool(item.get("close")))
        position = data.get("position") or [0, 0]
        opened = float(data.get("opened") or 0.0)
        if not math.isfinite(opened):
            raise ValueError("the time a lesson was opened is not a finite number")
        return cls(
            steps_done=sorted({_count(s) for s in data.get("steps_done") or []}),
            answers=answers,
            hints_used={str(k): _count(v) for k, v in dict(data.get("hints_used") or {}).items()},
            code={str(k): str(v) for k, v in dict(data.get("code") or {}).items()},
            position=(_count(position[0]), _count(position[1])),
            opened=opened,
            predictions=predictions,
        )


def _count(value: Any) -> int:
    """A step index or a count read from the file: a whole number, never bool, NaN or infinity."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    number = int(value)  # OverflowError for infinity, ValueError for NaN
    if number != value or not 0 <= number < 1_000_000:
        raise ValueError(f"{value!r} is not a small whole number")
    return number


def _review_states(data: Any) -> dict[str, dict[str, Any]]:
    """The review section of the file; an entry without a usable due time is left out."""
    if not isinstance(data, dict):
        return {}
    states = {}
    for card_id, state in data.items():
        due = state.get("due") if isinstance(state, dict) else None
        if isinstance(due, int | float) and not isinstance(due, bool) and math.isfinite(due):
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


class _FileLock:
    """An exclusive lock on a file beside the store, held while one change is read and written.

    flock is released by the kernel when a process dies, so a killed Grimoire never leaves the
    others locked out. Where the lock file cannot be made (a read-only home) nothing can be
    written either, and the lock is skipped.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: int | None = None

    def __enter__(self) -> Self:
        try:
            import fcntl

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._handle, fcntl.LOCK_EX)
        except (OSError, ImportError):
            if self._handle is not None:
                os.close(self._handle)
            self._handle = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing releases the flock
            self._handle = None


def _unsaved_sentence(path: Path, error: OSError) -> str:
    import errno

    home = path.parent
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        why = f"{home} (or a folder above it) is a file, not a folder"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = f"{home} is read-only"
    else:
        why = f"{home} cannot be written ({error.strerror or type(error).__name__})"
    return (f"Your progress cannot be saved: {why}. Lessons still open and run; set "
            "GRIMOIRE_HOME to a folder you can write to, to keep your progress.")


class ProgressStore:
    """Progress of every lesson: each change is applied to the file as it is now, and saved."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from grimoire.paths import user_data_dir

            path = user_data_dir() / "progress.json"
        self.path = Path(path)
        self.warning: str | None = None
        self.unsaved: str | None = None
        self._lock = threading.Lock()
        self._lessons: dict[str, LessonProgress] = {}
        self._last_lesson: str | None = None
        self._review: dict[str, dict[str, Any]] = {}
        """Review cards' schedules by card id (course/review.py), in the same file."""
        with self._lock, self._file_lock():
            self._remove_stale_temps()
            self._read()

    def _file_lock(self) -> _FileLock:
        return _FileLock(self.path.with_name(self.path.name + ".lock"))

    # -- reading ----------------------------------------------------------------------------
    def _read(self) -> None:
        """Replace what is in memory with the file (or nothing); a damaged file is set aside."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._lessons, self._last_lesson, self._review = {}, None, {}
            return
        except NotADirectoryError:
            self._lessons, self._last_lesson, self._review = {}, None, {}
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
            review = _review_states(data.get("review"))
        except RecursionError:
            self._set_aside("was damaged (nested too deeply to read)")
            return
        except Exception as error:  # noqa: BLE001 - whatever is wrong, the learner can go on
            self._set_aside(f"was damaged ({type(error).__name__}: {error})")
            return
        self._lessons = lessons
        self._last_lesson = last if isinstance(last, str) else None
        self._review = review

    def _remove_stale_temps(self) -> None:
        # A writer killed between mkstemp and rename leaves a temp file; it is never the truth.
        # Writers hold the lock while their temp file exists, so under it every one is stale.
        with contextlib.suppress(OSError):
            for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
                with contextlib.suppress(OSError):
                    stale.unlink()
            # The other files of the home (trust, scratchpad) are written without this lock:
            # their temp files go only once they are clearly abandoned.
            for stale in self.path.parent.glob(".*.json.*.tmp"):
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
        reason = reason if len(reason) < 300 else reason[:300] + "…"
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
    @contextlib.contextmanager
    def _changing(self) -> Any:
        """Lock, re-read the file, let the caller change it, write it back.

        The change is applied to what another Grimoire may have saved meanwhile, so nothing
        either of them recorded is lost. When the home cannot be written, the change is kept
        in memory and `.unsaved` says so.
        """
        with self._lock:
            if self.unsaved is not None:
                yield
                return
            with self._file_lock():
                mine = (self._lessons, self._last_lesson, self._review)
                warning = self.warning
                self._read()
                if self.warning is not warning:
                    # The file went bad under us (it was set aside): keep what this process knows.
                    self._lessons, self._last_lesson, self._review = mine
                yield
                try:
                    self._save_locked()
                except OSError as error:
                    self.unsaved = _unsaved_sentence(self.path, error)

    def _change(self, lesson_id: str) -> LessonProgress:
        return self._lessons.setdefault(lesson_id, LessonProgress())

    def save(self) -> None:
        """Write everything now (every method below already does)."""
        with self._changing():
            pass

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
        with self._changing():
            self._review[card_id] = dict(state)

    def open_lesson(self, lesson_id: str) -> None:
        with self._changing():
            self._change(lesson_id).opened = time.time()
            self._last_lesson = lesson_id

    def mark_step_done(self, lesson_id: str, step: int) -> None:
        with self._changing():
            progress = self._change(lesson_id)
            if step not in progress.steps_done:
                progress.steps_done = sorted(set(progress.steps_done) | {step})

    def record_answer(self, lesson_id: str, block: str, value: object, correct: bool) -> None:
        with self._changing():
            progress = self._change(lesson_id)
            before = progress.answers.get(block)
            attempts = (before.attempts + 1) if before else 1
            progress.answers[block] = Answer(value, bool(correct), attempts)

    def record_prediction(self, lesson_id: str, block: str, guess: str, truth: str,
                          close: bool) -> None:
        """A predict block's guess and truth; a later guess at the same block replaces it."""
        with self._changing():
            self._change(lesson_id).predictions[block] = Prediction(guess, truth, bool(close))

    def calibration(self, lesson_id: str) -> tuple[int, int]:
        """(close guesses, guesses) of one lesson's predict blocks: the learner's tally."""
        predictions = self.lesson(lesson_id).predictions.values()
        return sum(p.close for p in predictions), len(predictions)

    def use_hint(self, lesson_id: str, block: str) -> int:
        with self._changing():
            progress = self._change(lesson_id)
            progress.hints_used[block] = progress.hints_used.get(block, 0) + 1
            shown = progress.hints_used[block]
        return shown

    def save_code(self, lesson_id: str, block: str, code: str) -> None:
        with self._changing():
            self._change(lesson_id).code[block] = code

    def set_position(self, lesson_id: str, step: int, block: int = 0) -> None:
        with self._changing():
            self._change(lesson_id).position = (step, block)

    def forget_block(self, lesson_id: str, block: str, everything: bool = False) -> None:
        """Forget the learner's code for one block (and its answer and hints, `everything`)."""
        with self._lock:
            progress = self._change(lesson_id)
            progress.code.pop(block, None)
            if everything:
                progress.answers.pop(block, None)
                progress.hints_used.pop(block, None)
            self._save_locked()

    def forget(self, lesson_id: str) -> None:
        """Drop everything about one lesson (the learner asked to start it over)."""
        with self._changing():
            self._lessons.pop(lesson_id, None)
            if self._last_lesson == lesson_id:
                self._last_lesson = None


# -- the scratchpad's history ------------------------------------------------------------------

HISTORY_LIMIT = 200
"""Cells of the scratchpad kept for ↑ to recall."""


def _history_path(path: Path | None) -> Path:
    if path is not None:
        return Path(path)
    from grimoire.paths import user_data_dir

    return user_data_dir() / "scratchpad.json"


def _read_history(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - an unreadable history is an empty one
        return []
    entries = data.get("history") if isinstance(data, dict) else None
    return [str(e) for e in entries][-HISTORY_LIMIT:] if isinstance(entries, list) else []


def scratchpad_history(path: Path | None = None) -> list[str]:
    """The scratchpad cells run before, oldest first ([] when none or unreadable)."""
    return _read_history(_history_path(path))


def remember_scratch_cell(code: str, path: Path | None = None) -> list[str]:
    """Add a cell to the history as it is on disk now (another Grimoire may have added some).

    Returns the merged history; a failure to write is not worth interrupting the learner.
    """
    where = _history_path(path)
    with _FileLock(where.with_name(where.name + ".lock")):
        history = _read_history(where)
        if not history or history[-1] != code:
            history.append(code)
        history = history[-HISTORY_LIMIT:]
        with contextlib.suppress(OSError):
            atomic_write(where, json.dumps({"history": history}, ensure_ascii=False))
    return history
