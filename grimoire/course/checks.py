"""Checking a learner's answers: choice and numeric quizzes, and exercises run in the kernel.

Public API::

    @dataclass Verdict(correct: bool, message: str, explanation: str = "",
                       expected: str | None = None)
    @dataclass ExerciseVerdict(passed: bool, message: str, attempt: CellResult,
                               check: CellResult | None)
    class CheckError(ValueError)          # the lesson itself is wrong (a sentence)

    check_choice(quiz: Quiz, selected: Iterable[int]) -> Verdict
    parse_number(text: str) -> float      # "0.25", "1/4", "2e-3", "-1,234.5", "2**10",
                                          # "1/sqrt(64)", "exp(-1)", "2^10";
                                          # raises ValueError with a sentence
    expected_number(quiz: Quiz, kernel: Kernel | None = None) -> float   # raises CheckError
    within_tolerance(quiz: Quiz, value: float, expected: float) -> bool
    check_numeric(quiz: Quiz, answer: str | float, kernel: Kernel | None = None,
                  expected: float | None = None) -> Verdict
    check_exercise(exercise: Exercise, code: str, kernel: Kernel,
                   timeout: float | None = None) -> ExerciseVerdict

A numeric quiz with neither `tolerance` nor `rel_tolerance` accepts answers within 0.1 % of the
right value (DEFAULT_REL_TOLERANCE), so a learner may type the digits they see.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grimoire.course.schema import Exercise, Quiz

if TYPE_CHECKING:
    from grimoire.course.kernel import CellResult, Kernel

DEFAULT_REL_TOLERANCE = 1e-3

REVEAL_AFTER = 2
"""Wrong attempts at a quiz after which its answer and explanation are shown (and it counts)."""


class CheckError(ValueError):
    """The lesson's own answer cannot be computed; the message is a sentence for the author."""


@dataclass
class Verdict:
    """Whether a quiz answer is right, and what to tell the learner."""

    correct: bool
    message: str
    explanation: str = ""
    expected: str | None = None


@dataclass
class ExerciseVerdict:
    """Whether an exercise attempt passed its check, with both cells' results."""

    passed: bool
    message: str
    attempt: CellResult
    check: CellResult | None


def _joined(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def _without_right(why: str) -> str:
    """A right choice's `why:` without its own leading "Right:" (the verdict already says it)."""
    match = re.match(r"\s*right\s*[:.,;!—–-]\s*", why, flags=re.IGNORECASE)
    if match is None:
        return why
    rest = why[match.end():]
    return rest[:1].upper() + rest[1:]


def check_choice(quiz: Quiz, selected: Iterable[int]) -> Verdict:
    """A choice quiz: right when exactly the right choices are picked.

    The message says why the picked choice is right or wrong (the lesson's `why:` for it), so
    a wrong pick is answered with what that choice gets wrong, not with "Not quite" alone.
    """
    if quiz.choices is None or quiz.answer is None:
        raise CheckError("This quiz has no choices; check it with check_numeric.")
    picked = sorted(set(selected))
    right = sorted(quiz.answer)
    names = [quiz.choices[i] for i in right]
    expected = " and ".join(f"'{name}'" for name in names)
    if picked == right:
        whys = [_without_right(quiz.why_of(i)) for i in picked]
        return Verdict(True, "Right.", _joined(*whys, quiz.explanation), expected)
    if not picked:
        return Verdict(False, "Pick an answer first.", "", None)
    if len(right) > 1:
        found = len(set(picked) & set(right))
        wrong = [i for i in picked if i not in right]
        detail = f"{found} of the {len(right)} right choices"
        if wrong:
            detail += f" and {len(wrong)} that {'is' if len(wrong) == 1 else 'are'} not right"
        reasons = [f"'{quiz.choices[i]}': {quiz.why_of(i)}" for i in wrong if quiz.why_of(i)]
        return Verdict(False, _joined(f"Not quite: you picked {detail}.", *reasons),
                       quiz.explanation, expected)
    reason = quiz.why_of(picked[0]) if len(picked) == 1 else ""
    message = f"Not quite: {reason}" if reason else \
        f"Not quite: '{quiz.choices[picked[0]]}' is not the answer."
    return Verdict(False, message, quiz.explanation, expected)


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow, ast.BitXor: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_CONSTANTS = {"pi": math.pi, "π": math.pi, "e": math.e, "tau": math.tau}
_FUNCTIONS = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, "ln": math.log,
              "log2": math.log2, "log10": math.log10, "sin": math.sin, "cos": math.cos,
              "tan": math.tan, "abs": abs}
"""What a typed number may use: `1/sqrt(64)`, `exp(-2)`, `2^10` (`^` is a power, as on paper)."""


