"""The review deck: cards drawn from finished lessons, answers recomputed live, spaced by FSRS.

A card is a question a lesson already asked, asked again days later:

* every quiz (choice or numeric) and every prediction of a finished lesson, unless its block
  says `review: false` (a prediction's truth is computed again; a close guess is right);
* a "compute this" card for each code cell that computes a number its step's prose quotes
  (`{{ rank_qk }}`): the learner computes it again, and the cell's own code is the solution.
  A cell with `variants:` is recomputed for another value of a name it sets (a different
  layer, head or character than the lesson used).

Numbers are never remembered: `compute_answers` replays the lesson in the kernel (its setup,
then its cells in order) and computes each card's answer from the model as it is now.
Scheduling is FSRS (the `fsrs` package, imported only when a card is rated): a right answer
is rated "good", a wrong one "again"; the state of each card lives in the progress store.

Public API::

    @dataclass Card(id, lesson_id, lesson_title, kind, step, block, step_title, question,
                    quiz, code, target, variants, defaults, context)
        kind: "choice" | "numeric" | "compute" | "predict";  .where -> "step 3 of «SVD»: A head is low rank"
    @dataclass CardAnswer(card_id, binding, expected, error, context, solution)
    cards_for_lesson(lesson) -> list[Card]
    variant_assignments(code) -> dict[name, [line, ...]]     # top-level `name = value` lines
    variant_defaults(code) -> dict[name, value]              # the lesson's own values
    cell_targets(step, block_index) -> list[str]             # names a cell computes for prose
    with_binding(code, binding) -> str                       # the cell with other values set
    compute_answers(lesson, cards, kernel, draw=first_other) -> dict[card_id, list[CardAnswer]]
    hide_answers(cards, kernel)        # the compute cards' names leave the namespace
    first_other(card, values) -> [binding];  random_other(rng) -> draw;  every_value(card, values)
    check_cards(lesson, kernel) -> list[Problem]             # `grimoire check`
    grade(card, answer, expected, target="") -> Verdict
    shown_tolerance(spec, value) -> float      # half a unit of the last digit a format shows
    schedule(state: dict | None, correct: bool, now) -> dict  # the new stored state
    due_cards(cards, states, now) -> list[Card];  next_due(cards, states) -> float | None
    now() -> datetime   (UTC; tests replace it)
"""

from __future__ import annotations

import ast
import hashlib
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from grimoire.course import mathtext
from grimoire.course.schema import Code, Lesson, Place, Predict, Problem, Prose, Quiz, Step

if TYPE_CHECKING:
    from grimoire.course.checks import Verdict
    from grimoire.course.kernel import Kernel

BLANK = "▢"
"""Where the number to compute stands in a compute card's sentence."""

RELEARN_AFTER = timedelta(minutes=10)
"""A card answered wrong comes back this soon (FSRS's learning and relearning step)."""

DEFAULT_REL_TOLERANCE = 1e-3
"""A compute card accepts answers within 0.1 % of the recomputed value (as numeric quizzes do)."""


def now() -> datetime:
    """The time, in UTC: the one clock of the review room (tests set their own)."""
    return datetime.now(UTC)


# -- cards ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One question of the deck, and the lesson step that taught it."""

    id: str
    lesson_id: str
    lesson_title: str
    kind: str
    step: int
    block: int
    step_title: str
    question: str
    quiz: Quiz | None = None
    prediction: Predict | None = None
    code: str = ""
    targets: tuple[str, ...] = ()
    """Names the cell computes that the prose quotes; the card asks the first that is a number."""
    variants: dict[str, list[object] | str] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    contexts: dict[str, str] = field(default_factory=dict)
    """Each target's sentence in the lesson, with its {{ placeholders }} still in it."""
    specs: dict[str, str] = field(default_factory=dict)
    """Each target's format in the prose (`.2f`): an answer as precise as the lesson shows is right."""

    @property
    def where(self) -> str:
        return f"step {self.step + 1} of «{self.lesson_title}»: {self.step_title}"


