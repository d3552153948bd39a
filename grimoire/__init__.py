"""Lilith's Grimoire: the linear algebra inside language models, computed live."""

__version__ = "0.1.0"
