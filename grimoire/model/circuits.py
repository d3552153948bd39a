"""What each attention head does on a repeated sequence: its pattern, and three scores.

On a sequence that repeats with period p, a **previous-token** head at position i looks at
i - 1, and an **induction** head looks at i - p + 1: the character that followed the current
character the last time it appeared. The **OV positivity** of a head, Σλ / Σ|λ| over the
eigenvalues of its circuit W_E W_V W_O W_U (lesson 04), says whether attending to a character
raises that same character's logit: whether the head copies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grimoire.model.gpt import GPT

WATCHED_WORD = "spectral"
"""The segment of the fixed sequence watched while the repeat model trains: no letter twice."""


def repeated_text(word: str = WATCHED_WORD, length: int = 32) -> str:
    """`word` repeated to `length` characters, e.g. 'spectralspectral…'."""
    return (word * (length // len(word) + 1))[:length]


def positivity(eigenvalues: np.ndarray) -> float:
    """Σλ / Σ|λ|: +1 when every eigenvalue is positive, -1 when every one is negative."""
    total = float(np.abs(eigenvalues).sum())
    return float(eigenvalues.sum().real) / total if total else 0.0


def ov_positivity(model: GPT, layer: int, head: int) -> float:
    """Positivity of head's OV circuit, from its small d_head × d_head form (B A, not A B)."""
    hd = model.head(layer, head)
    writes = hd["w_o"].astype(np.float64) @ model.params["unembed"]     # (d_head, V)
    reads = model.params["wte"].astype(np.float64) @ hd["w_v"]          # (V, d_head)
    return positivity(np.linalg.eigvals(writes @ reads))


def previous_token_score(pattern: np.ndarray) -> float:
    """Mean attention from each position i ≥ 1 to position i - 1 (one head's (T, T) pattern)."""
    return float(np.diagonal(pattern, offset=-1).mean())


def induction_score(pattern: np.ndarray, period: int) -> float:
    """Mean attention from each position i ≥ period to i - period + 1, where the copy comes from."""
    return float(np.diagonal(pattern, offset=-(period - 1))[1:].mean())


@dataclass
class HeadReading:
    """One head on the watched sequence."""

    name: str
    """`L1H0`: layer 1, head 0."""
    pattern: np.ndarray
    """(T, T) attention pattern: row = the query position, column = the key position."""
    previous_token: float
    induction: float
    ov_positivity: float


def read_heads(model: GPT, text: str, period: int) -> list[HeadReading]:
    """Every head of `model` on `text` (a sequence repeating with `period`), layer by layer."""
    _, trace = model.forward(text, trace=True)
    readings = []
    for layer in range(model.config.n_layer):
        patterns = trace[f"blocks.{layer}.attn.pattern"]
        for head in range(model.config.n_head):
            pattern = patterns[head]
            readings.append(HeadReading(
                name=f"L{layer}H{head}",
                pattern=pattern,
                previous_token=previous_token_score(pattern),
                induction=induction_score(pattern, period),
                ov_positivity=ov_positivity(model, layer, head),
            ))
    return readings
