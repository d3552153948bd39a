"""Writing fast: one character's work per step, with a cache of keys and values (the KV cache).

`gpt.forward` reads a whole window for every character it predicts. Writing, the model only
needs the last row, and every earlier position's keys and values do not change, so `KVCache`
keeps them and computes one new row a step. The step is the arithmetic of `gpt.forward`
rearranged to make few numpy calls (at this size a character costs calls, not arithmetic);
tests/unit/model/test_model_generate.py proves it gives the logits and the text of `forward`.
"""

from __future__ import annotations

import math

import numpy as np

from grimoire.model.gpt import GELU_A, GELU_C, LN_EPS, Config, forward


class KVCache:
    """The keys and values of every position read so far, and the step that extends them.

    Made afresh for every piece of writing, so a lesson that edits `model.params` (say, to a
    rank-k version of a matrix) writes with its edit.
    """

    def __init__(self, params: dict[str, np.ndarray], config: Config) -> None:
        self.params, self.config = params, config
        hd = config.n_head * config.d_head
        # keys[i] and values[i]: (n_ctx, H*d_head), row t is position t, all heads side by side
        self.keys = [np.zeros((config.n_ctx, hd), np.float32) for _ in range(config.n_layer)]
        self.values = [np.zeros((config.n_ctx, hd), np.float32) for _ in range(config.n_layer)]
        self.length = 0
        self._plan()

    def _plan(self) -> None:
        """Join and fold the matrices a step reads, once (see `step`).

        The three input maps become one (d, 3d) matrix; each LayerNorm's gain and bias are
        folded into the matrix that reads it (diag(g) W and c W + b); the GELU's 1/2 is folded
        into w_out (exact: a power of two).
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
        self.layers = layers
        self.head_mask = np.repeat(np.eye(heads, dtype=np.float32), d_head, axis=1)
        self.scaled_mask = self.head_mask * (1.0 / math.sqrt(d_head))
        self.unembed = p["ln_f.gain"][:, None] * p["unembed"]
        self.logit_bias = p["ln_f.bias"] @ p["unembed"]

    def read(self, ids: list[int]) -> np.ndarray:
        """Forget what was read, read ids afresh, keep their keys and values; the last logits (V,)."""
        logits, trace = forward(self.params, self.config, np.array(ids), trace=True)
        for i in range(self.config.n_layer):
            for store, name in ((self.keys[i], "k"), (self.values[i], "v")):
                per_head = trace[f"blocks.{i}.attn.{name}"]  # (H, T, d_head)
                store[: len(ids)] = per_head.swapaxes(0, 1).reshape(len(ids), -1)
        self.length = len(ids)
        return logits[-1]

    def step(self, token: int) -> np.ndarray:
        """Logits (V,) after one more token at position `length`, reading and extending the cache.

        All heads at once: `head_mask` (H, H*d_head) is 1 where a dimension belongs to a head,
        so the query spread over its block-diagonal rows, times the keys (t+1, H*d_head)
        transposed, gives every head's scores (H, t+1) in one product.
        """
        p, config, t = self.params, self.config, self.length
        d, hd = config.d_model, config.n_head * config.d_head
        head_mask, scaled_mask = self.head_mask, self.scaled_mask
        x = p["wte"][token] + p["wpe"][t]
        add, maximum, tanh = np.add.reduce, np.maximum.reduce, np.tanh
        for i, (w_qkv, b_qkv, w_o, b_o, w_in, b_in, w_out, b_out) in enumerate(self.layers):
            centred = x - float(add(x)) / d
            normed = centred * (1.0 / math.sqrt(float(centred @ centred) / d + LN_EPS))
            qkv = normed @ w_qkv + b_qkv
            keys, values = self.keys[i], self.values[i]
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
        self.length = t + 1
        centred = x - float(add(x)) / d
        normed = centred * (1.0 / math.sqrt(float(centred @ centred) / d + LN_EPS))
        return normed @ self.unembed + self.logit_bias
