"""The `grimoire` command line: open the app, browse its source, list, run, check, train."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from grimoire import __version__

if TYPE_CHECKING:
    # Imported by build_parser: plain `grimoire` opens the app without a parser (see main).
    import argparse

    from grimoire.course.schema import Lesson


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    class _Parser(argparse.ArgumentParser):
        """argparse that ends a mistake with one sentence and exit code 2, not a usage dump."""

        def error(self, message: str) -> None:  # type: ignore[override]
            sentence = message[0].upper() + message[1:]
            if not sentence.endswith("."):
                sentence += "."
            self.exit(2, f"grimoire: {sentence} Try 'grimoire --help'.\n")

    return _Parser


def _folder(text: str) -> Path:
    """A path argument; an empty one (`--lessons ''`) is a mistake, not the current folder."""
    import argparse

    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path was given; name a folder or file")
    return Path(text)


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and option, in one place so `--help` tells the whole story."""
    parser_class = _parser_class()
    parser = parser_class(
        prog="grimoire",
        description="Lilith's Grimoire: the linear algebra inside language models, computed live.",
    )
    parser.add_argument("--version", action="version", version=f"grimoire {__version__}")
    parser.add_argument(
        "--lessons",
        metavar="DIR",
        type=_folder,
        help="read lessons from DIR instead of the bundled ones (their code asks before it runs)",
    )
    parser.add_argument(
        "--trust",
        action="store_true",
        help="run the code of lessons from --lessons without asking (for scripts and CI)",
    )
    parser.add_argument(
        "--monochrome",
        action="store_true",
        help="greys only: pictures say sign and size in glyphs (as they do under NO_COLOR)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)

    opened = commands.add_parser("open", help="open the app (at LESSON, if given)")
    opened.add_argument("lesson", nargs="?", metavar="LESSON", help="a lesson id or path")

    source = commands.add_parser("source", help="open the app in its own source browser")
    source.add_argument(
        "target",
        nargs="?",
        metavar="PATH[:SYMBOL]",
        help="a file inside the Grimoire, e.g. grimoire/cli.py or grimoire/cli.py:main",
    )

    commands.add_parser("playground", help="open the app in the playground, with the model live")
    commands.add_parser(
        "training",
        help="open the app in the training room: watch a circuit form, teach the familiar a text",
    )
    commands.add_parser("lessons", help="list the lessons (id and title) without starting the app")

    review = commands.add_parser(
        "review", help="the review room: questions of finished lessons, due by spaced repetition")
    review.add_argument("--plain", action="store_true",
                        help="ask the due cards line by line in the terminal, without the app")

    run = commands.add_parser("run", help="run a lesson headless and print its outputs")
    run.add_argument("lesson", metavar="LESSON", help="a lesson id or a path to a lesson file")
    run.add_argument("--json", action="store_true", help="print the results as JSON")
    run.add_argument("--answers", action="store_true",
                     help="mark the right quiz answers (left out, a printed lesson can be taken)")

    learn = commands.add_parser(
        "learn", help="take a lesson line by line in plain text (for screen readers)")
    learn.add_argument("lesson", metavar="LESSON", help="a lesson id or a path to a lesson file")
    learn.add_argument("--plain", action="store_true",
                       help="plain lines: no boxes, no colour; answers read from stdin")
    learn.add_argument("--from", dest="from_step", type=int, metavar="STEP",
                       help="begin at step STEP (default: the first step not done)")

    export = commands.add_parser(
        "export", help="write your session of a lesson (your cells, outputs, answers) to a file")
    export.add_argument("lesson", metavar="LESSON", help="a lesson id or a path to a lesson file")
    export.add_argument("--to", choices=["md", "ipynb"],
                        help="Markdown (default) or a Jupyter notebook")
    export.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="where to write it (default: the standard output)")

    report = commands.add_parser(
        "report", help="a learner's progress in every lesson, for a teacher to collect")
    report.add_argument("--json", action="store_true", help="print it as JSON")

    check = commands.add_parser("check", help="validate lessons and run every cell and check")
    check.add_argument("paths", nargs="*", type=_folder, metavar="PATH", help="lesson files or folders")
    check.add_argument("--json", action="store_true", help="print the problems as JSON")

    train = commands.add_parser("train", help="train the model (reproduces the shipped weights)")
    train.add_argument("--steps", type=int, help="number of optimisation steps")
    train.add_argument("--out", type=Path, help="where to write the weights (.npz)")
    train.add_argument(
        "--task",
        choices=["grimoire", "repeat", "dictionary"],
        default="grimoire",
        help=(
            "grimoire: the shipped model; repeat: the small copying model of the eigen lesson; "
            "dictionary: the sparse dictionary of residual vectors of the factorization lesson"
        ),
    )
    serve = commands.add_parser(
        "serve", help="open the Grimoire in a browser: one app and kernel per tab (textual-serve)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    serve.add_argument("--public", action="store_true",
                       help="allow an address other machines can reach (lessons run Python here)")
    serve.add_argument("--home-per-visitor", action="store_true",
                       help="a fresh progress home for each visitor, named in the page title")
    return parser


