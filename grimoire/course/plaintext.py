"""A lesson's blocks as plain text, the way `grimoire run` prints them in a terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from grimoire.course.display import render_text
from grimoire.course.session import BlockRun


def indent(text: str, prefix: str = "    ") -> str:
    """Every line of `text` behind `prefix`, blank ones too."""
    return textwrap.indent(text.rstrip("\n"), prefix, lambda line: True)


def _prose(run: BlockRun, width: int) -> str:
    return run.text.rstrip()


def _code(run: BlockRun, width: int) -> str:
    parts = [indent(run.text, "  │ ")]
    result = run.result
    if result is not None:
        if result.stdout:
            parts.append(indent(result.stdout))
        if result.stderr:
            parts.append(indent(result.stderr, "    ! "))
        for display in result.displays:
            parts.append(indent(render_text(display, width - 4)))
        if result.value is not None:
            parts.append(indent(result.value, "  → "))
        if result.error:
            parts.append(indent(result.error, "  ✗ "))
    return "\n".join(parts)


def _quiz(run: BlockRun, width: int, answers: bool = False) -> str:
    """A question; its right choices (●) or number only with `answers` (`run --answers`)."""
    data = run.data
    lines = [f"  ? {data['question'].strip()}"]
    if "choices" in data:
        right = set(data.get("answer") or []) if answers else set()
        for index, choice in enumerate(data["choices"]):
            mark = "●" if index in right else "○"
            lines.append(f"    {mark} {index}. {choice}")  # as `answer:` counts
    elif answers:
        answer = data.get("answer")
        lines.append(f"    answer: {answer:.6g}" if isinstance(answer, float)
                     else "    answer: (cannot be computed)")
    else:
        lines.append("    answer: a number")
    return "\n".join(lines)


def _exercise(run: BlockRun, width: int) -> str:
    return "\n".join([f"  ✎ {run.data['prompt'].strip()}", indent(run.text, "  │ ")])


def _source(run: BlockRun, width: int) -> str:
    data = run.data
    where = data["path"] + (f":{data['symbol']}" if data.get("symbol") else "")
    if data.get("lines"):
        where += f" lines {data['lines'][0]}-{data['lines'][1]}"
    return f"  ⌘ {where} — {data['why'].strip()}"


def _predict(run: BlockRun, width: int) -> str:
    data = run.data
    lines = [f"  ◇ Predict: {data['question'].strip()}"]
    if data["options"]:
        lines += [f"    ○ {index}. {option}" for index, option in enumerate(data["options"])]
    else:
        lines.append(f"    a number ({data['close']})")
    truth = data.get("truth")
    lines.append(f"    the truth: {truth if truth is not None else '(cannot be computed)'}")
    if data.get("explanation"):
        lines.append(indent(data["explanation"].strip(), "    "))
    return "\n".join(lines)


RENDER: dict[str, Callable[[BlockRun, int], str]] = {
    "prose": _prose,
    "code": _code,
    "quiz": _quiz,
    "exercise": _exercise,
    "source": _source,
    "predict": _predict,
}
"""How each block kind prints, by `BlockRun.kind`."""


def render_block(run: BlockRun, width: int = 80, answers: bool = False) -> str:
    """One block as plain text; quizzes show their answers only with `answers`, so a printed
    lesson can still be taken."""
    if run.kind == "quiz":
        return _quiz(run, width, answers)
    return RENDER[run.kind](run, width)