def _arithmetic(node: ast.AST) -> float:
    """The value of a parsed answer made only of numbers, + - * / ** ^, and _FUNCTIONS."""
    if isinstance(node, ast.Expression):
        return _arithmetic(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(
        node.value, bool
    ):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _arithmetic(node.left), _arithmetic(node.right)
        if isinstance(node.op, ast.Pow | ast.BitXor) and abs(right) > 1000:
            raise ValueError("too large")
        return float(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return float(_UNARY[type(node.op)](_arithmetic(node.operand)))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS and len(node.args) == 1 and not node.keywords):
        return float(_FUNCTIONS[node.func.id](_arithmetic(node.args[0])))
    raise ValueError("not arithmetic")


def parse_number(text: str) -> float:
    """A number the learner typed; arithmetic of numbers is allowed (1/3, 2**-4, 1/sqrt(64)).

    The text is parsed, never run: only numbers, operators and the few functions of
    _FUNCTIONS are understood, so nothing typed here can do anything but compute.
    """
    cleaned = text.strip().replace("−", "-").replace("_", "").replace("×", "*")
    cleaned = re.sub(r"√\s*([\d.]+)", r"sqrt(\1)", cleaned).replace("√", "sqrt")
    if not cleaned:
        raise ValueError("Type a number first.")
    if "," in cleaned and "(" not in cleaned and "." not in cleaned.split(",")[-1] and len(
            cleaned.split(",")[-1]) != 3:
        cleaned = cleaned.replace(",", ".")  # a decimal comma, as in 0,25
    if "(" not in cleaned:
        cleaned = cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        pass
    if len(cleaned) > 200:
        raise ValueError("That answer is too long to be a number; type a number such as 0.25.")
    try:
        value = _arithmetic(ast.parse(cleaned, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, RecursionError,
            TypeError):
        raise ValueError(f"'{text.strip()}' is not a number; type one such as 0.25, 1/4 or "
                         "1/sqrt(64).") from None
    if not math.isfinite(value):
        raise ValueError(f"'{text.strip()}' is not a finite number.")
    return value


def expected_number(quiz: Quiz, kernel: Kernel | None = None) -> float:
    """The right answer of a numeric quiz, evaluating its expression in the kernel if needed."""
    if quiz.numeric is None:
        raise CheckError("This quiz has no numeric answer.")
    if not isinstance(quiz.numeric, str):
        return float(quiz.numeric)
    if kernel is None:
        raise CheckError(f"The answer '{quiz.numeric}' is an expression and needs the kernel.")
    (evaluation,) = kernel.evaluate([(quiz.numeric, "")])
    if evaluation.error is not None:
        raise CheckError(f"The quiz's answer '{quiz.numeric}' cannot be computed: "
                         f"{evaluation.error}.")
    value = evaluation.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CheckError(f"The quiz's answer '{quiz.numeric}' is not a number "
                         f"(it is {evaluation.text!r}).")
    if not math.isfinite(float(value)):
        raise CheckError(f"The quiz's answer '{quiz.numeric}' is not finite ({value}).")
    return float(value)


def within_tolerance(quiz: Quiz, value: float, expected: float) -> bool:
    """The quiz's own tolerance (absolute and/or relative), or 0.1 % when it gives none."""
    absolute = quiz.tolerance
    relative = quiz.rel_tolerance
    if absolute is None and relative is None:
        relative = DEFAULT_REL_TOLERANCE
    return math.isclose(value, expected, rel_tol=relative or 0.0, abs_tol=absolute or 1e-12)


def _shown(value: float) -> str:
    return f"{value:.6g}"


def check_numeric(
    quiz: Quiz, answer: str | float, kernel: Kernel | None = None, expected: float | None = None
) -> Verdict:
    """A numeric quiz: right when within tolerance of the (possibly computed) answer."""
    try:
        value = parse_number(answer) if isinstance(answer, str) else float(answer)
    except ValueError as error:
        return Verdict(False, str(error))
    right = expected_number(quiz, kernel) if expected is None else expected
    if within_tolerance(quiz, value, right):
        return Verdict(True, "Right.", quiz.explanation, _shown(right))
    direction = "too high" if value > right else "too low"
    return Verdict(False, f"Not quite: {_shown(value)} is {direction}.", quiz.explanation,
                   _shown(right))


def _line_of(code: str, line: int | None) -> str:
    if not line:
        return ""
    lines = code.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _last_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[-1] if (text or "").strip() else ""


def check_exercise(
    exercise: Exercise, code: str, kernel: Kernel, timeout: float | None = None
) -> ExerciseVerdict:
    """Run the learner's code and then the exercise's check in a copy of the lesson namespace."""
    attempt, check = kernel.run_exercise(code, exercise.check, timeout=timeout)
    if not attempt.ok:
        if attempt.error_kind == "syntax":
            # The first line says what is wrong; the lines after it draw a caret under it.
            first = (attempt.error or "").strip().splitlines()[0] if attempt.error else ""
            message = f"Your code does not parse: {first.partition(': ')[2] or first}"
        elif attempt.error_kind in ("exception", "memory"):
            where = f" at line {attempt.error_line}" if attempt.error_line else ""
            message = f"Your code raised {attempt.error_name or 'an error'}{where}: " \
                f"{_last_line(attempt.error).partition(': ')[2] or _last_line(attempt.error)}"
        else:
            message = attempt.error or "Your code did not finish."
        return ExerciseVerdict(False, message, attempt, None)
    if check is None:
        return ExerciseVerdict(False, "The check did not run.", attempt, None)
    if check.ok:
        return ExerciseVerdict(True, "Passed: the check agrees with your code.", attempt, check)
    if check.error_kind not in ("exception", "memory"):
        return ExerciseVerdict(False, check.error or "The check did not finish.", attempt, check)
    reason = _last_line(check.error).partition(": ")[2]
    if check.error_name == "AssertionError":
        if reason:
            message = f"Not yet: {reason}"
        else:
            line = _line_of(exercise.check, check.error_line)
            message = f"Not yet: the check `{line}` failed." if line else "Not yet."
    elif check.error_name == "NameError":
        message = f"Not yet: the check needs something your code does not define ({reason})."
    else:
        message = f"Not yet: checking your code raised {check.error_name}: {reason}"
    if not message.endswith((".", "?", "!")):
        message += "."
    return ExerciseVerdict(False, message, attempt, check)


# -- comparing arrays: one helper that names the mistake ----------------------------------------

def _close(numpy, a, b, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(numpy.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def diagnose(yours: object, expected: object, what: str = "your result", *,
             rtol: float = 1e-5, atol: float = 1e-6) -> str | None:
    """None when `yours` equals `expected` (within tolerance), else one sentence on how it differs.

    The sentence names the mistake a learner most likely made: a wrong shape, a transpose, a
    flipped sign, a constant factor, one vector added to every row or to every column (a bias
    forgotten or added twice), or a single row or column that is off.
    """
    import numpy

    try:
        want = numpy.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        raise CheckError(f"The expected value for {what} is not an array of numbers.") from None
    if yours is None:
        return f"{what} is None; the function must return an array of shape {_shape(want.shape)}."
    try:
        got = numpy.asarray(yours, dtype=float)
    except (TypeError, ValueError):
        return (f"{what} is a {type(yours).__name__}, not an array of numbers of shape "
                f"{_shape(want.shape)}.")
    if got.shape != want.shape:
        if got.ndim == 2 and got.shape == want.T.shape and _close(numpy, got, want.T, rtol, atol):
            return (f"{what} is the transpose of the right answer: it has shape "
                    f"{_shape(got.shape)} where {_shape(want.shape)} is expected.")
        if got.size == want.size and _close(numpy, got.reshape(want.shape), want, rtol, atol):
            return (f"{what} holds the right numbers in the wrong shape: {_shape(got.shape)} "
                    f"where {_shape(want.shape)} is expected.")
        return f"{what} has shape {_shape(got.shape)}; it should be {_shape(want.shape)}."
    if _close(numpy, got, want, rtol, atol):
        return None
    bad = ~numpy.isfinite(got) & numpy.isfinite(want)
    if bad.any():
        return (f"{what} holds {int(bad.sum())} NaN or infinite value"
                f"{'s' * (int(bad.sum()) != 1)} where the right answer is finite.")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(numpy, got, want.T, rtol, atol):
        return f"{what} is the transpose of the right answer: rows and columns are swapped."
    if _close(numpy, got, -want, rtol, atol):
        return f"{what} has every sign flipped: it is minus the right answer."
    scale = float((got * want).sum() / (want * want).sum()) if (want * want).sum() else 0.0
    if scale and _close(numpy, got, scale * want, rtol, atol):
        return f"{what} is the right answer times {scale:.4g}: a constant factor is off."
    difference = got - want
    if got.ndim >= 1 and got.shape[0] > 1 and _close(
        numpy, difference, numpy.broadcast_to(difference[:1], difference.shape), rtol, atol
    ):
        if got.ndim == 1:
            return (f"{what} is off by the same amount, {float(difference[0]):.4g}, in every "
                    "entry: a constant is added or forgotten.")
        return (f"every row of {what} is off by the same vector (size "
                f"{float(numpy.linalg.norm(difference[0])):.3g}): a bias added twice or "
                "forgotten?")
    wrong = ~numpy.isclose(got, want, rtol=rtol, atol=atol)
    if got.ndim == 2:
        rows = numpy.flatnonzero(wrong.any(axis=1))
        columns = numpy.flatnonzero(wrong.any(axis=0))
        if len(rows) == 1 and got.shape[0] > 1:
            return f"{what} is right except in row {int(rows[0])}."
        if len(columns) == 1 and got.shape[1] > 1:
            return f"{what} is right except in column {int(columns[0])}."
    if got.ndim == 2 and got.shape[1] > 1 and _close(
        numpy, difference, numpy.broadcast_to(difference[:, :1], difference.shape), rtol, atol
    ):
        return (f"every column of {what} is off by the same vector (size "
                f"{float(numpy.linalg.norm(difference[:, 0])):.3g}): a bias added twice or "
                "forgotten?")
    if got.ndim == 1 and int(wrong.sum()) == 1 and got.size > 1:
        return f"{what} is right except at index {int(numpy.flatnonzero(wrong)[0])}."
    worst = numpy.unravel_index(int(numpy.argmax(numpy.abs(difference))), got.shape)
    place = ", ".join(str(int(i)) for i in worst)
    return (f"{what} differs from the right answer in {int(wrong.sum())} of {got.size} entries "
            f"(the largest difference, {float(difference[worst]):.3g}, at [{place}]).")


def _as_grid(numpy, array) -> object:
    """A 2-D view of an array for a heatmap: vectors as one row, the first slice of more."""
    grid = numpy.asarray(array, dtype=float)
    while grid.ndim > 2:
        grid = grid[0]
    return grid.reshape(1, -1) if grid.ndim < 2 else grid


def check_array(yours: object, expected: object, what: str = "your result", *,
                rtol: float = 1e-5, atol: float = 1e-6, show: object = None) -> None:
    """Assert `yours` equals `expected`; when not, fail with `diagnose`'s sentence.

    Inside the kernel (`show` given) a failure also draws three small heatmaps: the expected
    array, the learner's, and their difference.
    """
    sentence = diagnose(yours, expected, what, rtol=rtol, atol=atol)
    if sentence is None:
        return
    if show is not None:
        _draw_difference(yours, expected, what, show)
    raise AssertionError(sentence)


def _draw_difference(yours: object, expected: object, what: str, show: object) -> None:
    import numpy

    try:
        want = _as_grid(numpy, expected)
        got = _as_grid(numpy, yours)
    except (TypeError, ValueError):
        return
    side = 24  # a corner is enough to see the pattern of a mistake
    want, got = want[:side, :side], got[:side, :side]
    show.heatmap(want, title="expected")
    show.heatmap(got, title=f"yours ({what})")
    if want.shape == got.shape:
        show.heatmap(got - want, title="difference (yours − expected)")


# -- fingerprints: did a step change what later steps rely on? -----------------------------------

def fingerprint(value: object, name: str) -> dict[str, str]:
    """Digests of a shared object's contents, by a readable name (`model.params['wte']`).

    Arrays, numbers, text and containers of them are digested by value; an object with a
    `params` dict (the model) by its parameters. Functions, modules and other objects give
    nothing: a step cannot change them in a way a later step would read by value.
    """
    import hashlib

    import numpy

    found: dict[str, str] = {}

    def digest(item: object) -> str | None:
        if isinstance(item, numpy.ndarray):
            data = numpy.ascontiguousarray(item)
            return hashlib.sha1(
                f"{data.dtype}{data.shape}".encode() + data.tobytes()
            ).hexdigest()[:16]
        if isinstance(item, bool | int | float | complex | str | bytes | numpy.generic | type(None)):
            return hashlib.sha1(repr(item).encode()).hexdigest()[:16]
        return None

    def walk(item: object, label: str, depth: int) -> None:
        if depth > 3:
            return
        params = getattr(item, "params", None) if not isinstance(item, type) else None
        if isinstance(params, dict):
            for key in params:
                walk(params[key], f"{label}.params[{key!r}]", depth + 1)
            return
        if isinstance(item, dict):
            for key in list(item)[:1000]:
                walk(item[key], f"{label}[{key!r}]", depth + 1)
            return
        if isinstance(item, list | tuple):
            if len(item) <= 1000:
                for index, element in enumerate(item):
                    walk(element, f"{label}[{index}]", depth + 1)
            return
        value_digest = digest(item)
        if value_digest is not None:
            found[label] = value_digest

    walk(value, name, 0)
    return found
