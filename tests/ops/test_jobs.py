"""Background runs started from the app: where they are."""

from __future__ import annotations

import threading
import time

import pytest

from pipelines.ops import jobs, locks
from pipelines.run import RunLocked, run_pipeline


def test_progress_reads_the_file_or_stage_a_background_run_is_at(settings):

    assert jobs.progress(settings, "upload") is None  # no run yet
    settings.ensure_dirs()
    log = settings.log_dir / "run-upload.log"
    log.write_text(
        "[1/3] 02_个案_银州区.csv (个案登记)\n    读取 1,100 行，导入 1,083，拒收 17 / read 1,100, "
        "loaded 1,083, rejected 17\n[2/3] 03_服务 清河区.xlsx (服务记录)\n",
        encoding="utf-8",
    )
    assert jobs.progress(settings, "upload") == jobs.Progress(2, 3, "03_服务 清河区.xlsx")
    with log.open("a", encoding="utf-8") as f:
        f.write("[3/3] c.csv (服务人员)\n计算指标 / computing marts\n")
    assert jobs.progress(settings, "upload") == jobs.Progress(
        stage_zh="计算指标", stage_en="computing marts"
    )


def test_a_run_is_not_refused_for_the_data_pages_lock_probe_but_for_a_run(settings, tmp_path):

    settings.ensure_dirs()
    inbox = tmp_path / "inbox"
    inbox.mkdir()

    def hold(seconds: float, started: threading.Event) -> None:
        with locks.exclusive(settings.lock_path, RuntimeError()):
            started.set()
            time.sleep(seconds)

    # The probe (locks.held) takes the lock for an instant; a run starting then still runs.
    started = threading.Event()
    probe = threading.Thread(target=hold, args=(0.5, started))
    probe.start()
    started.wait()
    assert run_pipeline(settings, inbox).status == "completed"
    probe.join()
    # A real run holding the lock refuses the second one (after the grace).
    started = threading.Event()
    other = threading.Thread(target=hold, args=(6, started))
    other.start()
    started.wait()
    assert locks.held(settings.lock_path)
    with pytest.raises(RunLocked):
        run_pipeline(settings, inbox)
    other.join()
    assert not locks.held(settings.lock_path)
