"""Keeping freed memory: so that arrays made and dropped again and again do not page-fault."""

from __future__ import annotations

KEEP_UP_TO = 1 << 30
"""Blocks below this many bytes are kept when freed, and so is this much free memory at the top."""


def keep_freed_memory(up_to: int = KEEP_UP_TO) -> None:
    """Ask glibc to keep freed blocks instead of returning them to the system (Linux only).

    By default glibc serves a large block (over 128 KiB at first) straight from the operating
    system and hands it back when it is freed, so the next array of that size is page-faulted
    in afresh: a training step allocates and frees some hundred arrays of megabytes, a forward
    pass in the lesson kernel some dozens of a few hundred KiB, each time. Raising glibc's two
    thresholds (the size served from the system, and the free memory kept before trimming) to
    `up_to` lets those blocks be reused. Elsewhere this does nothing.
    """
    import ctypes
    import ctypes.util
    import platform

    if platform.system() != "Linux":
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to ask
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, up_to)
    mallopt(m_trim_threshold, up_to)
