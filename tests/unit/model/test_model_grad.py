"""The hand-written backward pass agrees with finite differences for every parameter tensor."""

import numpy as np

from grimoire.model.gpt import Config, init_params, parameter_shapes
from grimoire.model.grad import gradient_check, loss_and_grads

TINY = Config(n_layer=2, n_head=2, d_model=8, d_head=4, d_mlp=16, n_ctx=6, vocab_size=7)


def _perturbed_params(seed: int) -> dict[str, np.ndarray]:
    # Fresh weights are nearly linear (gains 1, biases 0); noise makes every term matter.
    rng = np.random.default_rng(seed)
    return {
        name: (value + rng.normal(0.0, 0.3, value.shape)).astype(np.float32)
        for name, value in init_params(TINY, seed).items()
    }


def test_every_parameter_gradient_matches_central_differences():
    rng = np.random.default_rng(1)
    ids = rng.integers(0, TINY.vocab_size, (2, TINY.n_ctx))
    targets = rng.integers(0, TINY.vocab_size, (2, TINY.n_ctx))
    report = gradient_check(_perturbed_params(0), TINY, ids, targets)
    assert [r.name for r in report] == list(parameter_shapes(TINY))
    assert all(r.checked == int(np.prod(parameter_shapes(TINY)[r.name])) for r in report)
    worst = max(report, key=lambda r: r.relative_error)
    assert worst.relative_error < 1e-5, worst


def test_key_bias_has_no_gradient_because_softmax_ignores_a_shift():
    rng = np.random.default_rng(2)
    ids = rng.integers(0, TINY.vocab_size, (1, TINY.n_ctx))
    params = {k: v.astype(np.float64) for k, v in _perturbed_params(3).items()}
    _, grads = loss_and_grads(params, TINY, ids, np.roll(ids, -1, axis=1))
    assert np.abs(grads["blocks.0.attn.b_k"]).max() < 1e-12
    assert np.abs(grads["blocks.0.attn.b_q"]).max() > 1e-6


def test_gradients_are_float32_for_float32_parameters():
    rng = np.random.default_rng(4)
    ids = rng.integers(0, TINY.vocab_size, (3, TINY.n_ctx))
    _, grads = loss_and_grads(init_params(TINY, 0), TINY, ids, ids)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
