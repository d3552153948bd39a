"""The Grimoire's familiar: a GPT-2-shaped character model in numpy, to be read top to bottom.

The forward pass is written once, plainly, in the order it runs: `layer_norm`, `gelu`, `softmax`,
`attention`, `mlp`, `block`, `forward`. What is there only for speed lives beside this file:
`generate.py` writes a character at a time with a cache of keys and values, and the tests prove
it gives the same logits and the same text as `forward`.

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


def layer_params(params: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The parameters under a prefix, by the rest of their names: "blocks.0" -> {"ln1.gain", ...}."""
    start = prefix + "."
    return {name[len(start):]: value for name, value in params.items() if name.startswith(start)}


def prefixed(prefix: str, parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The same arrays, their names under a prefix: the inverse of `layer_params`."""
    return {f"{prefix}.{name}": value for name, value in parts.items()}


# --- The forward pass, in the order it runs ----------------
#
# Shapes are written for one sequence of T tokens:
# d = d_model, H = n_head, V = vocab_size. Every function
# also takes a batch: a leading B axis before every shape.


def layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, ...]:
    """LayerNorm over the last axis: (out, normed x, 1/std)."""
    # x (T, n); gain, bias (n,)
    n = x.shape[-1]
    # (T, n): each row minus its mean
    centred = x - x.sum(axis=-1, keepdims=True) / n
    squares = centred * centred
    var = squares.sum(axis=-1, keepdims=True) / n
    rstd = 1.0 / np.sqrt(var + LN_EPS)     # (T, 1)
    normed = centred * rstd                # (T, n)
    # normed and rstd are returned too: the backward
    # pass and the lessons read them
    return normed * gain + bias, normed, rstd


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, the tanh form (as GPT-2), elementwise."""
    # x*x*x, not x**3: the power is far slower on float32
    inner = GELU_C * (x + GELU_A * (x * x * x))
    return 0.5 * x * (1.0 + np.tanh(inner))


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax along the last axis, shifted by the row's max
    so that exp cannot overflow."""
    exp = np.exp(x - x.max(axis=-1, keepdims=True))
    # in place: attention's are (H, T, T)
    exp /= exp.sum(axis=-1, keepdims=True)
    return exp


def attention(x: np.ndarray, p: dict[str, np.ndarray], n_head: int) -> tuple[np.ndarray, dict]:
    """Causal multi-head self-attention: its write, its parts."""
    *lead, length, _ = x.shape  # x (T, d)
    d_head = p["w_q"].shape[1] // n_head

    def split_heads(y: np.ndarray) -> np.ndarray:
        # (T, H*d_head) -> (H, T, d_head)
        y = y.reshape(*lead, length, n_head, d_head)
        return y.swapaxes(-2, -3)

    # queries, keys, values: (H, T, d_head) each
    q = split_heads(x @ p["w_q"] + p["b_q"])
    k = split_heads(x @ p["w_k"] + p["b_k"])
    v = split_heads(x @ p["w_v"] + p["b_v"])
    # (H, T, T): q kᵀ / sqrt(d_head), query i against
    # key j (q is scaled first: the smaller array)
    scores = (q / math.sqrt(d_head)) @ k.swapaxes(-1, -2)
    # (T, T): True where key j <= query i, the past
    causal = np.tril(np.ones((length, length), dtype=bool))
    # (H, T, T): each row sums to 1, and the future gets 0
    pattern = softmax(np.where(causal, scores, -np.inf))
    z = pattern @ v                        # (H, T, d_head)
    # (T, H*d_head): the heads side by side again
    z_cat = z.swapaxes(-2, -3).reshape(*lead, length, -1)
    out = z_cat @ p["w_o"] + p["b_o"]      # (T, d)
    parts = {"q": q, "k": k, "v": v, "scores": scores,
             "pattern": pattern, "z": z, "out": out}
    return out, parts


def mlp(x: np.ndarray, p: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
    """The MLP, each position alone: its write, its parts."""
    # x (T, d)
    pre = x @ p["w_in"] + p["b_in"]        # (T, d_mlp)
    post = gelu(pre)                       # (T, d_mlp)
    out = post @ p["w_out"] + p["b_out"]   # (T, d)
    return out, {"pre": pre, "post": post, "out": out}


def block(x: np.ndarray, p: dict[str, np.ndarray], n_head: int) -> tuple[np.ndarray, dict]:
    """One block: the residual stream after it, its parts."""
    # x (T, d): the residual stream; each sub-layer reads
    # it through a LayerNorm and adds its write to it
    ln1 = layer_norm(x, p["ln1.gain"], p["ln1.bias"])[0]
    attn_out, attn = attention(
        ln1, layer_params(p, "attn"), n_head)
    mid = x + attn_out                     # (T, d)
    ln2 = layer_norm(mid, p["ln2.gain"], p["ln2.bias"])[0]
    mlp_out, mlp_parts = mlp(ln2, layer_params(p, "mlp"))
    out = mid + mlp_out                    # (T, d)
    return out, {"resid_pre": x, "ln1": ln1,
                 **prefixed("attn", attn),
                 "resid_mid": mid, "ln2": ln2,
                 **prefixed("mlp", mlp_parts),
                 "resid_post": out}


def forward(
    params: dict[str, np.ndarray], config: Config, ids: np.ndarray, trace: bool = False
) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray]]:
    """Logits (T, V) for ids (T,); with trace=True, (logits,
    trace): every intermediate, by the names of `trace_keys`,
    shaped as docs/model.md says. ids (B, T) give logits
    (B, T, V) and every trace array a leading B axis.
    """
    length = ids.shape[-1]
    # (T, d) each: row ids[t] of wte, row t of wpe
    tok = params["wte"][ids]
    pos = params["wpe"][:length]
    x = tok + pos          # (T, d): the residual stream
    kept = {"tok_embed": tok,
            "pos_embed": np.broadcast_to(pos, x.shape),
            "embed": x}
    for i in range(config.n_layer):
        p = layer_params(params, f"blocks.{i}")
        x, parts = block(x, p, config.n_head)
        if trace:
            kept.update(prefixed(f"blocks.{i}", parts))
    gain, bias = params["ln_f.gain"], params["ln_f.bias"]
    ln_f = layer_norm(x, gain, bias)[0]    # (T, d)
    logits = ln_f @ params["unembed"]      # (T, V)
    if not trace:
        return logits
    return logits, {**kept, "ln_f": ln_f, "logits": logits}


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean negative log-likelihood (nats) of targets under logits (..., V), in float64."""
    flat = logits.reshape(-1, logits.shape[-1]).astype(np.float64)
    flat = flat - flat.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(flat).sum(axis=1))
    picked = flat[np.arange(flat.shape[0]), targets.reshape(-1)]
    return float((log_norm - picked).mean())


