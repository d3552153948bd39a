"""Training: seeded AdamW, warm-up and cosine decay, on the Grimoire's own text or a repeat task.

`grimoire train` reproduces the shipped weights bit for bit on the same machine (same numpy,
same corpus): every random draw comes from one generator seeded by the recipe, BLAS runs on one
thread, and the weights file has fixed zip timestamps. `grimoire train --task repeat` trains the
small copying model of the eigenvalue lesson.
"""

from __future__ import annotations

import math
import os
import sys
import time

# OpenBLAS splits a product differently with 2 threads than with 1, and the low bits of the
# weights differ, so `grimoire train` pins one thread (unless told otherwise) before numpy loads.
# It also keeps training off the second core, which the app or the learner may be using.
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from grimoire.model.corpus import (
    build_corpus,
    corpus_sha256,
    corpus_text,
    kneser_ney_bits_per_char,
    lzma_bits_per_char,
)
from grimoire.model.gpt import (
    GPT,
    REPEAT_PATH,
    WEIGHTS_PATH,
    Config,
    init_params,
    save_model,
)
from grimoire.model.grad import loss_and_grads
from grimoire.model.memory import keep_freed_memory
from grimoire.model.tokenizer import FALLBACK, Tokenizer


@dataclass(frozen=True)
class Recipe:
    """Everything that decides the trained weights, apart from the data."""

    n_layer: int
    n_head: int
    d_model: int
    d_mlp: int
    n_ctx: int
    steps: int
    batch_size: int
    lr: float
    warmup: int
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.99
    eps: float = 1e-8
    clip: float = 1.0
    seed: int = 1234
    min_char_count: int = 1
    """A character enters the vocabulary only if the corpus holds it this many times."""

    def model_config(self, vocab_size: int) -> Config:
        """The model shape this recipe trains."""
        return Config(
            n_layer=self.n_layer,
            n_head=self.n_head,
            d_model=self.d_model,
            d_head=self.d_model // self.n_head,
            d_mlp=self.d_mlp,
            n_ctx=self.n_ctx,
            vocab_size=vocab_size,
        )


GRIMOIRE_RECIPE = Recipe(
    n_layer=3, n_head=4, d_model=64, d_mlp=256, n_ctx=128,
    steps=2000, batch_size=32, lr=1e-2, warmup=100, min_char_count=10,
)
"""The shipped model's recipe (docs/model.md explains the choice)."""

REPEAT_RECIPE = Recipe(
    n_layer=2, n_head=2, d_model=64, d_mlp=128, n_ctx=32,
    steps=800, batch_size=64, lr=3e-3, warmup=100, weight_decay=0.0,
)
"""The repeat-task model's recipe."""

REPEAT_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
"""The characters of the repeat task."""


def learning_rate(step: int, recipe: Recipe) -> float:
    """Linear warm-up to the peak over `warmup` steps, then cosine decay to min_lr_ratio * peak."""
    if step < recipe.warmup:
        return recipe.lr * (step + 1) / recipe.warmup
    progress = (step - recipe.warmup) / max(1, recipe.steps - recipe.warmup)
    floor = recipe.lr * recipe.min_lr_ratio
    return floor + (recipe.lr - floor) * 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))


class AdamW:
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019) on the matrices only."""

    def __init__(self, params: dict[str, np.ndarray], recipe: Recipe) -> None:
        self.recipe = recipe
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        # Gains and biases are not decayed: shrinking them toward 0 is not a sensible prior.
        self.decayed = {k for k, v in params.items() if v.ndim == 2}
        self.t = 0

    def update(
        self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
    ) -> None:
        """One step, in place."""
        r = self.recipe
        self.t += 1
        correct1 = 1.0 - r.beta1**self.t
        correct2 = 1.0 - r.beta2**self.t
        for name, param in params.items():
            g = grads[name]
            m, v = self.m[name], self.v[name]
            m *= r.beta1
            m += (1.0 - r.beta1) * g
            v *= r.beta2
            v += (1.0 - r.beta2) * (g * g)
            if name in self.decayed and r.weight_decay:
                param *= 1.0 - lr * r.weight_decay
            param -= (lr / correct1) * m / (np.sqrt(v / correct2) + r.eps)


def clip_gradients(grads: dict[str, np.ndarray], limit: float) -> float:
    """Scale all gradients together so their global norm is at most `limit`; the norm before."""
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    if norm > limit:
        factor = limit / norm
        for g in grads.values():
            g *= factor
    return norm


class Progress:
    """A one-line progress report on stderr: step, loss, speed and time left."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total, self.label = total, label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.last_shown = -1.0

    def __call__(self, step: int, loss: float) -> None:
        now = time.monotonic()
        done = step + 1
        final = done == self.total
        # On a terminal, redraw about 4 times a second; in a log, one line per tenth of the run.
        if self.tty and not final and now - self.last_shown < 0.25:
            return
        if not self.tty and not final and done % max(1, self.total // 10):
            return
        self.last_shown = now
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.total - done) / rate if rate else 0.0
        width = 24
        filled = int(width * done / self.total)
        bar = "#" * filled + "." * (width - filled)
        line = (
            f"{self.label} [{bar}] step {done}/{self.total}  loss {loss:.3f}  "
            f"{rate:.1f} steps/s  ETA {int(left) // 60}:{int(left) % 60:02d}"
        )
        end = "\n" if final or not self.tty else ""
        self.stream.write(("\r" if self.tty else "") + line + end)
        self.stream.flush()