def _split_target(target: str) -> tuple[str, str | None]:
    """`grimoire/cli.py:main` -> ('grimoire/cli.py', 'main')."""
    path, sep, symbol = target.partition(":")
    return path, (symbol or None) if sep else None


def _source(args: argparse.Namespace) -> int:
    from grimoire.paths import SourcePathError, resolve_source

    path: str | None = None
    symbol: str | None = None
    if args.target:
        path, symbol = _split_target(args.target)
        try:
            real = resolve_source(path)
        except SourcePathError as error:
            print(f"grimoire: {error}", file=sys.stderr)
            return 2
        if symbol is not None:
            from grimoire.outline import find_symbol

            if real.is_dir() or find_symbol(real, symbol) is None:
                print(f"grimoire: '{path}' has no class or function named '{symbol}'.", file=sys.stderr)
                return 2
    return _run_tui(screen="source", path=path, symbol=symbol, lessons=args.lessons,
                    trust=args.trust)


def _lessons(args: argparse.Namespace) -> int:
    """`grimoire lessons`: NN, id and title of each lesson; problems go to stderr."""
    from grimoire.course.catalogue import catalogue  # each file checked once, then remembered
    from grimoire.course.loader import display_name, problem_lines, resolve_directory

    lessons, problems = catalogue(args.lessons)
    width = max((len(lesson.id) for lesson in lessons), default=0)
    for lesson in lessons:
        print(f"{lesson.number:02d}  {lesson.id.ljust(width)}  {lesson.title}")
    for line in problem_lines(problems):
        print(line, file=sys.stderr)
    if not lessons and not problems:
        print(f"grimoire: no lessons in {display_name(resolve_directory(args.lessons))}.",
              file=sys.stderr)
    return 1 if problems else 0


def _open_lesson(args: argparse.Namespace) -> Lesson | None:
    """The lesson a command names, loaded and allowed to run; None once it has said why not."""
    from grimoire.course.loader import find_lesson, load_lesson
    from grimoire.course.schema import LessonError
    from grimoire.course.trust import refusal

    try:
        path = find_lesson(args.lesson, getattr(args, "lessons", None))
        lesson = load_lesson(path)
    except LessonError as error:
        for problem in error.problems:
            print(problem.short(), file=sys.stderr)
        return None
    if not _allowed(path, args):
        print(f"grimoire: {refusal(path)}", file=sys.stderr)
        return None
    return lesson


def _allowed(path: Path, args: argparse.Namespace) -> bool:
    """Lessons from outside the Grimoire run only when trusted (or with --trust)."""
    from grimoire.course.trust import is_trusted

    return bool(args.trust) or is_trusted(path)


def _kernel():  # -> Kernel, imported only by the commands that run lessons
    from grimoire.course.kernel import Kernel

    kernel = Kernel()
    kernel.start()
    return kernel


