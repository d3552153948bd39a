"""The kernel against hostile cells: it says what happened in a sentence and carries on."""

from __future__ import annotations

import pytest

from grimoire.course.kernel import Kernel


@pytest.fixture(scope="module")
def kernel():
    with Kernel(default_timeout=1.5, output_limit=2000) as running:
        assert running.wait_ready()
        yield running


def test_a_placeholder_past_its_limit_says_so(kernel: Kernel) -> None:
    (slow,) = kernel.evaluate([("__import__('time').sleep(30)", "")])
    assert slow.text is None
    assert slow.error == "it ran past the 1.5 s limit and was stopped"
    (fine,) = kernel.evaluate([("1 + 1", "")])
    assert fine.text == "2"


def test_absurd_format_widths_are_refused_and_values_cut(kernel: Kernel) -> None:
    huge, wide, long, fine = kernel.evaluate([("1.5", "99999999999.2f"), ("1.5", ">100000000"),
                                              ("'x' * 10**7", ">10"), ("1.5", ".2f")])
    assert huge.text is None and "far more than prose needs" in (huge.error or "")
    assert wide.text is None and "far more than prose needs" in (wide.error or "")
    assert long.text is not None and len(long.text) <= 4000
    assert fine.text == "1.50"


def test_error_text_stays_under_the_output_cap(kernel: Kernel) -> None:
    result = kernel.run("raise ValueError('x' * 100_000)")
    assert result.error is not None and len(result.error) < 2200
    assert "characters of the error were cut" in result.error


def test_a_forked_child_never_answers(kernel: Kernel) -> None:
    first = kernel.run("import os\nkernel_pid = os.getpid()\nif os.fork() == 0:\n"
                       "    where = 'child'\nelse:\n    os.wait()\n    where = 'parent'\nwhere")
    assert first.value == "'parent'"
    for _ in range(3):
        assert kernel.run("os.getpid() == kernel_pid").value == "True"
