"""The `grimoire` command as a shell user meets it: exit codes and one plain sentence."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grimoire import __version__


def grimoire(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "grimoire", *args], capture_output=True,
                          text=True, env=env, timeout=60, check=False)


def _one_sentence(stream: str) -> None:
    assert "Traceback" not in stream
    assert len(stream.strip().splitlines()) == 1


def test_version():
    done = grimoire("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"grimoire {__version__}"


def test_help_names_the_commands():
    done = grimoire("--help")
    assert done.returncode == 0
    for command in ("source", "lessons", "run", "check", "train"):
        assert command in done.stdout


def test_unknown_subcommand_is_one_sentence_and_exit_2():
    done = grimoire("conjure")
    assert done.returncode == 2
    _one_sentence(done.stderr)
    assert "conjure" in done.stderr and "grimoire --help" in done.stderr


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("../secrets.py", "climbs out of the Grimoire"),
        ("/etc/passwd", "is an absolute path"),
        ("elsewhere/spell.py", "is not part of the Grimoire"),
        ("grimoire/no_such_page.py", "There is no 'grimoire/no_such_page.py'"),
        ("grimoire/cli.py:no_such_spell", "has no class or function named 'no_such_spell'"),
    ],
)
def test_source_refuses_with_a_sentence(target, words):
    done = grimoire("source", target)
    assert done.returncode == 2
    _one_sentence(done.stderr)
    assert done.stderr.startswith("grimoire: ")
    assert words in done.stderr
    assert done.stdout == ""


def test_a_reader_that_stops_early_gets_no_traceback():
    # `grimoire lessons | true`: the reader is gone before the first line is written.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    command = f"{sys.executable} -m grimoire lessons | true"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.returncode == 0


def test_the_app_pins_one_blas_thread_before_numpy_loads(monkeypatch, capsys) -> None:
    """Small products run faster on one BLAS thread here; the kernel and the app both pin it."""
    from grimoire import cli

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert cli.main(["lessons"]) == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["OMP_NUM_THREADS"] == "1"
