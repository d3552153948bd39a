"""Where the Grimoire's own files live: package, lessons, source tree, and the learner's data."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

PACKAGE_DIR = Path(__file__).resolve().parent
"""The installed `grimoire` package directory."""

BUNDLE_DIR = PACKAGE_DIR / "_bundle"
"""In a wheel, the lessons, README and pyproject travel here (see pyproject's force-include)."""


class SourcePathError(ValueError):
    """A path the source browser must not or cannot open; the message is a sentence for the user."""


def checkout_root() -> Path | None:
    """The repository checkout holding the package, when running from one (editable install)."""
    parent = PACKAGE_DIR.parent
    if (parent / "pyproject.toml").is_file() and (parent / "lessons").is_dir():
        return parent
    return None


def lessons_dir() -> Path:
    """The bundled lessons: `lessons/` of the checkout, or the copy inside the wheel."""
    root = checkout_root()
    if root is not None:
        return root / "lessons"
    return BUNDLE_DIR / "lessons"


def source_roots() -> dict[str, Path]:
    """The top level of the Grimoire's own source, as the source browser shows it.

    Keys are the names shown (`grimoire`, `lessons`, `README.md`, `pyproject.toml`); values are
    where they really are, which differs between a checkout and an installed wheel.
    """
    roots: dict[str, Path] = {"grimoire": PACKAGE_DIR, "lessons": lessons_dir()}
    base = checkout_root() or BUNDLE_DIR
    for name in ("README.md", "pyproject.toml"):
        if (base / name).is_file():
            roots[name] = base / name
    return roots


def resolve_source(relative: str) -> Path:
    """Turn a path like `grimoire/cli.py` into a real file or folder inside the Grimoire.

    Raises SourcePathError, with a sentence, for absolute paths, `..`, unknown tops, symlinks
    that leave the Grimoire, and paths that do not exist.
    """
    text = relative.strip().replace("\\", "/")
    if not text:
        raise SourcePathError("No path was given.")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        raise SourcePathError(
            f"'{relative}' is an absolute path; the source browser only opens paths inside the "
            "Grimoire, such as grimoire/cli.py."
        )
    parts = PurePosixPath(text).parts
    if ".." in parts:
        raise SourcePathError(f"'{relative}' climbs out of the Grimoire with '..'; that is refused.")
    roots = source_roots()
    top = parts[0]
    if top not in roots:
        shown = ", ".join(sorted(roots))
        raise SourcePathError(f"'{relative}' is not part of the Grimoire, whose top level is {shown}.")
    real = roots[top].joinpath(*parts[1:])
    allowed = roots[top].resolve()
    try:
        resolved = real.resolve()
    except OSError as error:
        raise SourcePathError(f"'{relative}' cannot be read: {error.strerror}.") from None
    if resolved != allowed and allowed not in resolved.parents:
        raise SourcePathError(f"'{relative}' is a link that leads outside the Grimoire; that is refused.")
    if not resolved.exists():
        raise SourcePathError(f"There is no '{relative}' in the Grimoire.")
    return resolved


def display_path(real: Path) -> str | None:
    """The inverse of resolve_source: `grimoire/cli.py` for a real path, or None if outside."""
    resolved = real.resolve()
    # Deepest root first: in a wheel the lessons live inside the package (grimoire/_bundle),
    # and they should read as `lessons/...`, not as a hidden corner of `grimoire/`.
    roots = sorted(source_roots().items(), key=lambda item: len(item[1].resolve().parts),
                   reverse=True)
    for name, root in roots:
        root = root.resolve()
        if resolved == root:
            return name
        if root in resolved.parents:
            return str(PurePosixPath(name, *resolved.relative_to(root).parts))
    return None


def user_data_dir() -> Path:
    """Where the learner's progress lives: $GRIMOIRE_HOME, else the platform's user data dir."""
    override = os.environ.get("GRIMOIRE_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path("grimoire", appauthor=False)
