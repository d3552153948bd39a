"""The backward pass, written by hand, and a finite-difference check that it is right.

`loss_and_grads` runs the same forward as `gpt.run` and walks it back, layer by layer, with the
chain rule; it works in whatever float type the parameters have (float32 for training, float64
for the gradient check).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from grimoire.model.gpt import GELU_A, GELU_C, Config, run


def _layer_norm_back(
    d_out: np.ndarray, normed: np.ndarray, rstd: np.ndarray, gain: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(d input, d gain, d bias) of LayerNorm, given d output and the forward's normed and 1/std."""
    axes = tuple(range(d_out.ndim - 1))
    d_gain = (d_out * normed).sum(axis=axes)
    d_bias = d_out.sum(axis=axes)
    d_normed = d_out * gain
    d_in = rstd * (
        d_normed
        - d_normed.mean(axis=-1, keepdims=True)
        - normed * (d_normed * normed).mean(axis=-1, keepdims=True)
    )
    return d_in, d_gain, d_bias


def _gelu_back(d_out: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """d input of the tanh GELU: 0.5(1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2), t = tanh(u)."""
    x2 = x * x
    slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_A * x2)
    return d_out * slope


def _flat(x: np.ndarray) -> np.ndarray:
    return x.reshape(-1, x.shape[-1])


