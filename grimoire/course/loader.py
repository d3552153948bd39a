"""Lesson YAML to `Lesson` objects, with every mistake told as a sentence at file:line:column.

Public API::

    load_lesson(path: str | Path, *, check_sources: bool = True) -> Lesson
        raises LessonError (.problems: list[Problem]) when anything is wrong
    load_lessons(directory: str | Path | None = None) -> tuple[list[Lesson], list[Problem]]
        every `NN-<id>.yaml` of a folder (the bundled lessons when None), sorted by NN; reports
        all problems (including duplicate ids and unknown or circular `requires`) and still
        returns the good lessons
    lesson_summaries(directory: str | Path | None = None) -> list[LessonSummary]
        metadata only, for the map: fast, no numpy, no validation of steps; unreadable files
        are left out (load_lesson / load_lessons say why)
    find_lesson(name: str, directory: str | Path | None = None) -> Path
        a lesson id or a path -> the lesson file; raises LessonError with a sentence
    lesson_files(directory: Path) -> list[Path]
    collect_lessons(paths: list[Path]) -> tuple[list[Lesson], list[Problem]]
        lesson files and folders, as `grimoire check` takes them
    resolve_directory(directory: str | Path | None) -> Path   # None: the bundled lessons

YAML is read with safe-loading semantics only (no Python tags); the node tree keeps the marks.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from grimoire.course.schema import (
    BLOCKS,
    DEFAULT_TIMEOUT,
    FILE_PATTERN,
    ID_PATTERN,
    KEYS,
    Block,
    Code,
    Exercise,
    Lesson,
    LessonError,
    LessonSummary,
    Place,
    Predict,
    Problem,
    Prose,
    Quiz,
    Source,
    Step,
    WrongAnswer,
    format_size_problem,
)

# libyaml is much faster; both keep marks on nodes, which is all the loader needs.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LESSON_KEYS = KEYS["lesson"]
STEP_KEYS = KEYS["step"]
BLOCK_KINDS = tuple(BLOCKS)
CODE_KEYS = KEYS["code"]
REVIEW_KEYS = KEYS["review"]
"""Keys beside any block's kind, for the review room (see course/review.py)."""
REVIEWED_KINDS = ("code", "quiz", "predict")
"""The kinds of block the review room draws cards from."""
QUIZ_KEYS = KEYS["quiz"]
EXERCISE_KEYS = KEYS["exercise"]
WRONG_KEYS = KEYS["wrong"]
CHOICE_KEYS = KEYS["choice"]
SOURCE_KEYS = KEYS["source"]
PREDICT_KEYS = KEYS["predict"]
MAX_TIMEOUT = 600.0

_TEXT_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:timestamp",
}


