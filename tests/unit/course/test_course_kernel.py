"""The kernel: cells run in a child that survives loops, interrupts, crashes and memory hogs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from grimoire.course.kernel import CellResult, Kernel


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    """One warm kernel for the tests that leave it healthy."""
    k = Kernel(interrupt_grace=1.0)
    k.start()
    yield k
    k.close()


@pytest.fixture
def fresh() -> Iterator[Kernel]:
    """A kernel of its own, for tests that crash or restart it."""
    k = Kernel(interrupt_grace=0.5)
    k.start()
    yield k
    k.close()


def test_start_returns_at_once_and_run_waits_for_warm_up() -> None:
    k = Kernel()
    try:
        k.start()
        assert not k.ready  # numpy is still loading in the child
        result = k.run("np.arange(3).sum()")
        assert result.ok and result.value == "3"
        assert k.ready
    finally:
        k.close()


def test_preloads_np_la_show_model(kernel: Kernel) -> None:
    kernel.load_setup(None)
    result = kernel.run("(np.__name__, la.__name__, type(show).__name__, callable(load_model))")
    assert result.value == "('numpy', 'scipy.linalg', 'Show', True)"
    model = kernel.run("model")
    assert model.ok  # the model, or a stand-in whose use explains why it is missing


def test_last_expression_is_shown_like_a_notebook(kernel: Kernel) -> None:
    result = kernel.run("x = 2\nprint('hello')\nx * 21")
    assert (result.stdout, result.value) == ("hello\n", "42")
    assert kernel.run("y = 1").value is None
    big = kernel.run("np.arange(10_000.0)")
    assert "..." in (big.value or "") and len(big.value or "") < 300


def test_namespace_persists_between_cells_and_setup_resets_it(kernel: Kernel) -> None:
    kernel.load_setup("base = 10")
    kernel.run("extra = base + 1")
    assert kernel.run("extra").value == "11"
    kernel.load_setup("base = 20")
    result = kernel.run("extra")
    assert result.error_kind == "exception" and result.error_name == "NameError"
    assert kernel.run("base").value == "20"


def test_a_lesson_that_edits_the_model_cannot_change_the_next_lessons_model(
    kernel: Kernel,
) -> None:
    kernel.load_setup("")
    assert kernel.run("model.params['wte'][:] = 0; float(abs(model.params['wte']).sum())").value == "0.0"
    kernel.load_setup("")
    assert kernel.run("bool(abs(model.params['wte']).sum() > 0)").value == "True"


def test_traceback_is_trimmed_to_the_learners_lines(kernel: Kernel) -> None:
    result = kernel.run("def f(v):\n    return np.linalg.inv(v)\n\nf(np.zeros((2, 2)))")
    assert result.error_kind == "exception" and result.error_name == "LinAlgError"
    assert result.error_line == 2
    assert "line 4" in result.error and "return np.linalg.inv(v)" in result.error
    assert "site-packages" not in result.error and "numpy/linalg" not in result.error
    assert result.error.splitlines()[-1].startswith("numpy.linalg.LinAlgError")


def test_syntax_error_names_its_line(kernel: Kernel) -> None:
    result = kernel.run("a = 1\nb = (\n")
    assert result.error_kind == "syntax" and result.error_line is not None
    assert result.error.startswith("SyntaxError")


def test_displays_arrive_as_plain_dicts(kernel: Kernel) -> None:
    result = kernel.run("show.heatmap(np.eye(2), rows=['a', 'b'], title='I')\nshow.bars([1, 2])")
    assert result.value is None  # the display is not echoed a second time as a value
    assert result.displays == [
        {"kind": "heatmap", "values": [[1.0, 0.0], [0.0, 1.0]], "rows": ["a", "b"], "cols": None,
         "title": "I"},
        {"kind": "bars", "values": [1.0, 2.0], "labels": None, "log": False, "title": None},
    ]


def test_huge_output_is_capped_with_a_note(kernel: Kernel) -> None:
    result = kernel.run("for i in range(50_000):\n    print('spell', i)")
    assert result.ok
    assert len(result.stdout) < 25_000
    assert "more characters were cut" in result.stdout
    assert result.stdout.startswith("spell 0\n")


def test_writing_to_file_descriptor_one_cannot_break_the_conversation(kernel: Kernel) -> None:
    kernel.run("import os; os.write(1, b'garbage\\n{not json\\n')")
    assert kernel.run("6 * 7").value == "42"


def test_endless_loop_is_stopped_by_its_timeout_and_the_next_cell_runs(kernel: Kernel) -> None:
    kernel.load_setup("kept = 'yes'")
    result = kernel.run("counter = 0\nwhile True:\n    counter += 1", timeout=0.5)
    assert result.error_kind == "timeout" and not result.restarted
    assert "0.5 s" in result.error and "line" in result.error
    after = kernel.run("kept, counter > 0")
    assert after.value == "('yes', True)"


def test_interrupt_raises_keyboard_interrupt_in_the_cell(kernel: Kernel) -> None:
    box: list[CellResult] = []
    worker = threading.Thread(target=lambda: box.append(kernel.run("while True: pass",
                                                                   timeout=30)))
    worker.start()
    deadline = time.monotonic() + 10
    while not kernel.busy and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    kernel.interrupt()
    worker.join(10)
    assert box and box[0].error_kind == "interrupted" and not box[0].restarted
    assert "KeyboardInterrupt" in (box[0].error or "")
    assert kernel.run("1 + 1").value == "2"


def test_interrupt_when_idle_does_nothing(kernel: Kernel) -> None:
    kernel.interrupt()
    assert kernel.run("'still here'").value == "'still here'"


def test_memory_cap_turns_a_huge_allocation_into_an_error(kernel: Kernel) -> None:
    result = kernel.run("hog = np.ones((1024, 1024, 1024))")
    assert result.error_kind == "memory" and not result.restarted
    assert "capped at 2 GiB" in result.error
    assert kernel.run("'alive'").value == "'alive'"


def test_os_exit_is_detected_and_the_setup_is_run_again(fresh: Kernel) -> None:
    fresh.load_setup("magic = 7")
    fresh.run("temporary = 1")
    result = fresh.run("import os\nos._exit(3)")
    assert result.error_kind == "crash" and result.restarted
    assert "exited with code 3" in result.error and "setup was run again" in result.error
    assert fresh.run("magic").value == "7"
    assert fresh.run("temporary").error_name == "NameError"


def test_segfault_is_detected_and_restarted(fresh: Kernel) -> None:
    result = fresh.run("import ctypes\nctypes.string_at(0)")
    assert result.error_kind == "crash" and "segmentation fault" in result.error
    assert fresh.run("2 ** 5").value == "32"
    # What the system's out-of-memory killer does to a process, it does with SIGKILL.
    killed = fresh.run("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert killed.error_kind == "crash" and "out of memory" in killed.error
    assert fresh.run("2 ** 6").value == "64"


def test_cell_deaf_to_interrupts_is_killed_after_its_timeout(fresh: Kernel) -> None:
    fresh.load_setup("magic = 'back'")
    code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
    result = fresh.run(code, timeout=0.3)
    assert result.error_kind == "timeout" and result.restarted
    assert "did not stop when interrupted" in result.error
    assert fresh.run("magic").value == "'back'"


def test_restart_gives_a_fresh_process_with_the_setup(fresh: Kernel) -> None:
    fresh.load_setup("seed = 5")
    pid = fresh.run("import os; os.getpid()").value
    fresh.run("scratch = 1")
    fresh.restart()
    assert fresh.run("import os; os.getpid()").value != pid
    assert fresh.run("seed").value == "5"
    assert fresh.run("scratch").error_name == "NameError"


def test_exercise_runs_in_a_copy_of_the_namespace(kernel: Kernel) -> None:
    kernel.load_setup(None)
    attempt, check = kernel.run_exercise("def triple(x):\n    return 3 * x",
                                         "assert triple(2) == 6")
    assert attempt.ok and check is not None and check.ok
    assert kernel.run("triple").error_name == "NameError"  # nothing leaked
    attempt, check = kernel.run_exercise("raise ValueError('nope')", "assert True")
    assert attempt.error_name == "ValueError" and check is None


def test_evaluate_formats_values_and_names_unknown_ones(kernel: Kernel) -> None:
    kernel.load_setup("ratio = 2 / 3\nshape = (3, 4)")
    texts = kernel.evaluate([("ratio", ".2f"), ("shape", ""), ("ratio", ""), ("missing", "")])
    assert [t.text for t in texts[:3]] == ["0.67", "(3, 4)", "0.6667"]
    assert texts[3].text is None and texts[3].name == "missing"
