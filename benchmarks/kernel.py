"""The lesson kernel's warm-up and cell round trip, beside bare baselines measured in the same run.

Run: `OPENBLAS_NUM_THREADS=1 python benchmarks/kernel.py [--runs 5]`. Warm-up is from
`Kernel.start()` until the child has numpy, scipy.linalg and the model loaded, against a bare
`python -c "import numpy, scipy.linalg"`; the round trip is `Kernel.run("x = 1")` as the app
sees it, against a JSON line echoed by a bare child over a pipe. Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import json
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
    kernel.close()
    echo = bare_echo(200)
    trip = statistics.median(trips)
    print(f"warm-up: kernel {statistics.median(warm):.3f} s, bare numpy+scipy import "
          f"{statistics.median(baseline):.3f} s, ratio {statistics.median(warm) / statistics.median(baseline):.2f}")
    print(f"round trip: kernel {trip * 1000:.2f} ms, bare JSON echo {echo * 1000:.2f} ms, "
          f"ratio {trip / echo:.2f}")


if __name__ == "__main__":
    main()
