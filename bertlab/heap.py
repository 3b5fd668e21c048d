"""Give freed C-heap memory back to the operating system.

A long-lived app server frees models (a deleted run's, an evicted one's) and whole training runs, but glibc keeps
the freed pages of its heap for the process: a server left running for a term grew to 1.6 GB and stayed there
after every run was deleted. :func:`release_free_heap` hands them back (glibc's ``malloc_trim``); elsewhere
(macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import functools


@functools.lru_cache(maxsize=1)
def _trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # not glibc: no malloc_trim to call
        return None


def release_free_heap() -> bool:
    """Hand the C heap's free pages back to the OS (glibc ``malloc_trim(0)``). Whether it could be called."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
