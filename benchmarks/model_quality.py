"""Held-out bits per character of the shipped model beside order-3 Kneser-Ney and LZMA.

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
        trained_bits = meta["heldout_loss"] / math.log(2)
        print(
            f"\nrecorded at training, on that corpus's split ({meta['heldout_chars']:,} held-out "
            f"chars): model {trained_bits:.3f} bits/char "
            f"(train {meta['train_loss'] / math.log(2):.3f})"
        )
        for key, name in (("heldout_bits_kneser_ney_3", "Kneser-Ney order 3"),
                          ("heldout_bits_lzma_9", "LZMA preset 9")):
            if key in meta:
                ratio = trained_bits / meta[key]
                print(f"  {name}: {meta[key]:.3f} bits/char; model / it = {ratio:.3f}")
    print("\nOV circuit eigenvalue positivity, sum(λ) / sum(|λ|) of W_E W_V^h W_O^h W_U "
          "(Elhage et al. 2021; +1 copies, -1 suppresses):")
    for label, which in (("shipped", None), ("repeat", "repeat")):
        other = load_model(which)
        for layer in range(other.config.n_layer):
            values = [ov_positivity(other, layer, h) for h in range(other.config.n_head)]
            print(f"  {label} layer {layer}: " + "  ".join(f"{v:+.2f}" for v in values))
    return 0


def ov_positivity(model, layer: int, head: int) -> float:
    """sum(eigenvalues) / sum(|eigenvalues|) of a head's OV circuit, read through the vocabulary."""
    import numpy as np

    slices = model.head(layer, head)
    circuit = model.params["wte"] @ slices["w_v"] @ slices["w_o"] @ model.params["unembed"]
    eigenvalues = np.linalg.eigvals(circuit.astype(np.float64))
    return float(eigenvalues.real.sum() / np.abs(eigenvalues).sum())


if __name__ == "__main__":
    raise SystemExit(main())
