"""The Grimoire's familiar: a GPT-2-shaped character model in numpy, with a trace and a KV cache.

Row-vector convention: an activation is a row, a layer is `x @ W`, a weight is (d_in, d_out).
Every array is float32; Python float constants keep it so (NEP 50: a Python float is "weak").
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from grimoire.model.tokenizer import Tokenizer

LN_EPS = 1e-5
"""LayerNorm's epsilon, added to the variance."""

GELU_C = math.sqrt(2.0 / math.pi)
GELU_A = 0.044715

FORMAT = "grimoire-gpt/1"
"""The `format` field of a weights file's metadata."""

WEIGHTS_PATH = Path(__file__).resolve().parent / "weights.npz"
REPEAT_PATH = Path(__file__).resolve().parent / "repeat.npz"


class ModelFileError(ValueError):
    """A weights file that cannot be used; the message is one sentence naming the file."""


@dataclass(frozen=True)
class Config:
    """The shape of the model."""

    n_layer: int
    n_head: int
    d_model: int
    d_head: int
    d_mlp: int
    n_ctx: int
    vocab_size: int


def parameter_shapes(config: Config) -> dict[str, tuple[int, ...]]:
    """Every parameter's name and shape, in the order they are stored and documented."""
    d, v = config.d_model, config.vocab_size
    hd = config.n_head * config.d_head
    shapes: dict[str, tuple[int, ...]] = {"wte": (v, d), "wpe": (config.n_ctx, d)}
    for i in range(config.n_layer):
        b = f"blocks.{i}"
        shapes.update({
            f"{b}.ln1.gain": (d,), f"{b}.ln1.bias": (d,),
            f"{b}.attn.w_q": (d, hd), f"{b}.attn.w_k": (d, hd), f"{b}.attn.w_v": (d, hd),
            f"{b}.attn.b_q": (hd,), f"{b}.attn.b_k": (hd,), f"{b}.attn.b_v": (hd,),
            f"{b}.attn.w_o": (hd, d), f"{b}.attn.b_o": (d,),
            f"{b}.ln2.gain": (d,), f"{b}.ln2.bias": (d,),
            f"{b}.mlp.w_in": (d, config.d_mlp), f"{b}.mlp.b_in": (config.d_mlp,),
            f"{b}.mlp.w_out": (config.d_mlp, d), f"{b}.mlp.b_out": (d,),
        })
    shapes.update({"ln_f.gain": (d,), "ln_f.bias": (d,), "unembed": (d, v)})
    return shapes


def trace_keys(config: Config) -> list[str]:
    """Every key of `forward(ids, trace=True)`'s trace, in the order the computation makes them."""
    keys = ["tok_embed", "pos_embed", "embed"]
    for i in range(config.n_layer):
        b = f"blocks.{i}"
        keys += [
            f"{b}.resid_pre", f"{b}.ln1", f"{b}.attn.q", f"{b}.attn.k", f"{b}.attn.v",
            f"{b}.attn.scores", f"{b}.attn.pattern", f"{b}.attn.z", f"{b}.attn.out",
            f"{b}.resid_mid", f"{b}.ln2", f"{b}.mlp.pre", f"{b}.mlp.post", f"{b}.mlp.out",
            f"{b}.resid_post",
        ]
    return keys + ["ln_f", "logits"]


def init_params(config: Config, seed: int) -> dict[str, np.ndarray]:
    """GPT-2's initialisation: N(0, 0.02) weights, residual writers scaled by 1/sqrt(2 n_layer)."""
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    writer_scale = 0.02 / math.sqrt(2 * config.n_layer)
    for name, shape in parameter_shapes(config).items():
        leaf = name.rsplit(".", 1)[-1]
        if leaf == "gain":
            value = np.ones(shape)
        elif leaf.startswith("b_") or leaf == "bias":
            value = np.zeros(shape)
        elif leaf in ("w_o", "w_out"):
            value = rng.normal(0.0, writer_scale, size=shape)
        else:
            value = rng.normal(0.0, 0.02, size=shape)
        params[name] = value.astype(np.float32)
    return params


