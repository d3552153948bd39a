"""The `grimoire` command line: open the app, browse its source, list, run, check, train."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from grimoire import __version__

if TYPE_CHECKING:
    # Imported by build_parser: plain `grimoire` opens the app without a parser (see main).
    import argparse


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
        type=Path,
        help="read lessons from DIR instead of the bundled ones (their code asks before it runs)",
    )
    parser.add_argument(
        "--trust",
        action="store_true",
        help="run the code of lessons from --lessons without asking (for scripts and CI)",
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
    commands.add_parser("lessons", help="list the lessons (id and title) without starting the app")

    review = commands.add_parser(
        "review", help="the review room: questions of finished lessons, due by spaced repetition")
    review.add_argument("--plain", action="store_true",
                        help="ask the due cards line by line in the terminal, without the app")

    run = commands.add_parser("run", help="run a lesson headless and print its outputs")
    run.add_argument("lesson", metavar="LESSON", help="a lesson id or a path to a lesson file")
    run.add_argument("--json", action="store_true", help="print the results as JSON")

    check = commands.add_parser("check", help="validate lessons and run every cell and check")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="lesson files or folders")
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
    from grimoire.ui.app import run_app

    return run_app(screen="source", path=path, symbol=symbol, lessons=args.lessons, trust=args.trust)


def _lessons(args: argparse.Namespace) -> int:
    from grimoire.course.loader import list_lessons

    return list_lessons(args.lessons)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `grimoire` console script; returns the exit code."""
    if not (sys.argv[1:] if argv is None else argv):
        # Plain `grimoire`, the learner's everyday command, opens the map: building the parser
        # (and importing argparse) would be a twentieth of its start-up for nothing.
        from grimoire.ui.app import run_app

        try:
            return run_app(screen="home")
        except KeyboardInterrupt:
            print("grimoire: interrupted.", file=sys.stderr)
            return 130
    args = build_parser().parse_args(argv)
    command = args.command or "open"
    try:
        if command == "open":
            from grimoire.ui.app import run_app

            lesson = getattr(args, "lesson", None)
            return run_app(
                screen="lesson" if lesson else "home",
                lesson=lesson,
                lessons=args.lessons,
                trust=args.trust,
            )
        if command == "source":
            return _source(args)
        if command == "playground":
            from grimoire.ui.app import run_app

            return run_app(screen="playground", lessons=args.lessons, trust=args.trust)
        if command == "lessons":
            return _lessons(args)
        if command == "review" and args.plain:
            from grimoire.course.review_plain import cli_review

            return cli_review(args)
        if command == "review":
            from grimoire.ui.app import run_app

            return run_app(screen="review", lessons=args.lessons, trust=args.trust)
        if command == "run":
            from grimoire.course.runner import cli_run

            return cli_run(args)
        if command == "check":
            from grimoire.course.runner import cli_check

            return cli_check(args)
        if command == "train" and args.task == "dictionary":
            from grimoire.model.dictionary import cli_train_dictionary

            return cli_train_dictionary(args)
        if command == "train":
            from grimoire.model.train import cli_train

            return cli_train(args)
    except KeyboardInterrupt:
        print("grimoire: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`grimoire lessons | head`): stop quietly, as other tools do,
        # and keep Python from complaining again when it flushes stdout at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    raise AssertionError(f"unhandled command {command!r}")  # argparse only lets known ones through
