"""Held-out bits per character of the shipped model beside an order-3 Kneser-Ney model and LZMA.

Run by hand: `python benchmarks/model_quality.py`. Every figure is computed in this run on the
split `grimoire.model.corpus.build_corpus()` makes of the Grimoire's current files.
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="a weights file (default: the shipped one)")
    args = parser.parse_args()

    from grimoire.model import load_model
    from grimoire.model.corpus import (
        bigram_bits_per_char,
        build_corpus,
        corpus_sha256,
        kneser_ney_bits_per_char,
        lzma_bits_per_char,
        summarize_corpus,
    )

    model = load_model(args.weights)
    train, heldout = build_corpus()
    summary = summarize_corpus()
    current = corpus_sha256()
    trained_on = model.meta.get("corpus_sha256")
    print(
        f"corpus: {summary.files} files ({summary.lesson_files} lessons, {summary.lesson_chars:,} "
        f"chars; {summary.source_files} Python files, {summary.source_chars:,} chars); "
        f"train {len(train):,} chars, held-out {len(heldout):,} chars"
    )
    if trained_on != current:
        print("note: the corpus changed since these weights were trained (retrain: grimoire train)")
    replaced = model.tokenizer.encode_counting(heldout).replaced
    if replaced:
        print(f"note: {replaced} held-out characters are outside the model's vocabulary")

    rows = []
    started = time.perf_counter()
    model_bits = model.bits_per_char(heldout)
    rows.append(("model (this run)", model_bits, time.perf_counter() - started))
    for name, function in (
        ("Kneser-Ney order 3", lambda: kneser_ney_bits_per_char(train, heldout, 3)),
        ("LZMA preset 9", lambda: lzma_bits_per_char(train, heldout)),
        ("bigram (add-1/2)", lambda: bigram_bits_per_char(train, heldout)),
        ("Kneser-Ney order 5", lambda: kneser_ney_bits_per_char(train, heldout, 5)),
    ):
        started = time.perf_counter()
        rows.append((name, function(), time.perf_counter() - started))

    print(f"\n{'held-out bits/char':<22}{'bits':>8}{'model / it':>12}{'seconds':>10}")
    for name, bits, seconds in rows:
        print(f"{name:<22}{bits:>8.3f}{model_bits / bits:>12.3f}{seconds:>10.1f}")
    meta = model.meta
    if "heldout_loss" in meta:
        print(
            f"\nrecorded at training: held-out {meta['heldout_loss'] / math.log(2):.3f} bits/char, "
            f"train {meta['train_loss'] / math.log(2):.3f} bits/char, {meta['steps']} steps"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
