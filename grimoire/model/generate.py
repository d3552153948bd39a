"""Writing fast: the forward pass rearranged for a cache of keys and values (the KV cache).

`gpt.forward` reads a whole window for every character it predicts. Writing, the model needs
only the newest position's logits, and the keys and values of earlier positions never change,
so `KVCache` keeps them and computes only the new rows: `read(ids)` reads a window afresh,
`step(token)` adds one character. Same arithmetic as `gpt.forward`, in another order; the tests
(tests/unit/model/test_model_generate.py) prove it gives the same logits, keys, values and text.

At this size a character costs numpy calls, not arithmetic (about 2 µs a call against 0.85
MFLOP a character), so the matrices are prepared once per `KVCache` to need few calls:

- LayerNorm and the product that reads it become one product. With c = x - mean(x) and
  r = 1/sqrt(var + eps), `layer_norm(x) @ W + b` = r (c @ diag(g) W) + (beta @ W + b), and
  c @ M = x @ (C M) for the centring matrix C = I - 11ᵀ/d. So x @ [C diag(g) W | C/sqrt(d)] gives
  both the product (still to be scaled by r) and c/sqrt(d), whose squared length is var.
- q, k and v come from one product; q's columns carry attention's 1/sqrt(d_head).
- The cache holds each head's keys and values side by side, (H, n_ctx, 2 d_head + 1), with a
  last column of ones: `weights @ [v | 1]` gives the mix of values and the softmax's sum in one
  product, and dividing by that sum leaves each head's z followed by a 1 — which multiplies a
  row of w_o holding b_o / H, so the output bias is added by the same product.
- The MLP gets one extra unit whose input is always 16: its GELU is exactly 16 (tanh rounds
  to 1 in float32 at that size), which multiplies a row of w_out holding b_out / 16.
- The GELU's 1/2 is folded into w_out (exact: a power of two).
"""

from __future__ import annotations

import math

import numpy as np

from grimoire.model.gpt import GELU_A, GELU_C, LN_EPS, Config

BIAS_UNIT = 16.0
"""The MLP's extra unit's input: gelu(16) = 16 in float32, so its w_out row carries b_out / 16."""


def _inverse_std(scaled_centred: np.ndarray) -> np.ndarray | float:
    """1/sqrt(var + eps) of each row, given the rows' (x - mean) / sqrt(d): (T, 1), or a float."""
    if len(scaled_centred) == 1:  # one row: Python's arithmetic is cheaper than four numpy calls
        row = scaled_centred[0]
        return 1.0 / math.sqrt(float(row @ row) + LN_EPS)
    return 1.0 / np.sqrt(np.vecdot(scaled_centred, scaled_centred)[:, None] + LN_EPS)