@dataclass
class CardAnswer:
    """A card's right answer, computed in the kernel for one binding of its variants."""

    card_id: str
    binding: dict[str, object]
    expected: float | None = None
    error: str | None = None
    target: str = ""
    """The name asked for (a compute card's first target that is a number)."""
    lasting: bool = False
    """The error is the lesson's, not the moment's: no target is a number, so the card retires."""
    quoted: dict[str, str] = field(default_factory=dict)
    """With a binding: the sentence's other {{ values }} as the cell computed them for it."""
    context: str = ""
    """The sentence with the blank, its other numbers filled in, math drawn."""
    solution: str = ""
    """The cell's code with the binding set: what the learner is shown after answering."""


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode("utf-8")).hexdigest()[:10]


def _top_level_targets(node: ast.stmt) -> list[str]:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For):
        targets = [node.target]
    names = []
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
    return names


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def assigned_names(code: str) -> set[str]:
    """Names a cell sets at its top level (assignments and loop variables)."""
    tree = _parse(code)
    if tree is None:
        return set()
    return {name for node in tree.body for name in _top_level_targets(node)}


def variant_assignments(code: str) -> dict[str, list[int]]:
    """Each name set by a top-level `name = value` line, with the lines (of the code) that set it."""
    tree = _parse(code)
    found: dict[str, list[int]] = {}
    if tree is None:
        return found
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
            node.targets[0], ast.Name
        ):
            found.setdefault(node.targets[0].id, []).append(node.lineno)
    return found


def variant_defaults(code: str) -> dict[str, object]:
    """The values the lesson's cell gives its variant names, where they are plain literals."""
    tree = _parse(code)
    values: dict[str, object] = {}
    if tree is None:
        return values
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
            node.targets[0], ast.Name
        ):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, RecursionError):
                values.pop(node.targets[0].id, None)
    return values


