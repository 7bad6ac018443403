"""The nightly scheduler (§9): one process, APScheduler 3.x, a cron trigger at
REHAB_MONITOR_SCHEDULE_TIME in REHAB_MONITOR_TIMEZONE, coalescing, one instance at a time and a
misfire grace of hours.

APScheduler's in-memory job store forgets a run missed while the machine was off, so the
scheduler remembers when it last started a run (`DATA_DIR/scheduler.json`) and, at start, runs
once if the latest scheduled time passed without a run (within the grace period). A lock
(`DATA_DIR/scheduler.lock`) makes a second scheduler on the same data directory refuse to
start. Each run is a child process, so a crash in a run never takes the scheduler down.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from pipelines.ops import locks
from pipelines.settings import Settings

log = logging.getLogger(__name__)
MISFIRE_GRACE = timedelta(hours=12)


class SchedulerRunning(RuntimeError):
    """Another scheduler holds the data directory."""


@contextmanager
def scheduler_lock(settings: Settings) -> Iterator[None]:
    settings.ensure_dirs()
    refused = SchedulerRunning(
        "调度程序已在运行 / a scheduler is already running for this data directory"
    )
    with locks.exclusive(settings.data_dir / "scheduler.lock", refused):
        yield


def trigger(settings: Settings) -> CronTrigger:
    hour, minute = settings.schedule_time.split(":")
    return CronTrigger(hour=int(hour), minute=int(minute), timezone=ZoneInfo(settings.timezone))


def _state_path(settings: Settings):
    return settings.data_dir / "scheduler.json"


def last_started(settings: Settings) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads(_state_path(settings).read_text())["last_started"])
    except (OSError, ValueError, KeyError):
        return None


def previous_fire_time(settings: Settings, now: datetime) -> datetime:
    """The latest scheduled time at or before `now` (aware, in the schedule's time zone)."""
    hour, minute = (int(x) for x in settings.schedule_time.split(":"))
    local = now.astimezone(ZoneInfo(settings.timezone))
    fire = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return fire if fire <= local else fire - timedelta(days=1)


def missed_run(settings: Settings, now: datetime) -> bool:
    """Whether the latest scheduled run did not happen (machine off) and is within grace."""
    fire = previous_fire_time(settings, now)
    last = last_started(settings)
    return (last is None or last < fire) and now - fire <= MISFIRE_GRACE


def run_once(settings: Settings) -> int:
    """One scheduled pipeline run in a child process; returns its exit code."""
    now = datetime.now(ZoneInfo(settings.timezone))
    tmp = _state_path(settings).with_suffix(".tmp")
    tmp.write_text(json.dumps({"last_started": now.isoformat()}))
    os.replace(tmp, _state_path(settings))
    log.info("scheduled run starting")
    command = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(settings.data_dir),
               "pipeline", "run", "--trigger", "schedule"]  # fmt: skip
    code = subprocess.call(command)
    log.info("scheduled run finished with exit code %s", code)
    return code


def build_scheduler(settings: Settings) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=ZoneInfo(settings.timezone))
    scheduler.add_job(
        run_once,
        trigger(settings),
        args=[settings],
        id="nightly-pipeline",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
        replace_existing=True,
    )
    if missed_run(settings, datetime.now(ZoneInfo(settings.timezone))):
        # The machine was off at the scheduled time: run once now.
        scheduler.add_job(run_once, args=[settings], id="missed-run", max_instances=1)
    return scheduler


def serve(settings: Settings, say=print) -> int:
    """Run the scheduler in the foreground until stopped (Ctrl+C or SIGTERM)."""
    try:
        with scheduler_lock(settings):
            scheduler = build_scheduler(settings)
            say(f"调度已启动 / scheduler started: 每天 daily {settings.schedule_time} "
                f"{settings.timezone}; 数据目录 data directory {settings.data_dir}")  # fmt: skip
            if scheduler.get_job("missed-run"):
                say(
                    "上次计划运行未执行，现在补运行一次 / the last scheduled run was missed: running now"
                )
            with contextlib.suppress(KeyboardInterrupt, SystemExit):
                scheduler.start()
    except SchedulerRunning as exc:
        say(str(exc))
        return 3
    return 0
