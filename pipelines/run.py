"""A pipeline run: inbox → read → normalise → validate → protect → load → marts → checks →
publish.

One run at a time (a lock file); every file is applied atomically; the run is recorded with
its files, row counts and the seconds each step took.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.indicators import checks, compute, marts
from pipelines.indicators.engines import open_engine
from pipelines.ingest import reports, uploads
from pipelines.ingest.file import FileResult
from pipelines.ingest.inbox import load_inbox
from pipelines.ingest.load import (
    get_state,
    set_state,
)
from pipelines.ops import locks, supervision
from pipelines.outputs import notify
from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import connect_warehouse, scalar


class RunLocked(RuntimeError):
    """Another pipeline run holds the lock."""


class DiskFull(OSError):
    """The data directory's disk is full: said plainly, not as the database's follow-on
    error (DuckDB reports 'cannot rollback - no transaction is active' after a failed write)."""

    def __init__(self, settings: Settings):
        super().__init__(
            errno.ENOSPC,
            f"磁盘空间不足，请清理 {settings.data_dir} 所在磁盘后重新运行 / no space left on device "
            f"for {settings.data_dir}: free some space and run again",
        )


def _disk_full(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is a full disk."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        if "no space left on device" in str(exc).lower() or "disk is full" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@dataclass
class RunResult:
    run_id: int
    status: str
    files: list[FileResult]
    published: Path | None
    seconds: float

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)


@contextmanager
def pipeline_lock(settings: Settings) -> Iterator[None]:
    """Exclusive lock on the data directory's pipeline; released when the process dies.

    A run waits a moment for it (PROBE_GRACE): the data page's "is a run going?" probe holds the
    lock for an instant, and a run starting in that instant must not be refused for it."""
    settings.ensure_dirs()
    refused = RunLocked("另一个数据处理任务正在运行 / another pipeline run is in progress")
    with locks.exclusive(settings.lock_path, refused, wait=PROBE_GRACE):
        yield


PROBE_GRACE = 3.0  # seconds


def run_pipeline(
    settings: Settings,
    inbox: Path | None = None,
    *,
    trigger: str = "cli",
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    reapply: list[Path] | None = None,
    engine: str | None = None,
    recompute: bool = False,
) -> RunResult:
    """Run the pipeline once over `inbox` (default: the data directory's inbox), or over the
    files `reapply` names, loaded even if identical files were loaded before, computing the
    marts on `engine` (default: the setting REHAB_MONITOR_ENGINE). `recompute`: load nothing,
    compute the marts from the loaded tables and publish them (`rehab-monitor marts`).

    Files uploaded with 're-apply' ticked (listed in the inbox's re-apply list) are loaded
    again the same way."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    folder = inbox or settings.inbox_dir
    with pipeline_lock(settings):
        con = connect_warehouse(settings)
        try:
            run_id, interrupted = _start_run(con, trigger)
            for killed in interrupted:  # a killed run had no chance to write its report
                reports.write_run_report(con, settings, killed)
            try:
                if recompute:
                    results, publish_needed = [], True
                else:
                    if reapply is not None:
                        again = frozenset(p.name for p in reapply)
                    else:
                        again = uploads.reapply_requested(folder)
                    results, publish_needed = load_inbox(
                        con,
                        settings,
                        folder,
                        run_id,
                        today or settings.current_date(),
                        say,
                        paths=reapply,
                        reapply=again,
                    )
                snapshot = None
                if publish_needed or _publish_pending(con, settings):
                    with open_engine(con, settings, engine) as on:
                        say(f"计算指标 / computing marts ({on.name})")
                        marts.refresh(con, settings, on)
                    say("检查指标 / checking marts")
                    checks.assert_marts(con)
                    counts = notify.update(con, settings, run_id)
                    say(
                        f"进度提醒 / notifications: 新增 raised {counts['raised']}, "
                        f"持续 open {counts['kept']}, 解除 resolved {counts['resolved']}"
                    )
                    # 'publishing' until the snapshot is switched in: a run killed meanwhile is
                    # found so by the next run and recorded as interrupted, not as completed.
                    snapshot = _finish_run(
                        con, settings, run_id, results, "publishing", publishing=True
                    )
                    con.close()
                    say("发布快照 / publishing snapshot")
                    t0 = time.perf_counter()
                    snapshot = snapshots.publish(settings, run_id)
                    con = connect_warehouse(settings)
                    con.execute(
                        "update runs set status = 'completed', published_snapshot = ?, "
                        "seconds_publish = ? where run_id = ?",
                        [snapshot.name, time.perf_counter() - t0, run_id],
                    )
                else:
                    _finish_run(con, settings, run_id, results, "completed", publishing=False)
            except BaseException as exc:
                failure = DiskFull(settings) if _disk_full(exc) else exc
                _fail_run(con, run_id, failure)
                with contextlib.suppress(Exception):
                    reports.write_run_report(con, settings, run_id)
                if failure is not exc:
                    raise failure from exc
                raise
            reports.write_run_report(con, settings, run_id)
            # Uploads hold raw identities: once processed (and reported) they leave the inbox.
            if (
                not recompute
                and reapply is None
                and folder.resolve() == settings.inbox_dir.resolve()
            ):
                uploads.clear_processed(settings, [r.file for r in results])
        finally:
            con.close()
    return RunResult(run_id, "completed", results, snapshot, time.perf_counter() - started)


# -- run bookkeeping ---------------------------------------------------------------------------


def _start_run(con: duckdb.DuckDBPyConnection, trigger: str) -> tuple[int, list[int]]:
    """A new run's id, and the runs found still 'running' or 'publishing': they were killed."""
    interrupted = [
        r[0]
        for r in con.execute(
            "select run_id from runs where status in ('running', 'publishing')"
        ).fetchall()
    ]
    con.execute("update runs set status = 'interrupted' where status in ('running', 'publishing')")
    run_id = scalar(con, "select coalesce(max(run_id), 0) + 1 from runs")
    con.execute(
        "insert into runs (run_id, started_at, status, trigger) values (?, ?, 'running', ?)",
        [run_id, datetime.now(), trigger],
    )
    return run_id, interrupted


def _publish_pending(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """True when the published snapshot is not what the warehouse and this version would
    publish: new data, a crash before publishing, changed reference files or marts built by
    another version of the marts."""
    pointer = snapshots.published(settings)
    snapshot_run = get_state(con, "snapshot_run")
    has_data = scalar(con, "select count(*) from loaded_files") > 0
    if pointer is None:
        return has_data
    return (
        get_state(con, "changed") == "true"
        or str(pointer["run_id"]) != snapshot_run
        or get_state(con, "reference_hash") != reference_hash(settings)
        or get_state(con, "marts_version") != compute.MARTS_VERSION
        # an item became overdue, was answered or closed: the feed's 督办 notices follow
        or get_state(con, "supervision_digest") != supervision.digest(settings)
    )


def reference_hash(settings: Settings) -> str:
    """A hash of the reference files in use: a changed target republishes the marts."""
    digest = hashlib.sha256()
    for name in ("programmes.csv", "indicators.csv", "targets.csv"):
        digest.update(settings.reference_file(name).read_bytes())
    return digest.hexdigest()


def _finish_run(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    run_id: int,
    results: list[FileResult],
    status: str,
    *,
    publishing: bool,
) -> None:
    con.execute("begin transaction")
    con.execute(
        """
        update runs set
            finished_at = ?, status = ?, files_seen = ?, files_loaded = ?, files_skipped = ?,
            files_refused = ?, rows_read = ?, rows_loaded = ?, rows_rejected = ?, rows_warned = ?,
            published_snapshot = ?, rows_replaced_newer = ?, files_reapplied = ?
        where run_id = ?
        """,
        [
            datetime.now(),
            status,
            len(results),
            sum(r.status == "loaded" for r in results),
            sum(r.status == "skipped" for r in results),
            sum(r.status == "refused" for r in results),
            sum(r.rows_read for r in results),
            sum(r.rows_loaded for r in results),
            sum(r.rows_rejected for r in results),
            sum(r.rows_warned for r in results),
            None,  # set once the snapshot is published
            sum(r.rows_replaced_newer for r in results),
            len({r.file for r in results if r.reapplied}),
            run_id,
        ],
    )
    if publishing:
        set_state(con, "changed", "false")
        set_state(con, "snapshot_run", str(run_id))
        set_state(con, "reference_hash", reference_hash(settings))
        set_state(con, "marts_version", compute.MARTS_VERSION)
        set_state(con, "supervision_digest", supervision.digest(settings))
    con.execute("commit")
    con.execute("checkpoint")


def _fail_run(con: duckdb.DuckDBPyConnection, run_id: int, exc: BaseException) -> None:
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")
    # If the database itself is the problem the run stays 'running' → 'interrupted' later.
    with contextlib.suppress(duckdb.Error):
        con.execute(
            "update runs set status = 'failed', finished_at = ?, error = ? where run_id = ?",
            [datetime.now(), f"{type(exc).__name__}: {exc}"[:500], run_id],
        )
