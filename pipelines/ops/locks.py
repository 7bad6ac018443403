"""Exclusive locks on files in the data directory (one pipeline run, one scheduler), held by
the process and released by the system when it dies, however it dies."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path, refused: Exception) -> Iterator[None]:
    """Hold the lock on `path` for the block; raise `refused` when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise refused from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def held(path: Path) -> bool:
    """Whether another process holds the lock on `path` right now."""
    if not path.exists():
        return False
    try:
        with exclusive(path, BlockingIOError()):
            return False
    except BlockingIOError:
        return True