def display_name(path: Path) -> str:
    """How a lesson file is named in messages: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class _Reader:
    """Walks one lesson's YAML node tree, building dataclasses and collecting problems."""

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.lines = text.splitlines()
        self.problems: list[Problem] = []
        self.constructor = yaml.SafeLoader("")

    # -- places and problems -------------------------------------------------------------
    def place(self, node: yaml.Node) -> Place:
        return Place(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def problem(self, node: yaml.Node | Place, message: str) -> None:
        place = node if isinstance(node, Place) else self.place(node)
        self.problems.append(Problem.at(place, message))

    def block_indent(self, first_line: int) -> int:
        """Indentation of a `|` block's content: its first non-blank line's leading spaces."""
        # Walks by index: slicing the rest of the file for every block made loading quadratic.
        for index in range(max(0, first_line - 1), len(self.lines)):
            text = self.lines[index]
            if text.strip():
                return len(text) - len(text.lstrip(" "))
        return 0

    def content_line(self, node: yaml.Node) -> tuple[int, bool]:
        """The file line of a scalar's first character of content, and whether it is exact."""
        if isinstance(node, yaml.ScalarNode) and node.style == "|":
            return node.start_mark.line + 2, True
        return node.start_mark.line + 1, node.style != ">" and "\n" not in str(node.value)

    # -- mappings ------------------------------------------------------------------------
    def mapping(
        self, node: yaml.Node, allowed: tuple[str, ...], what: str
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """A mapping's entries by key (key node, value node); unknown and repeated keys reported."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what[0].upper()}{what[1:]} should be a mapping of keys to values, "
                         f"but this is {_describe(node)}.")
            return None
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, f"Keys of {what} must be plain words, not {_describe(key_node)}.")
                continue
            key = str(key_node.value)
            if key in entries:
                first = entries[key][0].start_mark.line + 1
                self.problem(key_node, f"'{key}' appears twice in {what} (first on line {first}); "
                             "keep one.")
                continue
            if key not in allowed:
                self.problem(key_node, _unknown_key(key, allowed, what))
                continue
            entries[key] = (key_node, value_node)
        return entries

    # -- scalars -------------------------------------------------------------------------
    def value(self, node: yaml.Node) -> Any:
        """A scalar's Python value under the safe schema, or a reported problem (None)."""
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            self.problem(node, f"This value cannot be read: {_yaml_reason(error)}.")
        except (ValueError, OverflowError, TypeError) as error:
            self.problem(node, f"This value cannot be read: {error}.")
        return _INVALID

    def text(
        self, entries: dict, key: str, owner: yaml.Node, what: str, required: bool = True
    ) -> str | None:
        """A text field; numbers written bare are taken as the text they are written as."""
        if key not in entries:
            if required:
                self.problem(owner, f"{what[0].upper()}{what[1:]} has no '{key}'; it needs one.")
            return None
        node = entries[key][1]
        if isinstance(node, yaml.ScalarNode) and node.tag in _TEXT_TAGS:
            text = str(node.value)
            self.control_characters(node, key, what)
            if required and not text.strip():
                self.problem(node, f"'{key}' of {what} is empty.")
                return None
            return text
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            if required:
                self.problem(node, f"'{key}' of {what} is empty.")
            return None
        self.problem(node, f"'{key}' of {what} should be text, not {_describe(node)}.")
        return None

    def code(
        self, entries: dict, key: str, owner: yaml.Node, what: str, required: bool = True
    ) -> tuple[str | None, int]:
        """A code field: text that must parse as Python; syntax errors are placed on their line."""
        text = self.text(entries, key, owner, what, required)
        if text is None:
            return None, 0
        node = entries[key][1]
        line, exact = self.content_line(node)
        self.syntax(text, line if exact else 0, node, f"'{key}' of {what}")
        return text, line

    def syntax(self, code: str, first_line: int, node: yaml.Node, what: str) -> None:
        try:
            compile(code, "<cell>", "exec", dont_inherit=True)
        except SyntaxError as error:
            reason = error.msg or "invalid syntax"
            if first_line and error.lineno:
                column = error.offset or 1
                self.problem(
                    Place(self.file, first_line + error.lineno - 1, column),
                    f"The Python in {what} does not parse: {reason}.",
                )
            else:
                hint = ""
                if isinstance(node, yaml.ScalarNode) and node.style != "|":
                    hint = "; write code after '|' on its own lines, so YAML keeps the lines"
                self.problem(node, f"The Python in {what} does not parse: {reason} "
                             f"(line {error.lineno} of the code){hint}.")
        except (ValueError, RecursionError, MemoryError, OverflowError) as error:
            self.problem(node, f"The Python in {what} cannot be compiled: {error}.")

    def number(
        self, entries: dict, key: str, what: str, *, integer: bool, minimum: float | None = None,
        maximum: float | None = None,
    ) -> float | int | None:
        if key not in entries:
            return None
        node = entries[key][1]
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else _INVALID
        kind = "a whole number" if integer else "a number"
        if value is _INVALID and not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"'{key}' of {what} should be {kind}, not {_describe(node)}.")
            return None
        if value is _INVALID:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or (
            integer and not isinstance(value, int)
        ):
            self.problem(node, f"'{key}' of {what} should be {kind}, not {_describe(node)}.")
            return None
        if isinstance(value, float) and math.isnan(value):
            self.problem(node, f"'{key}' of {what} should be {kind}, not NaN.")
            return None
        if minimum is not None and value < minimum:
            self.problem(node, f"'{key}' of {what} should be at least {minimum:g}, not {value:g}.")
            return None
        if maximum is not None and value > maximum:
            self.problem(node, f"'{key}' of {what} should be at most {maximum:g}, not {value:g}.")
            return None
        return value

    def control_characters(self, node: yaml.ScalarNode, key: str, what: str) -> None:
        """Reader text holds no tabs or other control characters; they are escapes gone wrong."""
        found = sorted({char for char in str(node.value) if ord(char) < 32 and char != "\n"})
        if not found:
            return
        names = ", ".join(_CONTROL_NAMES.get(char, f"U+{ord(char):04X}") for char in found)
        cause = (
            " In a double-quoted YAML string a backslash starts an escape, so '\\top' is read "
            "as a tab and 'op'; write the text in single quotes or as a '|' block."
            if node.style == '"'
            else ""
        )
        self.problem(node, f"'{key}' of {what} holds an invisible control character ({names}).{cause}")

    def text_list(self, entries: dict, key: str, what: str) -> list[str] | None:
        if key not in entries:
            return None
        node = entries[key][1]
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"'{key}' of {what} should be a list (written [a, b] or as '- ' "
                         f"lines), not {_describe(node)}.")
            return None
        items = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and item.tag in _TEXT_TAGS and str(item.value):
                items.append(str(item.value))
                self.control_characters(item, key, what)
            else:
                self.problem(item, f"Each item of '{key}' in {what} should be text, "
                             f"not {_describe(item)}.")
        return items

    # -- the lesson ----------------------------------------------------------------------
    def lesson(self, root: yaml.Node, path: Path) -> Lesson | None:
        entries = self.mapping(root, LESSON_KEYS, "a lesson")
        if entries is None:
            return None
        places = {key: self.place(value) for key, (_, value) in entries.items()}
        lesson_id = self.text(entries, "id", root, "the lesson")
        if lesson_id is not None and not ID_PATTERN.match(lesson_id):
            self.problem(entries["id"][1], f"The id '{lesson_id}' should be a lowercase slug: "
                         "letters a-z, digits, '-' or '_', such as 'vectors'.")
            lesson_id = None
        title = self.text(entries, "title", root, "the lesson")
        summary = self.text(entries, "summary", root, "the lesson")
        requires = self.text_list(entries, "requires", "the lesson") or []
        if "requires" in entries and isinstance(entries["requires"][1], yaml.SequenceNode):
            for index, item in enumerate(entries["requires"][1].value):
                places[f"requires.{index}"] = self.place(item)
        minutes = self.number(entries, "minutes", "the lesson", integer=True, minimum=1)
        if "minutes" not in entries:
            self.problem(root, "The lesson has no 'minutes'; say roughly how long it takes, "
                         "such as 'minutes: 20'.")
        setup, setup_line = self.code(entries, "setup", root, "the lesson", required=False)
        steps: list[Step] = []
        if "steps" not in entries:
            self.problem(root, "The lesson has no 'steps'; it needs at least one.")
        else:
            node = entries["steps"][1]
            if not isinstance(node, yaml.SequenceNode) or not node.value:
                self.problem(node, f"'steps' should be a list of steps, not {_describe(node)}.")
            else:
                for number, step_node in enumerate(node.value, 1):
                    step = self.step(step_node, number)
                    if step is not None:
                        steps.append(step)
        number = self.file_number(path, lesson_id, entries, root)
        if self.problems:
            return None
        assert lesson_id and title and summary is not None and minutes is not None
        return Lesson(
            id=lesson_id, title=title, summary=summary, requires=requires, minutes=int(minutes),
            setup=setup, steps=steps, path=path, number=number, place=self.place(root),
            setup_line=setup_line, field_places=places,
        )

    def file_number(self, path: Path, lesson_id: str | None, entries: dict, root: yaml.Node) -> int:
        match = FILE_PATTERN.match(path.name)
        if match is None:
            suggestion = f"such as 01-{lesson_id}.yaml" if lesson_id else "such as 01-vectors.yaml"
            self.problem(Place(self.file, 0, 0), "Lesson files are named NN-<id>.yaml, "
                         f"{suggestion}; '{path.name}' is not.")
            return 0
        if lesson_id is not None and match.group(2) != lesson_id:
            self.problem(entries["id"][1], f"The id '{lesson_id}' does not match the file name "
                         f"'{path.name}'; name the file {match.group(1)}-{lesson_id}.yaml or "
                         f"change the id to '{match.group(2)}'.")
        return int(match.group(1))

    def step(self, node: yaml.Node, number: int) -> Step | None:
        what = f"step {number}"
        entries = self.mapping(node, STEP_KEYS, what)
        if entries is None:
            return None
        title = self.text(entries, "title", node, what)
        blocks: list[Block] = []
        if "blocks" not in entries:
            self.problem(node, f"Step {number} has no 'blocks'; it needs at least one.")
        else:
            blocks_node = entries["blocks"][1]
            if not isinstance(blocks_node, yaml.SequenceNode) or not blocks_node.value:
                self.problem(blocks_node, f"'blocks' of {what} should be a list of blocks, "
                             f"not {_describe(blocks_node)}.")
            else:
                for block_node in blocks_node.value:
                    block = self.block(block_node, what)
                    if block is not None:
                        blocks.append(block)
        if title is None:
            return None
        step = Step(title=title, blocks=blocks, place=self.place(node))
        self.variant_targets(step)
        for index, block in enumerate(blocks):
            if isinstance(block, Predict) and not any(
                    isinstance(later, Code) for later in blocks[index + 1 :]):
                self.problem(block.place, "A predict block asks for a guess before a cell runs, "
                             f"but no code cell follows it in {what}; put it above the cell "
                             "whose result it asks about.")
        return step

    def variant_targets(self, step: Step) -> None:
        """A cell with variants must compute a number its step's prose quotes: the card's question."""
        from grimoire.course.review import cell_targets

        for index, block in enumerate(step.blocks):
            if isinstance(block, Code) and block.variants and block.review \
                    and not cell_targets(step, index):
                self.problem(block.place, "This cell has 'variants', but its step's prose quotes "
                             "no name the cell sets (such as {{ rank }}), so a review card has "
                             "nothing to ask; quote one, or drop the 'variants'.")

    def block(self, node: yaml.Node, step: str) -> Block | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"A block of {step} should be a mapping such as 'prose: ...' or "
                         f"'code: ...', not {_describe(node)}.")
            return None
        keys = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
        kinds = [k for k, _ in keys if k.value in BLOCK_KINDS]
        if not kinds:
            words = [str(k.value) for k, _ in keys]
            hint = ""
            for word in words:
                close = difflib.get_close_matches(word, BLOCK_KINDS, n=1, cutoff=0.6)
                if close:
                    hint = f"; did you mean '{close[0]}' instead of '{word}'?"
                    break
            names = ", ".join(f"'{kind}'" for kind in BLOCK_KINDS[:-1])
            self.problem(node, f"A block needs one of {names} or '{BLOCK_KINDS[-1]}'"
                         f"{hint or '.'}")
            return None
        if len(kinds) > 1:
            names = " and ".join(f"'{k.value}'" for k in kinds[:2])
            self.problem(kinds[1], f"This block has both {names}; give each its own '- ' item.")
            return None
        kind = str(kinds[0].value)
        what = f"the {kind} block of {step}"
        if kind == "prose":
            entries = self.mapping(node, (*KEYS["prose"], *REVIEW_KEYS), what)
            if entries is None:
                return None
            self.review_options(entries, kind, what)
            return self.prose(entries, node, what)
        if kind == "code":
            entries = self.mapping(node, CODE_KEYS + REVIEW_KEYS, what)
            if entries is None:
                return None
            code, line = self.code(entries, "code", node, what)
            timeout = self.number(entries, "timeout", what, integer=False, minimum=0.1,
                                  maximum=MAX_TIMEOUT)
            review, variants, variant_lines = self.review_options(entries, kind, what, code, line)
            if code is None:
                return None
            return Code(code=code, place=self.place(node), code_line=line,
                        timeout=float(timeout) if timeout is not None else None,
                        review=review, variants=variants, variant_lines=variant_lines)
        inner = node.value[[k for k, _ in node.value].index(kinds[0])][1]
        outer = self.mapping(node, (kind, *REVIEW_KEYS), what)
        if outer is None:
            return None
        review, _, _ = self.review_options(outer, kind, what)
        if kind == "quiz":
            quiz = self.quiz(inner, f"the quiz of {step}")
            if quiz is not None:
                quiz.review = review
            return quiz
        if kind == "exercise":
            return self.exercise(inner, f"the exercise of {step}")
        if kind == "predict":
            predict = self.predict(inner, f"the predict block of {step}")
            if predict is not None:
                predict.review = review
            return predict
        return self.source(inner, f"the source block of {step}")

    def review_options(
        self, entries: dict, kind: str, what: str, code: str | None = None, code_line: int = 0,
    ) -> tuple[bool, dict[str, list[object] | str], dict[str, int]]:
        """A block's `review:` (true or false) and, for a code cell, its `variants:`."""
        review = True
        if "review" in entries:
            key_node, node = entries["review"]
            value = self.value(node) if isinstance(node, yaml.ScalarNode) else _INVALID
            if kind not in REVIEWED_KINDS:
                self.problem(key_node, f"'review' is for blocks the review room draws cards "
                             f"from (quizzes, predictions and code cells); {what} is never a "
                             "card.")
            elif not isinstance(value, bool):
                self.problem(node, f"'review' of {what} should be true or false, "
                             f"not {_describe(node)}.")
            else:
                review = value
        if "variants" not in entries:
            return review, {}, {}
        key_node, node = entries["variants"]
        if kind != "code":
            self.problem(key_node, f"'variants' belong to code cells (a card recomputes the "
                         f"cell with other values); {what} cannot have them.")
            return review, {}, {}
        if not review:
            self.problem(key_node, f"{what[0].upper()}{what[1:]} has 'review: false', so its "
                         "'variants' would never be used; keep one of them.")
        if not isinstance(node, yaml.MappingNode) or not node.value:
            self.problem(node, f"'variants' of {what} should map names the cell sets to their "
                         f"values, such as 'layer: [0, 1]', not {_describe(node)}.")
            return review, {}, {}
        from grimoire.course.review import variant_assignments

        assigned = variant_assignments(code) if code is not None else {}
        variants: dict[str, list[object] | str] = {}
        lines: dict[str, int] = {}
        for name_node, values_node in node.value:
            name = str(name_node.value) if isinstance(name_node, yaml.ScalarNode) else ""
            if not name.isidentifier():
                self.problem(name_node, f"A name in 'variants' of {what} should be a Python "
                             f"name the cell sets, such as 'layer', not {_describe(name_node)}.")
                continue
            if name in variants:
                self.problem(name_node, f"'{name}' appears twice in 'variants' of {what}.")
                continue
            values = self.variant_values(values_node, name, what)
            if values is None:
                continue
            if code is not None:
                found = assigned.get(name, [])
                if len(found) != 1:
                    how = "never sets it so" if not found else \
                        f"sets it {len(found)} times"
                    self.problem(name_node, f"The variant '{name}' must be set once by the "
                                 f"cell, on a line of its own such as '{name} = 0', so a review "
                                 f"card can set it otherwise; the cell {how}.")
                    continue
                lines[name] = code_line + found[0] - 1 if code_line else 0
            variants[name] = values
        return review, variants, lines

    def variant_values(self, node: yaml.Node, name: str, what: str) -> list[object] | str | None:
        """A variant's values: a list of numbers or texts, or a Python expression giving them."""
        if isinstance(node, yaml.ScalarNode):
            value = self.value(node)
            if isinstance(value, str) and value.strip():
                try:
                    compile(value, "<variants>", "eval", dont_inherit=True)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    self.problem(node, f"The values of '{name}' in 'variants' of {what} are "
                                 f"neither a list nor a Python expression: '{value}'.")
                    return None
                return value
        if isinstance(node, yaml.SequenceNode) and not node.value:
            self.problem(node, f"The values of '{name}' in 'variants' of {what} are an empty "
                         "list; give at least one value the lesson did not use.")
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"The values of '{name}' in 'variants' of {what} should be a "
                         "list such as [0, 1] or an expression such as "
                         f"'range(model.config.n_layer)', not {_describe(node)}.")
            return None
        values: list[object] = []
        for item in node.value:
            value = self.value(item) if isinstance(item, yaml.ScalarNode) else _INVALID
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                self.problem(item, f"Each value of '{name}' in 'variants' of {what} should be "
                             f"a number or a text, not {_describe(item)}.")
                return None
            if value in values:
                self.problem(item, f"'{name}' in 'variants' of {what} lists {value!r} twice.")
                return None
            values.append(value)
        return values

    def prose(self, entries: dict, node: yaml.Node, what: str) -> Prose | None:
        text = self.text(entries, "prose", node, what)
        if text is None:
            return None
        text_node = entries["prose"][1]
        line, exact = self.content_line(text_node)
        column = self.place(text_node).column
        if isinstance(text_node, yaml.ScalarNode) and text_node.style == "|":
            column = self.block_indent(line) + 1
        prose = Prose(text=text, place=self.place(text_node), text_line=line, literal=exact,
                      text_column=column)
        for placeholder in prose.placeholders():
            where = prose.place_at(placeholder.start)
            if not placeholder.expression:
                self.problem(where, "An empty '{{ }}' in the prose; put a name or expression "
                             "inside, such as {{ n_chars }}.")
                continue
            try:
                compile(placeholder.expression, "<prose>", "eval", dont_inherit=True)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self.problem(where, f"'{{{{ {placeholder.expression} }}}}' in the prose is not a "
                             "Python expression.")
                continue
            too_big = format_size_problem(placeholder.format_spec)
            if too_big is not None:
                self.problem(where, f"':{placeholder.format_spec}' after "
                             f"'{placeholder.expression}' is refused: {too_big}.")
                continue
            try:
                format(0.0, placeholder.format_spec)
            except ValueError:
                try:
                    format("", placeholder.format_spec)
                except ValueError:
                    self.problem(where, f"':{placeholder.format_spec}' after "
                                 f"'{placeholder.expression}' is not a format Python knows, such "
                                 "as ':.2f' or ':,'.")
        return prose

    def quiz(self, node: yaml.Node, what: str) -> Quiz | None:
        entries = self.mapping(node, QUIZ_KEYS, what)
        if entries is None:
            return None
        question = self.text(entries, "question", node, what)
        explanation = self.text(entries, "explanation", node, what)
        has_choices, has_numeric = "choices" in entries, "numeric" in entries
        quiz = Quiz(question=question or "", explanation=explanation or "", place=self.place(node))
        if has_choices == has_numeric:
            self.problem(node, f"{what[0].upper()}{what[1:]} needs either 'choices' (with "
                         "'answer') or 'numeric', and not both.")
            return None
        if has_choices:
            choices, why = self.choices(entries, what)
            quiz.why = why
            if choices is not None and len(choices) < 2:
                self.problem(entries["choices"][1], f"'choices' of {what} needs at least two.")
            for key in ("tolerance", "rel_tolerance"):
                if key in entries:
                    self.problem(entries[key][0], f"'{key}' belongs to a numeric quiz; this one "
                                 "has 'choices'.")
            answer = self.answer(entries, node, what, len(choices) if choices else None)
            quiz.choices, quiz.answer = choices, answer
        else:
            if "answer" in entries:
                self.problem(entries["answer"][0], "A numeric quiz gives its answer in 'numeric'; "
                             "'answer' is for choice quizzes.")
            numeric_node = entries["numeric"][1]
            quiz.numeric_line = self.place(numeric_node).line
            value = self.value(numeric_node) if isinstance(numeric_node, yaml.ScalarNode) else None
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                self.problem(numeric_node, f"'numeric' of {what} should be a number or a Python "
                             f"expression, not {_describe(numeric_node)}.")
            elif isinstance(value, str):
                try:
                    compile(value, "<numeric>", "eval", dont_inherit=True)
                    quiz.numeric = value
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    self.problem(numeric_node, f"'numeric' of {what} is neither a number nor a "
                                 f"Python expression: '{value}'.")
            elif not math.isfinite(value):
                self.problem(numeric_node, f"'numeric' of {what} is {value}, which no answer can "
                             "ever match; give a finite number.")
            else:
                quiz.numeric = float(value)
            tolerance = self.number(entries, "tolerance", what, integer=False, minimum=0)
            rel_tolerance = self.number(entries, "rel_tolerance", what, integer=False, minimum=0)
            quiz.tolerance = float(tolerance) if tolerance is not None else None
            quiz.rel_tolerance = float(rel_tolerance) if rel_tolerance is not None else None
        if question is None or explanation is None:
            return None
        return quiz

    def choices(self, entries: dict, what: str) -> tuple[list[str] | None, list[str] | None]:
        """A quiz's choices, each text or `{text, why}`; the whys ("" where unsaid) or None."""
        node = entries["choices"][1]
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"'choices' of {what} should be a list (written [a, b] or as '- ' "
                         f"lines), not {_describe(node)}.")
            return None, None
        texts: list[str] = []
        whys: list[str] = []
        for index, item in enumerate(node.value):
            if isinstance(item, yaml.MappingNode):
                choice = f"choice {index} of {what}"
                fields = self.mapping(item, CHOICE_KEYS, choice) or {}
                text = self.text(fields, "text", item, choice)
                why = self.text(fields, "why", item, choice)
                texts.append(text or "")
                whys.append(why or "")
            elif isinstance(item, yaml.ScalarNode) and item.tag in _TEXT_TAGS and str(item.value):
                self.control_characters(item, "choices", what)
                texts.append(str(item.value))
                whys.append("")
            else:
                self.problem(item, f"Each item of 'choices' in {what} should be text or a "
                             f"mapping with 'text' and 'why', not {_describe(item)}.")
        return texts, (whys if any(whys) else None)

    def answer(
        self, entries: dict, owner: yaml.Node, what: str, n_choices: int | None
    ) -> list[int] | None:
        if "answer" not in entries:
            self.problem(owner, f"{what[0].upper()}{what[1:]} has no 'answer'; give the index of "
                         "the right choice (0 is the first), or a list of indices.")
            return None
        node = entries["answer"][1]
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        indices = []
        for item in items:
            value = self.value(item) if isinstance(item, yaml.ScalarNode) else _INVALID
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(item, f"'answer' of {what} should be the index of a choice (0 is "
                             f"the first) or a list of them, not {_describe(item)}.")
                continue
            if n_choices is not None and not 0 <= value < n_choices:
                self.problem(item, f"'answer' {value} of {what} is out of range: there are "
                             f"{n_choices} choices, numbered 0 to {n_choices - 1}.")
                continue
            if value in indices:
                self.problem(item, f"'answer' of {what} lists {value} twice.")
                continue
            indices.append(value)
        if not items:
            self.problem(node, f"'answer' of {what} is an empty list; name at least one choice.")
        return sorted(indices)

    def predict(self, node: yaml.Node, what: str) -> Predict | None:
        entries = self.mapping(node, PREDICT_KEYS, what)
        if entries is None:
            return None
        question = self.text(entries, "question", node, what)
        explanation = self.text(entries, "explanation", node, what, required=False)
        if "answer" not in entries:
            self.problem(node, f"{what[0].upper()}{what[1:]} has no 'answer'; give the Python "
                         "expression that computes the truth, such as 'rank_qk'.")
            return None
        answer_node = entries["answer"][1]
        value = self.value(answer_node) if isinstance(answer_node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(answer_node, f"'answer' of {what} should be a Python expression "
                         f"computed after the step's cells, not {_describe(answer_node)}.")
            return None
        answer = str(value)
        try:
            compile(answer, "<predict>", "eval", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.problem(answer_node, f"'answer' of {what} is not a Python expression: "
                         f"'{answer}'.")
            return None
        predict = Predict(question=question or "", answer=answer, place=self.place(node),
                          answer_line=self.place(answer_node).line,
                          explanation=explanation or "")
        sign = entries.get("sign")
        if sign is not None:
            flag = self.value(sign[1]) if isinstance(sign[1], yaml.ScalarNode) else None
            if not isinstance(flag, bool):
                self.problem(sign[1], f"'sign' of {what} should be true or false, not "
                             f"{_describe(sign[1])}.")
            else:
                predict.sign = flag
        if "choices" in entries:
            choices, _ = self.choices(entries, what)
            if choices is not None and len(choices) < 2:
                self.problem(entries["choices"][1], f"'choices' of {what} needs at least two.")
            predict.choices = choices
            if predict.sign:
                self.problem(sign[0] if sign else node, f"{what[0].upper()}{what[1:]} has both "
                             "'choices' and 'sign: true'; a guess is one kind or the other.")
        if predict.guess_kind != "number":
            for key in ("tolerance", "rel_tolerance"):
                if key in entries:
                    self.problem(entries[key][0], f"'{key}' belongs to a guess of a number; "
                                 f"this one is a {predict.guess_kind}.")
        tolerance = self.number(entries, "tolerance", what, integer=False, minimum=0)
        rel_tolerance = self.number(entries, "rel_tolerance", what, integer=False, minimum=0)
        predict.tolerance = float(tolerance) if tolerance is not None else None
        predict.rel_tolerance = float(rel_tolerance) if rel_tolerance is not None else None
        if question is None:
            return None
        return predict

    def exercise(self, node: yaml.Node, what: str) -> Exercise | None:
        entries = self.mapping(node, EXERCISE_KEYS, what)
        if entries is None:
            return None
        prompt = self.text(entries, "prompt", node, what)
        starter, starter_line = self.code(entries, "starter", node, what)
        check, check_line = self.code(entries, "check", node, what)
        solution, solution_line = self.code(entries, "solution", node, what)
        hints = self.text_list(entries, "hints", what) or []
        wrong = self.wrong_answers(entries, what)
        if None in (prompt, starter, check, solution):
            return None
        return Exercise(
            prompt=prompt or "", starter=starter or "", check=check or "", hints=hints,
            solution=solution or "", place=self.place(node), starter_line=starter_line,
            check_line=check_line, solution_line=solution_line, wrong=wrong,
        )

    def wrong_answers(self, entries: dict, what: str) -> list[WrongAnswer]:
        """An exercise's known wrong solutions: each `{code, feedback}`."""
        if "wrong" not in entries:
            return []
        node = entries["wrong"][1]
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"'wrong' of {what} should be a list of '- code: ... feedback: "
                         f"...' entries, not {_describe(node)}.")
            return []
        found = []
        for index, item in enumerate(node.value):
            entry = f"wrong answer {index + 1} of {what}"
            fields = self.mapping(item, WRONG_KEYS, entry)
            if fields is None:
                continue
            code, code_line = self.code(fields, "code", item, entry)
            feedback = self.text(fields, "feedback", item, entry)
            if code is not None and feedback is not None:
                found.append(WrongAnswer(code=code, feedback=feedback.strip(),
                                         place=self.place(item), code_line=code_line))
        return found

    def source(self, node: yaml.Node, what: str) -> Source | None:
        entries = self.mapping(node, SOURCE_KEYS, what)
        if entries is None:
            return None
        path = self.text(entries, "path", node, what)
        why = self.text(entries, "why", node, what)
        symbol = self.text(entries, "symbol", node, what, required=False)
        lines = None
        if "symbol" in entries and "lines" in entries:
            self.problem(entries["lines"][0], f"{what[0].upper()}{what[1:]} has both 'symbol' "
                         "and 'lines'; keep one.")
        elif "lines" in entries:
            lines = self.line_range(entries["lines"][1], what)
        if path is None or why is None:
            return None
        return Source(path=path.strip(), place=self.place(node), symbol=symbol, lines=lines,
                      why=why)

    def line_range(self, node: yaml.Node, what: str) -> tuple[int, int] | None:
        values = [self.value(item) for item in node.value if isinstance(item, yaml.ScalarNode)] \
            if isinstance(node, yaml.SequenceNode) else []
        if (
            len(values) != 2
            or len(node.value) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) for v in values)
        ):
            self.problem(node, f"'lines' of {what} should be two line numbers, such as [10, 40].")
            return None
        first, last = values
        if first < 1 or last < first:
            self.problem(node, f"'lines' of {what} should go from line 1 or later to a line no "
                         f"earlier than the first; [{first}, {last}] does not.")
            return None
        return first, last


