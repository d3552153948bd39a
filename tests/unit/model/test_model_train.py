"""Training: seeded and bit-reproducible, a schedule that warms up and decays, and it learns."""

import math
from dataclasses import replace

import numpy as np

from grimoire.model.corpus import bigram_bits_per_char, build_corpus
from grimoire.model.gpt import GPT
from grimoire.model.tokenizer import Tokenizer
from grimoire.model.train import (
    GRIMOIRE_RECIPE,
    Recipe,
    learning_rate,
    repeat_sequences,
    text_batches,
    train_params,
)

TINY = Recipe(
    n_layer=1, n_head=2, d_model=32, d_mlp=64, n_ctx=32,
    steps=400, batch_size=32, lr=1e-2, warmup=20, seed=5,
)


def _tiny_run(steps: int, split: tuple[str, str] | None = None):
    train, heldout = split if split is not None else build_corpus()
    tokenizer = Tokenizer.from_text(train + heldout)
    recipe = replace(TINY, steps=steps)
    config = recipe.model_config(tokenizer.size)
    batches = text_batches(tokenizer.encode(train), recipe.batch_size, recipe.n_ctx)
    params, losses = train_params(config, recipe, batches)
    return GPT(config, params, tokenizer), losses, train, heldout


def test_the_same_seed_trains_the_same_weights_bit_for_bit():
    split = build_corpus()  # once: the two runs must read the very same text
    first, losses_a, _, _ = _tiny_run(15, split)
    second, losses_b, _, _ = _tiny_run(15, split)
    assert losses_a == losses_b
    for name, value in first.params.items():
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, second.params[name])


def test_a_short_tiny_run_beats_a_bigram_model_on_held_out_text():
    model, losses, train, heldout = _tiny_run(TINY.steps)
    sample = heldout[:6000]
    assert np.mean(losses[-20:]) < losses[0] - 1.0
    assert model.bits_per_char(sample) < bigram_bits_per_char(train, sample)


def test_learning_rate_warms_up_then_decays_to_the_floor():
    r = GRIMOIRE_RECIPE
    rates = [learning_rate(s, r) for s in range(r.steps)]
    assert rates[0] < rates[r.warmup // 2] < rates[r.warmup - 1] == r.lr
    assert all(a >= b for a, b in zip(rates[r.warmup :], rates[r.warmup + 1 :], strict=False))
    assert math.isclose(learning_rate(r.steps, r), r.lr * r.min_lr_ratio)


def test_repeat_sequences_repeat_their_first_segment():
    rows = repeat_sequences(np.random.default_rng(0), 8, 48, 26)
    assert rows.shape == (8, 49) and rows.min() >= 1 and rows.max() <= 26
    for row in rows:
        period = next(p for p in range(4, 25) if np.array_equal(row[p:], row[:-p]))
        assert 4 <= period <= 24


def test_grimoire_train_command_writes_a_loadable_model(tmp_path, capsys):
    from grimoire.cli import main
    from grimoire.model import load_model

    out = tmp_path / "copying.npz"
    assert main(["train", "--task", "repeat", "--steps", "3", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"Wrote {out}" in captured.out
    assert "step 3/3" in captured.err and "ETA" in captured.err
    model = load_model(out)
    assert model.meta["task"] == "repeat" and model.meta["steps"] == 3


def test_grimoire_train_refuses_zero_steps_and_unwritable_places_in_a_sentence(tmp_path, capsys):
    from grimoire.cli import main

    assert main(["train", "--task", "repeat", "--steps", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["train", "--task", "repeat", "--steps", "1", "--out", str(blocker / "x.npz")]) == 1
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message.startswith("grimoire: cannot write") and message.endswith(".")
