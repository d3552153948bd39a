"""Speed of the model on one core, each figure beside a baseline measured in the same run.

Run by hand: `python benchmarks/model_speed.py`. BLAS is pinned to one thread (set before numpy
loads); the threads comparison runs child processes with 1 and 2 threads. Times are the best of
several repeats, which is the least disturbed by other work on a shared machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # after the thread settings, which numpy reads when it loads


def best_of(function, repeats: int = 5, number: int = 1, clock=time.perf_counter) -> float:
    """Best mean seconds per call over `repeats` rounds of `number` calls."""
    function()
    best = float("inf")
    for _ in range(repeats):
        started = clock()
        for _ in range(number):
            function()
        best = min(best, (clock() - started) / number)
    return best


class _Counting(np.ndarray):
    """An array that counts the ufunc calls (arithmetic, matmul, exp, reductions) it is part of."""

    calls = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _Counting.calls += 1
        plain = [x.view(np.ndarray) if isinstance(x, _Counting) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(
                x.view(np.ndarray) if isinstance(x, _Counting) else x for x in kwargs["out"]
            )
        result = getattr(ufunc, method)(*plain, **kwargs)
        return result.view(_Counting) if isinstance(result, np.ndarray) else result


def numpy_calls_per_step(model) -> int:
    """ufunc calls one cached generation step makes (indexing and slicing not counted)."""
    from grimoire.model.generate import KVCache

    params = {k: v.view(_Counting) for k, v in model.params.items()}
    cache = KVCache(params, model.config)
    cache.read(list(range(1, model.config.n_ctx // 2 + 1)))
    _Counting.calls = 0
    cache.step(5)
    return _Counting.calls


SMALL_PRODUCTS = """
import time, numpy as np
rng = np.random.default_rng(0)
x = rng.normal(size=(128, 64)).astype(np.float32)
w = rng.normal(size=(64, 256)).astype(np.float32)
big = rng.normal(size=(4096, 64)).astype(np.float32)
def best(f, n):
    f(); b = 1e9
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n): f()
        b = min(b, (time.perf_counter() - t) / n)
    return b
print(best(lambda: x @ w, 2000), best(lambda: big @ w, 50))
"""


def blas_threads() -> dict[int, tuple[float, float]]:
    """(128x64 @ 64x256, 4096x64 @ 64x256) seconds with 1 and 2 BLAS threads, in child processes."""
    out = {}
    for threads in (1, 2):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        text = subprocess.run(
            [sys.executable, "-c", SMALL_PRODUCTS], env=env, capture_output=True, text=True,
            check=True,
        ).stdout.split()
        out[threads] = (float(text[0]), float(text[1]))
    return out


def main() -> int:
    from grimoire.model import load_model
    from grimoire.model.grad import loss_and_grads
    from grimoire.model.train import GRIMOIRE_RECIPE, keep_freed_memory

    model = load_model()
    c = model.config
    print(f"model: {c}, {model.n_params:,} parameters; numpy {np.__version__}; BLAS threads 1; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rng = np.random.default_rng(0)
    ids = rng.integers(0, c.vocab_size, c.n_ctx)

    forward = best_of(lambda: model.forward(ids), number=20)
    traced = best_of(lambda: model.forward(ids, trace=True), number=20)
    print(f"\nfull-context forward ({c.n_ctx} chars): {forward * 1e3:.2f} ms; "
          f"with the trace {traced * 1e3:.2f} ms (x{traced / forward:.2f})")

    chars = 1000
    cached = best_of(lambda: model.generate("def ", chars, seed=0), repeats=3)
    fresh_chars = 200
    fresh = best_of(lambda: model.reference_generate("def ", fresh_chars, seed=0), repeats=3)
    cached_rate, fresh_rate = chars / cached, fresh_chars / fresh
    cpu = best_of(lambda: model.generate("def ", chars, seed=0), repeats=3, clock=time.process_time)
    print(f"generation with the KV cache: {cached_rate:,.0f} chars/s (goal 5,000); by CPU time, "
          f"which leaves out waiting for a core on a busy machine: {chars / cpu:,.0f} chars/s")
    print(f"recomputing the window every char: {fresh_rate:,.0f} chars/s; "
          f"cache speed-up x{cached_rate / fresh_rate:.1f}")

    per_step = numpy_calls_per_step(model)
    print(f"numpy ufunc calls per generated char (one cached step, sampling excluded): "
          f"{per_step}, {per_step / c.n_layer:.0f} a layer; "
          f"{cached_rate and 1e6 / cached_rate:.0f} us a char = "
          f"{1e6 / cached_rate / per_step:.2f} us a call")

    recipe = GRIMOIRE_RECIPE
    keep_freed_memory()
    batch = rng.integers(0, c.vocab_size, (recipe.batch_size, recipe.n_ctx))
    step = best_of(lambda: loss_and_grads(model.params, c, batch, batch), repeats=3)
    tokens = recipe.batch_size * recipe.n_ctx
    print(f"\none training step (forward + backward, batch {recipe.batch_size} x {recipe.n_ctx}): "
          f"{step * 1e3:.0f} ms = {tokens / step:,.0f} tokens/s; one forward of that batch "
          f"{best_of(lambda: model.forward(batch), repeats=3) * 1e3:.0f} ms")
    print(f"recipe: {recipe.steps} steps x {step:.3f} s = {recipe.steps * step / 60:.1f} min "
          "of forward+backward (plus AdamW and evaluation)")

    print("\nBLAS threads (child processes):")
    timings = blas_threads()
    (small_1, big_1), (small_2, big_2) = timings[1], timings[2]
    print(f"  128x64 @ 64x256:  1 thread {small_1 * 1e6:.1f} us, 2 threads {small_2 * 1e6:.1f} us "
          f"(2/1 = {small_2 / small_1:.2f})")
    print(f"  4096x64 @ 64x256: 1 thread {big_1 * 1e3:.2f} ms, 2 threads {big_2 * 1e3:.2f} ms "
          f"(2/1 = {big_2 / big_1:.2f})")

    print("\ntraps:")
    x = rng.normal(size=(32 * 128, 256)).astype(np.float32)
    power, product = best_of(lambda: x**3), best_of(lambda: x * x * x)
    print(f"  x**3 vs x*x*x on float32 {x.shape}: {power * 1e3:.2f} ms vs {product * 1e3:.2f} ms "
          f"(x{power / product:.0f})")
    print(f"  NEP 50: float32 * np.float64(2) -> {(x[:2] * np.float64(2.0)).dtype}; "
          f"float32 * 2.0 -> {(x[:2] * 2.0).dtype}")
    q = rng.normal(size=(4, 128, 16)).astype(np.float32)
    slow = best_of(lambda: np.einsum("htd,hsd->hts", q, q), number=20)
    fast = best_of(lambda: q @ q.transpose(0, 2, 1), number=20)
    print(f"  attention scores (4,128,16): einsum {slow * 1e6:.0f} us vs @ {fast * 1e6:.0f} us "
          f"(x{slow / fast:.1f})")
    try:
        import torch  # noqa: F401
    except ImportError:
        print("\nPyTorch is not installed, so there is no PyTorch comparison.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
