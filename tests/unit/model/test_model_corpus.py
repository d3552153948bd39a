"""The corpus: the Grimoire's own files in a fixed order, and a held-out split tests rebuild."""

import pytest

import grimoire.paths
from grimoire.model import corpus
from grimoire.model.corpus import (
    CHUNK_CHARS,
    HELDOUT_EVERY,
    CorpusError,
    build_corpus,
    corpus_files,
    corpus_text,
    kneser_ney_bits_per_char,
    lzma_bits_per_char,
    split_text,
)


def test_corpus_is_every_lesson_and_every_package_python_file_sorted():
    files = corpus_files()
    paths = [f.path for f in files]
    assert paths == sorted(paths)
    assert "grimoire/model/gpt.py" in paths
    lessons = sorted(p.name for p in grimoire.paths.lessons_dir().glob("*.yaml"))
    assert [p.split("/", 1)[1] for p in paths if p.startswith("lessons/")] == lessons
    sources = sorted(p.relative_to(grimoire.paths.PACKAGE_DIR).as_posix()
                     for p in grimoire.paths.PACKAGE_DIR.rglob("*.py"))
    assert [p.split("/", 1)[1] for p in paths if p.startswith("grimoire/")] == sources


def test_the_split_is_deterministic_and_every_chunk_goes_to_exactly_one_side():
    text = corpus_text()
    train, heldout = build_corpus()
    assert (train, heldout) == build_corpus()
    assert len(train) + len(heldout) == len(text)
    chunks = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]
    held = chunks[corpus.HELDOUT_OFFSET :: HELDOUT_EVERY]
    assert heldout == "".join(held)
    assert len(heldout) > 0.05 * len(text)


def test_split_of_a_small_text_follows_the_chunk_rule():
    text = "".join(chr(65 + i % 26) * CHUNK_CHARS for i in range(12))
    train, heldout = split_text(text)
    assert heldout == "F" * CHUNK_CHARS
    assert len(train) == 11 * CHUNK_CHARS


def test_a_file_that_is_not_utf8_is_named_not_skipped(tmp_path, monkeypatch):
    package = tmp_path / "grimoire"
    package.mkdir()
    (package / "good.py").write_text("x = 1\n")
    (package / "bad.py").write_bytes(b"x = '\xff'\n")
    monkeypatch.setattr(grimoire.paths, "PACKAGE_DIR", package)
    monkeypatch.setattr(grimoire.paths, "lessons_dir", lambda: tmp_path / "lessons")
    with pytest.raises(CorpusError, match="grimoire/bad.py is not UTF-8"):
        corpus_files()


def test_baselines_behave_on_text_they_can_predict():
    train = "the cat sat on the mat. " * 200
    heldout = "the cat sat on the mat. " * 10
    assert kneser_ney_bits_per_char(train, heldout) < 0.5
    assert lzma_bits_per_char(train, heldout) < 0.5
    assert kneser_ney_bits_per_char(train, "zzzzqqqq xy") > 3.0