# --- The computation, shared by forward, the trace and the backward pass -----------------------


def layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, ...]:
    """(output, normalised x, 1/std) of LayerNorm over the last axis."""
    # sum / n rather than .mean(): the same numbers, without np.mean's Python-level overhead.
    n = x.shape[-1]
    centred = x - x.sum(axis=-1, keepdims=True) / n
    var = (centred * centred).sum(axis=-1, keepdims=True) / n
    rstd = 1.0 / np.sqrt(var + LN_EPS)
    normed = centred * rstd
    return normed * gain + bias, normed, rstd


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (as GPT-2). `x*x*x`, not `x**3`: the power is far slower on float32."""
    return 0.5 * x * (1.0 + np.tanh(GELU_C * (x + GELU_A * (x * x * x))))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along an axis, shifted by the max so exp never overflows."""
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def run(
    params: dict[str, np.ndarray], config: Config, ids: np.ndarray, keep: bool = True
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Logits (B, T, V) for ids (B, T), and every intermediate (batched) when `keep`.

    Beside the trace keys, the intermediates hold what the backward pass needs: the LayerNorms'
    normalised inputs and 1/std (`*.normed`, `*.rstd`), the MLP's tanh, the joined heads' z.
    """
    batch, length = ids.shape
    heads, d_head = config.n_head, config.d_head
    acts: dict[str, np.ndarray] = {}
    tok = params["wte"][ids]
    pos = params["wpe"][:length]
    x = tok + pos
    if keep:
        acts["tok_embed"], acts["pos_embed"], acts["embed"] = tok, np.broadcast_to(pos, x.shape), x
    causal = np.tril(np.ones((length, length), dtype=bool))
    scale = 1.0 / math.sqrt(d_head)
    for i in range(config.n_layer):
        b = f"blocks.{i}"
        h, normed, rstd = layer_norm(x, params[f"{b}.ln1.gain"], params[f"{b}.ln1.bias"])

        def split(y: np.ndarray) -> np.ndarray:
            return y.reshape(batch, length, heads, d_head).transpose(0, 2, 1, 3)

        q = split(h @ params[f"{b}.attn.w_q"] + params[f"{b}.attn.b_q"])
        k = split(h @ params[f"{b}.attn.w_k"] + params[f"{b}.attn.b_k"])
        v = split(h @ params[f"{b}.attn.w_v"] + params[f"{b}.attn.b_v"])
        # Scaling q (d_head wide) rather than the scores (T wide) is one pass over a smaller
        # array; for d_head 16 the scale, 1/4, is a power of two and even the rounding agrees.
        scores = (q * scale) @ k.transpose(0, 1, 3, 2)
        pattern = np.where(causal, scores, -np.inf)
        pattern -= pattern.max(axis=-1, keepdims=True)  # in place: these arrays are B*H*T*T
        np.exp(pattern, out=pattern)
        pattern /= pattern.sum(axis=-1, keepdims=True)
        z = pattern @ v
        z_cat = z.transpose(0, 2, 1, 3).reshape(batch, length, heads * d_head)
        attn_out = z_cat @ params[f"{b}.attn.w_o"] + params[f"{b}.attn.b_o"]
        mid = x + attn_out
        h2, normed2, rstd2 = layer_norm(mid, params[f"{b}.ln2.gain"], params[f"{b}.ln2.bias"])
        pre = h2 @ params[f"{b}.mlp.w_in"] + params[f"{b}.mlp.b_in"]
        tanh = np.tanh(GELU_C * (pre + GELU_A * (pre * pre * pre)))
        post = 0.5 * pre * (1.0 + tanh)  # gelu(pre); tanh is kept for the backward pass
        mlp_out = post @ params[f"{b}.mlp.w_out"] + params[f"{b}.mlp.b_out"]
        out = mid + mlp_out
        if keep:
            acts.update({
                f"{b}.resid_pre": x, f"{b}.ln1": h, f"{b}.ln1.normed": normed,
                f"{b}.ln1.rstd": rstd, f"{b}.attn.q": q, f"{b}.attn.k": k, f"{b}.attn.v": v,
                f"{b}.attn.scores": scores, f"{b}.attn.pattern": pattern, f"{b}.attn.z": z,
                f"{b}.attn.z_cat": z_cat, f"{b}.attn.out": attn_out, f"{b}.resid_mid": mid,
                f"{b}.ln2": h2, f"{b}.ln2.normed": normed2, f"{b}.ln2.rstd": rstd2,
                f"{b}.mlp.pre": pre, f"{b}.mlp.tanh": tanh, f"{b}.mlp.post": post,
                f"{b}.mlp.out": mlp_out,
                f"{b}.resid_post": out,
            })
        x = out
    hf, normed_f, rstd_f = layer_norm(x, params["ln_f.gain"], params["ln_f.bias"])
    logits = hf @ params["unembed"]
    if keep:
        acts.update({
            "ln_f": hf, "ln_f.normed": normed_f, "ln_f.rstd": rstd_f, "logits": logits,
            "resid_final": x,
        })
    return logits, acts


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean negative log-likelihood (nats) of targets under logits (..., V), in float64."""
    flat = logits.reshape(-1, logits.shape[-1]).astype(np.float64)
    flat = flat - flat.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(flat).sum(axis=1))
    picked = flat[np.arange(flat.shape[0]), targets.reshape(-1)]
    return float((log_norm - picked).mean())


