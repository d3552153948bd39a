"""The model's corpus, the Grimoire's own lessons and source, its held-out split, and baselines.

The corpus is every `lessons/*.yaml` and every `grimoire/**/*.py`, sorted by the path the source
browser shows (`grimoire/cli.py`, `lessons/01-vectors.yaml`), each file's text followed by one
newline. Nothing is skipped silently: a file that is not UTF-8 raises `CorpusError`.

The held-out split cuts the corpus into chunks of `CHUNK_CHARS` characters and holds out every
`HELDOUT_EVERY`-th chunk (chunk indices 5, 15, 25, ...); the rest, in order, is the training text.
"""

from __future__ import annotations

import hashlib
import itertools
import lzma
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

CHUNK_CHARS = 1024
"""Characters in one chunk of the held-out split."""

HELDOUT_EVERY = 10
"""One chunk in this many is held out."""

HELDOUT_OFFSET = 5
"""Index of the first held-out chunk (then every HELDOUT_EVERY-th)."""


class CorpusError(ValueError):
    """A corpus file that cannot be read; the message is one sentence naming it."""


@dataclass(frozen=True)
class CorpusFile:
    """One file of the corpus: the path the source browser shows, its kind, and its text."""

    path: str
    kind: str  # "lesson" or "source"
    text: str


def corpus_files() -> list[CorpusFile]:
    """Every lesson and every Python file of the package, sorted by shown path."""
    from grimoire.paths import PACKAGE_DIR, lessons_dir

    found: list[tuple[str, str, Path]] = []
    lessons = lessons_dir()
    if lessons.is_dir():
        for real in lessons.glob("*.yaml"):
            found.append((f"lessons/{real.name}", "lesson", real))
    for real in PACKAGE_DIR.rglob("*.py"):
        relative = real.relative_to(PACKAGE_DIR).as_posix()
        found.append((f"grimoire/{relative}", "source", real))
    found.sort(key=lambda item: item[0])
    files = []
    for shown, kind, real in found:
        try:
            text = real.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise CorpusError(
                f"{shown} is not UTF-8 text (byte {error.start}), so it cannot join the corpus."
            ) from None
        except OSError as error:
            raise CorpusError(f"{shown} cannot be read: {error.strerror}.") from None
        # Windows line endings would teach the model a second newline; the repo uses '\n'.
        files.append(CorpusFile(shown, kind, text.replace("\r\n", "\n")))
    return files


def corpus_text(files: list[CorpusFile] | None = None) -> str:
    """The whole corpus as one string: each file's text, then a newline."""
    if files is None:
        files = corpus_files()
    return "".join(f.text + "\n" for f in files)


def split_text(text: str) -> tuple[str, str]:
    """(train, held-out) of a text, by the chunk rule in this module's docstring."""
    train: list[str] = []
    heldout: list[str] = []
    for index, start in enumerate(range(0, len(text), CHUNK_CHARS)):
        chunk = text[start : start + CHUNK_CHARS]
        is_heldout = index % HELDOUT_EVERY == HELDOUT_OFFSET
        (heldout if is_heldout else train).append(chunk)
    return "".join(train), "".join(heldout)


def build_corpus() -> tuple[str, str]:
    """(train_text, heldout_text) of the Grimoire's current files."""
    return split_text(corpus_text())


def corpus_sha256(text: str | None = None) -> str:
    """SHA-256 (hex) of the corpus text as UTF-8; stored in the weights to say what they learned."""
    if text is None:
        text = corpus_text()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CorpusSummary:
    """How much of the corpus is lessons and how much is source."""

    files: int
    lesson_files: int
    source_files: int
    lesson_chars: int
    source_chars: int
    train_chars: int
    heldout_chars: int


