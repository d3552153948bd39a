"""Speed of the model, each figure beside a baseline measured in the same run.

Run by hand: `python benchmarks/model_speed.py [--chars 1000] [--repeats 7]`. BLAS runs on one
thread unless OPENBLAS_NUM_THREADS says otherwise (set before numpy loads); PyTorch, when it is
installed, gets the same number of threads. Generation is timed in interleaved rounds (numpy's
cached step, then PyTorch's, then again), so both see the same machine; the medians and the
best round are printed, and the ratio of the medians. The threads comparison of small products
runs child processes with 1 and 2 threads.
"""

from __future__ import annotations

import argparse
import os
import statistics
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

    cache = KVCache(model.params, model.config)
    cache.read(list(range(1, model.config.n_ctx // 2 + 1)))
    cache.wte, cache.wpe = cache.wte.view(_Counting), cache.wpe.view(_Counting)
    cache.layers = [tuple(a.view(_Counting) for a in layer) for layer in cache.layers]
    cache.readout = tuple(a.view(_Counting) for a in cache.readout)
    _Counting.calls = 0
    cache.step(5)
    return _Counting.calls


def torch_generate(model, prompt: str, n: int) -> str:
    """Greedy generation with a KV cache in PyTorch eager mode, on the same weights.

    The reference a PyTorch user would write (nanoGPT's shape): `F.layer_norm`, one fused q/k/v
    product, `F.scaled_dot_product_attention`, `F.gelu(approximate="tanh")`; when the context
    is full it keeps the last n_ctx // 2 characters and reads them afresh, as `model.generate`
    does, so the two write the same text.
    """
    import torch
    import torch.nn.functional as F

    c = model.config
    p = {name: torch.from_numpy(value) for name, value in model.params.items()}
    d, heads, d_head = c.d_model, c.n_head, c.d_head
    layers = []
    for i in range(c.n_layer):
        b = f"blocks.{i}"
        layers.append((
            p[f"{b}.ln1.gain"], p[f"{b}.ln1.bias"],
            torch.cat([p[f"{b}.attn.w_{n}"] for n in "qkv"], dim=1),
            torch.cat([p[f"{b}.attn.b_{n}"] for n in "qkv"]),
            p[f"{b}.attn.w_o"], p[f"{b}.attn.b_o"], p[f"{b}.ln2.gain"], p[f"{b}.ln2.bias"],
            p[f"{b}.mlp.w_in"], p[f"{b}.mlp.b_in"], p[f"{b}.mlp.w_out"], p[f"{b}.mlp.b_out"],
        ))
    keys = [torch.zeros(heads, c.n_ctx, d_head) for _ in layers]
    values = [torch.zeros(heads, c.n_ctx, d_head) for _ in layers]

    def extend(ids: list[int], start: int) -> torch.Tensor:
        end = start + len(ids)
        x = p["wte"][torch.tensor(ids)] + p["wpe"][start:end]
        for (g1, c1, w_qkv, b_qkv, w_o, b_o, g2, c2, w_in, b_in, w_out, b_out), k_cache, v_cache \
                in zip(layers, keys, values):
            h = F.layer_norm(x, (d,), g1, c1, 1e-5)
            q, k, v = torch.addmm(b_qkv, h, w_qkv).split(d, dim=1)
            q = q.view(-1, heads, d_head).transpose(0, 1)
            k_cache[:, start:end] = k.view(-1, heads, d_head).transpose(0, 1)
            v_cache[:, start:end] = v.view(-1, heads, d_head).transpose(0, 1)
            z = F.scaled_dot_product_attention(q, k_cache[:, :end], v_cache[:, :end],
                                               is_causal=len(ids) > 1)
            x = x + torch.addmm(b_o, z.transpose(0, 1).reshape(-1, d), w_o)
            h = F.layer_norm(x, (d,), g2, c2, 1e-5)
            x = x + torch.addmm(b_out, F.gelu(torch.addmm(b_in, h, w_in), approximate="tanh"),
                                w_out)
        return F.layer_norm(x[-1], (d,), p["ln_f.gain"], p["ln_f.bias"], 1e-5) @ p["unembed"]

    window = [int(i) for i in model.encode(prompt)[-c.n_ctx:]]
    out = []
    with torch.inference_mode():
        logits = extend(window, 0)
        for _ in range(n):
            token = int(logits.argmax())
            out.append(model.tokenizer.vocab[token])
            window.append(token)
            if len(window) > c.n_ctx:
                window = window[-(c.n_ctx // 2):]
                logits = extend(window, 0)
            else:
                logits = extend([token], len(window) - 1)
    return "".join(out)


def interleaved(functions: dict, repeats: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each function, in rounds that run each once in turn (after a warm-up).

    CPU time leaves out the waits for a core on a busy machine: on a machine with more runnable
    work than cores, it is the figure that says what one core does.
    """
    for function in functions.values():
        function()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return times


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
    from grimoire.model.memory import keep_freed_memory
    from grimoire.model.train import GRIMOIRE_RECIPE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=1000, help="characters a generation run writes")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved generation rounds")
    options = parser.parse_args()
    model = load_model()
    c = model.config
    load = os.getloadavg()[0]
    print(f"model: {c}, {model.n_params:,} parameters; numpy {np.__version__}; BLAS threads "
          f"{os.environ['OPENBLAS_NUM_THREADS']}; load average {load:.2f} on {os.cpu_count()} cores")
    rng = np.random.default_rng(0)
    ids = rng.integers(0, c.vocab_size, c.n_ctx)

    forward = best_of(lambda: model.forward(ids), number=20)
    traced = best_of(lambda: model.forward(ids, trace=True), number=20)
    from grimoire.model.generate import KVCache

    cache = KVCache(model.params, model.config)
    read = best_of(lambda: cache.read(list(ids)), number=20)
    print(f"\nfull-context forward ({c.n_ctx} chars): {forward * 1e3:.2f} ms; "
          f"with the trace {traced * 1e3:.2f} ms (x{traced / forward:.2f}); the KV cache "
          f"reading the same window, last logits only: {read * 1e3:.2f} ms (x{read / forward:.2f})")

    chars, threads = options.chars, os.environ["OPENBLAS_NUM_THREADS"]
    runs = {"numpy, KV cache": lambda: model.generate("def ", chars, temperature=0)}
    try:
        import torch
    except ImportError:
        torch = None
        print("\nPyTorch is not installed here, so there is no PyTorch comparison "
              "(pip install torch to measure it; the project does not depend on it).")
    if torch is not None:
        torch.set_num_threads(int(threads))
        runs["PyTorch eager, KV cache"] = lambda: torch_generate(model, "def ", chars)
        same = torch_generate(model, "def ", chars) == model.generate("def ", chars, temperature=0)
        print(f"\nPyTorch {torch.__version__}, {torch.get_num_threads()} thread(s); "
              f"the two write the same {chars} characters: {same}")
    times = interleaved(runs, options.repeats)
    print(f"\ngreedy generation of {chars} chars after 'def ' ({options.repeats} interleaved "
          f"rounds; load average before {load:.2f}, after {os.getloadavg()[0]:.2f}):")
    rates, cpu_rates = {}, {}
    for name, seconds in times.items():
        rates[name] = chars / statistics.median(wall for wall, _ in seconds)
        cpu_rates[name] = chars / statistics.median(cpu for _, cpu in seconds)
        print(f"  {name:<24} median {rates[name]:>7,.0f} chars/s wall "
              f"(best {chars / min(wall for wall, _ in seconds):,.0f}), "
              f"{cpu_rates[name]:>7,.0f} chars/s by CPU time")
    numpy_rate, numpy_cpu = rates["numpy, KV cache"], cpu_rates["numpy, KV cache"]
    print(f"  goal 6,000 chars/s on one core: {'met' if numpy_rate >= 6000 else 'missed'} by wall "
          f"time, {'met' if numpy_cpu >= 6000 else 'missed'} by CPU time")
    if torch is not None:
        ratio = numpy_rate / rates["PyTorch eager, KV cache"]
        cpu_ratio = numpy_cpu / cpu_rates["PyTorch eager, KV cache"]
        print(f"  numpy / PyTorch eager = x{ratio:.2f} by wall time, x{cpu_ratio:.2f} by CPU time "
              f"(goal x2: {'met' if min(ratio, cpu_ratio) >= 2 else 'missed'})")
    fresh_chars = 200
    fresh = best_of(lambda: model.reference_generate("def ", fresh_chars, temperature=0),
                    repeats=3)
    print(f"  the readable forward reading the whole window every char: "
          f"{fresh_chars / fresh:,.0f} chars/s (the cache: x{numpy_rate * fresh / fresh_chars:.1f})")

    per_step = numpy_calls_per_step(model)
    print(f"numpy ufunc calls per generated char (one cached step, sampling excluded): "
          f"{per_step}, {per_step / c.n_layer:.0f} a layer; "
          f"{1e6 / numpy_rate:.0f} us a char = {1e6 / numpy_rate / per_step:.2f} us a call")

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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