def _run(args: argparse.Namespace) -> int:
    """`grimoire run LESSON [--json] [--answers]`: run a lesson headless, print what it shows."""
    import json
    import shutil

    from grimoire.course.plaintext import indent, render_block
    from grimoire.course.session import BlockRun, run_lesson

    lesson = _open_lesson(args)
    if lesson is None:
        return 1
    width = max(40, min(120, shutil.get_terminal_size((80, 24)).columns))
    shown_step = [-1]

    def show(block: BlockRun) -> None:
        if block.step != shown_step[0]:
            shown_step[0] = block.step
            title = lesson.steps[block.step].title
            print(f"\n═══ {block.step + 1}. {title} " + "═" * max(3, width - len(title) - 9))
        text = render_block(block, width, answers=bool(getattr(args, "answers", False)))
        if text:
            print(text + "\n", flush=True)

    if not args.json:
        print(f"{lesson.title}\n{lesson.summary}")
    kernel = _kernel()
    try:
        run = run_lesson(lesson, kernel, on_block=None if args.json else show)
    finally:
        kernel.close()
    if not args.json and run.setup is not None and not run.setup.ok:
        print(f"The setup failed:\n{indent(run.setup.error or '')}", file=sys.stderr)
    if args.json:
        data = run.to_json()
        if not getattr(args, "answers", False):
            for block in data["blocks"]:
                if block["kind"] == "quiz":
                    block.pop("answer", None)
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False, default=str)
        print()
    for problem in run.problems:
        print(problem.short(), file=sys.stderr)
    return 0 if run.ok else 1