# --- The model object lessons use ---------------------------------------------------------------


@dataclass
class _StepPlan:
    """What a cached generation step reads: see GPT._step_plan."""

    layers: list[tuple[np.ndarray, ...]]
    head_mask: np.ndarray
    scaled_mask: np.ndarray
    unembed: np.ndarray
    logit_bias: np.ndarray


@dataclass
class _Cache:
    """Keys and values of every layer for the positions seen so far: (n_ctx, H*d_head) each.

    Row t holds position t's keys (or values) of all heads side by side, as `h @ w_k` makes them.
    """

    keys: list[np.ndarray]
    values: list[np.ndarray]
    length: int = 0


@dataclass
class GPT:
    """A trained (or freshly initialised) model: config, named float32 parameters, tokenizer."""

    config: Config
    params: dict[str, np.ndarray]
    tokenizer: Tokenizer
    meta: dict = field(default_factory=dict)

    # -- text --
    def encode(self, text: str) -> np.ndarray:
        """Token ids of a text (unknown characters become token 0, the fallback)."""
        return self.tokenizer.encode(text)

    def decode(self, ids: np.ndarray | list[int]) -> str:
        """The text of token ids."""
        return self.tokenizer.decode(ids)

    @property
    def n_params(self) -> int:
        """Number of parameters (scalars)."""
        return int(sum(p.size for p in self.params.values()))

    # -- the forward pass --
    def _as_ids(self, ids: np.ndarray | list[int] | str) -> np.ndarray:
        array = self.encode(ids) if isinstance(ids, str) else np.asarray(ids, dtype=np.int64)
        if array.ndim not in (1, 2) or array.shape[-1] == 0:
            raise ValueError("ids must be a non-empty sequence (T,) or batch (B, T) of token ids.")
        if array.shape[-1] > self.config.n_ctx:
            raise ValueError(
                f"The model reads at most {self.config.n_ctx} tokens at once; "
                f"{array.shape[-1]} were given."
            )
        if array.min() < 0 or array.max() >= self.config.vocab_size:
            raise ValueError(f"Token ids must lie in 0..{self.config.vocab_size - 1}.")
        return array

    def forward(
        self, ids: np.ndarray | list[int] | str, trace: bool = False
    ) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray]]:
        """Logits (T, V) for ids (T,), or (B, T, V) for (B, T); with trace=True also the trace.

        The trace maps every name of `trace_keys(config)` to an array; for ids (T,) the shapes
        are those of docs/model.md (attention arrays (H, T, ...)), for a batch each gains a
        leading B axis. A string is encoded first.
        """
        array = self._as_ids(ids)
        batched = array.ndim == 2
        logits, acts = run(self.params, self.config, array if batched else array[None], trace)
        if not trace:
            return logits if batched else logits[0]
        keys = trace_keys(self.config)
        traced = {k: np.ascontiguousarray(acts[k] if batched else acts[k][0]) for k in keys}
        return (logits if batched else logits[0]), traced

    def head(self, layer: int, head: int) -> dict[str, np.ndarray]:
        """One head's slices: w_q, w_k, w_v (d_model, d_head), w_o (d_head, d_model), and biases."""
        if not 0 <= layer < self.config.n_layer or not 0 <= head < self.config.n_head:
            raise ValueError(
                f"There are layers 0..{self.config.n_layer - 1} and heads "
                f"0..{self.config.n_head - 1}; ({layer}, {head}) is not one of them."
            )
        d_head = self.config.d_head
        b, cols = f"blocks.{layer}.attn", slice(head * d_head, (head + 1) * d_head)
        p = self.params
        return {
            "w_q": p[f"{b}.w_q"][:, cols], "w_k": p[f"{b}.w_k"][:, cols],
            "w_v": p[f"{b}.w_v"][:, cols], "w_o": p[f"{b}.w_o"][cols, :],
            "b_q": p[f"{b}.b_q"][cols], "b_k": p[f"{b}.b_k"][cols], "b_v": p[f"{b}.b_v"][cols],
        }

    # -- scoring --
    def _windows(self, length: int) -> list[tuple[int, int, int]]:
        """(start, end, first) windows: inputs ids[start:end] score targets ids[first:end + 1].

        Every position 1..length-1 is scored exactly once. Each window reads at most n_ctx ids;
        after the first, a window starts n_ctx // 2 before its first target, so every scored
        character has at least that much history.
        """
        n_ctx, half = self.config.n_ctx, self.config.n_ctx // 2
        windows, start, first = [], 0, 1
        while first <= length - 1:
            end = min(start + n_ctx, length - 1)
            windows.append((start, end, first))
            first = end + 1
            start = first - half
        return windows

    def loss(self, ids: np.ndarray | list[int] | str) -> float:
        """Mean next-char cross-entropy in nats over ids[1:], each predicted from earlier ids.

        Longer than the context, the text is read in windows of n_ctx (see `_windows`): each
        position is scored once, with at least n_ctx // 2 characters of history after the first
        window. Windows of equal length are batched.
        """
        array = self.encode(ids) if isinstance(ids, str) else np.asarray(ids, dtype=np.int64)
        if array.ndim != 1 or array.size < 2:
            raise ValueError("loss needs a 1-D sequence of at least two token ids.")
        total, count = 0.0, 0
        windows = self._windows(array.size)
        full = [w for w in windows if w[1] - w[0] == self.config.n_ctx]
        rest = [w for w in windows if w[1] - w[0] != self.config.n_ctx]
        for group in [full[i : i + 64] for i in range(0, len(full), 64)] + [[w] for w in rest]:
            inputs = np.stack([array[s:e] for s, e, _ in group])
            logits, _ = run(self.params, self.config, inputs, keep=False)
            for row, (start, end, first) in enumerate(group):
                targets = array[first : end + 1]
                scored = logits[row, first - 1 - start : end - start]
                total += cross_entropy(scored, targets) * targets.size
                count += targets.size
        return total / count

    def bits_per_char(self, text: str) -> float:
        """Mean bits per character of text[1:] (the loss in nats divided by ln 2)."""
        return self.loss(self.encode(text)) / math.log(2.0)

    # -- generation with a KV cache --
    def _new_cache(self) -> _Cache:
        shape = (self.config.n_ctx, self.config.n_head * self.config.d_head)
        n = self.config.n_layer
        return _Cache(
            [np.zeros(shape, np.float32) for _ in range(n)],
            [np.zeros(shape, np.float32) for _ in range(n)],
        )

    def _prefill(self, cache: _Cache, ids: np.ndarray) -> np.ndarray:
        """Run ids through the model, fill the cache with their keys and values; the last logits."""
        logits, acts = run(self.params, self.config, ids[None], keep=True)
        for i in range(self.config.n_layer):
            for store, key in ((cache.keys[i], "k"), (cache.values[i], "v")):
                per_head = acts[f"blocks.{i}.attn.{key}"][0]  # (H, T, d_head)
                store[: ids.size] = per_head.transpose(1, 0, 2).reshape(ids.size, -1)
        cache.length = ids.size
        return logits[0, -1]

    def _step_plan(self) -> _StepPlan:
        """The arrays one generation step reads, prepared once per stream.

        Built afresh for every stream, so a lesson that edits `model.params` (say, to a rank-k
        version of a matrix) generates with its edit. Each step costs numpy calls, not flops, so
        the plan saves calls: the three input maps are joined into one (d, 3d) matrix; each
        LayerNorm's gain and bias are folded into the matrix that reads it (diag(g) W and
        c W + b); the GELU's 1/2 is folded into w_out (exact: a power of two).
        """
        p, layers = self.params, []
        for i in range(self.config.n_layer):
            b = f"blocks.{i}"
            g1, c1 = p[f"{b}.ln1.gain"], p[f"{b}.ln1.bias"]
            w_qkv = np.concatenate([p[f"{b}.attn.w_{n}"] for n in "qkv"], axis=1)
            b_qkv = np.concatenate([p[f"{b}.attn.b_{n}"] for n in "qkv"])
            g2, c2 = p[f"{b}.ln2.gain"], p[f"{b}.ln2.bias"]
            w_in, b_in = p[f"{b}.mlp.w_in"], p[f"{b}.mlp.b_in"]
            layers.append((
                g1[:, None] * w_qkv, c1 @ w_qkv + b_qkv,
                p[f"{b}.attn.w_o"], p[f"{b}.attn.b_o"],
                g2[:, None] * w_in, c2 @ w_in + b_in,
                0.5 * p[f"{b}.mlp.w_out"], p[f"{b}.mlp.b_out"],
            ))
        heads, d_head = self.config.n_head, self.config.d_head
        head_mask = np.repeat(np.eye(heads, dtype=np.float32), d_head, axis=1)
        unembed = p["ln_f.gain"][:, None] * p["unembed"]
        return _StepPlan(
            layers, head_mask, head_mask * (1.0 / math.sqrt(d_head)), unembed,
            p["ln_f.bias"] @ p["unembed"],
        )

    def _step(self, cache: _Cache, token: int, plan: _StepPlan) -> np.ndarray:
        """Logits after one more token at position cache.length, reading and extending the cache.

        The arithmetic of `run` for one row, rearranged (see `_step_plan`) to make few numpy
        calls. All heads at once: `head_mask` (H, H*d_head) is 1 where a dimension belongs to a
        head, so the query spread over its block-diagonal rows, times the keys (t+1, H*d_head)
        transposed, gives every head's scores (H, t+1) in one product.
        """
        p, config, t = self.params, self.config, cache.length
        d, hd = config.d_model, config.n_head * config.d_head
        head_mask, scaled_mask = plan.head_mask, plan.scaled_mask
        x = p["wte"][token] + p["wpe"][t]
        add, maximum, tanh = np.add.reduce, np.maximum.reduce, np.tanh
        for i, (w_qkv, b_qkv, w_o, b_o, w_in, b_in, w_out, b_out) in enumerate(plan.layers):
            centred = x - float(add(x)) / d
            normed = centred * (1.0 / math.sqrt(float(centred @ centred) / d + LN_EPS))
            qkv = normed @ w_qkv + b_qkv
            keys, values = cache.keys[i], cache.values[i]
            keys[t] = qkv[hd : 2 * hd]
            values[t] = qkv[2 * hd :]
            scores = (scaled_mask * qkv[:hd]) @ keys[: t + 1].T  # (H, t+1)
            weights = np.exp(scores - maximum(scores, axis=1, keepdims=True))
            weights /= add(weights, axis=1, keepdims=True)  # every head's last pattern row
            z = add((weights @ values[: t + 1]) * head_mask, axis=0)  # each head's own block
            x = x + (z @ w_o + b_o)
            centred = x - float(add(x)) / d
            normed = centred * (1.0 / math.sqrt(float(centred @ centred) / d + LN_EPS))
            pre = normed @ w_in + b_in
            # gelu(pre) * 2 = pre * (1 + tanh(pre * (C + C*A*pre^2))); the 1/2 is in w_out
            inner = pre * pre
            inner *= GELU_C * GELU_A
            inner += GELU_C
            inner *= pre
            tanh(inner, out=inner)
            inner += 1.0
            inner *= pre
            x = x + (inner @ w_out + b_out)
        cache.length = t + 1
        centred = x - float(add(x)) / d
        normed = centred * (1.0 / math.sqrt(float(centred @ centred) / d + LN_EPS))
        return normed @ plan.unembed + plan.logit_bias

    def _prompt_ids(self, prompt: str) -> np.ndarray:
        ids = self.encode(prompt)
        if ids.size == 0:
            ids = self.encode("\n")  # an empty prompt starts as if at the top of a new line
        return ids[-self.config.n_ctx :]

    def stream(
        self,
        prompt: str,
        n: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int | None = None,
    ) -> Iterator[str]:
        """Yield n new characters one at a time, sampled with a KV cache.

        temperature 0 means greedy (always the most likely character). top_k keeps only the k
        most likely. The same seed gives the same text. When the context fills, the model keeps
        the last n_ctx // 2 characters and reads them afresh (`reference_next_ids` computes the
        same without a cache).
        """
        sampler = _Sampler(temperature, top_k, seed)
        cache = self._new_cache()
        plan = self._step_plan()
        window = list(self._prompt_ids(prompt))
        logits = self._prefill(cache, np.array(window))
        for _ in range(n):
            token = sampler(logits)
            yield self.tokenizer.vocab[token]
            window.append(token)
            if len(window) > self.config.n_ctx:
                window = window[-(self.config.n_ctx // 2) :]
                logits = self._prefill(cache, np.array(window))
            else:
                logits = self._step(cache, token, plan)

    def generate(
        self,
        prompt: str,
        n: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int | None = None,
    ) -> str:
        """The n characters that follow the prompt (the prompt itself is not repeated)."""
        return "".join(self.stream(prompt, n, temperature, top_k, seed))

    def reference_generate(
        self,
        prompt: str,
        n: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int | None = None,
    ) -> str:
        """generate() without a cache: the whole window is recomputed for every character."""
        sampler = _Sampler(temperature, top_k, seed)
        window = list(self._prompt_ids(prompt))
        out = []
        for _ in range(n):
            logits, _ = run(self.params, self.config, np.array(window)[None], keep=False)
            token = sampler(logits[0, -1])
            out.append(self.tokenizer.vocab[token])
            window.append(token)
            if len(window) > self.config.n_ctx:
                window = window[-(self.config.n_ctx // 2) :]
        return "".join(out)


class _Sampler:
    """Turns logits into a token id: greedy at temperature 0, else seeded sampling."""

    def __init__(self, temperature: float, top_k: int | None, seed: int | None) -> None:
        if temperature < 0:
            raise ValueError("temperature must be 0 (greedy) or positive.")
        if top_k is not None and top_k < 1:
            raise ValueError("top_k must be at least 1.")
        self.temperature, self.top_k = float(temperature), top_k
        self.rng = np.random.default_rng(seed)

    def __call__(self, logits: np.ndarray) -> int:
        if self.temperature == 0.0:
            return int(logits.argmax())
        scaled = logits if self.temperature == 1.0 else logits * (1.0 / self.temperature)
        if self.top_k is not None and self.top_k < scaled.size:
            cutoff = np.partition(scaled, -self.top_k)[-self.top_k]
            scaled = np.where(scaled >= cutoff, scaled, -np.inf)
        # Cumulative weights in float64 and one uniform draw: cheaper than rng.choice per char.
        cumulative = np.add.accumulate(np.exp(scaled - np.maximum.reduce(scaled)), dtype=np.float64)
        draw = self.rng.random() * cumulative[-1]
        return min(int(cumulative.searchsorted(draw, side="right")), scaled.size - 1)


# --- Weights files ------------------------------------------------------------------------------


def save_model(model: GPT, path: Path) -> None:
    """Write parameters and metadata to an .npz whose bytes depend only on their contents."""
    meta = dict(model.meta)
    meta.update({"format": FORMAT, "config": asdict(model.config), "vocab": model.tokenizer.vocab})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    # A fixed timestamp in every zip entry, so the same weights give the same file, byte for byte.
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        entries = [("meta", np.array([json.dumps(meta, sort_keys=True, ensure_ascii=True)]))]
        entries += [(name, model.params[name]) for name in parameter_shapes(model.config)]
        for name, array in entries:
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w") as handle:
                np.lib.format.write_array(handle, np.ascontiguousarray(array), allow_pickle=False)
    tmp.replace(path)


def load_model(path: str | Path | None = None) -> GPT:
    """The shipped model (path None), the repeat-task model ("repeat"), or a weights file.

    Raises ModelFileError, one sentence naming the file, when it is missing, truncated, not a
    weights file, or its arrays do not fit its metadata.
    """
    if path is None:
        path = WEIGHTS_PATH
    elif path == "repeat":
        path = REPEAT_PATH
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise ModelFileError(f"The model file {name} does not exist.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        raise ModelFileError(
            f"The model file {name} cannot be read: it is truncated or not an .npz archive."
        ) from None
    if "meta" not in arrays:
        raise ModelFileError(
            f"The model file {name} has no metadata, so it is not a Grimoire model."
        )
    try:
        meta = json.loads(str(arrays.pop("meta").reshape(-1)[0]))
        if meta.get("format") != FORMAT:
            raise ModelFileError(
                f"The model file {name} has format {meta.get('format')!r}, not {FORMAT!r}."
            )
        config = Config(**{k: int(v) for k, v in meta["config"].items()})
        tokenizer = Tokenizer(list(meta["vocab"]))
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ModelFileError(
            f"The model file {name} has metadata that cannot be understood."
        ) from None
    if tokenizer.size != config.vocab_size:
        raise ModelFileError(
            f"The model file {name} has {tokenizer.size} characters in its vocabulary but its "
            f"config says {config.vocab_size}."
        )
    shapes = parameter_shapes(config)
    missing = [k for k in shapes if k not in arrays]
    extra = [k for k in arrays if k not in shapes]
    if missing or extra:
        what = f"lacks {missing[0]}" if missing else f"has an unknown array {extra[0]}"
        raise ModelFileError(f"The model file {name} {what}.")
    for key, shape in shapes.items():
        array = arrays[key]
        if array.shape != shape:
            raise ModelFileError(
                f"The model file {name} holds {key} with shape {array.shape}, "
                f"but its config needs {shape}."
            )
        if array.dtype != np.float32:
            raise ModelFileError(
                f"The model file {name} holds {key} as {array.dtype}, not float32."
            )
        if not np.isfinite(array).all():
            raise ModelFileError(f"The model file {name} holds non-finite values in {key}.")
    params = {key: arrays[key] for key in shapes}
    return GPT(config, params, tokenizer, meta)
