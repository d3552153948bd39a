"""One Textual screen a module."""