def _train(args: argparse.Namespace) -> int:
    """`grimoire train [--steps N] [--out PATH] [--task grimoire|repeat]`."""
    import dataclasses
    import math
    import time

    from grimoire.model import train
    from grimoire.model.corpus import CorpusError

    repeat = args.task == "repeat"
    recipe = train.REPEAT_RECIPE if repeat else train.GRIMOIRE_RECIPE
    if args.steps is not None:
        if args.steps < 1:
            print("grimoire: --steps must be at least 1.", file=sys.stderr)
            return 2
        recipe = dataclasses.replace(recipe, steps=args.steps,
                                     warmup=min(recipe.warmup, args.steps))
    out = Path(args.out) if args.out is not None else (
        train.REPEAT_PATH if repeat else train.WEIGHTS_PATH)
    started = time.monotonic()
    try:
        model = train.train_repeat(recipe, out) if repeat else train.train_grimoire(recipe, out)
    except CorpusError as error:
        print(f"grimoire: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"grimoire: cannot write {out}: {error.strerror}.", file=sys.stderr)
        return 1
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    meta = model.meta
    print(
        f"Wrote {out} ({out.stat().st_size / 1024:.0f} KiB, {model.n_params:,} parameters) "
        f"in {minutes}:{seconds:02d}; held-out loss {meta['heldout_loss']:.4f} nats/char "
        f"({meta['heldout_loss'] / math.log(2):.3f} bits/char)."
    )
    return 0


def _train_dictionary(args: argparse.Namespace) -> int:
    """`grimoire train --task dictionary [--steps N] [--out PATH]`."""
    import dataclasses
    import time

    from grimoire.model import dictionary as dictionaries

    recipe = dictionaries.DICTIONARY_RECIPE
    if args.steps is not None:
        if args.steps < 1:
            print("grimoire: --steps must be at least 1.", file=sys.stderr)
            return 2
        recipe = dataclasses.replace(recipe, steps=args.steps)
    out = Path(args.out) if args.out is not None else dictionaries.DICTIONARY_PATH
    if not dictionaries.WEIGHTS_PATH.is_file():
        print(f"grimoire: the model's weights {dictionaries.WEIGHTS_PATH} are missing; train "
              "them first.", file=sys.stderr)
        return 1
    started = time.monotonic()
    dictionary = dictionaries.train_dictionary(recipe)
    dictionaries.save_dictionary(dictionary, out)
    meta = dictionary.meta
    # The time is printed, not stored: the file's bytes depend only on what was learned.
    print(
        f"Wrote {out} ({out.stat().st_size / 1024:.0f} KiB, {dictionary.n_atoms} atoms) in "
        f"{time.monotonic() - started:.0f}s; held-out relative error "
        f"{meta['heldout_relative_error']:.3f} with {meta['heldout_mean_active']:.1f} active "
        f"atoms per vector on average."
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    """`grimoire check [PATH...] [--json]`: validate, run every cell and check; 0 when clean."""
    import json

    from grimoire.course.lesson_check import check_lesson
    from grimoire.course.loader import collect_lessons, problem_lines
    from grimoire.course.schema import Problem
    from grimoire.course.trust import refusal

    paths = list(args.paths or [])
    if not paths:
        from grimoire.paths import lessons_dir

        paths = [args.lessons or lessons_dir()]
    lessons, problems = collect_lessons(paths)
    if not lessons and not problems:
        # A mistyped folder in CI must not pass as "all clean".
        where = ", ".join(str(path) for path in paths)
        problems.append(Problem(where, 0, 0, "No lesson was found here (lessons are files named "
                                "NN-id.yaml)."))
    refused: list[str] = []
    runnable = []
    for lesson in lessons:
        if _allowed(lesson.path, args):
            runnable.append(lesson)
        elif refusal(lesson.path) not in refused:
            refused.append(refusal(lesson.path))
    if runnable:
        kernel = _kernel()
        try:
            for lesson in runnable:
                problems.extend(check_lesson(lesson, kernel))
        finally:
            kernel.close()
    problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))
    ok = not problems and not refused
    if args.json:
        json.dump({
            "ok": ok,
            "lessons": [lesson.id for lesson in lessons],
            "checked": [lesson.id for lesson in runnable],
            "problems": [problem.to_dict() for problem in problems],
            "refused": refused,
        }, sys.stdout, indent=1, ensure_ascii=False)
        print()
    else:
        for line in problem_lines(problems):
            print(line)
    for sentence in refused:
        print(f"grimoire: {sentence}", file=sys.stderr)
    if not args.json:
        noun = "lesson" if len(lessons) == 1 else "lessons"
        verdict = "all clean" if ok else f"{len(problems)} problem{'s' * (len(problems) != 1)}"
        if refused:
            verdict += f"; {len(lessons) - len(runnable)} not run without --trust"
        print(f"grimoire check: {len(lessons)} {noun} loaded, {len(runnable)} run; {verdict}.",
              file=sys.stderr)
    return 0 if ok else 1


TUI_COMMANDS = ("open", "source", "playground", "training")
"""The commands that draw the full-screen app; the others print text."""


def _terminal_problem() -> str | None:
    """Why the full-screen app cannot run here, as a sentence; None when it can."""
    import os

    if os.environ.get("TEXTUAL_DRIVER"):
        return None  # a browser tab (grimoire serve): Textual talks to the page, not a terminal
    stdin = sys.stdin
    try:
        interactive = stdin is not None and os.isatty(stdin.fileno())
    except (OSError, ValueError, AttributeError):
        interactive = False
    if not interactive:
        return ("grimoire needs a terminal: its input is not one (closed, a file or a pipe). "
                "To run a lesson without the app, use 'grimoire run LESSON'.")
    if os.environ.get("TERM", "") in ("dumb", "unknown"):
        return ("grimoire needs a terminal that can draw a full screen, and TERM=dumb says this "
                "one cannot; use 'grimoire run LESSON' to read a lesson as plain text.")
    return None


def _plain_output() -> None:
    """Printed output that cannot fail on a character or drive the terminal.

    Under an ASCII locale a Σ becomes '?', not a UnicodeEncodeError; control characters in
    lesson or cell text are drawn (␛) rather than sent to the terminal.
    """
    from grimoire.course.controls import VisibleStream

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or isinstance(stream, VisibleStream):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
        setattr(sys, name, VisibleStream(stream))


