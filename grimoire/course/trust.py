"""Whether the code of a lesson folder may run: bundled lessons always, others once agreed to.

Public API::

    is_bundled(directory: Path) -> bool
    content_hash(directory: Path) -> str      # sha256 of every file in the folder, names and bytes
    is_trusted(directory: Path) -> bool       # bundled, or agreed to with this exact content
    trust(directory: Path) -> None            # remember the learner's agreement
    lesson_folder(path: Path) -> Path         # a lesson file's folder, or the folder itself
    refusal(directory: Path) -> str           # the sentence `run`/`check` print when refusing

Agreement is remembered per content hash in `user_data_dir()/trusted.json`, so editing a lesson
in a trusted folder asks again: what was agreed to is what runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from grimoire.course.files import read_capped
from grimoire.course.progress import atomic_write

STORE_NAME = "trusted.json"


def lesson_folder(path: Path) -> Path:
    """The folder whose trust decides about `path` (a lesson file or a folder)."""
    path = Path(path)
    return path if path.is_dir() else path.parent


def is_bundled(directory: Path) -> bool:
    """True for the lessons that ship with the Grimoire."""
    from grimoire.paths import lessons_dir

    try:
        return lesson_folder(directory).resolve() == lessons_dir().resolve()
    except OSError:
        return False


def content_hash(directory: Path) -> str:
    """A hash of every file of the folder, at any depth (names and contents), in name order.

    Not only the lessons: a lesson may read a neighbouring `helper.py` or data file, and
    agreeing to run it was agreeing to those files as they were. Links are hashed as the text
    of the link, not followed; special files (devices, pipes) count by name only.
    """
    folder = lesson_folder(directory)
    digest = hashlib.sha256()
    for path in _every_file(folder):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            try:
                data = b"link:" + os.readlink(path).encode("utf-8", "surrogateescape")
            except OSError:
                data = b"link:?"
        else:
            try:
                data = read_capped(path, MAX_HASHED_BYTES)
            except OSError as error:
                data = f"unreadable:{error.strerror}".encode()
        name = relative.encode("utf-8", "surrogateescape")
        digest.update(name + b"\0" + str(len(data)).encode() + b"\0")
        digest.update(data)
    return digest.hexdigest()


MAX_HASHED_BYTES = 64 * 1024 * 1024
"""A file bigger than this is hashed as unreadable (its size and name still count)."""


def _every_file(folder: Path) -> list[Path]:
    """Every entry under `folder` that is not a folder, links not followed, in name order."""
    found: list[Path] = []
    try:
        for root, folders, files in os.walk(folder, followlinks=False):
            folders[:] = sorted(name for name in folders if name != "__pycache__")
            base = Path(root)
            found.extend(base / name for name in files)
            # A link to a folder is listed among the folders, not walked; it is hashed as a link.
            found.extend(base / name for name in folders if (base / name).is_symlink())
    except OSError:
        pass
    return sorted(found)


def _store_path() -> Path:
    from grimoire.paths import user_data_dir

    return user_data_dir() / STORE_NAME


def _load() -> dict:
    try:
        data = json.loads(_store_path().read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {"version": 1, "trusted": []}
    if not isinstance(data, dict) or not isinstance(data.get("trusted"), list):
        return {"version": 1, "trusted": []}
    return data


def is_trusted(directory: Path) -> bool:
    """May this folder's lesson code run without asking?"""
    if is_bundled(directory):
        return True
    digest = content_hash(directory)
    return any(isinstance(item, dict) and item.get("hash") == digest
               for item in _load()["trusted"])


def trust(directory: Path) -> None:
    """Remember that the learner agreed to run this folder's code, as it is now."""
    if is_bundled(directory):
        return
    data = _load()
    digest = content_hash(directory)
    folder = str(lesson_folder(directory).resolve())
    kept = [item for item in data["trusted"] if isinstance(item, dict)
            and item.get("hash") != digest and item.get("path") != folder]
    kept.append({"hash": digest, "path": folder, "when": time.time()})
    atomic_write(_store_path(), json.dumps({"version": 1, "trusted": kept}, indent=1))


def refusal(directory: Path) -> str:
    """Why code from this folder did not run, and how to allow it."""
    folder = lesson_folder(directory)
    return (f"The lessons in {folder} do not come with the Grimoire, so their code runs only "
            "with your agreement: add --trust (for example 'grimoire --lessons "
            f"{folder} --trust check'), or open them in the app and agree there.")
