"""Pipeline runs started from the app (uploads, target changes): a child process each, so
the web server never holds the working database; at most one runs (the pipeline lock)."""

from __future__ import annotations

import subprocess
import sys

from pipelines.ops import locks
from pipelines.settings import Settings


def run_active(settings: Settings) -> bool:
    """Whether a pipeline run holds the lock right now."""
    return locks.held(settings.lock_path)


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