def train_params(
    config: Config,
    recipe: Recipe,
    next_batch: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]],
    on_step: Callable[[int, float], None] | None = None,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train from the recipe's seed; the parameters and each step's loss."""
    keep_freed_memory()
    rng = np.random.default_rng(recipe.seed)
    params = init_params(config, seed=int(rng.integers(2**31)))
    optimizer = AdamW(params, recipe)
    losses = []
    for step in range(recipe.steps):
        ids, targets = next_batch(rng)
        loss, grads = loss_and_grads(params, config, ids, targets)
        clip_gradients(grads, recipe.clip)
        optimizer.update(params, grads, learning_rate(step, recipe))
        losses.append(loss)
        if on_step is not None:
            on_step(step, loss)
    return params, losses


def text_batches(
    data: np.ndarray, batch_size: int, n_ctx: int
) -> Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]]:
    """Random windows of n_ctx + 1 ids: inputs are the first n_ctx, targets the last n_ctx."""
    if data.size <= n_ctx + 1:
        raise ValueError(f"The training text needs more than {n_ctx + 1} characters.")
    offsets = np.arange(n_ctx + 1)

    def next_batch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        starts = rng.integers(0, data.size - n_ctx - 1, size=batch_size)
        windows = data[starts[:, None] + offsets]
        return windows[:, :-1], windows[:, 1:]

    return next_batch


def repeat_sequences(
    rng: np.random.Generator, batch_size: int, n_ctx: int, alphabet_size: int
) -> np.ndarray:
    """(batch, n_ctx + 1) ids 1..alphabet_size: a random segment of 4..n_ctx//2 chars, repeated.

    A segment never holds a character twice, so after its first pass every next character is
    determined: the one that followed the current character last time.
    """
    rows = np.empty((batch_size, n_ctx + 1), dtype=np.int64)
    longest = min(n_ctx // 2, alphabet_size)
    for row in rows:
        period = int(rng.integers(4, longest + 1))
        segment = rng.permutation(alphabet_size)[:period] + 1
        row[:] = np.resize(segment, n_ctx + 1)
    return rows


def train_grimoire(
    recipe: Recipe = GRIMOIRE_RECIPE, out: Path | None = WEIGHTS_PATH, progress: bool = True
) -> GPT:
    """Train the shipped model on the Grimoire's current files; save it to `out` unless None."""
    text = corpus_text()
    train_text, heldout_text = build_corpus()
    tokenizer = Tokenizer.from_text(text, min_count=recipe.min_char_count)
    config = recipe.model_config(tokenizer.size)
    data = tokenizer.encode(train_text)
    report = Progress(recipe.steps, "training") if progress else None
    batches = text_batches(data, recipe.batch_size, recipe.n_ctx)
    params, losses = train_params(config, recipe, batches, report)
    model = GPT(config, params, tokenizer)
    sample = train_text[: len(heldout_text)]
    model.meta = {
        "task": "grimoire",
        "recipe": asdict(recipe),
        "steps": recipe.steps,
        "seed": recipe.seed,
        "corpus_sha256": corpus_sha256(text),
        "corpus_chars": len(text),
        "train_chars": len(train_text),
        "heldout_chars": len(heldout_text),
        "train_loss": model.loss(sample),
        "heldout_loss": model.loss(heldout_text),
        "final_batch_loss": float(np.mean(losses[-20:])),
        # The baselines on the same split, so the figures stay comparable after the corpus moves.
        "heldout_bits_kneser_ney_3": kneser_ney_bits_per_char(train_text, heldout_text, 3),
        "heldout_bits_lzma_9": lzma_bits_per_char(train_text, heldout_text),
        "command": "grimoire train",
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
    }
    if out is not None:
        save_model(model, out)
    return model


def train_repeat(
    recipe: Recipe = REPEAT_RECIPE, out: Path | None = REPEAT_PATH, progress: bool = True
) -> GPT:
    """Train the copying model on random segments that repeat; save it to `out` unless None."""
    tokenizer = Tokenizer([FALLBACK, *REPEAT_ALPHABET])
    config = recipe.model_config(tokenizer.size)

    def next_batch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        rows = repeat_sequences(rng, recipe.batch_size, recipe.n_ctx, len(REPEAT_ALPHABET))
        return rows[:, :-1], rows[:, 1:]

    report = Progress(recipe.steps, "training (repeat task)") if progress else None
    params, losses = train_params(config, recipe, next_batch, report)
    model = GPT(config, params, tokenizer)
    # Held out: fresh sequences from a generator the training never saw; loss only on the second
    # and later repeats, where copying is possible.
    check = repeat_sequences(
        np.random.default_rng(recipe.seed + 1), 64, recipe.n_ctx, len(REPEAT_ALPHABET)
    )
    model.meta = {
        "task": "repeat",
        "recipe": asdict(recipe),
        "steps": recipe.steps,
        "seed": recipe.seed,
        "alphabet": REPEAT_ALPHABET,
        "final_batch_loss": float(np.mean(losses[-20:])),
        "heldout_loss": float(np.mean([model.loss(row) for row in check])),
        "command": "grimoire train --task repeat",
    }
    if out is not None:
        save_model(model, out)
    return model