def with_binding(code: str, binding: dict[str, object]) -> str:
    """The cell's code with each bound name's `name = value` line set to the bound value."""
    if not binding:
        return code
    tree = _parse(code)
    if tree is None:
        return code
    lines = code.splitlines(keepends=True)
    # Bottom to top, so earlier replacements do not move the later ones.
    edits = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
            node.targets[0], ast.Name
        ) and node.targets[0].id in binding:
            edits.append((node.value, repr(binding[node.targets[0].id])))
    for value, text in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        first, last = value.lineno - 1, (value.end_lineno or value.lineno) - 1
        start, end = value.col_offset, value.end_col_offset or len(lines[last])
        # Offsets are in UTF-8 bytes; the lines are cut as bytes too.
        head = lines[first].encode("utf-8")[:start].decode("utf-8")
        tail = lines[last].encode("utf-8")[end:].decode("utf-8")
        lines[first:last + 1] = [head + text + tail]
    return "".join(lines)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`$*({])|\n\s*\n")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of `text` around the characters start..end."""
    begin, finish = 0, len(text)
    for match in _SENTENCE_END.finditer(text):
        if match.end() <= start:
            begin = match.end()
        elif match.start() >= end:
            finish = match.start()
            break
    return " ".join(text[begin:finish].split())


def cell_targets(step: Step, index: int) -> list[str]:
    """Names the cell at block `index` is the last of its step to set, that the prose quotes."""
    block = step.blocks[index]
    if not isinstance(block, Code):
        return []
    later = set()
    for other in step.blocks[index + 1:]:
        if isinstance(other, Code):
            later |= assigned_names(other.code)
    # A variant's name is what the card changes, not what it asks.
    mine = assigned_names(block.code) - later - set(block.variants)
    targets: list[str] = []
    for prose in step.blocks:
        if isinstance(prose, Prose):
            for placeholder in prose.placeholders():
                name = placeholder.expression
                if name in mine and name not in targets:
                    targets.append(name)
    return targets


def _quoted(step: Step, target: str) -> tuple[str, str]:
    """The sentence of the step's prose that quotes `target`, and the format it is quoted in."""
    for prose in step.blocks:
        if isinstance(prose, Prose):
            for placeholder in prose.placeholders():
                if placeholder.expression == target:
                    return (_sentence(prose.text, placeholder.start, placeholder.end),
                            placeholder.format_spec)
    return "", ""


_PRECISION = re.compile(r"\.(\d+)([efg%])$")


def shown_tolerance(spec: str, value: float) -> float:
    """Half a unit of the last digit the lesson shows `value` with, under format `spec`.

    `.3f` -> 0.0005; `.0%` -> 0.005; `.2e` of 1234 -> 5; `,` or `d` -> 0.5; no spec -> 0.
    """
    if spec.endswith((",", "d")) or spec in (",d", "_"):
        return 0.5
    match = _PRECISION.search(spec)
    if match is None:
        return 0.0
    digits, kind = int(match.group(1)), match.group(2)
    if kind == "f":
        return 0.5 * 10.0 ** -digits
    if kind == "%":
        return 0.5 * 10.0 ** -(digits + 2)
    exponent = math.floor(math.log10(abs(value))) if value else 0
    if kind == "e":
        return 0.5 * 10.0 ** (exponent - digits)
    return 0.5 * 10.0 ** (exponent - max(digits, 1) + 1)  # g: significant digits


def cards_for_lesson(lesson: Lesson) -> list[Card]:
    """Every card a lesson gives the deck, in the order the lesson asked them."""
    cards: list[Card] = []
    for step_index, step in enumerate(lesson.steps):
        for block_index, block in enumerate(step.blocks):
            card = _card_from_block(lesson, step_index, step, block_index, block)
            if card is not None:
                cards.append(card)
    return cards


def _card_from_block(lesson: Lesson, step_index: int, step: Step, block_index: int,
                     block: Any) -> Card | None:
    """A block's card, or None; the one place that knows which kinds of block become cards."""
    if not getattr(block, "review", True):
        return None
    base: dict[str, Any] = {"lesson_id": lesson.id, "lesson_title": lesson.title,
                            "step": step_index, "block": block_index, "step_title": step.title}
    if isinstance(block, Quiz):
        kind = block.quiz_kind
        card_id = f"{lesson.id}:{kind}:{_digest(block.question, repr(block.choices))}"
        return Card(id=card_id, kind=kind, question=block.question, quiz=block, **base)
    if isinstance(block, Predict):
        card_id = f"{lesson.id}:predict:{_digest(block.question, block.answer)}"
        return Card(id=card_id, kind="predict", question=block.question, prediction=block,
                    **base)
    if isinstance(block, Code):
        targets = cell_targets(step, block_index)
        if not targets:
            return None
        card_id = f"{lesson.id}:compute:{_digest(block.code, *targets)}"
        defaults = variant_defaults(block.code)
        return Card(id=card_id, kind="compute", question="Compute it again.",
                    code=block.code, targets=tuple(targets), variants=dict(block.variants),
                    defaults={k: defaults[k] for k in block.variants if k in defaults},
                    contexts={target: _quoted(step, target)[0] for target in targets},
                    specs={target: _quoted(step, target)[1] for target in targets}, **base)
    return None


# -- answers, recomputed --------------------------------------------------------------------------

Draw = Callable[[Card, dict[str, list[object]]], list[dict[str, object]]]
"""Which bindings of a card's variants to compute, given every name's possible values."""


def _others(card: Card, name: str, values: list[object]) -> list[object]:
    others = [value for value in values if value != card.defaults.get(name, object())]
    return others or values


def first_other(card: Card, values: dict[str, list[object]]) -> list[dict[str, object]]:
    """The first value of each name that differs from the lesson's (deterministic)."""
    return [{name: _others(card, name, options)[0] for name, options in values.items()}]


def random_other(rng: random.Random) -> Draw:
    """A draw of one random value for each name, different from the lesson's when possible."""

    def draw(card: Card, values: dict[str, list[object]]) -> list[dict[str, object]]:
        return [{name: rng.choice(_others(card, name, options))
                 for name, options in values.items()}]

    return draw


def every_value(card: Card, values: dict[str, list[object]]) -> list[dict[str, object]]:
    """Each value of each name in turn, the others left as the lesson set them (for checking)."""
    bindings = []
    for name, options in values.items():
        for value in options:
            if value != card.defaults.get(name, object()):
                bindings.append({name: value})
    return bindings


_VALUES = "repr([v.item() if hasattr(v, 'item') else v for v in ({})])"


def _variant_values(card: Card, kernel: Kernel) -> tuple[dict[str, list[object]], str | None]:
    values: dict[str, list[object]] = {}
    for name, spec in card.variants.items():
        if isinstance(spec, list):
            values[name] = list(spec)
            continue
        (evaluation,) = kernel.evaluate([(_VALUES.format(spec), "")])
        problem = f"the values of '{name}', '{spec}',"
        if evaluation.error is not None:
            return values, f"{problem} cannot be computed: {evaluation.error}"
        try:
            listed = ast.literal_eval(str(evaluation.value))
        except (ValueError, SyntaxError, RecursionError):
            return values, f"{problem} are not numbers or texts"
        if not listed or any(isinstance(v, bool) or not isinstance(v, int | float | str)
                             for v in listed):
            return values, f"{problem} should be a non-empty list of numbers or texts"
        values[name] = listed
    return values, None


def _last_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[-1] if lines else "it did not finish"


def _quote_key(expression: str, spec: str) -> str:
    return f"{expression}\x00{spec}"


def _fill_context(card: Card, answer: CardAnswer, kernel: Kernel) -> str:
    """The card's sentence: the blank, the variants' values, the other numbers as the cell
    computed them (for a binding, in its copy of the namespace); … where one cannot be."""
    from grimoire.course.schema import find_placeholders

    target, binding = answer.target, answer.binding
    text = card.contexts.get(target, "")
    placeholders = find_placeholders(text)
    others = [p for p in placeholders if p.expression != target and p.expression not in binding]
    values = kernel.evaluate([(p.expression, p.format_spec) for p in others]) \
        if others and not binding else []
    pieces, last, index = [], 0, 0
    for placeholder in placeholders:
        pieces.append(text[last:placeholder.start])
        last = placeholder.end
        if placeholder.expression == target:
            pieces.append(BLANK)
            continue
        if placeholder.expression in binding:
            pieces.append(str(binding[placeholder.expression]))
            continue
        if binding:
            found = answer.quoted.get(_quote_key(placeholder.expression, placeholder.format_spec))
        else:
            evaluation = values[index] if index < len(values) else None
            index += 1
            found = evaluation.text if evaluation is not None else None
        pieces.append(found if found is not None else "…")
    pieces.append(text[last:])
    return mathtext.render("".join(pieces))


def compute_answers(lesson: Lesson, cards: Iterable[Card], kernel: Kernel,
                    draw: Draw = first_other) -> dict[str, list[CardAnswer]]:
    """Replay the lesson in the kernel and compute each card's answer where the lesson would.

    The setup runs, then the cells in order up to the last step a card needs. A compute card
    with a binding runs its cell with those values in a copy of the namespace, just before the
    cell itself runs; without one, its answer is read after the cell ran. Numeric quizzes are
    computed after their step's cells, as the lesson computes them.
    """
    from grimoire.course.checks import CheckError, expected_number

    wanted = [card for card in cards if card.lesson_id == lesson.id]
    answers: dict[str, list[CardAnswer]] = {card.id: [] for card in wanted}
    if not wanted:
        return answers
    setup = kernel.load_setup(lesson.setup)
    if lesson.setup and not setup.ok:
        for card in wanted:
            answers[card.id].append(CardAnswer(card.id, {}, error="The lesson's setup failed: "
                                               f"{_last_line(setup.error)}"))
        return answers
    bindings: dict[str, list[dict[str, object]]] = {}
    for card in wanted:
        if card.kind != "compute":
            continue
        if not card.variants:
            bindings[card.id] = [{}]
            continue
        values, problem = _variant_values(card, kernel)
        if problem is not None:
            answers[card.id].append(CardAnswer(card.id, {}, error=problem[0].upper() +
                                               problem[1:] + "."))
            bindings[card.id] = []
        else:
            bindings[card.id] = draw(card, values) or [{}]
    last_step = max(card.step for card in wanted)
    by_place = {(card.step, card.block): card for card in wanted}
    for step_index, step in enumerate(lesson.steps[:last_step + 1]):
        for block_index, block in enumerate(step.blocks):
            if not isinstance(block, Code):
                continue
            card = by_place.get((step_index, block_index))
            if card is not None:
                for binding in bindings.get(card.id, []):
                    if binding:
                        answers[card.id].append(_compute_bound(card, binding, kernel, block))
            result = kernel.run(block.code, timeout=block.timeout)
            if card is not None and {} in bindings.get(card.id, []):
                if result.ok:
                    answers[card.id].append(_read_target(card, kernel))
                else:
                    answers[card.id].append(CardAnswer(card.id, {}, error="The lesson's cell "
                                                       f"failed: {_last_line(result.error)}"))
        for block_index, _block in enumerate(step.blocks):
            card = by_place.get((step_index, block_index))
            if card is None:
                continue
            if card.kind == "numeric" and card.quiz is not None:
                try:
                    expected = expected_number(card.quiz, kernel)
                    answers[card.id].append(CardAnswer(card.id, {}, expected=expected))
                except CheckError as error:
                    answers[card.id].append(CardAnswer(card.id, {}, error=str(error)))
            elif card.kind == "choice":
                answers[card.id].append(CardAnswer(card.id, {}))
            elif card.kind == "predict" and card.prediction is not None:
                answers[card.id].append(_predicted_truth(card, card.prediction, kernel))
            elif card.kind == "compute":
                for answer in answers[card.id]:
                    if answer.target:
                        answer.context = _fill_context(card, answer, kernel)
    return answers


_NUMBERS = ("[float(v) if isinstance(v, __import__('numbers').Real) and not isinstance(v, bool)"
            " else None for v in ({},)]")
"""The targets' values as floats, None for those that are not numbers (read in the kernel)."""


_QUOTES = '''
def _review_text(thunk, spec):
    try:
        value = thunk()
        if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
            value = value.item()
        if spec:
            return format(value, spec)[:200]
        return f"{value:.4g}" if isinstance(value, float) else str(value)[:200]
    except Exception:
        return None
'''
"""Defined in a card's copy of the namespace: a quoted value as the prose shows it, or None."""


def _quotes_code(card: Card) -> str:
    """An expression giving, for every {{ value }} of the card's sentences, its text now."""
    from grimoire.course.schema import find_placeholders

    seen: dict[str, str] = {}
    for sentence in card.contexts.values():
        for placeholder in find_placeholders(sentence):
            key = _quote_key(placeholder.expression, placeholder.format_spec)
            seen.setdefault(key, f"{key!r}: _review_text(lambda: ({placeholder.expression}), "
                                 f"{placeholder.format_spec!r})")
    return "{" + ", ".join(seen.values()) + "}"


def _pick_number(card: Card, text: str | None, binding: dict[str, object],
                 solution: str) -> CardAnswer:
    try:
        values = ast.literal_eval(text or "")
    except (ValueError, SyntaxError, RecursionError):
        values = []
    quoted: dict[str, str] = {}
    if isinstance(values, tuple) and len(values) == 2:
        values, found = values
        if isinstance(found, dict):
            quoted = {str(k): str(v) for k, v in found.items() if v is not None}
    for target, value in zip(card.targets, values if isinstance(values, list) else [],
                             strict=False):
        if isinstance(value, float) and math.isfinite(value):
            return CardAnswer(card.id, binding, expected=value, target=target, solution=solution,
                              quoted=quoted)
    names = ", ".join(f"'{target}'" for target in card.targets)
    return CardAnswer(card.id, binding, error=f"None of {names} is a finite number, so the "
                      "card has nothing to ask.", solution=solution, lasting=True)


def _predicted_truth(card: Card, block: Predict, kernel: Kernel) -> CardAnswer:
    """A prediction's truth, computed after its step's cells: a number, or an option's index."""
    from grimoire.course import predict

    (evaluation,) = kernel.evaluate([(block.answer, "")])
    if evaluation.error is not None:
        return CardAnswer(card.id, {}, error=f"The prediction's answer {block.answer!r} cannot "
                          f"be computed: {evaluation.error}.")
    try:
        truth = predict.truth_of(block, evaluation.value)
    except predict.TruthError as error:
        return CardAnswer(card.id, {}, error=str(error))
    return CardAnswer(card.id, {}, expected=float(truth))


def hide_answers(cards: Iterable[Card], kernel: Kernel) -> None:
    """Take the compute cards' names out of the namespace, so typing `r` cannot answer `r`."""
    names = sorted({target for card in cards for target in card.targets})
    if names:
        kernel.run(f"[globals().pop(name, None) for name in {names!r}]")


def _read_target(card: Card, kernel: Kernel) -> CardAnswer:
    (evaluation,) = kernel.evaluate([(f"repr({_NUMBERS.format(', '.join(card.targets))})", "")])
    if evaluation.error is not None:
        return CardAnswer(card.id, {}, error=f"The card's number cannot be read: "
                          f"{evaluation.error}.", solution=card.code)
    return _pick_number(card, str(evaluation.value), {}, card.code)


def _compute_bound(card: Card, binding: dict[str, object], kernel: Kernel,
                   block: Code) -> CardAnswer:
    code = with_binding(card.code, binding)
    # After the cell, in its copy: the targets' values, and the sentence's other values.
    reading = f"{_QUOTES}\n({_NUMBERS.format(', '.join(card.targets))}, {_quotes_code(card)})"
    attempt, check = kernel.run_exercise(code, reading, timeout=block.timeout)
    shown = ", ".join(f"{name} = {value!r}" for name, value in binding.items())
    if not attempt.ok:
        return CardAnswer(card.id, binding, error=f"With {shown} the cell raised "
                          f"{_last_line(attempt.error)}", solution=code)
    if check is None or not check.ok:
        reason = _last_line(check.error if check is not None else None)
        return CardAnswer(card.id, binding, error=f"With {shown} the card's number cannot be "
                          f"read: {reason}", solution=code)
    return _pick_number(card, check.value, binding, code)


def check_cards(lesson: Lesson, kernel: Kernel) -> list[Problem]:
    """Every compute card has a number to ask, for every value of every variant.

    What `grimoire check` proves about review cards (the quizzes' answers it checks already):
    the lesson is replayed once more, each card computed where the lesson would compute it.
    """
    cards = [card for card in cards_for_lesson(lesson) if card.kind == "compute"]
    problems: list[Problem] = []
    if not cards:
        return problems
    answers = compute_answers(lesson, cards, kernel, draw=every_value)
    for card in cards:
        block = lesson.steps[card.step].blocks[card.block]
        assert isinstance(block, Code)
        for answer in answers[card.id]:
            if answer.error is None:
                continue
            if answer.lasting and not answer.binding:
                names = ", ".join(f"'{target}'" for target in card.targets)
                problems.append(Problem.at(block.place, "The review card of this cell would "
                                           f"ask for {names}, which the prose quotes, but none "
                                           "is a number; quote a number the cell computes, or "
                                           "mark the cell 'review: false'."))
                continue
            if not answer.binding:
                continue  # the cell itself failed: the lesson's own run says so
            name = next(iter(answer.binding))
            line = block.variant_lines.get(name) or block.place.line
            reason = answer.error.rstrip(".")
            problems.append(Problem(block.place.file, line, 1, "The review card of this cell "
                                    f"cannot be computed: {reason[:1].lower()}{reason[1:]}."))
    return problems


# -- answering -------------------------------------------------------------------------------------


def parse_answer(text: str) -> float:
    """A typed number; `57%` is 0.57. Raises ValueError with a sentence."""
    from grimoire.course.checks import parse_number

    stripped = text.strip()
    if stripped.endswith("%"):
        return parse_number(stripped[:-1]) / 100
    return parse_number(stripped)


def grade(card: Card, answer: list[int] | float, expected: float | None,
          target: str = "") -> Verdict:
    """Whether an answer is right: picked choices, or a number against the recomputed one.

    A compute card accepts 0.1 % either way, or the digits the lesson shows (`target`'s format
    in the prose), whichever is wider.
    """
    from grimoire.course.checks import CheckError, check_choice, check_numeric

    if card.kind == "predict" and card.prediction is not None:
        return _judge_prediction(card.prediction, answer, expected)
    if card.kind == "choice":
        if card.quiz is None:
            raise CheckError("This card has no question.")
        return check_choice(card.quiz, answer if isinstance(answer, list) else [])
    if expected is None:
        raise CheckError("This card's answer could not be computed.")
    if isinstance(answer, list):
        raise CheckError("This card wants a number.")
    quiz = card.quiz or Quiz(card.question, "", Place("", 0, 0), numeric=expected,
                             rel_tolerance=DEFAULT_REL_TOLERANCE,
                             tolerance=shown_tolerance(card.specs.get(target, ""), expected))
    return check_numeric(quiz, float(answer), expected=expected)


def _judge_prediction(block: Predict, answer: list[int] | float,
                      expected: float | None) -> Verdict:
    """A guess beside the truth: close is right (an option must be the one)."""
    from grimoire.course import predict
    from grimoire.course.checks import CheckError, Verdict

    if expected is None:
        raise CheckError("This prediction's answer could not be computed.")
    if block.guess_kind != "number":
        if not isinstance(answer, list) or len(answer) != 1:
            return Verdict(False, "Pick one first.")
        guess: float | int = answer[0]
        truth: float | int = int(expected)
    else:
        if isinstance(answer, list):
            raise CheckError("This prediction wants a number.")
        guess, truth = float(answer), expected
    close = predict.is_close(block, guess, truth)
    said, true = predict.shown(block, guess), predict.shown(block, truth)
    if close and block.guess_kind != "number":
        message = f"Right: the truth is {true}."
    elif close:
        message = f"Close: you said {said}; the truth is {true} " \
            f"({predict.tolerance_words(block)})."
    else:
        message = f"Not this time: you said {said}; the truth is {true}."
    return Verdict(close, message, block.explanation, true)


# -- scheduling ------------------------------------------------------------------------------------


def _scheduler():
    from fsrs import Scheduler

    # No fuzzing: the same answers give the same dates, so a learner (and a test) can predict
    # them. One short step: a card answered wrong comes back in ten minutes, in this sitting.
    return Scheduler(learning_steps=(RELEARN_AFTER,), relearning_steps=(RELEARN_AFTER,),
                     enable_fuzzing=False)


def _count(value: object) -> int:
    """A count read back from the store; anything but a whole number reads as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def schedule(state: dict[str, Any] | None, correct: bool, when: datetime) -> dict[str, Any]:
    """The card's stored state after one answer: FSRS's card, its due time, counts."""
    from fsrs import Card as MemoryCard
    from fsrs import Rating

    memory = MemoryCard()
    if state and isinstance(state.get("fsrs"), dict):
        try:
            memory = MemoryCard.from_dict(state["fsrs"])
        except Exception:  # noqa: BLE001 - a damaged schedule starts the card afresh
            memory = MemoryCard()
    rating = Rating.Good if correct else Rating.Again
    memory, _log = _scheduler().review_card(memory, rating, when)
    previous = state or {}
    return {
        "due": memory.due.timestamp(),
        "last_review": when.timestamp(),
        "reviews": _count(previous.get("reviews")) + 1,
        "lapses": _count(previous.get("lapses")) + (0 if correct else 1),
        "last_correct": bool(correct),
        "fsrs": memory.to_dict(),
    }


def is_due(card_id: str, states: dict[str, dict[str, Any]], when: datetime) -> bool:
    state = states.get(card_id)
    if state is None:
        return True  # a card never reviewed is due once its lesson is finished
    due = state.get("due")
    return not isinstance(due, int | float) or due <= when.timestamp()


def due_cards(cards: Iterable[Card], states: dict[str, dict[str, Any]],
              when: datetime) -> list[Card]:
    """The cards to ask now, in lesson order."""
    return [card for card in cards if is_due(card.id, states, when)]


def next_due(cards: Iterable[Card], states: dict[str, dict[str, Any]]) -> float | None:
    """When the next card falls due (seconds since the epoch), or None for an empty deck."""
    times = []
    for card in cards:
        due = states.get(card.id, {}).get("due")
        times.append(due if isinstance(due, int | float) else 0.0)
    return min(times) if times else None


def in_words(seconds: float) -> str:
    """A time from now, as a learner says it: 'in 10 minutes', 'in 3 days'."""
    if seconds <= 0:
        return "now"
    if seconds <= 90:
        return "in a minute"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"in {count} {unit}{'s' if count != 1 else ''}"
    return "now"


# -- the deck --------------------------------------------------------------------------------------


@dataclass
class Deck:
    """The cards of every finished lesson, with their schedules."""

    lessons: dict[str, Lesson]
    cards: list[Card]
    states: dict[str, dict[str, Any]]
    unreadable: list[str] = field(default_factory=list)
    """Finished lessons that could not be read (their cards are left out), as sentences."""

    def due(self, when: datetime) -> list[Card]:
        return due_cards(self.cards, self.states, when)

    def next_due(self) -> float | None:
        return next_due(self.cards, self.states)


def build_deck(summaries: Iterable[Any], store: Any,
               read: Callable[[str], Lesson]) -> Deck:
    """The deck of the finished lessons among `summaries` (read with `read(lesson_id)`).

    A card retired because the lesson gives it nothing to ask stays out of the deck.
    """
    from grimoire.course.schema import LessonError

    states = store.review_states()
    lessons: dict[str, Lesson] = {}
    cards: list[Card] = []
    unreadable: list[str] = []
    for summary in summaries:
        if store.fraction_done(summary.id, summary.n_steps) < 1.0:
            continue
        try:
            lesson = read(summary.id)
        except LessonError as error:
            first = error.problems[0] if error.problems else error
            unreadable.append(f"«{summary.title}» cannot be read: {first}")
            continue
        lessons[lesson.id] = lesson
        cards.extend(card for card in cards_for_lesson(lesson)
                     if not states.get(card.id, {}).get("retired"))
    return Deck(lessons, cards, states, unreadable)


def retire(reason: str, when: datetime) -> dict[str, Any]:
    """The stored state of a card the lesson gives nothing to ask (it leaves the deck)."""
    return {"due": (when + timedelta(days=36500)).timestamp(), "retired": reason,
            "last_review": when.timestamp()}
