"""Exclusive locks on files in the data directory (one pipeline run, one scheduler, one
bulletin numbering at a time), held by the process and released by the system when it dies,
however it dies (filelock: flock on Linux, msvcrt on Windows)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


@contextmanager
def exclusive(path: Path, refused: Exception, wait: float = 0) -> Iterator[None]:
    """Hold the lock on `path` for the block; after waiting `wait` seconds for another holder
    (0: not at all), raise `refused`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # One lock object per call: a second holder in the same process is refused as well.
    lock = FileLock(path, timeout=wait, thread_local=False, is_singleton=False)
    try:
        lock.acquire()
    except Timeout:
        raise refused from None
    try:
        yield
    finally:
        lock.release()


def held(path: Path) -> bool:
    """Whether another process holds the lock on `path` right now. The probe takes the lock
    for an instant if it is free (no lock can be tested otherwise on every platform); holders
    that must not be refused for it wait a moment for the lock (run.PROBE_GRACE)."""
    if not path.exists():
        return False
    try:
        with exclusive(path, BlockingIOError()):
            return False
    except BlockingIOError:
        return True
