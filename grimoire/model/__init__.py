"""The tiny language model, in numpy alone: tokenizer, GPT, gradients, training."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from grimoire.model.gpt import GPT


def load_model(path: str | Path | None = None) -> GPT:
    """The shipped model, `load_model("repeat")` for the copying model, or a weights file.

    numpy is imported here, on first use, so importing `grimoire.model` costs nothing.
    """
    from grimoire.model.gpt import load_model as _load

    return _load(path)


__all__ = ["load_model"]
