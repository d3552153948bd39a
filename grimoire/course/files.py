"""Reading a file of a lesson folder safely: regular files only, never blocking, size-capped.

A lesson folder is someone else's: a link in it may lead to `/proc/kmsg` (a read that waits
forever), a FIFO, a device, or a file of gigabytes. Every lesson file and every file hashed for
trust is read through `read_capped`.

Public API::

    MAX_LESSON_BYTES = 2 MB
    class UnreadableFile(OSError)             # str() is a sentence for the author
    read_capped(path: Path, limit: int = MAX_LESSON_BYTES) -> bytes
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_LESSON_BYTES = 2 * 1024 * 1024
"""A lesson file larger than this is refused at once (the longest lesson is a few tens of KB)."""


class UnreadableFile(OSError):
    """A file that is not read: not a regular file, too big, or it would block; says which."""


def read_capped(path: Path, limit: int = MAX_LESSON_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; raises UnreadableFile otherwise."""
    try:
        # O_NONBLOCK: opening a FIFO returns at once, and a read that would wait fails instead.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise UnreadableFile(error.errno, f"it cannot be opened ({error.strerror})") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(errno.EINVAL, "it is not a regular file (a device, a pipe or a "
                                 "folder); only plain files are read")
        if info.st_size > limit:
            raise UnreadableFile(errno.EFBIG, _too_big(info.st_size, limit))
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                chunk = os.read(handle, min(1 << 20, limit + 1 - size))
            except BlockingIOError:
                raise UnreadableFile(errno.EAGAIN, "reading it would wait for ever (it is a "
                                     "special file, not a plain one)") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise UnreadableFile(errno.EFBIG, _too_big(size, limit, at_least=True))
        return b"".join(chunks)
    finally:
        os.close(handle)


def _too_big(size: int, limit: int, at_least: bool = False) -> str:
    more = "at least " if at_least else ""
    return (f"it is {more}{size / 1024 / 1024:.1f} MB, and a lesson file may be at most "
            f"{limit / 1024 / 1024:g} MB")
