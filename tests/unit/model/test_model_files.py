"""Weights files: a faithful, byte-stable round trip, and one sentence for every bad file."""

import json
import zipfile

import numpy as np
import pytest

from grimoire.model import load_model
from grimoire.model.gpt import (
    GPT,
    WEIGHTS_PATH,
    Config,
    ModelFileError,
    init_params,
    save_model,
)
from grimoire.model.tokenizer import Tokenizer

TINY = Config(n_layer=1, n_head=2, d_model=8, d_head=4, d_mlp=16, n_ctx=8, vocab_size=4)


def _tiny_model() -> GPT:
    return GPT(TINY, init_params(TINY, 0), Tokenizer(["\ufffd", "a", "b", "c"]), {"steps": 0})


def _rewrite(source, target, change):
    """Copy a weights file, letting `change(arrays)` edit the dict of arrays first."""
    with np.load(source) as archive:
        arrays = {k: archive[k] for k in archive.files}
    change(arrays)
    np.savez(target, **arrays)


def _one_sentence(error: ModelFileError, path) -> str:
    message = str(error)
    assert str(path) in message
    assert message.endswith(".") and "\n" not in message
    assert message.count(". ") == 0, message
    return message


def test_save_and_load_round_trip_is_exact_and_byte_stable(tmp_path):
    model = _tiny_model()
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    save_model(model, first)
    save_model(model, second)
    assert first.read_bytes() == second.read_bytes()
    loaded = load_model(first)
    assert loaded.config == TINY
    assert loaded.tokenizer.vocab == model.tokenizer.vocab
    assert loaded.meta["steps"] == 0
    for name, value in model.params.items():
        np.testing.assert_array_equal(loaded.params[name], value)


def test_the_shipped_weights_carry_their_metadata():
    meta = load_model().meta
    for key in ("config", "vocab", "corpus_sha256", "steps", "seed", "train_loss", "heldout_loss"):
        assert key in meta
    assert WEIGHTS_PATH.stat().st_size < 1_000_000


def test_a_missing_file_is_one_sentence(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    assert "does not exist" in _one_sentence(caught.value, path)


def test_a_truncated_file_is_one_sentence(tmp_path):
    whole = tmp_path / "whole.npz"
    save_model(_tiny_model(), whole)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ModelFileError) as caught:
        load_model(cut)
    assert "truncated" in _one_sentence(caught.value, cut)


def test_a_file_that_is_not_an_archive_is_one_sentence(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("these are not weights")
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    _one_sentence(caught.value, path)


def test_a_wrong_shape_names_the_parameter(tmp_path):
    good, bad = tmp_path / "good.npz", tmp_path / "bad.npz"
    save_model(_tiny_model(), good)
    _rewrite(good, bad, lambda a: a.update({"blocks.0.attn.w_q": np.zeros((8, 5), np.float32)}))
    with pytest.raises(ModelFileError) as caught:
        load_model(bad)
    assert "blocks.0.attn.w_q" in _one_sentence(caught.value, bad)


def test_a_missing_parameter_or_wrong_dtype_is_named(tmp_path):
    good, bad = tmp_path / "good.npz", tmp_path / "bad.npz"
    save_model(_tiny_model(), good)
    _rewrite(good, bad, lambda a: a.pop("ln_f.bias"))
    with pytest.raises(ModelFileError, match="lacks ln_f.bias"):
        load_model(bad)
    _rewrite(good, bad, lambda a: a.update({"wte": a["wte"].astype(np.float64)}))
    with pytest.raises(ModelFileError, match="float64"):
        load_model(bad)


def _edit_meta(arrays, **changes):
    meta = json.loads(str(arrays["meta"].reshape(-1)[0]))
    meta.update(changes)
    arrays["meta"] = np.array([json.dumps(meta)])


def test_wrong_metadata_is_one_sentence(tmp_path):
    good, bad = tmp_path / "good.npz", tmp_path / "bad.npz"
    save_model(_tiny_model(), good)
    _rewrite(good, bad, lambda a: _edit_meta(a, format="someone-else/9"))
    with pytest.raises(ModelFileError) as caught:
        load_model(bad)
    assert "format" in _one_sentence(caught.value, bad)
    _rewrite(good, bad, lambda a: _edit_meta(a, vocab=["\ufffd", "a"]))
    with pytest.raises(ModelFileError) as caught:
        load_model(bad)
    assert "vocabulary" in _one_sentence(caught.value, bad)
    _rewrite(good, bad, lambda a: _edit_meta(a, config={"n_layer": "many"}))
    with pytest.raises(ModelFileError) as caught:
        load_model(bad)
    _one_sentence(caught.value, bad)
    _rewrite(good, bad, lambda a: a.pop("meta"))
    with pytest.raises(ModelFileError, match="no metadata"):
        load_model(bad)


def test_a_zip_of_something_else_is_one_sentence(tmp_path):
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    _one_sentence(caught.value, path)
