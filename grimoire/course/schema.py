"""The lesson format as dataclasses: the one definition of what a lesson may contain.

Public names (all plain dataclasses, frozen where they are values)::

    Place(file: str, line: int, column: int)          # 1-based; line 0 = the whole file
    Problem(file: str, line: int, column: int, message: str)
        str(problem) -> "file:line:column: message"; problem.short() -> "file:line: message"
        Problem.at(place, message); problem.to_dict()
    LessonError(Exception)                             # .problems: list[Problem]

    Prose(text: str, place: Place, text_line: int, literal: bool, text_column: int)
        .placeholders() -> list[Placeholder]; .line_at(offset: int) -> int
        .place_at(offset: int) -> Place
    Placeholder(start: int, end: int, expression: str, format_spec: str)
    Code(code: str, place: Place, code_line: int, timeout: float | None,
         review: bool, variants: dict[str, list | str], variant_lines: dict[str, int])
    Quiz(question: str, explanation: str, place: Place,
         choices: list[str] | None, answer: list[int] | None,      # a choice quiz
         why: list[str] | None,                                     # per choice, "" if unsaid
         numeric: float | str | None, tolerance: float | None,      # a numeric quiz
         rel_tolerance: float | None, numeric_line: int, review: bool)
        .quiz_kind -> "choice" | "numeric"; .multiple -> bool (several right choices)
    Exercise(prompt: str, starter: str, check: str, hints: list[str], solution: str,
             place: Place, starter_line: int, check_line: int, solution_line: int,
             wrong: list[WrongAnswer])
    WrongAnswer(code: str, feedback: str, place: Place, code_line: int)
        # a plausible wrong solution and the sentence its check must answer it with
    Source(path: str, place: Place, symbol: str | None, lines: tuple[int, int] | None, why: str)
    Predict(question: str, answer: str, place: Place, answer_line: int,
            choices: list[str] | None, sign: bool, tolerance: float | None,
            rel_tolerance: float | None, explanation: str)
        .guess_kind -> "number" | "sign" | "choice"
    Block = Prose | Code | Quiz | Exercise | Source | Predict
        # every block has .place and .kind: "prose" | "code" | "quiz" | "exercise" | "source"
    find_placeholders(text: str) -> list[Placeholder]
    DEFAULT_TIMEOUT = 10.0; ID_PATTERN; FILE_PATTERN (NN-<id>.yaml)
    BLOCKS: dict[kind, block class]; KEYS: dict[place, allowed keys]   # the format's keys
    Step(title: str, blocks: list[Block], place: Place)
    Lesson(id, title, summary, requires: list[str], minutes: int, setup: str | None,
           steps: list[Step], path: Path, number: int, place: Place, setup_line: int,
           field_places: dict[str, Place])   # "id", "requires.0", ... -> where it is written
        .summary_only() -> LessonSummary
    LessonSummary(id, title, summary, requires, minutes, number, path, n_steps)

Line numbers of code (`code_line`, `starter_line`, ...) are the file lines of the code's first
line, exact for `|` block scalars, so a traceback line in a cell maps back to the lesson file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# The map's view of a lesson lives in a module of its own, so the map can open without the
# cost of defining every block of the format (this module's import); it is part of the format.
from grimoire.course.summary import LessonSummary

DEFAULT_TIMEOUT = 10.0
"""Seconds a code cell may run before it is stopped (a block's `timeout:` overrides it)."""

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
"""Lesson ids: lowercase slugs, so they can be file names and command-line arguments."""

FILE_PATTERN = re.compile(r"^(\d+)-(.+)\.ya?ml$")
"""Lesson files: `NN-<id>.yaml`; NN orders the map."""


@dataclass(frozen=True)
class Place:
    """Where something is in a lesson file (1-based line and column; line 0 means the file)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson, as a sentence with the place it happened."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def short(self) -> str:
        """`file:line: sentence`, the form `grimoire check` prints."""
        if self.line <= 0:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"

    @classmethod
    def at(cls, place: Place, message: str) -> Problem:
        return cls(place.file, place.line, place.column, message)

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}


class LessonError(Exception):
    """A lesson (or several) could not be loaded; `.problems` says every reason and where."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "The lesson is invalid.")


MAX_FORMAT_WIDTH = 1000
"""The widest field, and the most digits, a `{{ value:spec }}` may ask for."""

_FORMAT_SIZES = re.compile(r"^(?:.?[<>=^])?[+\- ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<digits>\d*))?")


def format_size_problem(spec: str) -> str | None:
    """A sentence when a format spec asks for an absurd width or precision, else None.

    `{{ x:99999999999.2f }}` would have Python build a string of a hundred gigabytes; no prose
    needs more than a few dozen characters.
    """
    match = _FORMAT_SIZES.match(spec)
    for part, what in (("width", "width"), ("digits", "precision")):
        text = match.group(part) if match else None
        if text and (len(text) > 6 or int(text) > MAX_FORMAT_WIDTH):
            return (f"the format {what} {text} is far more than prose needs (at most "
                    f"{MAX_FORMAT_WIDTH})")
    return None


@dataclass(frozen=True)
class Placeholder:
    """A `{{ expression:format }}` inside prose; start/end are offsets into the prose text."""

    start: int
    end: int
    expression: str
    format_spec: str


_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def _split_placeholder(inner: str) -> tuple[str, str]:
    """`ratio:.2f` -> ('ratio', '.2f'); `x[1:3]` stays whole because it parses as an expression."""
    text = inner.strip()
    try:
        compile(text, "<prose>", "eval")
        return text, ""
    except (SyntaxError, ValueError):
        pass
    if ":" in text:
        expression, _, spec = text.rpartition(":")
        return expression.strip(), spec.strip()
    return text, ""


def find_placeholders(text: str) -> list[Placeholder]:
    """Every `{{ ... }}` in a prose text, in order."""
    found = []
    for match in _PLACEHOLDER.finditer(text):
        expression, spec = _split_placeholder(match.group(1))
        found.append(Placeholder(match.start(), match.end(), expression, spec))
    return found


@dataclass
class Prose:
    """Markdown with `$math$` and `{{ placeholders }}`, rendered after the step's code ran."""

    text: str
    place: Place
    text_line: int
    literal: bool = True
    text_column: int = 1
    kind: str = field(default="prose", init=False)

    def placeholders(self) -> list[Placeholder]:
        return find_placeholders(self.text)

    def line_at(self, offset: int) -> int:
        """The file line of a character of the text (exact for `|` blocks, else the start)."""
        if not self.literal:
            return self.text_line
        return self.text_line + self.text.count("\n", 0, offset)

    def place_at(self, offset: int) -> Place:
        """File, line and column of a character of the text (column exact for `|` blocks)."""
        if not self.literal:
            return Place(self.place.file, self.text_line, self.place.column)
        line_start = self.text.rfind("\n", 0, offset) + 1
        return Place(self.place.file, self.line_at(offset), self.text_column + offset - line_start)


@dataclass
class Code:
    """A code cell: shown, editable, re-runnable; `timeout` overrides the default 10 s.

    `review: false` keeps it out of the review room; `variants` names values the cell sets on
    a line of its own (`layer = 0`) and what else they may be in a review card: a list of
    values, or a Python expression giving them (`range(model.config.n_layer)`).
    """

    code: str
    place: Place
    code_line: int
    timeout: float | None = None
    kind: str = field(default="code", init=False)
    review: bool = True
    variants: dict[str, list[object] | str] = field(default_factory=dict)
    variant_lines: dict[str, int] = field(default_factory=dict, repr=False)


@dataclass
class Quiz:
    """A choice quiz (`choices` + `answer`) or a numeric quiz (`numeric` + tolerance)."""

    question: str
    explanation: str
    place: Place
    choices: list[str] | None = None
    answer: list[int] | None = None
    numeric: float | str | None = None
    tolerance: float | None = None
    rel_tolerance: float | None = None
    numeric_line: int = 0
    why: list[str] | None = None
    kind: str = field(default="quiz", init=False)
    review: bool = True

    @property
    def quiz_kind(self) -> str:
        return "choice" if self.choices is not None else "numeric"

    @property
    def multiple(self) -> bool:
        """Several choices are right (the learner must pick them all)."""
        return self.answer is not None and len(self.answer) > 1

    def why_of(self, choice: int) -> str:
        """The explanation written for one choice ("" when the lesson gives none)."""
        if self.why is None or not 0 <= choice < len(self.why):
            return ""
        return self.why[choice]


@dataclass
class WrongAnswer:
    """A plausible wrong solution to an exercise and the feedback its check must give.

    `grimoire check` runs the code as a learner's attempt: the check must reject it, and the
    sentence the learner reads must contain `feedback`.
    """

    code: str
    feedback: str
    place: Place
    code_line: int = 0


@dataclass
class Exercise:
    """Write some code; `check` runs after it and asserts; hints climb to the solution."""

    prompt: str
    starter: str
    check: str
    hints: list[str]
    solution: str
    place: Place
    starter_line: int = 0
    check_line: int = 0
    solution_line: int = 0
    wrong: list[WrongAnswer] = field(default_factory=list)
    kind: str = field(default="exercise", init=False)


@dataclass
class Source:
    """A look at the Grimoire's own source: a file and a symbol or a line range."""

    path: str
    place: Place
    symbol: str | None = None
    lines: tuple[int, int] | None = None
    why: str = ""
    kind: str = field(default="source", init=False)


@dataclass
class Predict:
    """Predict, then compute: the learner commits to a guess before the next cell runs.

    `answer` is a Python expression computed once the step's cells have run (the truth). The
    guess is a number (close within `tolerance`, or `rel_tolerance` of the truth; by default
    within a tenth of it), a sign (`sign: true`: positive, negative or zero), or one of
    `choices` (the answer then evaluates to a choice's index or its text).
    """

    question: str
    answer: str
    place: Place
    answer_line: int = 0
    choices: list[str] | None = None
    sign: bool = False
    tolerance: float | None = None
    rel_tolerance: float | None = None
    explanation: str = ""
    kind: str = field(default="predict", init=False)
    review: bool = True

    @property
    def guess_kind(self) -> str:
        """One of "choice", "sign" or "number"."""
        if self.choices is not None:
            return "choice"
        return "sign" if self.sign else "number"


Block = Prose | Code | Quiz | Exercise | Source | Predict

BLOCKS: dict[str, type] = {"prose": Prose, "code": Code, "quiz": Quiz, "exercise": Exercise,
                           "source": Source, "predict": Predict}
"""Every kind of block, by the key that names it in a lesson file (and its `.kind`)."""

KEYS: dict[str, tuple[str, ...]] = {
    "lesson": ("id", "title", "summary", "requires", "minutes", "setup", "steps"),
    "step": ("title", "blocks"),
    "prose": ("prose",),
    "code": ("code", "timeout"),
    "quiz": ("question", "choices", "answer", "numeric", "tolerance", "rel_tolerance",
             "explanation"),
    "choice": ("text", "why"),
    "exercise": ("prompt", "starter", "check", "hints", "solution", "wrong"),
    "wrong": ("code", "feedback"),
    "source": ("path", "symbol", "lines", "why"),
    "predict": ("question", "answer", "choices", "sign", "tolerance", "rel_tolerance",
                "explanation"),
    "review": ("review", "variants"),
}
"""The keys a lesson file may use in each place: the loader accepts these and no others, and
docs/lesson-format.md documents each (a test holds the two together). "review" keys may stand
beside any block's kind."""


@dataclass
class Step:
    """One screenful of a lesson: a title and its blocks."""

    title: str
    blocks: list[Block]
    place: Place


@dataclass
class Lesson:
    """A whole lesson, as loaded and checked from its YAML file."""

    id: str
    title: str
    summary: str
    requires: list[str]
    minutes: int
    setup: str | None
    steps: list[Step]
    path: Path
    number: int
    place: Place
    setup_line: int = 0
    field_places: dict[str, Place] = field(default_factory=dict, repr=False)

    def summary_only(self) -> LessonSummary:
        """What the map shows of this lesson."""
        return LessonSummary(
            self.id, self.title, self.summary, list(self.requires), self.minutes, self.number,
            self.path, len(self.steps),
        )