def summarize_corpus() -> CorpusSummary:
    """Counts of files and characters, for the first lesson's tour."""
    files = corpus_files()
    train, heldout = split_text(corpus_text(files))
    lessons = [f for f in files if f.kind == "lesson"]
    sources = [f for f in files if f.kind == "source"]
    return CorpusSummary(
        files=len(files),
        lesson_files=len(lessons),
        source_files=len(sources),
        lesson_chars=sum(len(f.text) for f in lessons),
        source_chars=sum(len(f.text) for f in sources),
        train_chars=len(train),
        heldout_chars=len(heldout),
    )


# --- Baselines: what a model must beat to have learned more than counting ----------------------


def lzma_bits_per_char(train: str, heldout: str) -> float:
    """LZMA preset 9: extra compressed bits for the held-out text after the train text, per char."""
    alone = len(lzma.compress(train.encode("utf-8"), preset=9))
    both = len(lzma.compress((train + heldout).encode("utf-8"), preset=9))
    return (both - alone) * 8 / len(heldout)


def bigram_bits_per_char(train: str, heldout: str, alpha: float = 0.5) -> float:
    """A character bigram, add-alpha smoothed over the train alphabet plus one unseen symbol."""
    alphabet = set(train) | {None}
    pairs = Counter(itertools.pairwise(train))
    firsts = Counter(train[:-1])
    size = len(alphabet)
    total = 0.0
    for prev, char in itertools.pairwise(heldout):
        count = pairs.get((prev, char), 0)
        total -= math.log2((count + alpha) / (firsts.get(prev, 0) + alpha * size))
    return total / (len(heldout) - 1)


def kneser_ney_bits_per_char(train: str, heldout: str, order: int = 3) -> float:
    """Interpolated Kneser-Ney character n-gram (Chen & Goodman 1998), one discount per order.

    The highest order uses counts, lower orders continuation counts (how many distinct characters
    precede a context+char), and order 0 is uniform over the train alphabet plus one unseen symbol.
    Held-out characters are scored from the second on, each with up to order-1 preceding chars.
    """
    alphabet_size = len(set(train)) + 1
    # counts[n][(context, char)]: raw counts at the top order, continuation counts below it.
    counts: list[dict[tuple[str, str], int]] = [{} for _ in range(order + 1)]
    top = Counter(
        (train[i - order + 1 : i], train[i]) for i in range(order - 1, len(train))
    )
    counts[order] = dict(top)
    for n in range(order - 1, 0, -1):
        # Continuation count of (context, char) at order n: distinct left extensions seen above.
        lower: Counter[tuple[str, str]] = Counter()
        for context, char in counts[n + 1]:
            lower[(context[1:], char)] += 1
        counts[n] = dict(lower)
    discounts = [0.0] * (order + 1)
    context_total: list[dict[str, int]] = [{} for _ in range(order + 1)]
    context_types: list[dict[str, int]] = [{} for _ in range(order + 1)]
    for n in range(1, order + 1):
        histogram = Counter(counts[n].values())
        n1, n2 = histogram.get(1, 0), histogram.get(2, 0)
        discounts[n] = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
        totals: defaultdict[str, int] = defaultdict(int)
        types: defaultdict[str, int] = defaultdict(int)
        for (context, _), value in counts[n].items():
            totals[context] += value
            types[context] += 1
        context_total[n] = dict(totals)
        context_types[n] = dict(types)

    def probability(history: str, char: str) -> float:
        p = 1.0 / alphabet_size
        for n in range(1, order + 1):
            context = history[len(history) - (n - 1) :] if n > 1 else ""
            if n > 1 and len(history) < n - 1:
                break
            total = context_total[n].get(context, 0)
            if total == 0:
                continue  # an unseen context passes the lower order's estimate through unchanged
            count = counts[n].get((context, char), 0)
            d = discounts[n]
            p = max(count - d, 0.0) / total + d * context_types[n][context] / total * p
        return p

    bits = 0.0
    for i in range(1, len(heldout)):
        history = heldout[max(0, i - order + 1) : i]
        bits -= math.log2(probability(history, heldout[i]))
    return bits / (len(heldout) - 1)