_INVALID = object()


_CONTROL_NAMES = {"\t": "a tab", "\r": "a carriage return", "\b": "a backspace",
                  "\f": "a form feed", "\x07": "a bell", "\x0b": "a vertical tab"}


def _describe(node: yaml.Node) -> str:
    """A few words on what a node is, for 'should be X, not Y' sentences."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    # A problem is one line, so a quoted value shows its line breaks as ⏎.
    text = str(node.value).replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")
    shown = text if len(text) <= 30 else text[:27] + "..."
    names = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true/false",
             "null": "empty", "timestamp": "a date"}
    if tag == "null":
        return "empty"
    return f"{names.get(tag, tag)} ('{shown}')"


def _unknown_key(key: str, allowed: tuple[str, ...], what: str) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"'{key}' is not a key {what} may have; did you mean '{close[0]}'?"
    return f"'{key}' is not a key {what} may have; it may have {', '.join(allowed)}."


def _yaml_reason(error: yaml.YAMLError) -> str:
    parts = []
    for attribute in ("context", "problem"):
        text = getattr(error, attribute, None)
        if text and text not in parts:
            parts.append(str(text))
    if not parts:
        parts.append(str(error).splitlines()[0] if str(error) else type(error).__name__)
    return ", ".join(parts)


def _yaml_problem(file: str, error: yaml.YAMLError, text: str = "") -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    reason = _yaml_reason(error)
    if isinstance(error, yaml.reader.ReaderError):
        before = text[: error.position]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        character = error.character
        code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
        return Problem(file, line, column, "The file has a character YAML does not allow "
                       f"(U+{code:04X}); remove it.")
    if "mapping values are not allowed" in reason:
        reason += " (a ': ' inside text needs the text in quotes, or written after '|')"
    elif "tab" in reason or "'\\t'" in reason:
        reason += " (indent with spaces, not tabs)"
    if mark is None:
        return Problem(file, 0, 0, f"The YAML cannot be read: {reason}.")
    return Problem(file, mark.line + 1, mark.column + 1, f"The YAML cannot be read: {reason}.")


def _read_text(path: Path, file: str) -> str:
    from grimoire.course.files import UnreadableFile, read_capped

    try:
        data = read_capped(path)
    except UnreadableFile as error:
        raise LessonError([Problem(file, 0, 0, f"The file is not read: {error.strerror}.")]) \
            from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise LessonError([Problem(file, line, 1, "The file is not UTF-8 text; save it as "
                                   "UTF-8.")]) from None


def _compose(text: str, file: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise LessonError([_yaml_problem(file, error, text)]) from None
    except RecursionError:
        raise LessonError([Problem(file, 0, 0, "The YAML is nested too deeply to read.")]) from None
    if node is None:
        raise LessonError([Problem(file, 0, 0, "The file is empty; a lesson needs at least an "
                                   "id, title, summary, minutes and steps.")])
    return node


@functools.lru_cache(maxsize=64)
def _outline(path: str, mtime_ns: int, size: int) -> tuple[Any, ...]:
    # Lessons point at the same few files many times; parse each version of a file once.
    from grimoire.outline import outline

    return tuple(outline(Path(path)))


def symbol_exists(path: Path, qualname: str) -> bool:
    """True when the file defines the symbol, as `grimoire.outline.find_symbol` would find it."""
    try:
        stat = path.stat()
    except OSError:
        return False
    symbols = _outline(str(path), stat.st_mtime_ns, stat.st_size)
    if any(symbol.qualname == qualname for symbol in symbols):
        return True
    return sum(symbol.name == qualname for symbol in symbols) == 1


def _check_sources(lesson: Lesson, problems: list[Problem]) -> None:
    from grimoire.paths import SourcePathError, resolve_source

    for step in lesson.steps:
        for block in step.blocks:
            if not isinstance(block, Source):
                continue
            try:
                real = resolve_source(block.path)
            except SourcePathError as error:
                problems.append(Problem.at(block.place, str(error)))
                continue
            if block.symbol is not None:
                if real.is_dir() or real.suffix != ".py":
                    problems.append(Problem.at(block.place, f"'{block.path}' is not a Python "
                                               f"file, so it has no symbol '{block.symbol}'."))
                elif not symbol_exists(real, block.symbol):
                    problems.append(Problem.at(block.place, f"'{block.path}' has no class or "
                                               f"function named '{block.symbol}'."))
            elif block.lines is not None:
                if real.is_dir():
                    problems.append(Problem.at(block.place, f"'{block.path}' is a folder; "
                                               "'lines' needs a file."))
                    continue
                try:
                    count = len(real.read_text(encoding="utf-8").splitlines())
                except (OSError, UnicodeDecodeError):
                    count = 0
                if block.lines[1] > count:
                    problems.append(Problem.at(block.place, f"'{block.path}' has {count} lines, "
                                               f"so lines {block.lines[0]} to {block.lines[1]} "
                                               "do not exist."))


@contextlib.contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Reading a lesson makes many small objects and no garbage cycles; the collector's full
    passes over them made loading a long lesson grow with the square of its length."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_lesson(path: str | Path, *, check_sources: bool = True) -> Lesson:
    """Load and check one lesson file; raises LessonError listing every problem found."""
    path = Path(path)
    file = display_name(path)
    text = _read_text(path, file)
    with _no_garbage_collection():
        root = _compose(text, file)
        reader = _Reader(file, text)
        try:
            lesson = reader.lesson(root, path)
        except RecursionError:
            raise LessonError([Problem(file, 0, 0, "The YAML is nested too deeply to read.")]) \
                from None
    problems = reader.problems
    if lesson is not None and check_sources:
        _check_sources(lesson, problems)
    if problems or lesson is None:
        raise LessonError(problems or [Problem(file, 0, 0, "The lesson is invalid.")])
    return lesson


def lesson_files(directory: Path) -> list[Path]:
    """The YAML files of a lesson folder, in name order (NN first)."""
    try:
        return sorted(
            p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
        )
    except OSError:
        return []


def resolve_directory(directory: str | Path | None) -> Path:
    if directory is None:
        from grimoire.paths import lessons_dir

        return lessons_dir()
    return Path(directory)


def check_requires(
    lessons: list[Lesson], known_ids: set[str] | None = None
) -> tuple[list[Lesson], list[Problem]]:
    """Unknown and circular `requires` between lessons; returns the lessons free of them."""
    problems: list[Problem] = []
    by_id = {lesson.id: lesson for lesson in lessons}
    known = set(by_id) | (known_ids or set())
    bad: set[str] = set()

    def place(lesson: Lesson, index: int) -> Place:
        return lesson.field_places.get(f"requires.{index}", lesson.place)

    for lesson in lessons:
        for index, required in enumerate(lesson.requires):
            if required == lesson.id:
                problems.append(Problem.at(place(lesson, index), f"The lesson '{lesson.id}' "
                                           "requires itself."))
                bad.add(lesson.id)
            elif required not in known:
                close = difflib.get_close_matches(required, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else "."
                problems.append(Problem.at(place(lesson, index), f"'{required}' in 'requires' is "
                                           f"not a lesson id{hint}"))
                bad.add(lesson.id)
    # Cycles: a depth-first walk with its own stack (a chain of thousands of lessons must not
    # meet Python's recursion limit); each lesson on a cycle is reported once, at its edge.
    state: dict[str, int] = {}
    for start in lessons:
        if start.id in state:
            continue
        state[start.id] = 1
        path = [start.id]
        pending = [iter(enumerate(start.requires))]
        while pending:
            step = next(pending[-1], None)
            if step is None:
                pending.pop()
                state[path.pop()] = 2
                continue
            index, required = step
            current = by_id[path[-1]]
            if required not in by_id or required == current.id:
                continue
            if state.get(required) == 1:
                cycle = path[path.index(required):] + [required]
                problems.append(Problem.at(place(current, index), "The 'requires' go round in a "
                                           f"circle: {' -> '.join(cycle)}."))
                bad.update(cycle)
            elif required not in state:
                state[required] = 1
                path.append(required)
                pending.append(iter(enumerate(by_id[required].requires)))
    return [lesson for lesson in lessons if lesson.id not in bad], problems


def load_lessons(directory: str | Path | None = None) -> tuple[list[Lesson], list[Problem]]:
    """Every lesson of a folder (bundled by default): the good ones, and all problems found."""
    folder = resolve_directory(directory)
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], [Problem(display_name(folder), 0, 0, "There is no lesson folder here.")]
    lessons: list[Lesson] = []
    for path in lesson_files(folder):
        try:
            lessons.append(load_lesson(path))
        except LessonError as error:
            problems.extend(error.problems)
    unique: list[Lesson] = []
    seen: dict[str, Lesson] = {}
    for lesson in lessons:
        if lesson.id in seen:
            where = lesson.field_places.get("id", lesson.place)
            problems.append(Problem.at(where, f"The id '{lesson.id}' is already used by "
                                       f"{seen[lesson.id].path.name}; ids must be unique."))
            continue
        seen[lesson.id] = lesson
        unique.append(lesson)
    good, require_problems = check_requires(unique)
    problems.extend(require_problems)
    good.sort(key=lambda lesson: (lesson.number, lesson.id))
    problems.sort(key=lambda p: (p.file, p.line, p.column))
    return good, problems


def _scalar(fields: dict[str, yaml.Node], name: str) -> str | None:
    node = fields.get(name)
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def lesson_summaries(directory: str | Path | None = None) -> list[LessonSummary]:
    """What the map shows (id, title, summary, requires, minutes, NN): quick, steps unchecked.

    Read from the same node tree as `load_lesson` (never built into Python objects), so an
    alias bomb in a summary stays a few nodes, and with the same file checks and size cap.
    """
    from grimoire.course.controls import visible

    folder = resolve_directory(directory)
    summaries = []
    for path in lesson_files(folder):
        match = FILE_PATTERN.match(path.name)
        if match is None:
            continue
        try:
            root = _compose(_read_text(path, path.name), path.name)
        except LessonError:
            continue
        if not isinstance(root, yaml.MappingNode):
            continue
        fields = {str(key.value): value for key, value in root.value
                  if isinstance(key, yaml.ScalarNode)}
        lesson_id, title = _scalar(fields, "id"), _scalar(fields, "title")
        if not lesson_id or title is None:
            continue
        requires = fields.get("requires")
        minutes = _scalar(fields, "minutes") or ""
        steps = fields.get("steps")
        summaries.append(LessonSummary(
            id=visible(lesson_id),
            title=visible(title),
            summary=visible(_scalar(fields, "summary") or ""),
            requires=[visible(str(item.value)) for item in requires.value
                      if isinstance(item, yaml.ScalarNode)]
            if isinstance(requires, yaml.SequenceNode) else [],
            minutes=int(minutes) if minutes.isdigit() and len(minutes) < 6 else 0,
            number=int(match.group(1)),
            path=path,
            n_steps=len(steps.value) if isinstance(steps, yaml.SequenceNode) else 0,
        ))
    summaries.sort(key=lambda s: (s.number, s.id))
    return summaries


def find_lesson(name: str, directory: str | Path | None = None) -> Path:
    """A lesson id (looked up in the folder) or a path to a lesson file -> the file."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or "/" in name or candidate.is_file():
        if candidate.is_file():
            return candidate
        raise LessonError([Problem(name, 0, 0, "There is no such lesson file.")])
    folder = resolve_directory(directory)
    ids = []
    for path in lesson_files(folder):
        match = FILE_PATTERN.match(path.name)
        if match is None:
            continue
        if match.group(2) == name:
            return path
        ids.append(match.group(2))
    close = difflib.get_close_matches(name, ids, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else " 'grimoire lessons' lists them."
    raise LessonError([Problem(display_name(folder), 0, 0,
                               f"There is no lesson with the id '{name}'.{hint}")])


def collect_lessons(paths: list[Path]) -> tuple[list[Lesson], list[Problem]]:
    """The lessons of some files and folders (as `grimoire check` takes them), and problems."""
    lessons: list[Lesson] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            good, found = load_lessons(path)
            lessons.extend(good)
            problems.extend(found)
        elif path.exists():
            try:
                lesson = load_lesson(path)
            except LessonError as error:
                problems.extend(error.problems)
                continue
            siblings = {match.group(2) for other in lesson_files(path.parent)
                        if (match := FILE_PATTERN.match(other.name))}
            good, found = check_requires([lesson], siblings)
            lessons.extend(good)
            problems.extend(found)
        else:
            problems.append(Problem(str(path), 0, 0, "There is no such file or folder."))
    return lessons, problems


MAX_PROBLEMS_PER_FILE = 50
"""Problems printed for one file; a broken file of 30,000 steps gets a count, not a flood."""


def problem_lines(problems: list[Problem], per_file: int = MAX_PROBLEMS_PER_FILE) -> list[str]:
    """Each problem as a line, at most `per_file` a file, then how many more that file has."""
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    lines: list[str] = []
    for problem in problems:
        count = shown.get(problem.file, 0)
        if count < per_file:
            shown[problem.file] = count + 1
            lines.append(problem.short())
        else:
            hidden[problem.file] = hidden.get(problem.file, 0) + 1
    for file, more in hidden.items():
        lines.append(f"{file}: … and {more:,} more problems in this file (the first {per_file} "
                     "are shown).")
    return lines


__all__ = [
    "DEFAULT_TIMEOUT",
    "LessonError",
    "Problem",
    "check_requires",
    "collect_lessons",
    "find_lesson",
    "lesson_files",
    "lesson_summaries",
    "load_lesson",
    "load_lessons",
    "problem_lines",
]
