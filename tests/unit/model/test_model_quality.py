"""The shipped weights are a real language model: better than counting, on text they never saw."""

import math

import pytest

from grimoire.model import load_model
from grimoire.model.corpus import bigram_bits_per_char, build_corpus, kneser_ney_bits_per_char

SAMPLE_CHARS = 8000


@pytest.fixture(scope="module")
def split():
    return build_corpus()


def test_shipped_weights_beat_an_order3_kneser_ney_model_on_held_out_text(split):
    train, heldout = split
    sample = heldout[:SAMPLE_CHARS]
    model_bits = load_model().bits_per_char(sample)
    assert model_bits < kneser_ney_bits_per_char(train, sample, order=3)
    assert model_bits < bigram_bits_per_char(train, sample)


def test_the_metadata_records_held_out_loss_below_the_uniform_guess():
    model = load_model()
    assert model.meta["heldout_loss"] < 0.6 * math.log(model.config.vocab_size)
