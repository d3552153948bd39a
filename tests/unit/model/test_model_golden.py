"""A pinned greedy sample of the shipped weights, and the repeat model's copying heads.

After retraining, rewrite the pinned sample with:

    python tests/unit/model/test_model_golden.py --refresh
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).with_name("golden_greedy.txt")
PROMPT = "def "
LENGTH = 240
REFRESH = "python tests/unit/model/test_model_golden.py --refresh"


def _weights_sha256() -> str:
    from grimoire.model.gpt import WEIGHTS_PATH

    return hashlib.sha256(WEIGHTS_PATH.read_bytes()).hexdigest()


def _greedy_sample() -> str:
    from grimoire.model import load_model

    return load_model().generate(PROMPT, LENGTH, temperature=0)


def _read_golden() -> tuple[str, str]:
    """(weights sha256, sample) from the golden file: three header lines, then the sample.

    The sample is stored as a JSON string, so editors that trim trailing spaces cannot change it.
    """
    _, header, _, sample = GOLDEN.read_text(encoding="utf-8").split("\n", 3)
    return header.removeprefix("# weights-sha256: "), json.loads(sample)


def refresh() -> None:
    """Rewrite the golden file from the shipped weights."""
    GOLDEN.write_text(
        f"# Greedy sample of grimoire/model/weights.npz; rewrite with: {REFRESH}\n"
        f"# weights-sha256: {_weights_sha256()}\n"
        f"# prompt: {PROMPT!r}, {LENGTH} characters, temperature 0, as a JSON string\n"
        f"{json.dumps(_greedy_sample())}\n",
        encoding="utf-8",
    )


def test_greedy_sample_of_the_shipped_weights_is_the_pinned_one():
    pinned_sha, pinned = _read_golden()
    assert pinned_sha == _weights_sha256(), (
        f"The shipped weights changed since the golden sample was pinned; run: {REFRESH}"
    )
    assert _greedy_sample() == pinned


def _ov_positivity(model, layer: int, head: int) -> float:
    """sum(eigenvalues) / sum(|eigenvalues|) of W_E W_V W_O W_U (Elhage et al. 2021)."""
    import numpy as np

    slices = model.head(layer, head)
    circuit = model.params["wte"] @ slices["w_v"] @ slices["w_o"] @ model.params["unembed"]
    eigenvalues = np.linalg.eigvals(circuit.astype(np.float64))
    return float(eigenvalues.real.sum() / np.abs(eigenvalues).sum())


def test_the_repeat_model_copies_with_induction_heads():
    from grimoire.model import load_model

    model = load_model("repeat")
    segment = "qwertyuiopzx"
    # After one and a half passes the rest of the segment is determined: it is copied.
    assert model.generate(segment + segment[:5], 7, temperature=0) == segment[5:]
    assert model.generate(segment * 2, len(segment), temperature=0) == segment
    # The second layer's heads attend to the character after the last occurrence of the
    # current one (induction) and copy it: their OV circuits have mostly positive eigenvalues.
    ids = model.encode(segment * 2)
    _, trace = model.forward(ids, trace=True)
    last = model.config.n_layer - 1
    for head in range(model.config.n_head):
        pattern = trace[f"blocks.{last}.attn.pattern"][head]
        induction = [pattern[t, t - len(segment) + 1] for t in range(len(segment), ids.size)]
        assert min(induction) > 0.3
        assert _ov_positivity(model, last, head) > 0.9


if __name__ == "__main__":
    if sys.argv[1:] != ["--refresh"]:
        sys.exit(f"usage: {REFRESH}")
    refresh()
    print(f"Rewrote {GOLDEN}.")
