"""The lesson kernel's warm-up, cell round trip and forward pass, beside bare baselines.

Run: `OPENBLAS_NUM_THREADS=1 python benchmarks/kernel.py [--runs 5]`. Warm-up is from
`Kernel.start()` until the child has numpy, scipy.linalg and the model loaded, against a bare
`python -c "import numpy, scipy.linalg"`; the round trip is `Kernel.run("x = 1")` as the app
sees it, against a JSON line echoed by a bare child over a pipe; the forward pass is
`model.forward` of 128 characters inside a cell (after warm-up), with its page faults, against
the same code in a bare `python -c` child that keeps glibc's default of returning freed memory
(both on one BLAS thread, which the kernel pins for its child whatever the environment says).
All measured in the same run, interleaved; prints medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ECHO = "import sys\nfor line in sys.stdin:\n    sys.stdout.write(line); sys.stdout.flush()\n"


def bare_import() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy, scipy.linalg"], check=True)
    return time.perf_counter() - start


def bare_echo(rounds: int) -> float:
    child = subprocess.Popen([sys.executable, "-c", ECHO], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    times = []
    for index in range(rounds):
        start = time.perf_counter()
        child.stdin.write(json.dumps({"op": "run", "code": "x = 1", "id": index}).encode() + b"\n")
        child.stdin.flush()
        json.loads(child.stdout.readline())
        times.append(time.perf_counter() - start)
    child.kill()
    child.wait()
    return statistics.median(times)


FORWARDS = """
import resource, time
from grimoire.model import load_model
model = load_model()
ids = model.encode(("def forward(self, ids):\\n    return x\\n" * 5)[:128])
for _ in range(5):
    model.forward(ids)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
started = time.perf_counter()
for _ in range(50):
    model.forward(ids)
seconds = (time.perf_counter() - started) / 50
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / 50
"""
"""50 forward passes after 5 of warm-up: `seconds` and page `faults`, each per forward."""


def bare_forwards() -> tuple[float, float]:
    """(seconds, page faults) per forward in a bare child with glibc's default malloc."""
    # One BLAS thread, as the kernel pins for its child: only the memory differs.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", FORWARDS + "print(seconds, faults)"],
                          check=True, capture_output=True, text=True, env=env)
    seconds, faults = done.stdout.split()
    return float(seconds), float(faults)


def kernel_forwards(kernel) -> tuple[float, float]:
    """(seconds, page faults) per forward inside a cell of the lesson kernel."""
    result = kernel.run(FORWARDS + "(seconds, faults)", timeout=60)
    seconds, faults = result.value.strip("()").split(",")
    return float(seconds), float(faults)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    from grimoire.course.kernel import Kernel

    warm, baseline = [], []
    for _ in range(options.runs):
        baseline.append(bare_import())
        kernel = Kernel()
        start = time.perf_counter()
        kernel.start()
        kernel.wait_ready()
        warm.append(time.perf_counter() - start)
        kernel.close()
    kernel = Kernel()
    kernel.start()
    kernel.wait_ready()
    trips = []
    for _ in range(200):
        start = time.perf_counter()
        kernel.run("x = 1")
        trips.append(time.perf_counter() - start)
    in_kernel, bare = [], []
    for _ in range(options.runs):
        in_kernel.append(kernel_forwards(kernel))
        bare.append(bare_forwards())
    kernel.close()
    echo = bare_echo(200)
    trip = statistics.median(trips)
    print(f"warm-up: kernel {statistics.median(warm):.3f} s, bare numpy+scipy import "
          f"{statistics.median(baseline):.3f} s, ratio {statistics.median(warm) / statistics.median(baseline):.2f}")
    print(f"round trip: kernel {trip * 1000:.2f} ms, bare JSON echo {echo * 1000:.2f} ms, "
          f"ratio {trip / echo:.2f}")
    forward = statistics.median(t for t, _ in in_kernel)
    alone = statistics.median(t for t, _ in bare)
    print(f"forward of 128 chars: kernel {forward * 1000:.2f} ms with "
          f"{max(f for _, f in in_kernel):.1f} page faults a forward (the most in {options.runs} "
          f"runs; goal 0), bare child with glibc's defaults {alone * 1000:.2f} ms with "
          f"{statistics.median(f for _, f in bare):.0f}; ratio {forward / alone:.2f}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