def _silence_stdout() -> None:
    """After a failed write, point stdout at /dev/null so the flush at exit stays quiet."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _utf8_terminal() -> None:
    """Under an ASCII locale (LANG=C) draw the glyphs as UTF-8, not as `\\u263e` escapes.

    The locale says what Python may assume, not what the terminal draws, and every terminal
    the app can run in today reads UTF-8; an escape is never the better picture.
    """
    import codecs

    for stream in (sys.__stdout__, sys.__stderr__):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            name = "ascii"
        if name != "utf-8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass


_REQUESTED: dict[str, str] = {}
"""What the global options ask of the app, whichever room it opens in (e.g. its theme)."""


def _run_tui(**request: object) -> int:
    problem = _terminal_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    _utf8_terminal()
    from grimoire.ui.app import run_app

    return run_app(**request, **_REQUESTED)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `grimoire` console script; returns the exit code."""
    # The app's own numpy work (the playground writing, a picture's statistics) is products of
    # small matrices, which a second BLAS thread makes slower on a busy two-core machine, and
    # its spinning competes with drawing. One thread, set before numpy is first imported.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    if not (sys.argv[1:] if argv is None else argv):
        # Plain `grimoire`, the learner's everyday command, opens the map: building the parser
        # (and importing argparse) would be a twentieth of its start-up for nothing.
        try:
            return _run_tui(screen="map")
        except KeyboardInterrupt:
            print("grimoire: interrupted.", file=sys.stderr)
            return 130
    args = build_parser().parse_args(argv)
    _REQUESTED.clear()
    if args.monochrome:
        _REQUESTED["theme"] = "monochrome"
    command = args.command or "open"
    if command not in TUI_COMMANDS and command != "train" and not (
            command == "review" and not args.plain):
        _plain_output()
    try:
        if command == "open":
            lesson = getattr(args, "lesson", None)
            return _run_tui(
                screen="lesson" if lesson else "map",
                lesson=lesson,
                lessons=args.lessons,
                trust=args.trust,
            )
        if command == "source":
            return _source(args)
        if command in ("playground", "training"):
            return _run_tui(screen=command, lessons=args.lessons, trust=args.trust)
        if command == "lessons":
            return _lessons(args)
        if command == "review" and args.plain:
            from grimoire.course.review_plain import cli_review

            return cli_review(args)
        if command == "review":
            return _run_tui(screen="review", lessons=args.lessons, trust=args.trust)
        if command == "run":
            return _run(args)
        if command == "check":
            return _check(args)
        if command == "learn":
            from grimoire.course.plain_lesson import cli_learn

            return cli_learn(args, _kernel, lambda: _open_lesson(args))
        if command == "export":
            from grimoire.course.export import cli_export

            return cli_export(args, _kernel, lambda: _open_lesson(args))
        if command == "report":
            from grimoire.course.report import cli_report

            return cli_report(args)
        if command == "serve":
            from grimoire.serve import cli_serve

            return cli_serve(args)
        if command == "train" and args.task == "dictionary":
            return _train_dictionary(args)
        if command == "train":
            return _train(args)
    except KeyboardInterrupt:
        print("grimoire: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`grimoire lessons | head`): stop quietly, as other tools do,
        # and keep Python from complaining again when it flushes stdout at exit.
        _silence_stdout()
        return 0
    except OSError as error:
        if error.filename is not None or not _is_output_error(error):
            raise
        # A full disk or a closed file behind `> out.txt`: one sentence, not a traceback.
        _silence_stdout()
        reason = error.strerror or str(error)
        try:
            print(f"grimoire: the output could not be written ({reason}).", file=sys.stderr)
        except OSError:
            pass
        return 1
    raise AssertionError(f"unhandled command {command!r}")  # argparse only lets known ones through


def _is_output_error(error: OSError) -> bool:
    """Did this error come from writing to stdout (a full disk, a closed descriptor)?"""
    import errno

    return error.errno in (errno.ENOSPC, errno.EIO, errno.EBADF, errno.EFBIG, errno.EDQUOT,
                           errno.EPIPE)