def loss_and_grads(
    params: dict[str, np.ndarray], config: Config, ids: np.ndarray, targets: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """Mean cross-entropy (nats) of targets (B, T) given ids (B, T), and each gradient."""
    batch, length = ids.shape
    heads, d_head = config.n_head, config.d_head
    logits, acts = run(params, config, ids, keep=True)
    n = batch * length

    # Cross-entropy and its gradient: softmax minus one-hot, averaged over positions. In the
    # parameters' own precision (shifted by the row max, so exp cannot overflow); the mean of
    # the per-position losses is taken in float64.
    shifted = _flat(logits) - _flat(logits).max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    totals = probs.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    picked = targets.reshape(-1)
    loss = float((np.log(totals[:, 0]) - shifted[rows, picked]).mean(dtype=np.float64))
    probs /= totals
    probs[rows, picked] -= 1.0
    d_logits = probs
    d_logits *= 1.0 / n

    grads: dict[str, np.ndarray] = {}
    hf = _flat(acts["ln_f"])
    grads["unembed"] = hf.T @ d_logits
    d_hf = (d_logits @ params["unembed"].T).reshape(batch, length, -1)
    d_x, grads["ln_f.gain"], grads["ln_f.bias"] = _layer_norm_back(
        d_hf, acts["ln_f.normed"], acts["ln_f.rstd"], params["ln_f.gain"]
    )
    scale = 1.0 / math.sqrt(d_head)
    for i in reversed(range(config.n_layer)):
        b = f"blocks.{i}"
        # MLP: resid_post = resid_mid + gelu(ln2 @ w_in + b_in) @ w_out + b_out
        grads[f"{b}.mlp.w_out"] = _flat(acts[f"{b}.mlp.post"]).T @ _flat(d_x)
        grads[f"{b}.mlp.b_out"] = _flat(d_x).sum(axis=0)
        d_post = d_x @ params[f"{b}.mlp.w_out"].T
        d_pre = _gelu_back(d_post, acts[f"{b}.mlp.pre"], acts[f"{b}.mlp.tanh"])
        grads[f"{b}.mlp.w_in"] = _flat(acts[f"{b}.ln2"]).T @ _flat(d_pre)
        grads[f"{b}.mlp.b_in"] = _flat(d_pre).sum(axis=0)
        d_h2 = d_pre @ params[f"{b}.mlp.w_in"].T
        d_mid, grads[f"{b}.ln2.gain"], grads[f"{b}.ln2.bias"] = _layer_norm_back(
            d_h2, acts[f"{b}.ln2.normed"], acts[f"{b}.ln2.rstd"], params[f"{b}.ln2.gain"]
        )
        d_x = d_x + d_mid
        # Attention: resid_mid = resid_pre + z_cat @ w_o + b_o
        grads[f"{b}.attn.w_o"] = _flat(acts[f"{b}.attn.z_cat"]).T @ _flat(d_x)
        grads[f"{b}.attn.b_o"] = _flat(d_x).sum(axis=0)
        d_z = (d_x @ params[f"{b}.attn.w_o"].T).reshape(batch, length, heads, d_head)
        d_z = d_z.transpose(0, 2, 1, 3)  # (B, H, T, d_head)
        pattern, q, k, v = (acts[f"{b}.attn.{key}"] for key in ("pattern", "q", "k", "v"))
        d_pattern = d_z @ v.transpose(0, 1, 3, 2)
        d_v = pattern.transpose(0, 1, 3, 2) @ d_z
        # Softmax backward, in place; masked entries have pattern 0, so their gradient is 0 too.
        d_pattern -= (d_pattern * pattern).sum(axis=-1, keepdims=True)
        d_pattern *= pattern
        d_scores = d_pattern  # of scores = (q * scale) @ k^T
        d_q = (d_scores @ k) * scale
        d_k = (d_scores.transpose(0, 1, 3, 2) @ q) * scale
        h = _flat(acts[f"{b}.ln1"])
        d_h = np.zeros_like(acts[f"{b}.ln1"])
        for name, d_proj in (("q", d_q), ("k", d_k), ("v", d_v)):
            d_proj = d_proj.transpose(0, 2, 1, 3).reshape(batch, length, heads * d_head)
            grads[f"{b}.attn.w_{name}"] = h.T @ _flat(d_proj)
            grads[f"{b}.attn.b_{name}"] = _flat(d_proj).sum(axis=0)
            d_h += d_proj @ params[f"{b}.attn.w_{name}"].T
        d_pre_block, grads[f"{b}.ln1.gain"], grads[f"{b}.ln1.bias"] = _layer_norm_back(
            d_h, acts[f"{b}.ln1.normed"], acts[f"{b}.ln1.rstd"], params[f"{b}.ln1.gain"]
        )
        d_x = d_x + d_pre_block
    # Embeddings: each position's gradient is added to its token's row.
    d_wte = np.zeros_like(params["wte"])
    np.add.at(d_wte, ids.reshape(-1), _flat(d_x))
    grads["wte"] = d_wte
    d_wpe = np.zeros_like(params["wpe"])
    d_wpe[:length] = d_x.sum(axis=0)
    grads["wpe"] = d_wpe
    return loss, {name: grads[name] for name in params}


@dataclass(frozen=True)
class GradCheck:
    """Worst error of one parameter tensor, relative to its gradient's size (see gradient_check)."""

    name: str
    relative_error: float
    checked: int


def gradient_check(
    params: dict[str, np.ndarray],
    config: Config,
    ids: np.ndarray,
    targets: np.ndarray,
    per_tensor: int | None = None,
    step: float = 1e-6,
    seed: int = 0,
) -> list[GradCheck]:
    """Compare loss_and_grads with central differences, in float64, for every parameter tensor.

    Checks every entry (per_tensor None) or that many entries drawn at random from each tensor.
    The error of a tensor is its largest |analytic - numeric| divided by its largest gradient
    entry, or by a thousandth of the largest gradient of the whole model if that is bigger: the
    key bias b_k, for one, has a true gradient of exactly zero (adding the same number to every
    score of a row leaves the softmax unchanged), and dividing rounding noise by zero says nothing.
    """
    p64 = {k: v.astype(np.float64) for k, v in params.items()}
    _, analytic = loss_and_grads(p64, config, ids, targets)
    rng = np.random.default_rng(seed)

    def loss_of(values: dict[str, np.ndarray]) -> float:
        _, acts = run(values, config, ids, keep=True)
        flat = _flat(acts["logits"])
        flat = flat - flat.max(axis=1, keepdims=True)
        log_probs = flat - np.log(np.exp(flat).sum(axis=1, keepdims=True))
        return float(-log_probs[np.arange(flat.shape[0]), targets.reshape(-1)].mean())

    floor = 1e-3 * max(float(np.abs(g).max()) for g in analytic.values())
    report = []
    for name, value in p64.items():
        flat = value.reshape(-1)
        count = flat.size if per_tensor is None else min(per_tensor, flat.size)
        if count == flat.size:
            indices = np.arange(flat.size)
        else:
            indices = rng.choice(flat.size, count, replace=False)
        numeric = np.empty(count)
        for j, index in enumerate(indices):
            original = flat[index]
            flat[index] = original + step
            plus = loss_of(p64)
            flat[index] = original - step
            minus = loss_of(p64)
            flat[index] = original
            numeric[j] = (plus - minus) / (2 * step)
        exact = analytic[name].reshape(-1)[indices]
        scale = max(np.abs(numeric).max(), np.abs(exact).max(), floor)
        report.append(GradCheck(name, float(np.abs(exact - numeric).max() / scale), count))
    return report
