"""One reusable Textual widget a module."""
