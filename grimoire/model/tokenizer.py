"""The character vocabulary: text to token ids and back, with one fallback token for the unknown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

FALLBACK = "\ufffd"
"""Token 0, the Unicode replacement character: every character outside the vocabulary maps here."""


@dataclass
class Encoding:
    """Token ids of a text, and how many of its characters were not in the vocabulary."""

    ids: np.ndarray
    replaced: int


@dataclass
class Tokenizer:
    """One token per character: `vocab[i]` is token i's character, `vocab[0]` the fallback."""

    vocab: list[str]
    _codepoints: np.ndarray = field(init=False, repr=False)
    _ids_by_codepoint: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.vocab or self.vocab[0] != FALLBACK:
            raise ValueError("A vocabulary must start with the fallback token U+FFFD.")
        if len(set(self.vocab)) != len(self.vocab) or any(len(c) != 1 for c in self.vocab):
            raise ValueError("A vocabulary must be distinct single characters.")
        points = np.array([ord(c) for c in self.vocab], dtype=np.int64)
        order = np.argsort(points)
        self._codepoints = points[order]
        self._ids_by_codepoint = order.astype(np.int64)

    @classmethod
    def from_text(cls, text: str, min_count: int = 1) -> Tokenizer:
        """A corpus's vocabulary: the fallback, then its characters seen at least `min_count`
        times, by code point.

        A character seen only a handful of times (a symbol in a table of mathtext.py, say)
        would get an embedding row that training barely moves; it is better read as the
        fallback, whose row is trained on all of them together.
        """
        counts = Counter(text)
        kept = {char for char, count in counts.items() if count >= min_count} - {FALLBACK}
        return cls([FALLBACK, *sorted(kept)])

    @property
    def size(self) -> int:
        """Number of tokens, the fallback included."""
        return len(self.vocab)

    def encode_counting(self, text: str) -> Encoding:
        """Token ids of `text` and the number of characters replaced by the fallback token."""
        if not text:
            return Encoding(np.zeros(0, dtype=np.int64), 0)
        # Code points through a sorted table: one vectorised lookup instead of a dict per character.
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        slot = np.searchsorted(self._codepoints, points)
        slot = np.minimum(slot, len(self._codepoints) - 1)
        known = self._codepoints[slot] == points
        ids = np.where(known, self._ids_by_codepoint[slot], 0)
        # A literal U+FFFD in the text is the fallback itself, not a replacement.
        replaced = int(np.count_nonzero(~known))
        return Encoding(ids.astype(np.int64), replaced)

    def encode(self, text: str) -> np.ndarray:
        """Token ids (int64) of `text`; unknown characters become token 0 (see encode_counting)."""
        return self.encode_counting(text).ids

    def decode(self, ids: np.ndarray | list[int]) -> str:
        """The characters of the token ids."""
        vocab = self.vocab
        return "".join(vocab[int(i)] for i in np.asarray(ids).reshape(-1))
