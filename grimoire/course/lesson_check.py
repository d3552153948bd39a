"""What `grimoire check` proves about a lesson, beyond running it through a lesson session.

Every cell runs and every placeholder computes (the session reports what does not); the math
draws; numeric answers compute; no step changes the model or the setup's values for the steps
after it; each exercise's solution passes its check, and its starter and every listed wrong
answer fail with the feedback the lesson promises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grimoire.course import mathtext
from grimoire.course.schema import Exercise, Lesson, Problem, Prose, Quiz
from grimoire.course.session import LessonSession, run_lesson_watched, sorted_problems

if TYPE_CHECKING:
    from grimoire.course.kernel import Kernel

MIN_WRONG_ANSWERS = 2
"""Each exercise lists at least this many known wrong solutions (`wrong:`) for check to try."""

def changed_shared_values(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The watched values whose fingerprint differs (or that vanished), in a stable order."""
    return sorted(name for name, digest in before.items() if after.get(name) != digest)


def _top_name(name: str) -> str:
    """`model.params['wte']` -> `model`: the namespace name a fingerprint entry belongs to."""
    return name.split(".")[0].split("[")[0]


def _changed_sentence(changed: list[str]) -> str:
    shown = ", ".join(f"`{name}`" for name in changed[:3])
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return f"{shown}{more}"


def _plain_words(text: str) -> str:
    return " ".join(text.split())


def _check_exercise_block(
    block: Exercise, kernel: Kernel, file: str, watched: list[str]
) -> list[Problem]:
    """The solution passes, the starter and every listed wrong answer fail with their feedback,
    and none of them changes the model or the setup's values."""
    from grimoire.course.checks import check_exercise

    problems: list[Problem] = []

    def attempt(code: str):
        before = kernel.fingerprint(watched)
        verdict = check_exercise(block, code, kernel)
        changed = changed_shared_values(before, kernel.fingerprint(watched))
        return verdict, changed

    solved, changed = attempt(block.solution)
    if not solved.passed:
        where = block.solution_line
        if solved.check is not None and not solved.check.ok:
            where = block.check_line + (solved.check.error_line or 1) - 1
        elif not solved.attempt.ok and solved.attempt.error_line:
            where = block.solution_line + solved.attempt.error_line - 1
        problems.append(Problem(file, where, 1, "The exercise's solution does not "
                                f"pass its check: {solved.message}"))
    if changed:
        problems.append(Problem(file, block.solution_line, 1, "The exercise's solution (or its "
                                f"check) leaves {_changed_sentence(changed)} changed; a "
                                "learner's next attempt would meet a different model."))
    started, _ = attempt(block.starter)
    if started.passed:
        problems.append(Problem(file, block.starter_line, 1, "The exercise's starter "
                                "code already passes the check, so the check cannot "
                                "tell a learner's work from none."))
    if len(block.wrong) < MIN_WRONG_ANSWERS:
        problems.append(Problem.at(block.place, (
            f"The exercise lists {len(block.wrong)} wrong answer"
            f"{'s' * (len(block.wrong) != 1)} under 'wrong:'; give at least "
            f"{MIN_WRONG_ANSWERS}, one for each requirement of the prompt, so check proves "
            "the check rejects them.")))
    for number, wrong in enumerate(block.wrong, 1):
        verdict, changed = attempt(wrong.code)
        line = wrong.code_line or wrong.place.line
        if verdict.passed:
            problems.append(Problem(file, line, 1, f"Wrong answer {number} of the exercise "
                                    "passes its check; the check must reject it."))
        elif _plain_words(wrong.feedback) not in _plain_words(verdict.message):
            problems.append(Problem(file, line, 1, (
                f"Wrong answer {number} of the exercise is rejected, but the learner would "
                f"read \"{verdict.message}\" instead of its listed feedback "
                f"\"{wrong.feedback}\".")))
        if changed:
            problems.append(Problem(file, line, 1, f"Wrong answer {number} of the exercise "
                                    f"leaves {_changed_sentence(changed)} changed; run the "
                                    "check on a copy so one attempt cannot spoil the next."))
    return problems


def check_lesson(lesson: Lesson, kernel: Kernel) -> list[Problem]:
    """Everything `grimoire check` proves about one (already valid) lesson."""
    session = LessonSession(lesson, kernel)
    file = lesson.place.file
    watched: list[str] = []
    before: dict[str, str] = {}
    problems: list[Problem] = []

    def before_step(step: int) -> None:
        nonlocal watched, before
        if step == 0:
            # The names the setup left (with `model`): what every step may read but not change.
            watched = sorted({_top_name(name) for name in kernel.fingerprint()})
        before = kernel.fingerprint(watched)

    def after_step(step: int) -> None:
        changed = changed_shared_values(before, kernel.fingerprint(watched))
        if changed:
            found = lesson.steps[step]
            problems.append(Problem.at(found.place, (
                f"Step {step + 1} '{found.title}' leaves {_changed_sentence(changed)} "
                "changed, so the steps after it see a different model or setup; restore "
                "what the step changes in the same cell (or work on a copy).")))

    run = run_lesson_watched(session, before_step, after_step)
    problems.extend(run.problems)
    for step in lesson.steps:
        for block in step.blocks:
            if isinstance(block, Prose):
                for command in mathtext.unknown_commands(block.text):
                    problems.append(Problem(file, block.text_line, 1, f"The math uses {command}, "
                                            "which the Grimoire cannot draw; see "
                                            "docs/lesson-format.md for the commands it knows."))
            elif isinstance(block, Quiz) and block.choices is not None:
                unexplained = [index for index in range(len(block.choices))
                               if not block.why_of(index).strip()]
                if unexplained:
                    listed = ", ".join(str(index) for index in unexplained)
                    problems.append(Problem.at(block.place, (
                        f"Choice{'s' * (len(unexplained) != 1)} {listed} of the quiz "
                        f"{'have' if len(unexplained) != 1 else 'has'} no 'why:'; every choice "
                        "says why it is right or wrong, shown when the learner picks it.")))
            elif isinstance(block, Exercise):
                problems.extend(_check_exercise_block(block, kernel, file, watched))
    from grimoire.course.review import check_cards

    # Last: it replays the lesson with other values of the cells' variants.
    problems.extend(check_cards(lesson, kernel))
    return sorted_problems(problems)
