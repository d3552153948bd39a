"""The backward pass, by hand: one function per layer, in the reverse order of the forward pass.

Each function takes the gradient of the loss with respect to its layer's output (`d_out`, shaped
like the output) and returns the gradient with respect to its input, and those of its
parameters. What a layer's backward needs from the forward pass it reads from `forward`'s trace,
or recomputes when that is cheap (LayerNorm's normalised x, GELU's tanh). `loss_and_grads`, at
the end, chains them. The functions work in whatever float type the parameters have (float32 for
training, float64 for `gradient_check`, which compares them with finite differences).

Shapes are written for a batch: B sequences of T tokens; d = d_model, H = n_head, V = vocab_size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from grimoire.model.gpt import GELU_A, GELU_C, Config, forward, layer_norm, layer_params, prefixed


def _rows(x: np.ndarray) -> np.ndarray:
    """(..., n) -> (rows, n): every position of every sequence, one under another."""
    return x.reshape(-1, x.shape[-1])


def cross_entropy_backward(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean cross-entropy of targets (B, T) under logits (B, T, V), and d logits (B, T, V).

    loss = mean over positions of log(sum_j exp(l_j)) - l_target; its gradient at one position
    is softmax(l) - onehot(target), over the number of positions.
    """
    flat = _rows(logits)
    shifted = flat - flat.max(axis=1, keepdims=True)        # exp cannot overflow
    probs = np.exp(shifted)
    totals = probs.sum(axis=1, keepdims=True)
    rows, picked = np.arange(flat.shape[0]), targets.reshape(-1)
    loss = float((np.log(totals[:, 0]) - shifted[rows, picked]).mean(dtype=np.float64))
    probs /= totals                                         # softmax(l)
    probs[rows, picked] -= 1.0                              # minus the one-hot target
    probs *= 1.0 / flat.shape[0]
    return loss, probs.reshape(logits.shape)


def unembed_backward(d_logits: np.ndarray, ln_f: np.ndarray, unembed: np.ndarray) -> tuple:
    """logits = ln_f @ unembed:  d ln_f = d logits @ unembedᵀ,  d unembed = ln_fᵀ @ d logits."""
    return d_logits @ unembed.T, {"unembed": _rows(ln_f).T @ _rows(d_logits)}


def layer_norm_backward(d_out: np.ndarray, x: np.ndarray, gain: np.ndarray,
                        bias: np.ndarray) -> tuple:
    """y = n * gain + bias with n = (x - mean) r, r = 1/sqrt(var + eps), over the last axis.

    d gain = sum over rows of d y * n;  d bias = sum over rows of d y;  with d n = d y * gain,
    d x = r (d n - mean(d n) - n mean(d n * n)): the Jacobian r (I - 11ᵀ/d - nᵀn/d) applied to
    each row (so d x has no component along 1, and none along n but for eps).
    """
    _, normed, rstd = layer_norm(x, gain, bias)             # recomputed: cheaper than stored
    d_normed = d_out * gain
    d_x = rstd * (
        d_normed
        - d_normed.mean(axis=-1, keepdims=True)
        - normed * (d_normed * normed).mean(axis=-1, keepdims=True)
    )
    rows = tuple(range(d_out.ndim - 1))                     # every axis but the last
    return d_x, {"gain": (d_out * normed).sum(axis=rows), "bias": d_out.sum(axis=rows)}


def block_backward(d_out: np.ndarray, parts: dict[str, np.ndarray],
                   p: dict[str, np.ndarray], n_head: int) -> tuple:
    """d resid_pre of one block, given d resid_post; `parts` is the block's trace.

    resid_mid = resid_pre + attention(ln1(resid_pre)) and resid_post = resid_mid +
    mlp(ln2(resid_mid)): the residual stream passes its gradient straight through each sum, and
    each branch adds its own.
    """
    grads = {}
    d_ln2, mlp_grads = mlp_backward(d_out, layer_params(parts, "mlp"), parts["ln2"],
                                    layer_params(p, "mlp"))
    d_branch, ln2_grads = layer_norm_backward(d_ln2, parts["resid_mid"], p["ln2.gain"],
                                              p["ln2.bias"])
    d_mid = d_out + d_branch
    d_ln1, attn_grads = attention_backward(d_mid, layer_params(parts, "attn"), parts["ln1"],
                                           layer_params(p, "attn"), n_head)
    d_branch, ln1_grads = layer_norm_backward(d_ln1, parts["resid_pre"], p["ln1.gain"],
                                              p["ln1.bias"])
    grads.update(prefixed("mlp", mlp_grads) | prefixed("ln2", ln2_grads))
    grads.update(prefixed("attn", attn_grads) | prefixed("ln1", ln1_grads))
    return d_mid + d_branch, grads


def mlp_backward(d_out: np.ndarray, parts: dict[str, np.ndarray], x: np.ndarray,
                 p: dict[str, np.ndarray]) -> tuple:
    """out = gelu(x @ w_in + b_in) @ w_out + b_out, read backwards; x is what the MLP read.

    d w_out = postᵀ @ d out,  d b_out = sum of d out,  d post = d out @ w_outᵀ,
    d pre = gelu'(pre) * d post,  d w_in = xᵀ @ d pre,  d b_in = sum of d pre,
    d x = d pre @ w_inᵀ.
    """
    d_post = d_out @ p["w_out"].T
    d_pre = gelu_backward(d_post, parts["pre"])
    return d_pre @ p["w_in"].T, {
        "w_in": _rows(x).T @ _rows(d_pre), "b_in": _rows(d_pre).sum(axis=0),
        "w_out": _rows(parts["post"]).T @ _rows(d_out), "b_out": _rows(d_out).sum(axis=0),
    }