class KVCache:
    """The keys and values of every position read so far, and the steps that extend them.

    Made afresh for every piece of writing, from `params` as they are then, so a lesson that
    edits `model.params` (say, to a rank-k version of a matrix) writes with its edit.
    """

    def __init__(self, params: dict[str, np.ndarray], config: Config) -> None:
        self.config = config
        heads, d_head = config.n_head, config.d_head
        # keys_values[i][h, t] = position t's key and value of head h in layer i, then a 1
        self.keys_values = [np.ones((heads, config.n_ctx, 2 * d_head + 1), np.float32)
                            for _ in range(config.n_layer)]
        self.length = 0
        self.wte, self.wpe = params["wte"], params["wpe"]
        self.layers = [self._fold_layer(params, f"blocks.{i}") for i in range(config.n_layer)]
        self.readout = self._fold_norm_and(params, "ln_f", params["unembed"],
                                           np.zeros(config.vocab_size))
        causal = np.tril(np.ones((config.n_ctx, config.n_ctx), dtype=bool))
        self.mask = np.where(causal, 0.0, -np.inf).astype(np.float32)  # added to the scores

    def _fold_norm_and(self, params: dict[str, np.ndarray], norm: str, w: np.ndarray,
                       b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """[C diag(g) W | C/sqrt(d)] and beta @ W + b, for `layer_norm(x; norm) @ W + b`."""
        d = self.config.d_model
        gain = params[f"{norm}.gain"].astype(np.float64)
        beta = params[f"{norm}.bias"].astype(np.float64)
        w = w.astype(np.float64)
        centring = np.eye(d) - 1.0 / d
        joined = np.concatenate([centring @ (gain[:, None] * w), centring / math.sqrt(d)], axis=1)
        return joined.astype(np.float32), (beta @ w + b).astype(np.float32)

    def _fold_layer(self, params: dict[str, np.ndarray], b: str) -> tuple[np.ndarray, ...]:
        """The six arrays one block's step reads (see the module's docstring)."""
        heads, d_head, d = self.config.n_head, self.config.d_head, self.config.d_model
        p = {name: params[f"{b}.{name}"].astype(np.float64) for name in (
            "attn.w_q", "attn.w_k", "attn.w_v", "attn.b_q", "attn.b_k", "attn.b_v",
            "attn.w_o", "attn.b_o", "mlp.w_in", "mlp.b_in", "mlp.w_out", "mlp.b_out")}
        scale = 1.0 / math.sqrt(d_head)

        def keys_then_values(w_k: np.ndarray, w_v: np.ndarray) -> np.ndarray:
            """Columns (or entries) of head 0's key, head 0's value, head 1's key, ..."""
            by_head = [w.reshape(*w.shape[:-1], heads, d_head) for w in (w_k, w_v)]
            return np.concatenate(by_head, axis=-1).reshape(*w_k.shape[:-1], -1)

        # columns: every head's query (carrying 1/sqrt(d_head)), then keys and values by head
        w_qkv = np.concatenate(
            [p["attn.w_q"] * scale, keys_then_values(p["attn.w_k"], p["attn.w_v"])], axis=1)
        b_qkv = np.concatenate(
            [p["attn.b_q"] * scale, keys_then_values(p["attn.b_k"], p["attn.b_v"])])
        qkv = self._fold_norm_and(params, f"{b}.ln1", w_qkv, b_qkv)
        # rows: head 0's d_head rows of w_o, then b_o / H; head 1's, ...
        bias_rows = np.broadcast_to(p["attn.b_o"] / heads, (heads, 1, d))
        w_o = np.concatenate([p["attn.w_o"].reshape(heads, d_head, d), bias_rows], axis=1)
        # the MLP's extra unit: a zero column of w_in, a bias of 16, a row b_out / 16 of w_out
        w_in = np.concatenate([p["mlp.w_in"], np.zeros((d, 1))], axis=1)
        b_in = np.concatenate([p["mlp.b_in"], [BIAS_UNIT]])
        mlp_in = self._fold_norm_and(params, f"{b}.ln2", w_in, b_in)
        w_out = 0.5 * np.concatenate([p["mlp.w_out"], p["mlp.b_out"][None] / BIAS_UNIT])
        return (*qkv, w_o.reshape(-1, d).astype(np.float32), *mlp_in, w_out.astype(np.float32))

    def read(self, ids: list[int]) -> np.ndarray:
        """Forget what was read, read ids (at most n_ctx) afresh; the logits (V,) of what follows."""
        self.length = 0
        return self._extend(np.asarray(ids))

    def step(self, token: int) -> np.ndarray:
        """Read one more token, at position `length`; the logits (V,) of what follows it."""
        return self._extend(np.array([token]))

    def _extend(self, ids: np.ndarray) -> np.ndarray:
        """Read ids (T,) at positions length..length+T-1, keeping their keys and values.

        The forward pass of `gpt.forward` for the new rows only, against every cached key.
        """
        heads, d_head = self.config.n_head, self.config.d_head
        hd, d = heads * d_head, self.config.d_model
        start, new = self.length, len(ids)
        end = start + new
        x = self.wte[ids] + self.wpe[start:end]                           # (T, d)
        last = len(self.layers) - 1
        for i, ((w_qkv, b_qkv, w_o, w_in, b_in, w_out), cache) in enumerate(
                zip(self.layers, self.keys_values)):
            y = x @ w_qkv                                                 # (T, 3hd + d)
            qkv = y[:, : 3 * hd] * _inverse_std(y[:, 3 * hd :])
            qkv += b_qkv                                                  # (T, 3hd)
            cache[:, start:end, : 2 * d_head] = (
                qkv[:, hd:].reshape(new, heads, 2 * d_head).swapaxes(0, 1))
            if i == last and new > 1:
                # Only the last row's logits are wanted, and every row's keys and values of
                # the last block are kept now: the other rows need go no further.
                qkv, x, start, new = qkv[-1:], x[-1:], end - 1, 1
            q = qkv[:, :hd].reshape(new, heads, d_head).swapaxes(0, 1)    # (H, T, d_head)
            scores = q @ cache[:, :end, :d_head].swapaxes(1, 2)          # (H, T, end)
            if new > 1:
                scores += self.mask[start:end, :end]
            scores -= scores.max(axis=2, keepdims=True)
            np.exp(scores, out=scores)
            z = scores @ cache[:, :end, d_head:]                          # (H, T, d_head + 1)
            z /= z[:, :, d_head:]                                         # softmax's sum -> 1
            x = x + z.swapaxes(0, 1).reshape(new, -1) @ w_o               # (T, d)
            y = x @ w_in                                                  # (T, d_mlp + 1 + d)
            pre = y[:, : -d] * _inverse_std(y[:, -d:])
            pre += b_in                                                   # (T, d_mlp + 1)
            # 2 gelu(pre) = pre (1 + tanh(pre (C + C A pre²))), in place; the 1/2 is in w_out
            act = pre * pre
            act *= GELU_C * GELU_A
            act += GELU_C
            act *= pre
            np.tanh(act, out=act)
            act += 1.0
            act *= pre
            x = x + act @ w_out                                           # (T, d)
        self.length = end
        w_f, b_f = self.readout
        y = x[-1:] @ w_f                                                  # (1, V + d)
        logits = y[0, : -d] * _inverse_std(y[:, -d:])
        logits += b_f
        return logits                                                     # (V,)
