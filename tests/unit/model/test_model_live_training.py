"""Training step by step: the same run as train_params, head scores, and fine-tuning a copy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grimoire.model import load_model
from grimoire.model.circuits import (
    induction_score,
    previous_token_score,
    read_heads,
    repeated_text,
)
from grimoire.model.live_training import repeat_trainer, split_for_tuning, tuning_trainer
from grimoire.model.tokenizer import FALLBACK, Tokenizer
from grimoire.model.train import REPEAT_ALPHABET, REPEAT_RECIPE, repeat_sequences, train_params
from grimoire.paths import lessons_dir


def test_step_by_step_training_is_the_same_run_as_train_params() -> None:
    recipe = replace(REPEAT_RECIPE, steps=4, warmup=2, batch_size=8)
    config = recipe.model_config(Tokenizer([FALLBACK, *REPEAT_ALPHABET]).size)

    def next_batch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        rows = repeat_sequences(rng, recipe.batch_size, recipe.n_ctx, len(REPEAT_ALPHABET))
        return rows[:, :-1], rows[:, 1:]

    params, losses = train_params(config, recipe, next_batch)
    trainer = repeat_trainer(recipe=recipe)
    stepped = [trainer.step() for _ in range(recipe.steps)]
    assert trainer.finished
    assert stepped == losses
    for name, value in params.items():
        assert np.array_equal(trainer.model.params[name], value), name


def test_scores_read_the_stripes_of_a_pattern() -> None:
    length, period = 12, 4
    previous = np.eye(length, k=-1)
    previous[0, 0] = 1.0
    induction = np.zeros((length, length))
    for i in range(length):
        induction[i, i - period + 1 if i >= period else 0] = 1.0
    assert previous_token_score(previous) == 1.0
    assert induction_score(previous, period) == 0.0
    assert induction_score(induction, period) == 1.0
    assert previous_token_score(induction) < 0.2


def test_the_shipped_repeat_model_has_an_induction_head() -> None:
    model = load_model("repeat")
    heads = read_heads(model, repeated_text("spectral", 24), period=8)
    assert [h.name for h in heads] == ["L0H0", "L0H1", "L1H0", "L1H1"]
    assert max(h.induction for h in heads if h.name.startswith("L1")) > 0.3
    assert all(h.pattern.shape == (24, 24) for h in heads)


def test_fine_tuning_on_a_lesson_lowers_its_held_out_bits_and_leaves_the_shipped_alone() -> None:
    shipped = load_model()
    original = {k: v.copy() for k, v in shipped.params.items()}
    text = (lessons_dir() / "05-svd.yaml").read_text(encoding="utf-8")
    learned, held_out = split_for_tuning(text)
    assert learned + held_out == text and len(held_out) <= 2000
    trainer = tuning_trainer(shipped, learned, steps=10)
    before = trainer.model.bits_per_char(held_out)
    while not trainer.finished:
        trainer.step()
    after = trainer.model.bits_per_char(held_out)
    assert after < before - 0.02
    for name, value in original.items():
        assert np.array_equal(shipped.params[name], value), name


def test_a_text_too_short_to_split_is_refused_with_a_sentence() -> None:
    try:
        split_for_tuning("too short")
    except ValueError as error:
        assert "9 characters" in str(error)
    else:
        raise AssertionError("a 9-character text was accepted")
