"""Training one step at a time, so it can be watched: the repeat model, or a copy of the familiar.

`train_params` (train.py) runs a whole recipe in one call; a `Trainer` takes the same steps one
call at a time — with the same seed it draws the same batches and reaches the same weights — so
the training room can draw the loss, pause, and look at the heads between steps.

    trainer = repeat_trainer(lr=3e-3, steps=800)      # the recipe of `grimoire train --task repeat`
    loss = trainer.step()                             # one AdamW step; the batch's loss in nats
    trainer.model                                     # a GPT on the current parameters

    learned, held_out = split_for_tuning(text)        # the last fifth is only measured on
    trainer = tuning_trainer(load_model(), learned, steps=100)   # a copy; the shipped is untouched
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from grimoire.model.gpt import GPT, Config, init_params
from grimoire.model.grad import loss_and_grads
from grimoire.model.tokenizer import FALLBACK, Tokenizer
from grimoire.model.train import (
    REPEAT_ALPHABET,
    REPEAT_RECIPE,
    AdamW,
    Recipe,
    clip_gradients,
    learning_rate,
    repeat_sequences,
    text_batches,
)

Batches = Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]]

TUNING_RECIPE = Recipe(
    n_layer=3, n_head=4, d_model=64, d_mlp=256, n_ctx=128,
    steps=100, batch_size=16, lr=3e-4, warmup=10, weight_decay=0.0,
)
"""Fine-tuning the familiar: a thirtieth of its own peak rate (more undoes what it knew), no decay.

Only steps, batch_size, the rates and the seed are read: the shape is the shipped model's.
"""

MIN_TUNING_CHARS = 300
"""A text shorter than this leaves too little to learn from and to hold out."""

HELD_OUT_FRACTION = 0.2
HELD_OUT_MAX = 2000
"""Characters held out from fine-tuning, to measure it on: the last fifth, at most this many."""


class Trainer:
    """Parameters, AdamW state and the batch generator of one run, advanced a step at a time."""

    def __init__(self, model: GPT, recipe: Recipe, next_batch: Batches,
                 rng: np.random.Generator) -> None:
        self.model = model
        self.recipe = recipe
        self.next_batch = next_batch
        self.rng = rng
        self.optimizer = AdamW(model.params, recipe)
        self.steps_done = 0
        self.losses: list[float] = []

    @property
    def finished(self) -> bool:
        return self.steps_done >= self.recipe.steps

    def current_rate(self) -> float:
        """The learning rate of the next step (warm-up, then cosine decay)."""
        return learning_rate(self.steps_done, self.recipe)

    def step(self) -> float:
        """One optimisation step, as in train_params: batch, gradients, clip, AdamW; the loss."""
        ids, targets = self.next_batch(self.rng)
        loss, grads = loss_and_grads(self.model.params, self.model.config, ids, targets)
        clip_gradients(grads, self.recipe.clip)
        self.optimizer.update(self.model.params, grads, self.current_rate())
        self.steps_done += 1
        self.losses.append(loss)
        return loss


def repeat_trainer(lr: float | None = None, steps: int | None = None,
                   recipe: Recipe = REPEAT_RECIPE) -> Trainer:
    """The repeat model from scratch: the recipe of `grimoire train --task repeat`, lr and steps
    changed if given (the warm-up never longer than the run)."""
    changes: dict[str, float | int] = {}
    if lr is not None:
        changes["lr"] = lr
    if steps is not None:
        changes.update(steps=steps, warmup=min(recipe.warmup, steps))
    recipe = replace(recipe, **changes)
    tokenizer = Tokenizer([FALLBACK, *REPEAT_ALPHABET])
    config = recipe.model_config(tokenizer.size)
    rng = np.random.default_rng(recipe.seed)
    # The first draw seeds the initial weights, exactly as train_params does.
    params = init_params(config, seed=int(rng.integers(2**31)))

    def next_batch(generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        rows = repeat_sequences(generator, recipe.batch_size, recipe.n_ctx, len(REPEAT_ALPHABET))
        return rows[:, :-1], rows[:, 1:]

    return Trainer(GPT(config, params, tokenizer, {"task": "repeat"}), recipe, next_batch, rng)


def split_for_tuning(text: str) -> tuple[str, str]:
    """(learned, held out): the last fifth of the text (at most HELD_OUT_MAX chars) is held out.

    Raises ValueError, with a sentence, when the text is too short to split usefully.
    """
    if len(text) < MIN_TUNING_CHARS:
        raise ValueError(
            f"The text has {len(text)} characters; the familiar needs at least "
            f"{MIN_TUNING_CHARS} to learn from some and be measured on the rest."
        )
    held = min(HELD_OUT_MAX, int(len(text) * HELD_OUT_FRACTION))
    return text[:-held], text[-held:]


def tuning_trainer(shipped: GPT, learned_text: str, steps: int | None = None,
                   lr: float | None = None, recipe: Recipe = TUNING_RECIPE) -> Trainer:
    """A copy of `shipped` (its arrays copied: the original is never touched) to tune on a text.

    Windows shorter than the model's context are used when the text is short.
    """
    changes: dict[str, float | int] = {}
    if steps is not None:
        changes.update(steps=steps, warmup=min(recipe.warmup, steps))
    if lr is not None:
        changes["lr"] = lr
    recipe = replace(recipe, **changes)
    config: Config = shipped.config
    params = {name: array.copy() for name, array in shipped.params.items()}
    meta = dict(shipped.meta, task="tuned", tuned_from=shipped.meta.get("corpus_sha256"))
    model = GPT(config, params, shipped.tokenizer, meta)
    data = model.encode(learned_text)
    window = min(config.n_ctx, data.size - 2)
    batches = text_batches(data, recipe.batch_size, window)
    return Trainer(model, recipe, batches, np.random.default_rng(recipe.seed))
