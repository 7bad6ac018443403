"""Published snapshots: what the app, exports and bulletins read.

A run writes only the working database. To publish, it checkpoints and closes it, copies it
to a new snapshot file, and atomically replaces `published.json` to point at the new file.
Readers open the snapshot named by the pointer read-only, so they always see one complete,
consistent state — the previous one until the switch, the new one after — and a run that
dies before the switch leaves the published state untouched.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.settings import Settings


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(settings: Settings, run_id: int) -> Path:
    """Copy the (closed) working database to a new snapshot and switch the pointer to it."""
    settings.snapshots_dir.mkdir(parents=True, exist_ok=True)
    final = settings.snapshots_dir / f"run-{run_id:06d}.duckdb"
    partial = final.with_suffix(".partial")
    shutil.copyfile(settings.warehouse_path, partial)
    with partial.open("rb+") as f:
        os.fsync(f.fileno())
    os.replace(partial, final)
    pointer = {
        "snapshot": str(final.relative_to(settings.data_dir)),
        "run_id": run_id,
        "published_at": datetime.now().isoformat(timespec="seconds"),
    }
    tmp = settings.published_pointer.with_suffix(".tmp")
    tmp.write_text(json.dumps(pointer, ensure_ascii=False), encoding="utf-8")
    with tmp.open("rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, settings.published_pointer)
    _fsync_dir(settings.data_dir)
    prune(settings)
    return final


def published(settings: Settings) -> dict | None:
    """The pointer's content, or None when nothing has been published yet."""
    try:
        return json.loads(settings.published_pointer.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def published_path(settings: Settings) -> Path | None:
    pointer = published(settings)
    return settings.data_dir / pointer["snapshot"] if pointer else None


def connect_published(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot."""
    path = published_path(settings)
    if path is None:
        raise FileNotFoundError(
            "尚未发布任何数据，请先运行 rehab-monitor pipeline run / "
            "nothing published yet: run `rehab-monitor pipeline run` first"
        )
    return duckdb.connect(str(path), read_only=True)


def prune(settings: Settings) -> None:
    """Keep the newest snapshots (the published one always); remove leftovers of dead runs."""
    current = published_path(settings)
    for partial in settings.snapshots_dir.glob("*.partial"):
        partial.unlink(missing_ok=True)
    snaps = sorted(settings.snapshots_dir.glob("run-*.duckdb"), reverse=True)
    for old in snaps[settings.keep_snapshots :]:
        if old != current:
            # A reader that still has it open keeps its data until it closes (POSIX).
            old.unlink(missing_ok=True)
            Path(str(old) + ".wal").unlink(missing_ok=True)
