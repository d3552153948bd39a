"""Generation with the KV cache (generate.py) gives the logits, keys, values and text of `forward`."""

import numpy as np
import pytest

from grimoire.model import load_model
from grimoire.model.generate import KVCache
from grimoire.model.gpt import GPT, Config, forward, init_params
from grimoire.model.tokenizer import Tokenizer


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_greedy_generation_with_the_cache_equals_recomputing_every_step(model):
    # 300 characters run past the context, so the window refresh is covered too.
    n = 2 * model.config.n_ctx + 44
    cached = model.generate("def ", n, temperature=0)
    assert cached == model.reference_generate("def ", n, temperature=0)


def test_sampled_generation_with_the_cache_equals_recomputing_every_step(model):
    for seed in (0, 1):
        cached = model.generate("class Lesson:\n", 150, temperature=0.8, top_k=10, seed=seed)
        fresh = model.reference_generate(
            "class Lesson:\n", 150, temperature=0.8, top_k=10, seed=seed
        )
        assert cached == fresh


def test_cached_step_logits_match_the_full_forward(model):
    ids = model.encode("import numpy as np\n\ndef softmax(x):\n")
    cache = KVCache(model.params, model.config)
    full = model.forward(ids)
    np.testing.assert_allclose(cache.read(list(ids[:5])), full[4], rtol=1e-4, atol=1e-4)
    for t in range(5, ids.size):
        logits = cache.step(int(ids[t]))
        assert logits.dtype == np.float32
        np.testing.assert_allclose(logits, full[t], rtol=1e-4, atol=1e-4)


def test_the_same_seed_gives_the_same_text_and_another_seed_differs(model):
    first = model.generate("def ", 120, seed=7)
    assert model.generate("def ", 120, seed=7) == first
    assert model.generate("def ", 120, seed=8) != first
    assert len(first) == 120


def test_stream_yields_one_character_a_step_and_matches_generate(model):
    pieces = list(model.stream("# ", 50, seed=3))
    assert all(len(p) == 1 for p in pieces)
    assert "".join(pieces) == model.generate("# ", 50, seed=3)


def test_top_k_one_is_greedy_and_an_empty_prompt_works(model):
    assert model.generate("for ", 40, top_k=1, seed=5) == model.generate("for ", 40, temperature=0)
    assert len(model.generate("", 10, seed=0)) == 10


def test_bad_sampling_settings_are_refused(model):
    with pytest.raises(ValueError, match="temperature"):
        model.generate("a", 3, temperature=-1)
    with pytest.raises(ValueError, match="top_k"):
        model.generate("a", 3, top_k=0)


def test_generation_follows_edits_to_the_parameters(model):
    # A lesson may replace a matrix (say by a low-rank version); generation must use it.
    edited = load_model()
    edited.params["ln_f.gain"] = np.zeros_like(edited.params["ln_f.gain"])
    edited.params["ln_f.bias"] = np.ones_like(edited.params["ln_f.bias"])
    edited.params["unembed"] = np.zeros_like(edited.params["unembed"])
    edited.params["unembed"][:, 1] = 1.0  # so character 1 always wins
    assert edited.generate("def ", 5, temperature=0) == edited.tokenizer.vocab[1] * 5
    assert model.generate("def ", 5, temperature=0) != edited.generate("def ", 5, temperature=0)


def test_the_cache_holds_the_keys_and_values_of_the_trace(model):
    ids = model.encode("for step in range(steps):\n    loss = model.loss(ids)\n")
    _, trace = model.forward(ids, trace=True)
    cache = KVCache(model.params, model.config)
    cache.read(list(ids[:20]))
    for token in ids[20:]:
        cache.step(int(token))
    d_head = model.config.d_head
    for i, stored in enumerate(cache.keys_values):
        np.testing.assert_allclose(stored[:, : ids.size, :d_head], trace[f"blocks.{i}.attn.k"],
                                   rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(stored[:, : ids.size, d_head : 2 * d_head],
                                   trace[f"blocks.{i}.attn.v"], rtol=1e-4, atol=1e-5)


def _odd_model(seed: int) -> GPT:
    """Three heads of 5 (so 1/sqrt(d_head) is not a power of two), weights far from their init."""
    config = Config(n_layer=2, n_head=3, d_model=15, d_head=5, d_mlp=24, n_ctx=12, vocab_size=7)
    rng = np.random.default_rng(seed)
    params = {name: (value + rng.normal(0.0, 0.5, value.shape)).astype(np.float32)
              for name, value in init_params(config, seed).items()}
    return GPT(config, params, Tokenizer(["\ufffd", *"abcdef"]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_cache_equals_forward_for_any_shape_of_model(seed):
    odd = _odd_model(seed)
    ids = np.random.default_rng(seed).integers(0, 7, odd.config.n_ctx)
    full = forward(odd.params, odd.config, ids)
    cache = KVCache(odd.params, odd.config)
    np.testing.assert_allclose(cache.read(list(ids[:4])), full[3], rtol=1e-4, atol=1e-4)
    for t in range(4, ids.size):
        np.testing.assert_allclose(cache.step(int(ids[t])), full[t], rtol=1e-4, atol=1e-4)
    assert odd.generate("ab", 40, temperature=0) == odd.reference_generate("ab", 40, temperature=0)


def test_the_cache_stays_finite_where_scores_are_huge(model):
    # A lesson may scale a matrix up; the softmax must then still be shifted by each row's max.
    edited = load_model()
    edited.params["blocks.0.attn.w_q"] = edited.params["blocks.0.attn.w_q"] * 300.0
    ids = edited.encode("def layer_norm(x, gain, bias):\n")
    full, trace = edited.forward(ids, trace=True)
    assert np.abs(trace["blocks.0.attn.scores"]).max() > 200.0  # exp of that overflows float32
    cache = KVCache(edited.params, edited.config)
    cache.read(list(ids[:3]))
    for t in range(3, ids.size):
        logits = cache.step(int(ids[t]))
        assert np.isfinite(logits).all()
        np.testing.assert_allclose(logits, full[t], rtol=1e-3, atol=1e-3)
