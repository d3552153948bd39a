"""`grimoire report [--json]`: a learner's progress in every lesson, for a teacher to collect.

Per lesson: steps done of all, each quiz (right or not, in how many tries), each exercise
(solved on which try, hints taken, whether the solution was shown), and when it was last
opened. Read from the same progress store as the app; nothing is run.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from grimoire.course.progress import LessonProgress, ProgressStore, block_key
from grimoire.course.schema import Exercise, Lesson, Quiz


def lesson_report(lesson: Lesson, progress: LessonProgress) -> dict[str, Any]:
    """One lesson's progress as plain data."""
    quizzes, exercises = [], []
    for step, content in enumerate(lesson.steps):
        for number, block in enumerate(content.blocks):
            key = block_key(step, number)
            answer = progress.answers.get(key)
            if isinstance(block, Quiz):
                quizzes.append({"step": step + 1, "block": key,
                                "answered": answer is not None,
                                "right": bool(answer and answer.correct),
                                "tries": answer.attempts if answer else 0})
            elif isinstance(block, Exercise):
                hints = progress.hints_used.get(key, 0)
                exercises.append({"step": step + 1, "block": key,
                                  "solved": bool(answer and answer.correct),
                                  "tries": answer.attempts if answer else 0,
                                  "hints": min(hints, len(block.hints)),
                                  "solution_shown": hints > len(block.hints)})
    done = sorted(s for s in set(progress.steps_done) if 0 <= s < len(lesson.steps))
    return {
        "id": lesson.id, "number": lesson.number, "title": lesson.title,
        "steps": len(lesson.steps), "steps_done": len(done),
        "complete": len(done) == len(lesson.steps),
        "last_opened": (time.strftime("%Y-%m-%d %H:%M", time.localtime(progress.opened))
                        if progress.opened else None),
        "quizzes": quizzes, "exercises": exercises,
    }


def report(lessons: list[Lesson], store: ProgressStore) -> dict[str, Any]:
    """Every lesson's progress, and totals."""
    rows = [lesson_report(lesson, store.lesson(lesson.id)) for lesson in lessons]
    return {
        "home": str(store.path.parent),
        "lessons": rows,
        "totals": {
            "lessons_complete": sum(r["complete"] for r in rows),
            "lessons": len(rows),
            "steps_done": sum(r["steps_done"] for r in rows),
            "steps": sum(r["steps"] for r in rows),
            "quizzes_right": sum(q["right"] for r in rows for q in r["quizzes"]),
            "quizzes": sum(len(r["quizzes"]) for r in rows),
            "exercises_solved": sum(e["solved"] for r in rows for e in r["exercises"]),
            "exercises": sum(len(r["exercises"]) for r in rows),
            "hints": sum(e["hints"] for r in rows for e in r["exercises"]),
        },
    }


def as_text(data: dict[str, Any]) -> str:
    """The report as plain lines, one paragraph a lesson that has been opened."""
    totals = data["totals"]
    lines = [f"Progress kept in {data['home']}",
             (f"{totals['lessons_complete']} of {totals['lessons']} lessons complete; "
             f"{totals['steps_done']} of {totals['steps']} steps; "
             f"{totals['quizzes_right']} of {totals['quizzes']} questions right; "
             f"{totals['exercises_solved']} of {totals['exercises']} exercises solved, "
             f"{totals['hints']} hints taken."), ""]
    for row in data["lessons"]:
        head = (f"{row['number']:02d} {row['title']}: {row['steps_done']} of {row['steps']} "
                f"steps done")
        if row["last_opened"]:
            head += f", last opened {row['last_opened']}"
        elif not row["steps_done"]:
            lines.append(head + " (not started)")
            continue
        lines.append(head)
        for quiz in row["quizzes"]:
            if quiz["answered"]:
                verdict = "right" if quiz["right"] else "not right"
                tries = f"{quiz['tries']} {'try' if quiz['tries'] == 1 else 'tries'}"
                lines.append(f"    question in step {quiz['step']}: {verdict} ({tries})")
        for exercise in row["exercises"]:
            if exercise["solved"]:
                state = f"solved on try {exercise['tries']}"
            elif exercise["tries"]:
                tries = exercise["tries"]
                state = f"not solved after {tries} {'try' if tries == 1 else 'tries'}"
            else:
                state = "not attempted"
            state += f", {exercise['hints']} hint{'s' * (exercise['hints'] != 1)}"
            if exercise["solution_shown"]:
                state += " and the solution shown"
            lines.append(f"    exercise in step {exercise['step']}: {state}")
    return "\n".join(lines)


def cli_report(args: Any) -> int:
    """`grimoire report [--json]`."""
    from grimoire.course.loader import load_lessons

    lessons, problems = load_lessons(getattr(args, "lessons", None))
    store = ProgressStore()
    if store.warning:
        print(f"grimoire: {store.warning}", file=sys.stderr)
    data = report(sorted(lessons, key=lambda lesson: lesson.number), store)
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
        print()
    else:
        print(as_text(data))
    for problem in problems:
        print(problem.short(), file=sys.stderr)
    return 0