def gelu_backward(d_out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """gelu(x) = x/2 (1 + tanh u), u = c (x + a x³):
    gelu'(x) = (1 + tanh u)/2 + x/2 (1 - tanh² u) c (1 + 3 a x²)."""
    t = np.tanh(GELU_C * (x + GELU_A * (x * x * x)))        # recomputed, as in `gelu`
    slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_A * (x * x))
    return d_out * slope


def attention_backward(d_out: np.ndarray, parts: dict[str, np.ndarray], x: np.ndarray,
                       p: dict[str, np.ndarray], n_head: int) -> tuple:
    """The attention of `gpt.attention`, read backwards; x (B, T, d) is what it read.

    out = z_cat @ w_o + b_o:  d w_o = z_catᵀ @ d out,  d b_o = sum of d out,  d z = d out @ w_oᵀ.
    z = pattern @ v (per head):  d pattern = d z @ vᵀ,  d v = patternᵀ @ d z.
    pattern = softmax(masked scores):  see `softmax_backward`; a masked score gets 0.
    scores = q kᵀ / sqrt(d_head):  d q = d scores @ k / sqrt(d_head),
    d k = d scoresᵀ @ q / sqrt(d_head).
    q = x @ w_q + b_q (and k, v alike):  d w_q = xᵀ @ d q,  d b_q = sum of d q,
    and x gathers d q @ w_qᵀ + d k @ w_kᵀ + d v @ w_vᵀ.
    """
    batch, length, _ = x.shape
    q, k, v, pattern, z = (parts[name] for name in ("q", "k", "v", "pattern", "z"))
    scale = 1.0 / math.sqrt(q.shape[-1])

    def join_heads(y: np.ndarray) -> np.ndarray:  # (B, H, T, d_head) -> (B, T, H*d_head)
        return y.swapaxes(1, 2).reshape(batch, length, -1)

    z_cat = join_heads(z)
    grads = {"w_o": _rows(z_cat).T @ _rows(d_out), "b_o": _rows(d_out).sum(axis=0)}
    d_z = (d_out @ p["w_o"].T).reshape(batch, length, n_head, -1).swapaxes(1, 2)
    d_pattern = d_z @ v.swapaxes(-1, -2)                     # (B, H, T, T)
    d_v = pattern.swapaxes(-1, -2) @ d_z                     # (B, H, T, d_head)
    d_scores = softmax_backward(d_pattern, pattern)
    d_q = (d_scores @ k) * scale
    d_k = (d_scores.swapaxes(-1, -2) @ q) * scale
    d_x = np.zeros_like(x)
    for name, d_proj in (("q", d_q), ("k", d_k), ("v", d_v)):
        d_proj = join_heads(d_proj)
        grads[f"w_{name}"] = _rows(x).T @ _rows(d_proj)
        grads[f"b_{name}"] = _rows(d_proj).sum(axis=0)
        d_x += d_proj @ p[f"w_{name}"].T
    return d_x, grads


def softmax_backward(d_out: np.ndarray, out: np.ndarray) -> np.ndarray:
    """s = softmax(x) along the last axis:  d x = s * (d s - sum(d s * s)).

    Works in place on d_out (these arrays are B*H*T*T). Where the causal mask put -inf, s is 0,
    so the gradient there is 0 too.
    """
    d_out -= (d_out * out).sum(axis=-1, keepdims=True)
    d_out *= out
    return d_out


def embedding_backward(d_x: np.ndarray, ids: np.ndarray, wte: np.ndarray,
                       wpe: np.ndarray) -> dict[str, np.ndarray]:
    """x = wte[ids] + wpe[:T]:  each position's d x is added to its token's row of d wte and to
    its position's row of d wpe (rows past T get 0)."""
    d_wte = np.zeros_like(wte)
    np.add.at(d_wte, ids.reshape(-1), _rows(d_x))           # a token may occur many times
    d_wpe = np.zeros_like(wpe)
    d_wpe[: d_x.shape[-2]] = d_x.sum(axis=0)                # summed over the batch
    return {"wte": d_wte, "wpe": d_wpe}


def loss_and_grads(
    params: dict[str, np.ndarray], config: Config, ids: np.ndarray, targets: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """Mean cross-entropy (nats) of targets (B, T) given ids (B, T), and every gradient.

    The forward pass with its trace, then each layer's backward, last layer first.
    """
    logits, trace = forward(params, config, ids, trace=True)
    loss, d_logits = cross_entropy_backward(logits, targets)
    d_ln_f, grads = unembed_backward(d_logits, trace["ln_f"], params["unembed"])
    last = f"blocks.{config.n_layer - 1}.resid_post"
    d_x, ln_f_grads = layer_norm_backward(d_ln_f, trace[last], params["ln_f.gain"],
                                          params["ln_f.bias"])
    grads.update(prefixed("ln_f", ln_f_grads))
    for i in reversed(range(config.n_layer)):
        b = f"blocks.{i}"
        d_x, block_grads = block_backward(d_x, layer_params(trace, b), layer_params(params, b),
                                          config.n_head)
        grads.update(prefixed(b, block_grads))
    grads.update(embedding_backward(d_x, ids, params["wte"], params["wpe"]))
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
        flat = _rows(forward(values, config, ids))
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