# --- The familiar lessons use ---------------------------------------------------------------------


@dataclass
class GPT:
    """A trained (or freshly initialised) model: config, named float32 parameters, tokenizer."""

    config: Config
    params: dict[str, np.ndarray]
    tokenizer: Tokenizer
    meta: dict = field(default_factory=dict)

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

    def forward(
        self, ids: np.ndarray | list[int] | str, trace: bool = False
    ) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray]]:
        """Logits (T, V) for ids (T,), or (B, T, V) for (B, T); with trace=True also the trace.

        The trace maps every name of `trace_keys(config)` to an array; for ids (T,) the shapes
        are those of docs/model.md (attention arrays (H, T, ...)), for a batch each gains a
        leading B axis. A string is encoded first.
        """
        return forward(self.params, self.config, self._as_ids(ids), trace)

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
            logits = forward(self.params, self.config, inputs)
            for row, (start, end, first) in enumerate(group):
                targets = array[first : end + 1]
                scored = logits[row, first - 1 - start : end - start]
                total += cross_entropy(scored, targets) * targets.size
                count += targets.size
        return total / count

    def bits_per_char(self, text: str) -> float:
        """Mean bits per character of text[1:] (the loss in nats divided by ln 2)."""
        return self.loss(self.encode(text)) / math.log(2.0)

    # -- writing --
    def _prompt_ids(self, prompt: str) -> list[int]:
        ids = self.encode(prompt)
        if ids.size == 0:
            ids = self.encode("\n")  # an empty prompt starts as if at the top of a new line
        return [int(i) for i in ids[-self.config.n_ctx :]]

    def stream(
        self,
        prompt: str,
        n: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int | None = None,
    ) -> Iterator[str]:
        """Yield n new characters one at a time, each read with a cache of keys and values.

        temperature 0 means greedy (always the most likely character). top_k keeps only the k
        most likely. The same seed gives the same text. When the context fills, the model keeps
        the last n_ctx // 2 characters and reads them afresh. `reference_generate` writes the
        same text without the cache.
        """
        from grimoire.model.generate import KVCache  # the fast path, beside this file

        sample = _Sampler(temperature, top_k, seed)
        cache = KVCache(self.params, self.config)
        window = self._prompt_ids(prompt)
        logits = cache.read(window)  # (V,): the scores of the character after the window
        for _ in range(n):
            token = sample(logits)
            yield self.tokenizer.vocab[token]
            window.append(token)
            if len(window) > self.config.n_ctx:
                window = window[-(self.config.n_ctx // 2) :]
                logits = cache.read(window)
            else:
                logits = cache.step(token)

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
        """generate() without a cache: `forward` reads the whole window for every character."""
        sample = _Sampler(temperature, top_k, seed)
        window = self._prompt_ids(prompt)
        out = []
        for _ in range(n):
            token = sample(forward(self.params, self.config, np.array(window))[-1])
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
