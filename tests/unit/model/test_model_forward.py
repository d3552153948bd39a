"""The shipped model's forward pass: the documented names and shapes, float32, and its maths."""

import math

import numpy as np
import pytest

from grimoire.model import load_model
from grimoire.model.gpt import gelu, parameter_shapes, trace_keys


@pytest.fixture(scope="module")
def model():
    return load_model()


TEXT = "def forward(self, ids, trace=False):\n    return self.params['wte'][ids]\n"


def test_parameters_have_the_documented_names_shapes_and_dtype(model):
    c = model.config
    assert c.n_head * c.d_head == c.d_model
    assert list(model.params) == list(parameter_shapes(c))
    assert model.params["wte"].shape == (c.vocab_size, c.d_model)
    assert model.params["wpe"].shape == (c.n_ctx, c.d_model)
    assert model.params["blocks.0.attn.w_q"].shape == (c.d_model, c.d_model)
    assert model.params["blocks.0.mlp.w_in"].shape == (c.d_model, c.d_mlp)
    assert model.params["unembed"].shape == (c.d_model, c.vocab_size)
    assert all(p.dtype == np.float32 for p in model.params.values())
    assert len(model.tokenizer.vocab) == c.vocab_size


def test_trace_has_every_documented_key_shape_and_stays_float32(model):
    c = model.config
    ids = model.encode(TEXT)
    t, h = ids.size, c.n_head
    logits, trace = model.forward(ids, trace=True)
    assert list(trace) == trace_keys(c)
    expected = {"tok_embed": (t, c.d_model), "embed": (t, c.d_model), "ln_f": (t, c.d_model),
                "logits": (t, c.vocab_size)}
    for i in range(c.n_layer):
        b = f"blocks.{i}"
        expected.update({
            f"{b}.attn.q": (h, t, c.d_head), f"{b}.attn.scores": (h, t, t),
            f"{b}.attn.pattern": (h, t, t), f"{b}.attn.z": (h, t, c.d_head),
            f"{b}.attn.out": (t, c.d_model), f"{b}.mlp.pre": (t, c.d_mlp),
            f"{b}.mlp.post": (t, c.d_mlp), f"{b}.resid_post": (t, c.d_model),
        })
    for key, shape in expected.items():
        assert trace[key].shape == shape, key
    assert logits.dtype == np.float32
    assert {a.dtype for a in trace.values()} == {np.dtype(np.float32)}
    np.testing.assert_array_equal(logits, trace["logits"])


def test_trace_arrays_are_what_their_names_say(model):
    c = model.config
    ids = model.encode(TEXT)
    _, tr = model.forward(ids, trace=True)
    p = model.params
    np.testing.assert_array_equal(tr["tok_embed"], p["wte"][ids])
    np.testing.assert_allclose(tr["embed"], p["wte"][ids] + p["wpe"][: ids.size], rtol=1e-6)
    for i in range(c.n_layer):
        b = f"blocks.{i}"
        pattern = tr[f"{b}.attn.pattern"]
        np.testing.assert_allclose(pattern.sum(axis=-1), 1.0, rtol=1e-5)
        assert np.all(np.triu(pattern, k=1) == 0.0), "a position attended to the future"
        # scores are q k^T / sqrt(d_head) before the mask, so the future entries are finite
        q, k = tr[f"{b}.attn.q"], tr[f"{b}.attn.k"]
        np.testing.assert_allclose(
            tr[f"{b}.attn.scores"], q @ k.transpose(0, 2, 1) / math.sqrt(c.d_head), atol=1e-5
        )
        head0 = model.head(i, 0)
        np.testing.assert_allclose(
            q[0], tr[f"{b}.ln1"] @ head0["w_q"] + head0["b_q"], rtol=1e-4, atol=1e-5
        )
        np.testing.assert_allclose(
            tr[f"{b}.resid_mid"], tr[f"{b}.resid_pre"] + tr[f"{b}.attn.out"], rtol=1e-6
        )
        np.testing.assert_allclose(tr[f"{b}.mlp.post"], gelu(tr[f"{b}.mlp.pre"]), rtol=1e-6)
        np.testing.assert_allclose(
            tr[f"{b}.resid_post"], tr[f"{b}.resid_mid"] + tr[f"{b}.mlp.out"], rtol=1e-6
        )
    z_cat = tr[f"blocks.{c.n_layer - 1}.attn.z"].transpose(1, 0, 2).reshape(ids.size, -1)
    w_o = p[f"blocks.{c.n_layer - 1}.attn.w_o"]
    np.testing.assert_allclose(
        tr[f"blocks.{c.n_layer - 1}.attn.out"],
        z_cat @ w_o + p[f"blocks.{c.n_layer - 1}.attn.b_o"],
        rtol=1e-4, atol=1e-5,
    )


def test_head_slices_are_the_documented_columns_and_rows(model):
    c = model.config
    h = c.n_head - 1
    head = model.head(0, h)
    cols = slice(h * c.d_head, (h + 1) * c.d_head)
    np.testing.assert_array_equal(head["w_v"], model.params["blocks.0.attn.w_v"][:, cols])
    np.testing.assert_array_equal(head["w_o"], model.params["blocks.0.attn.w_o"][cols, :])
    assert head["w_k"].shape == (c.d_model, c.d_head)
    with pytest.raises(ValueError, match="heads"):
        model.head(0, c.n_head)


def test_a_batch_gives_the_same_logits_as_one_row_at_a_time(model):
    ids = model.encode(TEXT)[:40]
    batch = np.stack([ids, ids[::-1]])
    logits = model.forward(batch)
    assert logits.shape == (2, 40, model.config.vocab_size)
    np.testing.assert_allclose(logits[1], model.forward(ids[::-1]), rtol=1e-4, atol=1e-4)


def test_loss_reads_long_text_in_windows_and_scores_each_character_once(model):
    n_ctx = model.config.n_ctx
    ids = model.encode(TEXT * 6)[: 2 * n_ctx + 37]
    windows = model._windows(ids.size)
    scored = [pos for _, end, first in windows for pos in range(first, end + 1)]
    assert scored == list(range(1, ids.size))
    assert all(end - start <= n_ctx for start, end, _ in windows)
    # the loss equals the average of the per-character losses from the windows' own forwards
    total = 0.0
    for start, end, first in windows:
        logits = model.forward(ids[start:end]).astype(np.float64)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        rows = np.arange(first - 1 - start, end - start)
        total -= log_probs[rows, ids[first : end + 1]].sum()
    assert model.loss(ids) == pytest.approx(total / (ids.size - 1), rel=1e-6)
    assert model.bits_per_char(TEXT) == pytest.approx(model.loss(model.encode(TEXT)) / math.log(2))


def test_too_long_input_is_one_sentence(model):
    with pytest.raises(ValueError, match=f"at most {model.config.n_ctx} tokens"):
        model.forward(np.zeros(model.config.n_ctx + 1, dtype=np.int64))


def test_gelu_is_float32_and_agrees_with_the_slow_power(model):
    # x**3 on float32 is the slow path the code avoids; both must give the same numbers.
    x = np.linspace(-4, 4, 101, dtype=np.float32)
    slow = 0.5 * x * (1.0 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    assert gelu(x).dtype == np.float32
    np.testing.assert_allclose(gelu(x), slow, rtol=1e-6, atol=1e-7)
