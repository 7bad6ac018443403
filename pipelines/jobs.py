"""Pipeline runs started from the app (uploads, target changes): a child process each, so
the web server never holds the working database; at most one runs (the pipeline lock)."""

from __future__ import annotations

import fcntl
import subprocess
import sys

from pipelines.settings import Settings


def run_active(settings: Settings) -> bool:
    """Whether a pipeline run holds the lock right now."""
    if not settings.lock_path.exists():
        return False
    with settings.lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def start_run(settings: Settings, trigger: str) -> subprocess.Popen:
    """Start `rehab-monitor pipeline run` in the background; its output goes to the log
    directory. A run already in progress makes this one exit at once: the files wait in the
    inbox for the next run."""
    settings.ensure_dirs()
    log = (settings.log_dir / f"run-{trigger}.log").open("ab")
    command = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(settings.data_dir),
               "pipeline", "run", "--trigger", trigger]  # fmt: skip
    try:
        return subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                start_new_session=True)  # fmt: skip
    finally:
        log.close()
