"""Pipeline runs started from the app (uploads, target changes): a child process each, so
the web server never holds the working database; at most one runs (the pipeline lock)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Progress:
    """Where a background run is: the file it reads (n of total), or a later stage."""

    done: int | None = None
    total: int | None = None
    file: str | None = None
    stage_zh: str | None = None
    stage_en: str | None = None


_FILE_LINE = re.compile(r"^\[(\d+)/(\d+)\] (.+) \([^()]*\)$")
_STAGE_LINE = re.compile(r"^([^\[/ ][^/]*) / ([a-z][a-z ]+)$")


def progress(settings: Settings, trigger: str) -> Progress | None:
    """The latest step a background run of `trigger` printed (its log's last file or stage
    line; file names and counts only, no figures)."""
    path = settings.log_dir / f"run-{trigger}.log"
    try:
        with path.open("rb") as f:
            f.seek(max(0, path.stat().st_size - 16_384))
            lines = f.read().decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return None
    for line in reversed(lines):
        line = line.strip()
        if found := _FILE_LINE.match(line):
            return Progress(int(found[1]), int(found[2]), found[3])
        if found := _STAGE_LINE.match(line):
            return Progress(stage_zh=found[1].strip(), stage_en=found[2].strip())
    return None
