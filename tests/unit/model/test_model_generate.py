"""Generation with a KV cache: equal to recomputation, reproducible by seed, and a pinned sample."""

import numpy as np
import pytest

from grimoire.model import load_model


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
    from grimoire.model.generate import KVCache

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
